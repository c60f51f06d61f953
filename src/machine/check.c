/* The shared field checkers: value kinds, integer and number ranges, and compiling paths,
 * reference paths, `.$` expressions and payload templates through lang. Every loader uses these,
 * so one kind of problem is worded one way everywhere ("TimeoutSeconds must be a positive
 * integer, not 0"). What a field means is left to the loaders. */
#include "internal.h"

#include <math.h>
#include <string.h>

const char *const asl__field_names[F_COUNT] = {
#define ASL_FIELD(id, name, ql) [F_##id] = name,
#include "fields.def"
#undef ASL_FIELD
};

const unsigned char asl__field_ql[F_COUNT] = {
#define ASL_FIELD(id, name, ql) [F_##id] = ql,
#include "fields.def"
#undef ASL_FIELD
};

char *asl__ptr(const char *base, const char *token)
{
  return asl_pointer_join(base, token, strlen(token));
}

const char *asl__arena_ptr(loader *L, const char *base, const char *token, size_t len)
{
  char *p = asl_pointer_join(base, token, len);
  const char *q = asl_arena_strdup(L->a, p);
  asl_free(p);
  return q;
}

slot asl__member(const asl_json *obj, const char *key)
{
  size_t klen = strlen(key);
  size_t n = asl_json_len(obj);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *k = asl_json_key_at(obj, i, &len);
    if (len == klen && memcmp(k, key, len) == 0)
      return (slot){asl_json_value_at(obj, i), asl_json_key_pos_at(obj, i)};
  }
  return (slot){NULL, asl_json_pos(obj)};
}

bool asl__is_jsonata_expr(const asl_json *v)
{
  if (!v || !asl_json_is_string(v))
    return false;
  const char *s = asl_json_str(v);
  size_t n = asl_json_str_len(v);
  return n >= 4 && memcmp(s, "{%", 2) == 0 && memcmp(s + n - 2, "%}", 2) == 0;
}

/* "; ..." advice for a JSONata expression written where JSONPath mode expects something else. */
static const char *jsonata_hint(const asl_json *v)
{
  return asl__is_jsonata_expr(v)
             ? "; JSONata expressions need \"QueryLanguage\": \"JSONata\" (on the state or the "
               "machine)"
             : "";
}

static void wrong_kind(loader *L, const slot *s, const char *base, const char *field,
                       const char *want)
{
  char *got = asl__describe(s->v);
  asl__diag(L, asl__vpos(s), base, field, "%s must be %s, not %s%s", field, want, got,
            jsonata_hint(s->v));
  asl_free(got);
}

bool asl__want_string(loader *L, const slot *s, const char *base, const char *field)
{
  if (asl_json_is_string(s->v))
    return true;
  wrong_kind(L, s, base, field, "a string");
  return false;
}

bool asl__want_bool(loader *L, const slot *s, const char *base, const char *field)
{
  if (asl_json_is_bool(s->v))
    return true;
  wrong_kind(L, s, base, field, "true or false");
  return false;
}

bool asl__want_object(loader *L, const slot *s, const char *base, const char *field)
{
  if (asl_json_is_object(s->v))
    return true;
  wrong_kind(L, s, base, field, "an object");
  return false;
}

bool asl__want_array(loader *L, const slot *s, const char *base, const char *field, bool nonempty)
{
  if (!asl_json_is_array(s->v)) {
    wrong_kind(L, s, base, field, nonempty ? "a non-empty array" : "an array");
    return false;
  }
  if (nonempty && asl_json_len(s->v) == 0) {
    asl__diag(L, asl__vpos(s), base, field, "%s must not be empty", field);
    return false;
  }
  return true;
}

bool asl__want_int(loader *L, const slot *s, const char *base, const char *field, int64_t min,
                   int64_t max, const char *what, int64_t *out)
{
  const asl_json *v = s->v;
  bool ok = asl_json_kind_of(v) == ASL_JSON_INT && asl_json_int_val(v) >= min &&
            asl_json_int_val(v) <= max;
  if (!ok) {
    char *got = asl__describe(v);
    asl__diag(L, asl__vpos(s), base, field, "%s must be %s, not %s%s", field, what, got,
              jsonata_hint(v));
    asl_free(got);
    return false;
  }
  if (out)
    *out = asl_json_int_val(v);
  return true;
}

bool asl__want_number(loader *L, const slot *s, const char *base, const char *field, double min,
                      double max, const char *what, double *out)
{
  const asl_json *v = s->v;
  double d = asl_json_is_number(v) ? asl_json_num_val(v) : NAN;
  if (!(d >= min && d <= max)) {
    char *got = asl__describe(v);
    asl__diag(L, asl__vpos(s), base, field, "%s must be %s, not %s%s", field, what, got,
              jsonata_hint(v));
    asl_free(got);
    return false;
  }
  if (out)
    *out = d;
  return true;
}

/* A path field: a string, or null where [is_null] allows it. */
static bool path_text(loader *L, const slot *s, const char *base, const char *field, bool *is_null,
                      const char *kind)
{
  if (is_null && asl_json_is_null(s->v)) {
    *is_null = true;
    return false;
  }
  if (!asl_json_is_string(s->v)) {
    char *want = asl_strfmt(is_null ? "%s (or null)" : "%s", kind);
    wrong_kind(L, s, base, field, want);
    asl_free(want);
    return false;
  }
  return true;
}

