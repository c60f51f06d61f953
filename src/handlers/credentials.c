/* Credentials, region and endpoint from the environment and the shared AWS files, in the order
 * the SDKs use (reference lambda-invoke-api.md sections 4 and 6; botocore credentials.py and
 * configprovider.py). The files are INI as botocore's configparser reads them: full-line '#'/';'
 * comments, "key = value" or "key: value", keys case-insensitive, indented lines under an empty
 * key are its sub-settings ("lambda =\n  endpoint_url = ..."). Providers that talk to other
 * services (assume role, SSO, web identity, credential_process, container and EC2 metadata) are
 * refused with a clear message rather than skipped. */
#include "credentials.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#define MAX_FILE_BYTES (1024 * 1024) /* an AWS config file is a few KB */

typedef struct ini_entry {
  char *section, *key, *value;
} ini_entry;

typedef struct ini {
  char *path;
  bool present;
  ASL_VEC(ini_entry) items;
} ini;

static void ini_free(ini *f)
{
  for (size_t i = 0; i < f->items.len; i++) {
    asl_free(f->items.items[i].section);
    asl_free(f->items.items[i].key);
    asl_free(f->items.items[i].value);
  }
  ASL_VEC_FREE(f->items);
  asl_free(f->path);
}

static char *trim(const char *s, size_t n)
{
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  return asl_strndup(s, n);
}

static void lower_in_place(char *s)
{
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
}

static void ini_add(ini *f, const char *section, char *key, char *value)
{
  ini_entry e = {asl_strdup(section), key, value};
  ASL_VEC_PUSH(f->items, e);
}

static asl_status ini_parse(ini *f, const char *text, size_t len, asl_error *err)
{
  char *section = NULL;
  char *parent = NULL; /* the last key, for indented sub-settings */
  int line_no = 0;
  asl_status st = ASL_OK;
  for (size_t at = 0; at < len && st == ASL_OK;) {
    const char *line = text + at;
    const char *nl = memchr(line, '\n', len - at);
    size_t n = nl ? (size_t)(nl - line) : len - at;
    at += n + (nl ? 1 : 0);
    line_no++;
    char *t = trim(line, n);
    bool indented = n > 0 && (line[0] == ' ' || line[0] == '\t');
    if (!t[0] || t[0] == '#' || t[0] == ';') {
      asl_free(t);
      continue;
    }
    size_t tl = strlen(t);
    if (!indented && t[0] == '[') {
      if (t[tl - 1] != ']') {
        st = asl_error_set(err, ASL_E_IO, NULL, "%s:%d: a section header must end with ']'",
                           f->path, line_no);
      } else {
        asl_free(section);
        section = trim(t + 1, tl - 2);
        asl_free(parent);
        parent = NULL;
      }
      asl_free(t);
      continue;
    }
    size_t eq = strcspn(t, "=:");
    if (!section || t[eq] == '\0') {
      st = asl_error_set(err, ASL_E_IO, NULL,
                         section ? "%s:%d: expected \"key = value\"" : "%s:%d: a setting before "
                                                                     "any [section]",
                         f->path, line_no);
      asl_free(t);
      continue;
    }
    char *key = trim(t, eq);
    char *value = trim(t + eq + 1, tl - eq - 1);
    lower_in_place(key);
    asl_free(t);
    if (indented && parent) {
      char *sub = asl_strfmt("%s.%s", parent, key);
      asl_free(key);
      ini_add(f, section, sub, value);
      continue;
    }
    asl_free(parent);
    parent = value[0] ? NULL : asl_strdup(key);
    ini_add(f, section, key, value);
  }
  asl_free(section);
  asl_free(parent);
  return st;
}

/* Reads [path] when it exists; a missing file is no error (f->present stays false). */
static asl_status ini_load(const char *path, ini *f, asl_error *err)
{
  memset(f, 0, sizeof *f);
  f->path = asl_strdup(path);
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    if (errno == ENOENT || errno == ENOTDIR)
      return ASL_OK;
    return asl_error_set(err, ASL_E_IO, NULL, "cannot read %s: %s", path, strerror(errno));
  }
  struct stat sb;
  if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_FILE_BYTES) {
    fclose(fp);
    return asl_error_set(err, ASL_E_IO, NULL, "cannot read %s: not a regular file of at most %d "
                                              "bytes",
                         path, MAX_FILE_BYTES);
  }
  char *text = asl_alloc((size_t)sb.st_size + 1);
  size_t n = fread(text, 1, (size_t)sb.st_size, fp);
  bool failed = ferror(fp);
  fclose(fp);
  if (failed) {
    asl_free(text);
    return asl_error_set(err, ASL_E_IO, NULL, "cannot read %s", path);
  }
  f->present = true;
  asl_status st = ini_parse(f, text, n, err);
  asl_free(text);
  return st;
}

