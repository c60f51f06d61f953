/* Loads libcurl with dlopen the first time it is needed (netlib.h says why),
 * once per process; the tables are filled once and never change, so any thread or registry may
 * share them. Nothing is ever unloaded: libcurl keeps global state (its TLS backend) alive. */
#include "netlib.h"

#include <dlfcn.h>
#include <uv.h>

typedef struct lib_spec {
  const char *const *files; /* sonames to try, in order */
  const char *const *symbols;
  void **slots; /* as many as symbols, in the same order */
  size_t n;
} lib_spec;

/* Opens the first of [spec]'s files that has every symbol; returns NULL or a message. */
static char *load_lib(const lib_spec *spec)
{
  char *why = NULL;
  for (size_t f = 0; spec->files[f]; f++) {
    void *lib = dlopen(spec->files[f], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      if (!why)
        why = asl_strdup(dlerror());
      continue;
    }
    size_t i = 0;
    for (; i < spec->n; i++) {
      void *sym = dlsym(lib, spec->symbols[i]);
      if (!sym)
        break;
      spec->slots[i] = sym;
    }
    if (i == spec->n) {
      asl_free(why);
      return NULL;
    }
    asl_free(why);
    why = asl_strfmt("%s has no %s (too old?)", spec->files[f], spec->symbols[i]);
    dlclose(lib);
  }
  return why;
}

/* ---- libcurl ---- */

static asl__curl_api curl_api;
static char *curl_failure;
static uv_once_t curl_once = UV_ONCE_INIT;

static void load_curl(void)
{
  static const char *const files[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL};
  static const char *const symbols[] = {
      "curl_global_init",      "curl_version_info",       "curl_easy_init",
      "curl_easy_setopt",      "curl_easy_getinfo",       "curl_easy_cleanup",
      "curl_easy_strerror",    "curl_multi_init",         "curl_multi_setopt",
      "curl_multi_add_handle", "curl_multi_remove_handle", "curl_multi_socket_action",
      "curl_multi_info_read",  "curl_multi_assign",       "curl_multi_cleanup",
      "curl_multi_strerror",   "curl_slist_append",       "curl_slist_free_all"};
  asl__curl_api *a = &curl_api;
  void **slots[] = {
      (void **)&a->global_init,  (void **)&a->version_info,       (void **)&a->easy_init,
      (void **)&a->easy_setopt,  (void **)&a->easy_getinfo,       (void **)&a->easy_cleanup,
      (void **)&a->easy_strerror, (void **)&a->multi_init,        (void **)&a->multi_setopt,
      (void **)&a->multi_add_handle, (void **)&a->multi_remove_handle,
      (void **)&a->multi_socket_action, (void **)&a->multi_info_read, (void **)&a->multi_assign,
      (void **)&a->multi_cleanup, (void **)&a->multi_strerror,    (void **)&a->slist_append,
      (void **)&a->slist_free_all};
  _Static_assert(sizeof symbols / sizeof *symbols == sizeof slots / sizeof *slots,
                 "one slot per symbol");
  void *tmp[sizeof symbols / sizeof *symbols];
  lib_spec spec = {files, symbols, tmp, sizeof symbols / sizeof *symbols};
  curl_failure = load_lib(&spec);
  if (curl_failure)
    return;
  for (size_t i = 0; i < spec.n; i++)
    *slots[i] = tmp[i];
  /* the multi interface on an external loop needs curl_multi_socket_action and CURLMOPT_*FUNCTION
   * (7.16); 7.62 is the oldest release whose connection reuse we tested against */
  const curl_version_info_data *v = curl_api.version_info(CURLVERSION_NOW);
  if (!v || v->version_num < 0x073E00) {
    curl_failure = asl_strfmt("libcurl %s is too old; aslrun needs 7.62 or later",
                              v ? v->version : "(unknown version)");
    return;
  }
  CURLcode rc = curl_api.global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK)
    curl_failure = asl_strfmt("curl_global_init failed: %s", curl_api.easy_strerror(rc));
}

const asl__curl_api *asl__curl_load(asl_error *err)
{
  uv_once(&curl_once, load_curl);
  if (curl_failure) {
    asl_error_set(err, ASL_E_IO, NULL,
                  "cannot load libcurl, which calling Lambda functions over HTTP needs: %s "
                  "(install libcurl4)",
                  curl_failure);
    return NULL;
  }
  return &curl_api;
}