/* lang's causes quote the path and say where it goes wrong: they are the message */
static void bad_path(loader *L, const slot *s, const char *base, const char *field,
                     const char *kind, asl_error *err)
{
  if (err->cause) {
    asl__diag(L, asl__vpos(s), base, field, "%s%s", err->cause, jsonata_hint(s->v));
  } else {
    char *text = asl__describe(s->v);
    asl__diag(L, asl__vpos(s), base, field, "%s is not a valid %s%s", text, kind,
              jsonata_hint(s->v));
    asl_free(text);
  }
  asl_error_clear(err);
}

bool asl__compile_path(loader *L, const slot *s, const char *base, const char *field, bool *is_null,
                       asl_path **out)
{
  if (!path_text(L, s, base, field, is_null, "a JSONPath string"))
    return false;
  asl_error err = ASL_ERROR_INIT;
  if (asl_path_compile(L->a, asl_json_str(s->v), asl_json_str_len(s->v), out, &err) != ASL_OK) {
    bad_path(L, s, base, field, "JSONPath", &err);
    *out = NULL;
    return false;
  }
  return true;
}

bool asl__compile_value_path(loader *L, const slot *s, const char *base, const char *field,
                             asl_path **out)
{
  if (!asl__compile_path(L, s, base, field, NULL, out))
    return false;
  if (asl_path_is_definite(*out))
    return true;
  char *text = asl__describe(s->v);
  asl__diag(L, asl__vpos(s), base, field,
            "%s must name a single value, but %s may match several (a wildcard, slice, union, "
            "filter or '..'); use names and indexes only, as $.a.b[0]",
            field, text);
  asl_free(text);
  *out = NULL;
  return false;
}

bool asl__compile_refpath(loader *L, const slot *s, const char *base, const char *field,
                          bool *is_null, asl_refpath **out)
{
  if (!path_text(L, s, base, field, is_null, "a reference path string"))
    return false;
  asl_error err = ASL_ERROR_INIT;
  if (asl_refpath_compile(L->a, asl_json_str(s->v), asl_json_str_len(s->v), out, &err) != ASL_OK) {
    bad_path(L, s, base, field, "reference path", &err);
    *out = NULL;
    return false;
  }
  return true;
}

bool asl__compile_expr(loader *L, const slot *s, const char *base, const char *field, int allow,
                       asl_expr **out)
{
  const char *kind = allow & ASL_EXPR_INTRINSICS ? "path or intrinsic function call" : "path";
  if (!path_text(L, s, base, field, NULL,
                 allow & ASL_EXPR_INTRINSICS ? "a string (a path or an intrinsic function call)"
                                             : "a JSONPath string"))
    return false;
  asl_error err = ASL_ERROR_INIT;
  if (asl_expr_compile(L->a, asl_json_str(s->v), asl_json_str_len(s->v), allow, out, &err) !=
      ASL_OK) {
    bad_path(L, s, base, field, kind, &err);
    *out = NULL;
    return false;
  }
  return true;
}

bool asl__compile_template(loader *L, const slot *s, const char *base, const char *field,
                           asl_template **out)
{
  *out = NULL;
  if (!asl__want_object(L, s, base, field))
    return false;
  char *ptr = asl__ptr(base, field);
  *out = asl_template_compile(L->a, s->v, ptr, L->d);
  asl_free(ptr);
  return *out != NULL;
}

const char *asl__arena_str(loader *L, const asl_json *v)
{
  return asl_arena_strndup(L->a, asl_json_str(v), asl_json_str_len(v));
}

bool asl__scan_object(loader *L, const asl_json *v, size_t vpos, const char *ptr, const char *what,
                      const char *const *names, size_t n, slot *out)
{
  for (size_t i = 0; i < n; i++)
    out[i] = (slot){NULL, vpos};
  if (!asl_json_is_object(v)) {
    char *got = asl__describe(v);
    asl__diag(L, vpos, ptr, NULL, "%s must be an object, not %s", what, got);
    asl_free(got);
    return false;
  }
  size_t count = asl_json_len(v);
  for (size_t i = 0; i < count; i++) {
    size_t klen;
    const char *k = asl_json_key_at(v, i, &klen);
    size_t j = 0;
    while (j < n && !(strlen(names[j]) == klen && memcmp(names[j], k, klen) == 0))
      j++;
    if (j < n) {
      out[j] = (slot){asl_json_value_at(v, i), asl_json_key_pos_at(v, i)};
      continue;
    }
    suggest sg;
    asl__suggest_init(&sg, k, klen);
    for (size_t c = 0; c < n; c++)
      asl__suggest_try(&sg, names[c], strlen(names[c]));
    char buf[1024];
    asl_json *key = asl_json_string(k, klen);
    char *kq = asl__describe(key);
    asl_json_decref(key);
    char *field = asl_strndup(k, klen);
    if (sg.best) {
      asl__diag(L, asl_json_key_pos_at(v, i), ptr, field, "unknown field %s in %s%s", kq, what,
                asl__suggest_text(&sg, buf, sizeof buf));
    } else {
      asl_buf allowed = ASL_BUF_INIT;
      for (size_t c = 0; c < n; c++)
        asl_buf_printf(&allowed, "%s%s", c ? ", " : "", names[c]);
      asl__diag(L, asl_json_key_pos_at(v, i), ptr, field,
                "unknown field %s in %s; the fields it may have are %s", kq, what, allowed.data);
      asl_buf_free(&allowed);
    }
    asl_free(field);
    asl_free(kq);
  }
  return true;
}