static bool ini_has_section(const ini *f, const char *section)
{
  for (size_t i = 0; i < f->items.len; i++)
    if (strcmp(f->items.items[i].section, section) == 0)
      return true;
  return false;
}

/* The last value of [key] in [section] (later lines win), or NULL. */
static const char *ini_get(const ini *f, const char *section, const char *key)
{
  const char *v = NULL;
  for (size_t i = 0; section && i < f->items.len; i++) {
    const ini_entry *e = &f->items.items[i];
    if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
      v = e->value;
  }
  return v;
}

static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

static char *home_file(const char *env_name, const char *rel)
{
  const char *p = env(env_name);
  if (p) {
    if (p[0] == '~' && (p[1] == '/' || !p[1])) {
      char home[4096];
      size_t hl = sizeof home;
      if (uv_os_homedir(home, &hl) == 0)
        return asl_strfmt("%s%s", home, p + 1);
    }
    return asl_strdup(p);
  }
  char home[4096];
  size_t hl = sizeof home;
  if (uv_os_homedir(home, &hl) != 0)
    return NULL;
  return asl_strfmt("%s/%s", home, rel);
}

static bool is_true(const char *v)
{
  return v && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0);
}

void asl__aws_settings_free(asl__aws_settings *s)
{
  if (s->secret_key)
    memset(s->secret_key, 0, strlen(s->secret_key));
  asl_free(s->access_key);
  asl_free(s->secret_key);
  asl_free(s->session_token);
  asl_free(s->creds_source);
  asl_free(s->searched);
  asl_free(s->profile);
  asl_free(s->region);
  asl_free(s->endpoint);
  asl_free(s->endpoint_source);
  asl_free(s->ca_bundle);
  memset(s, 0, sizeof *s);
}

/* Takes id/secret/token from [section] of [f]; ASL_OK with nothing set when the section has
 * neither key; an error when it has only one of them. */
static asl_status take_keys(const ini *f, const char *section, const char *profile,
                            asl__aws_settings *out, asl_error *err)
{
  const char *id = ini_get(f, section, "aws_access_key_id");
  const char *secret = ini_get(f, section, "aws_secret_access_key");
  if (!id && !secret)
    return ASL_OK;
  if (!id || !secret || !id[0] || !secret[0])
    return asl_error_set(err, ASL_E_USAGE, NULL,
                         "profile \"%s\" in %s has %s but no %s: AWS needs both", profile,
                         f->path, id && id[0] ? "aws_access_key_id" : "aws_secret_access_key",
                         id && id[0] ? "aws_secret_access_key" : "aws_access_key_id");
  out->access_key = asl_strdup(id);
  out->secret_key = asl_strdup(secret);
  const char *token = ini_get(f, section, "aws_session_token");
  if (!token)
    token = ini_get(f, section, "aws_security_token");
  out->session_token = token && token[0] ? asl_strdup(token) : NULL;
  out->creds_source = asl_strfmt("profile \"%s\" in %s", profile, f->path);
  return ASL_OK;
}

