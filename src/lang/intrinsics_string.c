/* The string family of intrinsics: States.Format and States.StringSplit. */
#include "intrinsic.h"

#include <string.h>

asl_json *intr_format(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                      asl_error *err)
{
  (void)env;
  asl_buf out = ASL_BUF_INIT;
  const asl_json *tmpl = argv[0];
  if (c->pieces && c->args[0].kind == ARG_LITERAL) {
    /* a literal template was split at load, its escapes resolved and its count checked */
    for (size_t i = 0; i < c->npieces; i++) {
      asl_buf_add(&out, c->pieces[i].s, c->pieces[i].len);
      if (i + 1 < c->npieces)
        asl__intr_java_string(argv[i + 1], &out);
    }
  } else {
    const char *s = asl_json_str(tmpl);
    size_t n = asl_json_str_len(tmpl);
    size_t used = 1;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
      if (i + 1 < n && s[i] == '{' && s[i + 1] == '}') {
        asl_buf_add(&out, s + start, i - start);
        if (used >= argc) {
          asl_buf_free(&out);
          asl__intr_fail(c, err, "the template has more {} placeholders than the %zu argument%s "
                                 "that follow it",
                         argc - 1, argc - 1 == 1 ? "" : "s");
          return NULL;
        }
        asl__intr_java_string(argv[used++], &out);
        start = i + 2;
        i++;
      }
    }
    asl_buf_add(&out, s + start, n - start);
    if (used != argc) {
      asl_buf_free(&out);
      asl__intr_fail(c, err, "the template has %zu {} placeholder%s but %zu argument%s follow%s it",
                     used - 1, used - 1 == 1 ? "" : "s", argc - 1, argc - 1 == 1 ? "" : "s",
                     argc - 1 == 1 ? "s" : "");
      return NULL;
    }
  }
  size_t len;
  char *s = asl_buf_steal(&out, &len);
  return asl_json_string_take(s, len);
}

/* One code point of UTF-8 text at s[*i], advancing *i; a stray byte stands for itself. */
static uint32_t next_cp(const char *s, size_t n, size_t *i)
{
  const unsigned char *u = (const unsigned char *)s;
  unsigned char c = u[*i];
  size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (need == 0 || *i + need >= n) {
    (*i)++;
    return c;
  }
  uint32_t cp = c & (0x3F >> need);
  for (size_t k = 1; k <= need; k++)
    cp = (cp << 6) | (u[*i + k] & 0x3F);
  *i += need + 1;
  return cp;
}

/* Splits at every character of the second argument and drops empty pieces, as Java's
 * StringTokenizer does: ", , ," on "," gives [" ", " "], ",,,," gives [] (test_string_split__*). */
asl_json *intr_string_split(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                            asl_error *err)
{
  (void)c, (void)argc, (void)env, (void)err;
  const char *s = asl_json_str(argv[0]);
  size_t n = asl_json_str_len(argv[0]);
  const char *d = asl_json_str(argv[1]);
  size_t dn = asl_json_str_len(argv[1]);
  ASL_VEC(uint32_t) delims = {0};
  for (size_t i = 0; i < dn;)
    ASL_VEC_PUSH(delims, next_cp(d, dn, &i));
  asl_json *out = asl_json_array(4);
  size_t start = 0;
  for (size_t i = 0; i < n;) {
    size_t at = i;
    uint32_t cp = next_cp(s, n, &i);
    bool is_delim = false;
    for (size_t k = 0; k < delims.len && !is_delim; k++)
      is_delim = delims.items[k] == cp;
    if (is_delim) {
      if (at > start)
        asl_json_arr_push(out, asl_json_string(s + start, at - start));
      start = i;
    }
  }
  if (n > start)
    asl_json_arr_push(out, asl_json_string(s + start, n - start));
  ASL_VEC_FREE(delims);
  return out;
}
