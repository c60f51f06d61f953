/* Values to JSON text, through yajl_gen. Compact output matches what AWS (Jackson) prints: no
 * spaces, non-ASCII as UTF-8, control characters escaped, doubles as Java's Double.toString. */
#include "value_impl.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

size_t asl_json_format_double(double d, char buf[32])
{
  if (isnan(d))
    return (size_t)snprintf(buf, 32, "NaN");
  if (isinf(d))
    return (size_t)snprintf(buf, 32, d > 0 ? "Infinity" : "-Infinity");
  if (d == 0)
    return (size_t)snprintf(buf, 32, signbit(d) ? "-0.0" : "0.0");
  if (fabs(d) < 1e7 && d == (double)(int64_t)d) /* the common integral case, without printf */
    return (size_t)snprintf(buf, 32, "%" PRId64 ".0", (int64_t)d);
  /* Shortest digits that read back as the same double. A double carries 15.95 decimal digits, so
   * when its shortest form has 15 digits or fewer, rounding to 15 gives it (padded with zeros,
   * dropped below); otherwise 16 or 17 do. */
  char sci[40];
  /* subnormals carry fewer digits: search them from one digit up */
  for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
    snprintf(sci, sizeof sci, "%.*e", prec - 1, d);
    if (prec == 17 || strtod(sci, NULL) == d)
      break;
  }
  /* sci is "[-]d[.ddd]e[+-]xx": split it into sign, digits and exponent */
  const char *s = sci;
  bool neg = *s == '-';
  if (neg)
    s++;
  char digits[24];
  size_t nd = 0;
  for (; *s && *s != 'e'; s++)
    if (*s != '.' && nd < sizeof digits - 1)
      digits[nd++] = *s;
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = '\0';
  int exp = atoi(s + 1);
  size_t n = 0;
  if (neg)
    buf[n++] = '-';
  double mag = fabs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    if (exp >= 0) {
      for (int i = 0; i <= exp; i++)
        buf[n++] = (size_t)i < nd ? digits[i] : '0';
      buf[n++] = '.';
      if ((size_t)exp + 1 < nd) {
        for (size_t i = (size_t)exp + 1; i < nd; i++)
          buf[n++] = digits[i];
      } else {
        buf[n++] = '0';
      }
    } else {
      buf[n++] = '0';
      buf[n++] = '.';
      for (int i = 0; i < -exp - 1; i++)
        buf[n++] = '0';
      for (size_t i = 0; i < nd; i++)
        buf[n++] = digits[i];
    }
    buf[n] = '\0';
    return n;
  }
  buf[n++] = digits[0];
  buf[n++] = '.';
  if (nd > 1) {
    for (size_t i = 1; i < nd; i++)
      buf[n++] = digits[i];
  } else {
    buf[n++] = '0';
  }
  n += (size_t)snprintf(buf + n, 32 - n, "E%d", exp);
  return n;
}

static void gen_value(yajl_gen g, const asl_json *v)
{
  char num[32];
  size_t n;
  switch ((asl_json_kind)v->kind) {
  case ASL_JSON_NULL:
    yajl_gen_null(g);
    break;
  case ASL_JSON_BOOL:
    yajl_gen_bool(g, v->u.b);
    break;
  case ASL_JSON_INT:
    n = (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i);
    yajl_gen_number(g, num, n);
    break;
  case ASL_JSON_DOUBLE:
    n = asl_json_format_double(v->u.d, num);
    if (isfinite(v->u.d)) /* Jackson quotes NaN and the infinities */
      yajl_gen_number(g, num, n);
    else
      yajl_gen_string(g, (const unsigned char *)num, n);
    break;
  case ASL_JSON_STRING:
    yajl_gen_string(g, (const unsigned char *)v->u.s.p, v->u.s.len);
    break;
  case ASL_JSON_ARRAY:
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->u.a.len; i++)
      gen_value(g, v->u.a.items[i]);
    yajl_gen_array_close(g);
    break;
  case ASL_JSON_OBJECT:
    yajl_gen_map_open(g);
    for (size_t i = 0; i < v->u.o.len; i++) {
      const member *m = &v->u.o.m[i];
      yajl_gen_string(g, (const unsigned char *)member_key(m), m->klen);
      gen_value(g, m->val);
    }
    yajl_gen_map_close(g);
    break;
  }
}

static void to_buf(void *ctx, const char *s, size_t n)
{
  asl_buf_add(ctx, s, n);
}

void asl_json_dump_buf(const asl_json *v, int flags, asl_buf *out)
{
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_config(g, yajl_gen_print_callback, to_buf, out);
  if (flags & ASL_JSON_PRETTY) {
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "  ");
  }
  gen_value(g, v);
  yajl_gen_free(g);
  /* yajl ends beautified output with a newline; callers decide about line ends themselves */
  if ((flags & ASL_JSON_PRETTY) && out->len && out->data[out->len - 1] == '\n')
    out->data[--out->len] = '\0';
}

char *asl_json_dump(const asl_json *v, int flags, size_t *len)
{
  asl_buf b = ASL_BUF_INIT;
  asl_json_dump_buf(v, flags, &b);
  return asl_buf_steal(&b, len);
}

static size_t string_size(const char *s, size_t len)
{
  size_t n = 2;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
      n += 2;
    else if (c < 0x20)
      n += 6;
    else
      n += 1;
  }
  return n;
}

size_t asl_json_size(const asl_json *cv)
{
  asl_json *v = (asl_json *)cv; /* the cached size does not change the value */
  if (v->size)
    return v->size;
  char num[32];
  size_t n = 0;
  switch ((asl_json_kind)v->kind) {
  case ASL_JSON_NULL:
    n = 4;
    break;
  case ASL_JSON_BOOL:
    n = v->u.b ? 4 : 5;
    break;
  case ASL_JSON_INT:
    n = (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i);
    break;
  case ASL_JSON_DOUBLE:
    n = asl_json_format_double(v->u.d, num) + (isfinite(v->u.d) ? 0 : 2);
    break;
  case ASL_JSON_STRING:
    n = string_size(v->u.s.p, v->u.s.len);
    break;
  case ASL_JSON_ARRAY:
    n = 2 + (v->u.a.len ? v->u.a.len - 1 : 0);
    for (size_t i = 0; i < v->u.a.len; i++)
      n += asl_json_size(v->u.a.items[i]);
    break;
  case ASL_JSON_OBJECT:
    n = 2 + (v->u.o.len ? v->u.o.len - 1 : 0);
    for (size_t i = 0; i < v->u.o.len; i++)
      n += string_size(member_key(&v->u.o.m[i]), v->u.o.m[i].klen) + 1 + asl_json_size(v->u.o.m[i].val);
    break;
  }
  if (!(v->flags & NODE_STATIC))
    v->size = n;
  return n;
}