asl_status asl__aws_settings_load(const char *profile, const char *service,
                                  asl__aws_settings *out, asl_error *err)
{
  memset(out, 0, sizeof *out);
  asl_status st = ASL_OK;
  ini creds = {0};
  ini config = {0};
  char *creds_path = home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  char *config_path = home_file("AWS_CONFIG_FILE", ".aws/config");
  char *config_section = NULL;
  bool named = profile != NULL;
  const char *pname = profile;
  if (!pname)
    pname = env("AWS_PROFILE");
  if (!pname)
    pname = env("AWS_DEFAULT_PROFILE");
  named = named || pname != NULL;
  if (!pname)
    pname = "default";
  out->profile = asl_strdup(pname);

  if (creds_path && (st = ini_load(creds_path, &creds, err)) != ASL_OK)
    goto out;
  if (config_path && (st = ini_load(config_path, &config, err)) != ASL_OK)
    goto out;
  /* in the config file every profile but the default is "[profile NAME]" */
  config_section = asl_strfmt("profile %s", pname);
  if (!ini_has_section(&config, config_section) && strcmp(pname, "default") == 0) {
    asl_free(config_section);
    config_section = asl_strdup("default");
  }
  bool in_creds = ini_has_section(&creds, pname);
  bool in_config = ini_has_section(&config, config_section);
  if (named && !in_creds && !in_config) {
    st = asl_error_set(err, ASL_E_USAGE, NULL,
                       "the AWS profile \"%s\"%s is in neither %s nor %s", pname,
                       profile ? " (aslrun.json \"profile\")"
                               : env("AWS_PROFILE") ? " (AWS_PROFILE)" : " (AWS_DEFAULT_PROFILE)",
                       creds_path ? creds_path : "~/.aws/credentials",
                       config_path ? config_path : "~/.aws/config");
    goto out;
  }
  const char *csec = in_config ? config_section : NULL;

  /* credentials: the environment (unless a profile was chosen explicitly), then the profile's
   * role settings (which the SDKs would prefer and aslrun cannot follow), then its keys in the
   * credentials file, then in the config file */
  const char *id = env("AWS_ACCESS_KEY_ID");
  const char *secret = env("AWS_SECRET_ACCESS_KEY");
  if (!profile && (id || secret)) {
    if (!id || !secret) {
      st = asl_error_set(err, ASL_E_USAGE, NULL, "%s is set but %s is not: AWS needs both",
                         id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                         id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
      goto out;
    }
    out->access_key = asl_strdup(id);
    out->secret_key = asl_strdup(secret);
    const char *token = env("AWS_SESSION_TOKEN");
    if (!token)
      token = env("AWS_SECURITY_TOKEN");
    out->session_token = token ? asl_strdup(token) : NULL;
    out->creds_source = asl_strdup("the environment (AWS_ACCESS_KEY_ID)");
  }
  if (!out->access_key) {
    static const char *const unsupported[] = {"role_arn", "web_identity_token_file",
                                              "sso_session", "sso_start_url"};
    for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
      if (ini_get(&config, csec, unsupported[i]) || ini_get(&creds, in_creds ? pname : NULL,
                                                            unsupported[i])) {
        st = asl_error_set(err, ASL_E_USAGE, NULL,
                           "the AWS profile \"%s\" uses %s, a credential provider aslrun does "
                           "not support; give the profile static keys (aws_access_key_id, "
                           "aws_secret_access_key, aws_session_token) or export "
                           "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
                           pname, unsupported[i]);
        goto out;
      }
    }
    if (in_creds && (st = take_keys(&creds, pname, pname, out, err)) != ASL_OK)
      goto out;
    if (!out->access_key && csec && (st = take_keys(&config, csec, pname, out, err)) != ASL_OK)
      goto out;
    if (!out->access_key && ini_get(&config, csec, "credential_process")) {
      st = asl_error_set(err, ASL_E_USAGE, NULL,
                         "the AWS profile \"%s\" uses credential_process, which aslrun does not "
                         "run; export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                         "AWS_SESSION_TOKEN instead",
                         pname);
      goto out;
    }
  }
  if (!out->access_key)
    out->searched = asl_strfmt("AWS_ACCESS_KEY_ID, profile \"%s\" in %s and %s%s", pname,
                               creds_path ? creds_path : "~/.aws/credentials",
                               config_path ? config_path : "~/.aws/config",
                               env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
                                       env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                                   ? "; container credentials are not supported"
                                   : "");

  /* region */
  const char *region = env("AWS_REGION");
  if (!region)
    region = env("AWS_DEFAULT_REGION");
  if (!region)
    region = ini_get(&config, csec, "region");
  out->region = region && region[0] ? asl_strdup(region) : NULL;

  const char *ca = env("AWS_CA_BUNDLE");
  if (!ca)
    ca = ini_get(&config, csec, "ca_bundle");
  out->ca_bundle = ca && ca[0] ? asl_strdup(ca) : NULL;

  /* endpoint: service variable, global variable, the profile's services section, the profile */
  if (!is_true(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
      !is_true(ini_get(&config, csec, "ignore_configured_endpoint_urls"))) {
    char *var = asl_strfmt("AWS_ENDPOINT_URL_%s", service);
    for (char *p = var; *p; p++)
      *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : (*p == '-' ? '_' : *p);
    const char *ep = env(var);
    const char *src = var;
    if (!ep) {
      ep = env("AWS_ENDPOINT_URL");
      src = "AWS_ENDPOINT_URL";
    }
    char *services_src = NULL;
    if (!ep) {
      const char *services = ini_get(&config, csec, "services");
      if (services) {
        char *ssec = asl_strfmt("services %s", services);
        char *key = asl_strfmt("%s.endpoint_url", service);
        ep = ini_get(&config, ssec, key);
        if (ep)
          services_src = asl_strfmt("[%s] in %s", ssec, config.path);
        asl_free(ssec);
        asl_free(key);
      }
    }
    if (!ep) {
      ep = ini_get(&config, csec, "endpoint_url");
      if (ep)
        services_src = asl_strfmt("profile \"%s\" in %s", pname, config.path);
    }
    if (ep && ep[0]) {
      out->endpoint = asl_strdup(ep);
      out->endpoint_source = services_src ? services_src : asl_strdup(src);
      services_src = NULL;
    }
    asl_free(services_src);
    asl_free(var);
  }
out:
  if (st != ASL_OK)
    asl__aws_settings_free(out);
  asl_free(config_section);
  ini_free(&creds);
  ini_free(&config);
  asl_free(creds_path);
  asl_free(config_path);
  return st;
}
