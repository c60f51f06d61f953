/* aslrun.json: which code serves each Lambda function ("functions": python | command | lambda,
 * with timeout, memory, environment) and inline mocks per state ("mocks"). Parsed strictly: an
 * unknown key is an error naming the closest known one, so a typo never silently changes what
 * runs. Starting the code is left to the handlers (process.c, python.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_TIMEOUT_S 900.0 /* Lambda's largest function timeout */
#define MIN_MEMORY_MB 128
#define MAX_MEMORY_MB 10240
#define DEFAULT_CONCURRENCY 10

static const char *const top_keys[] = {"$schema", "functions", "mocks"};
static const char *const fn_keys[] = {"python", "command", "lambda", "timeout", "memory",
                                      "environment", "runtime", "code", "cold", "concurrency",
                                      "cwd"};
static const char *const lambda_keys[] = {"region", "endpoint", "qualifier", "profile"};

static asl_status unknown_key(const asl_json *o, size_t i, const char *pointer, const char *what,
                              const char *const *allowed, size_t n, asl_error *err)
{
  size_t kl;
  const char *k = asl_json_key_at(o, i, &kl);
  asl_buf b = ASL_BUF_INIT;
  asl_buf_printf(&b, "unknown field \"%s\" in %s", k, what);
  asl__suggest_append(&b, k, allowed, n);
  char *p = asl_pointer_join(pointer, k, kl);
  asl__doc_error(err, asl_json_value_at(o, i), p, "%s", b.data);
  asl_free(p);
  asl_buf_free(&b);
  return ASL_E_DEFINITION;
}

static bool in_list(const char *k, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(k, list[i]) == 0)
      return true;
  return false;
}

static char *join_path(const char *dir, const char *rel)
{
  if (rel[0] == '/' || !dir || !dir[0])
    return asl_strdup(rel);
  return asl_strfmt("%s/%s", dir, rel);
}

static asl_status get_string(const asl_json *o, const char *key, const char *pointer, char **out,
                             asl_error *err)
{
  const asl_json *v = asl_json_get_cstr(o, key);
  if (!v)
    return ASL_OK;
  char *p = asl_pointer_join(pointer, key, strlen(key));
  asl_status st = ASL_OK;
  if (!asl_json_is_string(v) || asl_json_str_len(v) == 0 ||
      strlen(asl_json_str(v)) != asl_json_str_len(v))
    st = asl__doc_error(err, v, p, "\"%s\" must be a non-empty string", key);
  else
    *out = asl_strdup(asl_json_str(v));
  asl_free(p);
  return st;
}

static bool valid_function_name(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 64) /* Lambda's limit for a bare name */
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return false;
  }
  return true;
}

static void fn_free(asl__fn *f)
{
  if (f->ops && f->ops->fn_free)
    f->ops->fn_free(f);
  asl_free(f->name);
  for (size_t i = 0; i < f->env_len; i++)
    asl_free(f->env[i]);
  asl_free(f->env);
  asl_free(f->handler);
  asl_free(f->code_dir);
  asl_free(f->runtime);
  for (size_t i = 0; i < f->argc; i++)
    asl_free(f->argv[i]);
  asl_free(f->argv);
  asl_free(f->cwd);
  asl_free(f->region);
  asl_free(f->endpoint);
  asl_free(f->qualifier);
  asl_free(f->profile);
  asl_free(f);
}

