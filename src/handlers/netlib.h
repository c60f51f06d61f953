/* libcurl, loaded on first use (private to src/handlers). Linking libcurl costs every aslrun
 * process about 5 ms of start-up (it pulls in some 30 shared libraries), although only runs that
 * call a Lambda over HTTP need it; so it is dlopen'ed the first time an HTTP function or the
 * Lambda server needs it, and its functions are called through this table (libcrypto is loaded
 * the same way, by src/util/digest.c). The headers are still the real ones: types and constants
 * are checked at compile time. */
#ifndef ASLRUN_HANDLERS_NETLIB_H
#define ASLRUN_HANDLERS_NETLIB_H

#include <curl/curl.h>

#include "aslrun/error.h"

typedef struct asl__curl_api {
  __typeof__(curl_global_init) *global_init;
  __typeof__(curl_version_info) *version_info;
  __typeof__(curl_easy_init) *easy_init;
  __typeof__(curl_easy_setopt) *easy_setopt;
  __typeof__(curl_easy_getinfo) *easy_getinfo;
  __typeof__(curl_easy_cleanup) *easy_cleanup;
  __typeof__(curl_easy_strerror) *easy_strerror;
  __typeof__(curl_multi_init) *multi_init;
  __typeof__(curl_multi_setopt) *multi_setopt;
  __typeof__(curl_multi_add_handle) *multi_add_handle;
  __typeof__(curl_multi_remove_handle) *multi_remove_handle;
  __typeof__(curl_multi_socket_action) *multi_socket_action;
  __typeof__(curl_multi_info_read) *multi_info_read;
  __typeof__(curl_multi_assign) *multi_assign;
  __typeof__(curl_multi_cleanup) *multi_cleanup;
  __typeof__(curl_multi_strerror) *multi_strerror;
  __typeof__(curl_slist_append) *slist_append;
  __typeof__(curl_slist_free_all) *slist_free_all;
} asl__curl_api;


/* The libcurl table, with curl_global_init done; NULL and [err] when libcurl (libcurl.so.4) is
 * missing or too old. Loaded once per process; later calls are cheap. */
const asl__curl_api *asl__curl_load(asl_error *err);

#endif
