/* Assign, in both query languages: the names it sets must be variable names, and in a JSONPath
 * state its value is a payload template ("name.$" members hold paths and intrinsic calls, read
 * against what the state type gives them at run time). JSONata states compile their Assign in
 * the JSONata loader; the names are checked here for both. */
#include "internal.h"

#include <string.h>

/* The same characters a "$name" path accepts (lang's jsonpath_parse.c), so that every name
 * Assign sets can be read back. */
static bool is_name_char(unsigned char c, bool rest)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
         (rest && c >= '0' && c <= '9');
}

static void check_name(loader *L, const char *ptr, const asl_json *assign, size_t i, bool jsonata)
{
  size_t klen;
  const char *key = asl_json_key_at(assign, i, &klen);
  size_t n = klen;
  if (!jsonata && n >= 2 && key[n - 2] == '.' && key[n - 1] == '$')
    n -= 2;
  bool ok = n > 0 && is_name_char((unsigned char)key[0], false);
  for (size_t k = 1; ok && k < n; k++)
    ok = is_name_char((unsigned char)key[k], true);
  size_t pos = asl_json_key_pos_at(assign, i);
  char *field = asl_strndup(key, klen);
  if (!ok)
    asl__diag(L, pos, ptr, field,
              "'%.*s' is not a variable name: a name starts with a letter or '_' and goes on "
              "with letters, digits and '_'%s",
              (int)n, key, jsonata ? "" : " (\"name.$\" takes its value from a path)");
  else if (n == 6 && memcmp(key, "states", 6) == 0)
    asl__diag(L, pos, ptr, field,
              "'states' is reserved: JSONata states read their input, result and context as "
              "$states; choose another name");
  asl_free(field);
}

asl_template *asl__load_assign(state_ctx *c, const slot *s, const char *base)
{
  loader *L = c->L;
  char *ptr = asl__ptr(base, "Assign");
  size_t n = asl_json_len(s->v);
  for (size_t i = 0; i < n; i++)
    check_name(L, ptr, s->v, i, c->jsonata);
  asl_template *t = NULL;
  if (!c->jsonata) {
    t = asl_template_compile(L->a, s->v, ptr, L->d);
    if (t && asl_template_uses_context(t))
      c->st->uses_context = true;
  }
  asl_free(ptr);
  return t;
}