static asl_status parse_function(const char *name, const asl_json *spec, const char *pointer,
                                 const char *dir, asl__fn *f, asl_error *err)
{
  asl_status st;
  if (!asl_json_is_object(spec))
    return asl__doc_error(err, spec, pointer,
                          "a function must be an object with \"python\", \"command\" or \"lambda\"");
  for (size_t i = 0; i < asl_json_len(spec); i++) {
    size_t kl;
    if (!in_list(asl_json_key_at(spec, i, &kl), fn_keys, sizeof fn_keys / sizeof *fn_keys))
      return unknown_key(spec, i, pointer, "a function", fn_keys, sizeof fn_keys / sizeof *fn_keys,
                         err);
  }
  const asl_json *py = asl_json_get_cstr(spec, "python");
  const asl_json *cmd = asl_json_get_cstr(spec, "command");
  const asl_json *lam = asl_json_get_cstr(spec, "lambda");
  int kinds = (py != NULL) + (cmd != NULL) + (lam != NULL);
  if (kinds != 1)
    return asl__doc_error(err, spec, pointer,
                          "function \"%s\" needs exactly one of \"python\" "
                          "(\"dir/module.function\"), \"command\" ([\"./program\", \"arg\"]) or "
                          "\"lambda\" ({\"region\": ...}); it has %s",
                          name, kinds ? "several" : "none");
  f->timeout_s = 3.0; /* Lambda's defaults */
  f->memory_mb = py ? 128 : 0; /* a command has no memory limit unless given one */
  f->concurrency = DEFAULT_CONCURRENCY;

  /* options that only one kind takes */
  static const struct {
    const char *key;
    asl__fn_kind kind;
  } only[] = {{"runtime", ASL_FN_PYTHON}, {"code", ASL_FN_PYTHON}, {"cold", ASL_FN_PYTHON},
              {"concurrency", ASL_FN_PYTHON}, {"cwd", ASL_FN_COMMAND}};
  f->kind = py ? ASL_FN_PYTHON : cmd ? ASL_FN_COMMAND : ASL_FN_LAMBDA;
  for (size_t i = 0; i < sizeof only / sizeof *only; i++) {
    const asl_json *v = asl_json_get_cstr(spec, only[i].key);
    if (v && f->kind != only[i].kind) {
      char *p = asl_pointer_join(pointer, only[i].key, strlen(only[i].key));
      asl__doc_error(err, v, p, "\"%s\" applies only to %s functions", only[i].key,
                     only[i].kind == ASL_FN_PYTHON ? "\"python\"" : "\"command\"");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
  }

  const asl_json *v = asl_json_get_cstr(spec, "timeout");
  if (v) {
    char *p = asl_pointer_join(pointer, "timeout", 7);
    if (!asl_json_is_number(v) || !(asl_json_num_val(v) > 0) ||
        asl_json_num_val(v) > MAX_TIMEOUT_S) {
      asl__doc_error(err, v, p, "\"timeout\" must be a number of seconds above 0 and at most 900");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    asl_free(p);
    f->timeout_s = asl_json_num_val(v);
  }
  v = asl_json_get_cstr(spec, "memory");
  if (v) {
    char *p = asl_pointer_join(pointer, "memory", 6);
    if (f->kind == ASL_FN_LAMBDA) {
      asl__doc_error(err, v, p, "\"memory\" applies only to \"python\" and \"command\" functions "
                                "(a Lambda over HTTP has the memory AWS gave it)");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    if (asl_json_kind_of(v) != ASL_JSON_INT || asl_json_int_val(v) < MIN_MEMORY_MB ||
        asl_json_int_val(v) > MAX_MEMORY_MB) {
      asl__doc_error(err, v, p, "\"memory\" must be a whole number of MB from 128 to 10240");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    asl_free(p);
    f->memory_mb = asl_json_int_val(v);
  }
  v = asl_json_get_cstr(spec, "concurrency");
  if (v) {
    char *p = asl_pointer_join(pointer, "concurrency", 11);
    if (asl_json_kind_of(v) != ASL_JSON_INT || asl_json_int_val(v) < 1 ||
        asl_json_int_val(v) > 1000) {
      asl__doc_error(err, v, p, "\"concurrency\" must be a whole number from 1 to 1000");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    asl_free(p);
    f->concurrency = asl_json_int_val(v);
  }
  v = asl_json_get_cstr(spec, "cold");
  if (v) {
    char *p = asl_pointer_join(pointer, "cold", 4);
    if (!asl_json_is_bool(v)) {
      asl__doc_error(err, v, p, "\"cold\" must be true or false");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    asl_free(p);
    f->cold = asl_json_bool_val(v);
  }
  v = asl_json_get_cstr(spec, "environment");
  if (v) {
    char *p = asl_pointer_join(pointer, "environment", 11);
    if (!asl_json_is_object(v)) {
      asl__doc_error(err, v, p, "\"environment\" must be an object of strings");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    f->env = asl_calloc(asl_json_len(v) + 1, sizeof *f->env);
    for (size_t i = 0; i < asl_json_len(v); i++) {
      size_t kl;
      const char *k = asl_json_key_at(v, i, &kl);
      const asl_json *val = asl_json_value_at(v, i);
      char *ep = asl_pointer_join(p, k, kl);
      const char *why = NULL;
      if (kl == 0 || strlen(k) != kl || strchr(k, '='))
        why = "an environment variable's name must be non-empty, without '=' or NUL";
      else if (!asl_json_is_string(val) || strlen(asl_json_str(val)) != asl_json_str_len(val))
        why = "an environment variable's value must be a string without NUL";
      if (why) {
        asl__doc_error(err, val, ep, "%s", why);
        asl_free(ep);
        asl_free(p);
        return ASL_E_DEFINITION;
      }
      asl_free(ep);
      f->env[f->env_len++] = asl_strfmt("%s=%s", k, asl_json_str(val));
    }
    asl_free(p);
  }

  if (f->kind == ASL_FN_PYTHON) {
    if ((st = get_string(spec, "python", pointer, &f->handler, err)) != ASL_OK)
      return st;
    char *code = NULL;
    if ((st = get_string(spec, "code", pointer, &code, err)) != ASL_OK)
      return st;
    if (code) {
      /* "code" is the package root (Lambda's /var/task); "python" is Lambda's handler string */
      f->code_dir = join_path(dir, code);
      asl_free(code);
    } else {
      /* "dir/module.function": dir is the package root, so the module imports its siblings and
       * error messages name the module as Lambda does */
      char *slash = strrchr(f->handler, '/');
      if (slash) {
        char *rel = asl_strndup(f->handler, (size_t)(slash - f->handler));
        f->code_dir = join_path(dir, rel);
        asl_free(rel);
        memmove(f->handler, slash + 1, strlen(slash + 1) + 1);
      } else {
        f->code_dir = asl_strdup(dir && dir[0] ? dir : ".");
      }
    }
    f->runtime = asl_strdup("python3");
    char *rt = NULL;
    if ((st = get_string(spec, "runtime", pointer, &rt, err)) != ASL_OK)
      return st;
    if (rt) {
      asl_free(f->runtime);
      f->runtime = strchr(rt, '/') ? join_path(dir, rt) : asl_strdup(rt);
      asl_free(rt);
    }
  } else if (f->kind == ASL_FN_COMMAND) {
    char *p = asl_pointer_join(pointer, "command", 7);
    if (!asl_json_is_array(cmd) || asl_json_len(cmd) == 0) {
      asl__doc_error(err, cmd, p, "\"command\" must be a non-empty array of strings, e.g. "
                                  "[\"./handler.sh\", \"arg\"]");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    f->argv = asl_calloc(asl_json_len(cmd) + 1, sizeof *f->argv);
    for (size_t i = 0; i < asl_json_len(cmd); i++) {
      const asl_json *a = asl_json_at(cmd, i);
      if (!asl_json_is_string(a) || strlen(asl_json_str(a)) != asl_json_str_len(a) ||
          (i == 0 && asl_json_str_len(a) == 0)) {
        asl_buf ap = ASL_BUF_INIT;
        asl_buf_printf(&ap, "%s/%zu", p, i);
        asl__doc_error(err, a, ap.data, "each element of \"command\" must be a string without NUL%s",
                       i == 0 ? ", the first one non-empty" : "");
        asl_buf_free(&ap);
        asl_free(p);
        return ASL_E_DEFINITION;
      }
      const char *s = asl_json_str(a);
      /* a program named with a path is relative to aslrun.json; a bare name is looked up in PATH */
      f->argv[f->argc++] = (i == 0 && strchr(s, '/')) ? join_path(dir, s) : asl_strdup(s);
    }
    asl_free(p);
    char *cwd = NULL;
    if ((st = get_string(spec, "cwd", pointer, &cwd, err)) != ASL_OK)
      return st;
    f->cwd = cwd ? join_path(dir, cwd) : asl_strdup(dir && dir[0] ? dir : ".");
    asl_free(cwd);
  } else {
    char *p = asl_pointer_join(pointer, "lambda", 6);
    if (!asl_json_is_object(lam)) {
      asl__doc_error(err, lam, p, "\"lambda\" must be an object: {\"region\", \"endpoint\", "
                                  "\"qualifier\", \"profile\"}, each optional");
      asl_free(p);
      return ASL_E_DEFINITION;
    }
    for (size_t i = 0; i < asl_json_len(lam); i++) {
      size_t kl;
      if (!in_list(asl_json_key_at(lam, i, &kl), lambda_keys, 4)) {
        st = unknown_key(lam, i, p, "\"lambda\"", lambda_keys, 4, err);
        asl_free(p);
        return st;
      }
    }
    st = get_string(lam, "region", p, &f->region, err);
    if (st == ASL_OK)
      st = get_string(lam, "endpoint", p, &f->endpoint, err);
    if (st == ASL_OK)
      st = get_string(lam, "qualifier", p, &f->qualifier, err);
    if (st == ASL_OK)
      st = get_string(lam, "profile", p, &f->profile, err);
    const char *why = st == ASL_OK && f->endpoint ? asl__endpoint_problem(f->endpoint) : NULL;
    if (why) {
      char *ep = asl_pointer_join(p, "endpoint", 8);
      st = asl__doc_error(err, asl_json_get_cstr(lam, "endpoint"), ep, "\"endpoint\" %s", why);
      asl_free(ep);
    }
    if (st == ASL_OK && f->qualifier) {
      const char *q = f->qualifier;
      bool ok = strlen(q) <= 128;
      for (size_t i = 0; ok && q[i]; i++)
        ok = (q[i] >= 'a' && q[i] <= 'z') || (q[i] >= 'A' && q[i] <= 'Z') ||
             (q[i] >= '0' && q[i] <= '9') || q[i] == '-' || q[i] == '_' ||
             (q[i] == '$' && strcmp(q, "$LATEST") == 0);
      if (!ok) {
        char *qp = asl_pointer_join(p, "qualifier", 9);
        st = asl__doc_error(err, asl_json_get_cstr(lam, "qualifier"), qp,
                            "\"qualifier\" must be a version, an alias or $LATEST");
        asl_free(qp);
      }
    }
    asl_free(p);
    if (st != ASL_OK)
      return st;
    /* over HTTP the function's own timeout is Lambda's business; "timeout" only bounds how long
     * aslrun waits for an answer (http_lambda.c picks the default) */
    if (!asl_json_get_cstr(spec, "timeout"))
      f->timeout_s = 0;
  }
  return ASL_OK;
}

asl_status asl__config_load(asl_handlers *reg, const asl_json *config, const char *config_dir,
                            asl__config *out, asl_error *err)
{
  memset(out, 0, sizeof *out);
  if (!asl_json_is_object(config))
    return asl__doc_error(err, config, "",
                          "aslrun.json must be an object: {\"functions\": {...}, \"mocks\": {...}}");
  for (size_t i = 0; i < asl_json_len(config); i++) {
    size_t kl;
    if (!in_list(asl_json_key_at(config, i, &kl), top_keys, 3))
      return unknown_key(config, i, "", "aslrun.json", top_keys, 3, err);
  }
  asl_status st = ASL_OK;
  /* paths become absolute now: a command runs in its own working directory */
  char *abs_dir = realpath(config_dir && config_dir[0] ? config_dir : ".", NULL);
  char *dir = abs_dir ? asl_strdup(abs_dir) : asl_strdup(config_dir ? config_dir : ".");
  free(abs_dir);
  const asl_json *fns = asl_json_get_cstr(config, "functions");
  if (fns && !asl_json_is_object(fns)) {
    asl_free(dir);
    return asl__doc_error(err, fns, "/functions",
                          "\"functions\" must be an object of function names to settings");
  }
  for (size_t i = 0; fns && i < asl_json_len(fns); i++) {
    size_t kl;
    const char *name = asl_json_key_at(fns, i, &kl);
    char *p = asl_pointer_join("/functions", name, kl);
    if (strlen(name) != kl || !valid_function_name(name)) {
      st = asl__doc_error(err, asl_json_value_at(fns, i), p,
                          "\"%s\" is not a Lambda function name (1-64 letters, digits, '-' or "
                          "'_'); key functions by name, not by ARN",
                          name);
      asl_free(p);
      goto fail;
    }
    asl__fn *f = asl_calloc(1, sizeof *f);
    f->name = asl_strdup(name);
    f->reg = reg;
    st = parse_function(name, asl_json_value_at(fns, i), p, dir, f, err);
    asl_free(p);
    if (st != ASL_OK) {
      fn_free(f);
      goto fail;
    }
    HASH_ADD_KEYPTR(hh, out->fns, f->name, strlen(f->name), f);
  }
  const asl_json *mocks = asl_json_get_cstr(config, "mocks");
  if (mocks && !asl_json_is_object(mocks)) {
    st = asl__doc_error(err, mocks, "/mocks",
                        "\"mocks\" must be an object of state names to mocked responses");
    goto fail;
  }
  for (size_t i = 0; mocks && i < asl_json_len(mocks); i++) {
    size_t kl;
    const char *state = asl_json_key_at(mocks, i, &kl);
    char *p = asl_pointer_join("/mocks", state, kl);
    asl__state_mock *m = asl_calloc(1, sizeof *m);
    m->state = asl_strndup(state, kl);
    m->inline_mock = true;
    m->resp = asl_calloc(1, sizeof *m->resp);
    m->resp->name = asl_strfmt("mocks/%s", m->state);
    st = asl__mock_response_parse(asl_json_value_at(mocks, i), p, true, m->resp, err);
    asl_free(p);
    HASH_ADD_KEYPTR(hh, out->inline_mocks, m->state, kl, m);
    if (st != ASL_OK)
      goto fail;
  }
  asl_free(dir);
  return ASL_OK;
fail:
  asl_free(dir);
  asl__config_free(out);
  return st;
}

void asl__config_free(asl__config *cfg)
{
  asl__fn *f, *ft;
  HASH_ITER(hh, cfg->fns, f, ft)
  {
    HASH_DEL(cfg->fns, f);
    fn_free(f);
  }
  asl__state_mock *m, *mt;
  HASH_ITER(hh, cfg->inline_mocks, m, mt)
  {
    HASH_DEL(cfg->inline_mocks, m);
    asl__mock_response_clear(m->resp);
    asl_free(m->resp->name);
    asl_free(m->resp);
    asl_free(m->state);
    asl_free(m);
  }
}
