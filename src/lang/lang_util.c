/* Small helpers shared by the files of src/lang: Java's string order, Java class names for
 * Jayway's messages, runtime errors, keeping values alive with the arena. */
#include "internal.h"

#include <string.h>

/* Decodes one UTF-8 sequence at s[*i] (advancing *i); invalid bytes count as themselves. */
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

/* The UTF-16 code units of [cp]: [out] gets 1 or 2 of them. */
static int utf16_units(uint32_t cp, uint16_t out[2])
{
  if (cp < 0x10000) {
    out[0] = (uint16_t)cp;
    return 1;
  }
  cp -= 0x10000;
  out[0] = (uint16_t)(0xD800 + (cp >> 10));
  out[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
  return 2;
}

int asl__utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
  size_t i = 0;
  size_t j = 0;
  uint16_t ua[2];
  uint16_t ub[2];
  int na = 0;
  int nb = 0;
  int ka = 0;
  int kb = 0;
  for (;;) {
    if (ka == na) {
      if (i >= alen)
        na = 0;
      else
        na = utf16_units(next_cp(a, alen, &i), ua);
      ka = 0;
    }
    if (kb == nb) {
      if (j >= blen)
        nb = 0;
      else
        nb = utf16_units(next_cp(b, blen, &j), ub);
      kb = 0;
    }
    if (na == 0 || nb == 0)
      return (na != 0) - (nb != 0);
    if (ua[ka] != ub[kb])
      return ua[ka] < ub[kb] ? -1 : 1;
    ka++;
    kb++;
  }
}

const char *asl__java_class(const asl_json *v)
{
  switch (asl_json_kind_of(v)) {
  case ASL_JSON_NULL:
    return "null";
  case ASL_JSON_BOOL:
    return "java.lang.Boolean";
  case ASL_JSON_INT: {
    int64_t i = asl_json_int_val(v);
    return i >= INT32_MIN && i <= INT32_MAX ? "java.lang.Integer" : "java.lang.Long";
  }
  case ASL_JSON_DOUBLE:
    return "java.lang.Double";
  case ASL_JSON_STRING:
    return "java.lang.String";
  case ASL_JSON_ARRAY:
    return "net.minidev.json.JSONArray";
  case ASL_JSON_OBJECT:
    return "net.minidev.json.JSONObject";
  }
  return "null";
}

static void release_json(void *p)
{
  asl_json_decref(p);
}

asl_json *asl__arena_keep(asl_arena *a, asl_json *v)
{
  if (v)
    asl_arena_defer(a, release_json, v);
  return v;
}

void asl__runtime_error(asl_error *err, const char *name, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_error_vset(err, ASL_E_RUNTIME, name, fmt, ap);
  va_end(ap);
}

void asl__dump(const asl_json *v, asl_buf *b)
{
  asl_json_dump_buf(v, ASL_JSON_COMPACT, b);
}
