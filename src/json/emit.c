/* Values to JSON text. Compact output matches what AWS (Jackson) prints: no
 * spaces, non-ASCII as UTF-8, control characters escaped, doubles as Java's Double.toString.
 * Written by hand rather than with yajl_gen: a third faster, and empty containers stay "[]". */
#include "value_impl.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  /* Most doubles in state data have a few decimals (0.25, 19.99): the first k for which
   * round(d * 10^k) / 10^k is d again gives the shortest plain form without printf. m and 10^k
   * are exact doubles, so the division is correctly rounded and the check is exact. */
  double mag = fabs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    double p10 = 1;
    for (int k = 1; k <= 8; k++) {
      p10 *= 10;
      double m = nearbyint(mag * p10);
      if (m / p10 != mag)
        continue;
      uint64_t whole = (uint64_t)(m / p10);
      uint64_t frac = (uint64_t)m - whole * (uint64_t)p10;
      size_t n = 0;
      if (d < 0)
        buf[n++] = '-';
      n += (size_t)snprintf(buf + n, 32 - n, "%" PRIu64 ".%0*" PRIu64, whole, k, frac);
      while (buf[n - 1] == '0' && buf[n - 2] != '.')
        n--;
      buf[n] = '\0';
      return n;
    }
  }
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

/* Appends [s] as a JSON string, escaped as Jackson escapes: quote, backslash and the control
 * characters (\b \f \n \r \t by name, others as \u00XX); everything else, "/" and non-ASCII
 * included, as it is. */
static void emit_string(asl_buf *out, const char *s, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  asl_buf_reserve(out, len + 2);
  asl_buf_addc(out, '"');
  size_t run = 0; /* start of the bytes not written yet */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    asl_buf_add(out, s + run, i - run);
    run = i + 1;
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    size_t n = 2;
    switch (c) {
    case '"':
      esc[1] = '"';
      break;
    case '\\':
      esc[1] = '\\';
      break;
    case '\b':
      esc[1] = 'b';
      break;
    case '\f':
      esc[1] = 'f';
      break;
    case '\n':
      esc[1] = 'n';
      break;
    case '\r':
      esc[1] = 'r';
      break;
    case '\t':
      esc[1] = 't';
      break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
      break;
    }
    asl_buf_add(out, esc, n);
  }
  asl_buf_add(out, s + run, len - run);
  asl_buf_addc(out, '"');
}

static size_t format_int(int64_t i, char buf[32])
{
  char tmp[24];
  size_t n = 0;
  uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i; /* no overflow on INT64_MIN */
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t len = 0;
  if (i < 0)
    buf[len++] = '-';
  while (n)
    buf[len++] = tmp[--n];
  buf[len] = '\0';
  return len;
}

static void emit_indent(asl_buf *out, int depth)
{
  asl_buf_addc(out, '\n');
  for (int i = 0; i < depth; i++)
    asl_buf_add(out, "  ", 2);
}

/* [depth] < 0: compact. Recursion is bounded by the parser's depth limit for parsed values;
 * built values are as deep as the templates that made them. */
static void emit_value(asl_buf *out, const asl_json *v, int depth)
{
  char num[32];
  size_t n;
  switch ((asl_json_kind)v->kind) {
  case ASL_JSON_NULL:
    asl_buf_add(out, "null", 4);
    break;
  case ASL_JSON_BOOL:
    if (v->u.b)
      asl_buf_add(out, "true", 4);
    else
      asl_buf_add(out, "false", 5);
    break;
  case ASL_JSON_INT:
    n = format_int(v->u.i, num);
    asl_buf_add(out, num, n);
    break;
  case ASL_JSON_DOUBLE:
    n = asl_json_format_double(v->u.d, num);
    if (isfinite(v->u.d))
      asl_buf_add(out, num, n);
    else
      emit_string(out, num, n); /* Jackson quotes NaN and the infinities */
    break;
  case ASL_JSON_STRING:
    emit_string(out, v->u.s.p, v->u.s.len);
    break;
  case ASL_JSON_ARRAY:
    asl_buf_addc(out, '[');
    for (size_t i = 0; i < v->u.a.len; i++) {
      if (i)
        asl_buf_addc(out, ',');
      if (depth >= 0)
        emit_indent(out, depth + 1);
      emit_value(out, v->u.a.items[i], depth >= 0 ? depth + 1 : -1);
    }
    if (depth >= 0 && v->u.a.len)
      emit_indent(out, depth);
    asl_buf_addc(out, ']');
    break;
  case ASL_JSON_OBJECT:
    asl_buf_addc(out, '{');
    for (size_t i = 0; i < v->u.o.len; i++) {
      const member *m = &v->u.o.m[i];
      if (i)
        asl_buf_addc(out, ',');
      if (depth >= 0)
        emit_indent(out, depth + 1);
      emit_string(out, member_key(m), m->klen);
      if (depth >= 0)
        asl_buf_add(out, ": ", 2);
      else
        asl_buf_addc(out, ':');
      emit_value(out, m->val, depth >= 0 ? depth + 1 : -1);
    }
    if (depth >= 0 && v->u.o.len)
      emit_indent(out, depth);
    asl_buf_addc(out, '}');
    break;
  }
}

void asl_json_dump_buf(const asl_json *v, int flags, asl_buf *out)
{
  if (!(flags & ASL_JSON_PRETTY))
    asl_buf_reserve(out, asl_json_size(v)); /* one allocation for the whole text */
  emit_value(out, v, (flags & ASL_JSON_PRETTY) ? 0 : -1);
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
    n = format_int(v->u.i, num);
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
