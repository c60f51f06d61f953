/* Text: JavaScript's number notation (Number.prototype.toString, toPrecision(15)), JSON.stringify
 * with jsonata's replacer (what $string, & and error messages print), and the UTF-8 walking the
 * string functions share. JavaScript strings count UTF-16 units; jsonata's string functions count
 * code points (Array.from), which is what these helpers do. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

char *jn_strdup(jn_ctx *c, const char *s, size_t len)
{
  char *p = jn_alloc(c, len + 1);
  if (len)
    memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

jv jn_str_new(jn_ctx *c, const char *s, size_t len)
{
  return jv_str(jn_strdup(c, s, len), (uint32_t)len);
}

jv jn_cstr(const char *s)
{
  return jv_str(s, (uint32_t)strlen(s));
}

/* ------------------------------------------------------------------ numbers ---- */
/* The shortest digits that read back as [d] (d finite, > 0): digits into [dig] (no point), the
 * decimal exponent as JavaScript's "n" (value = 0.DIGITS * 10^n). */
static int shortest_digits(double d, char *dig, int *n)
{
  char buf[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d || p == 17)
      break;
  }
  /* buf is "D.DDDDe+XX" */
  int k = 0;
  const char *s = buf;
  while (*s && *s != 'e') {
    if (*s >= '0' && *s <= '9')
      dig[k++] = *s;
    s++;
  }
  int e = atoi(s + 1);
  while (k > 1 && dig[k - 1] == '0')
    k--;
  dig[k] = '\0';
  *n = e + 1;
  return k;
}

size_t jn_num_to_js(double d, char *out)
{
  if (isnan(d)) {
    memcpy(out, "NaN", 4);
    return 3;
  }
  if (isinf(d)) {
    const char *s = d > 0 ? "Infinity" : "-Infinity";
    size_t l = strlen(s);
    memcpy(out, s, l + 1);
    return l;
  }
  if (d == 0) {
    memcpy(out, "0", 2);
    return 1;
  }
  /* integers below 2^53 print exactly, the common case, without the digit search */
  if (fabs(d) < 9007199254740992.0 && floor(d) == d) {
    int l = snprintf(out, 32, "%.0f", d);
    return (size_t)l;
  }
  char dig[24];
  int n;
  size_t o = 0;
  if (d < 0) {
    out[o++] = '-';
    d = -d;
  }
  int k = shortest_digits(d, dig, &n);
  if (k <= n && n <= 21) {
    memcpy(out + o, dig, (size_t)k);
    o += (size_t)k;
    for (int i = 0; i < n - k; i++)
      out[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(out + o, dig, (size_t)n);
    o += (size_t)n;
    out[o++] = '.';
    memcpy(out + o, dig + n, (size_t)(k - n));
    o += (size_t)(k - n);
  } else if (-6 < n && n <= 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int i = 0; i < -n; i++)
      out[o++] = '0';
    memcpy(out + o, dig, (size_t)k);
    o += (size_t)k;
  } else {
    out[o++] = dig[0];
    if (k > 1) {
      out[o++] = '.';
      memcpy(out + o, dig + 1, (size_t)(k - 1));
      o += (size_t)(k - 1);
    }
    o += (size_t)snprintf(out + o, 12, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
  }
  out[o] = '\0';
  return o;
}

double jn_precision15(double d)
{
  if (!isfinite(d) || d == 0)
    return d;
  char buf[40];
  snprintf(buf, sizeof buf, "%.14e", d);
  return strtod(buf, NULL);
}

/* ------------------------------------------------------------------ UTF-8 ---- */
uint32_t jn_utf8_next(const char *s, size_t len, size_t *i)
{
  unsigned char c0 = (unsigned char)s[*i];
  if (c0 < 0x80 || *i + 1 >= len) {
    (*i)++;
    return c0;
  }
  if ((c0 & 0xE0) == 0xC0 && *i + 1 < len) {
    uint32_t cp = ((uint32_t)(c0 & 0x1F) << 6) | ((unsigned char)s[*i + 1] & 0x3F);
    *i += 2;
    return cp;
  }
  if ((c0 & 0xF0) == 0xE0 && *i + 2 < len) {
    uint32_t cp = ((uint32_t)(c0 & 0x0F) << 12) | (((unsigned char)s[*i + 1] & 0x3F) << 6) |
                  ((unsigned char)s[*i + 2] & 0x3F);
    *i += 3;
    return cp;
  }
  if ((c0 & 0xF8) == 0xF0 && *i + 3 < len) {
    uint32_t cp = ((uint32_t)(c0 & 0x07) << 18) | (((unsigned char)s[*i + 1] & 0x3F) << 12) |
                  (((unsigned char)s[*i + 2] & 0x3F) << 6) | ((unsigned char)s[*i + 3] & 0x3F);
    *i += 4;
    return cp;
  }
  (*i)++;
  return c0;
}

size_t jn_utf8_count(const char *s, size_t len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

size_t jn_utf8_offset(const char *s, size_t len, size_t cp)
{
  size_t i = 0;
  while (cp > 0 && i < len) {
    jn_utf8_next(s, len, &i);
    cp--;
  }
  return i;
}

void jn_utf8_put(asl_buf *b, uint32_t cp)
{
  char t[4];
  size_t n;
  if (cp < 0x80) {
    t[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    t[0] = (char)(0xC0 | (cp >> 6));
    t[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    t[0] = (char)(0xE0 | (cp >> 12));
    t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    t[0] = (char)(0xF0 | (cp >> 18));
    t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  asl_buf_add(b, t, n);
}

/* ------------------------------------------------------------------ JSON.stringify ---- */
static void put_json_string(asl_buf *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  asl_buf_reserve(b, len + 2);
  asl_buf_addc(b, '"');
  size_t i = 0;
  while (i < len) {
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch != '"' && ch != '\\' && ch < 0x80) {
      size_t j = i;
      while (j < len && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\' &&
             (unsigned char)s[j] < 0x80)
        j++;
      asl_buf_add(b, s + i, j - i);
      i = j;
      continue;
    }
    if (ch >= 0x80) {
      size_t j = i;
      uint32_t cp = jn_utf8_next(s, len, &j);
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        /* a lone surrogate: well-formed JSON.stringify escapes it */
        char u[7] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15],
                     hex[cp & 15], 0};
        asl_buf_add(b, u, 6);
      } else {
        asl_buf_add(b, s + i, j - i);
      }
      i = j;
      continue;
    }
    switch (ch) {
    case '"': asl_buf_add(b, "\\\"", 2); break;
    case '\\': asl_buf_add(b, "\\\\", 2); break;
    case '\b': asl_buf_add(b, "\\b", 2); break;
    case '\f': asl_buf_add(b, "\\f", 2); break;
    case '\n': asl_buf_add(b, "\\n", 2); break;
    case '\r': asl_buf_add(b, "\\r", 2); break;
    case '\t': asl_buf_add(b, "\\t", 2); break;
    default: {
      char u[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
      asl_buf_add(b, u, 6);
    }
    }
    i++;
  }
  asl_buf_addc(b, '"');
}

typedef struct sfy {
  jn_ctx *c;
  asl_buf *out;
  int indent;
  bool replacer; /* jsonata's: numbers at 15 digits, functions as "" */
  int level;
  bool first;
  bool failed;
} sfy;

static bool sfy_value(sfy *S, jv v);

static void newline(sfy *S)
{
  if (!S->indent)
    return;
  asl_buf_addc(S->out, '\n');
  for (int i = 0; i < S->level * S->indent; i++)
    asl_buf_addc(S->out, ' ');
}

static bool sfy_member(void *data, const char *k, uint32_t klen, jv v)
{
  sfy *S = data;
  if (IS_UNDEF(v) || (IS_FUNC(v) && !S->replacer))
    return true;
  if (!S->first)
    asl_buf_addc(S->out, ',');
  S->first = false;
  newline(S);
  put_json_string(S->out, k, klen);
  asl_buf_addc(S->out, ':');
  if (S->indent)
    asl_buf_addc(S->out, ' ');
  return sfy_value(S, v);
}

static bool sfy_value(sfy *S, jv v)
{
  if (S->level > 1000) {
    jn_fail_limit(S->c, "U1001", "Value nested too deeply");
    S->failed = true;
    return false;
  }
  switch ((jv_type)v.t) {
  case JV_UNDEF:
  case JV_ERR:
    asl_buf_adds(S->out, "null");
    return true;
  case JV_NULL:
    asl_buf_adds(S->out, "null");
    return true;
  case JV_BOOL:
    asl_buf_adds(S->out, v.b ? "true" : "false");
    return true;
  case JV_NUM: {
    double d = v.u.n;
    if (S->replacer && isinf(d)) {
      jn_fail_v(S->c, "D1001", 0, v);
      S->failed = true;
      return false;
    }
    if (!isfinite(d)) {
      asl_buf_adds(S->out, "null");
      return true;
    }
    if (S->replacer && floor(d) != d)
      d = jn_precision15(d); /* integers are written as they are */
    char buf[32];
    size_t n = jn_num_to_js(d, buf);
    asl_buf_add(S->out, buf, n);
    return true;
  }
  case JV_STR:
  case JV_JSTR: {
    uint32_t len;
    const char *s = jv_strp(v, &len);
    put_json_string(S->out, s, len);
    return true;
  }
  case JV_FUNC:
    asl_buf_adds(S->out, S->replacer ? "\"\"" : "null");
    return true;
  case JV_ARR:
  case JV_JARR: {
    uint32_t n = jv_arr_len(v);
    asl_buf_addc(S->out, '[');
    if (n == 0) {
      asl_buf_addc(S->out, ']');
      return true;
    }
    S->level++;
    for (uint32_t i = 0; i < n; i++) {
      if (i)
        asl_buf_addc(S->out, ',');
      newline(S);
      jv x = jv_arr_at(v, i);
      if (IS_FUNC(x) && !S->replacer)
        x = jv_null();
      if (!sfy_value(S, x))
        return false;
    }
    S->level--;
    newline(S);
    asl_buf_addc(S->out, ']');
    return true;
  }
  case JV_OBJ:
  case JV_JOBJ: {
    asl_buf_addc(S->out, '{');
    size_t mark = S->out->len;
    bool outer_first = S->first;
    S->level++;
    S->first = true;
    jv_obj_each(S->c, v, sfy_member, S);
    if (S->failed)
      return false;
    S->first = outer_first;
    S->level--;
    if (S->out->len != mark)
      newline(S);
    asl_buf_addc(S->out, '}');
    return true;
  }
  }
  return true;
}

bool jn_stringify(jn_ctx *c, jv v, int indent, asl_buf *out)
{
  sfy S = {c, out, indent, true, 0, true, false};
  return sfy_value(&S, v) && !S.failed;
}

/* Plain JSON.stringify, for values shown in messages. */
char *jn_json_value(jn_ctx *c, jv v)
{
  if (IS_UNDEF(v) || IS_FUNC(v))
    return NULL;
  asl_buf b = ASL_BUF_INIT;
  sfy S = {c, &b, 0, false, 0, true, false};
  sfy_value(&S, v);
  return asl_buf_steal(&b, NULL);
}

char *jn_json_token(jn_ctx *c, const char *s, size_t len)
{
  (void)c;
  asl_buf b = ASL_BUF_INIT;
  put_json_string(&b, s, len);
  return asl_buf_steal(&b, NULL);
}

/* ------------------------------------------------------------------ fn.string ---- */
jv jn_string(jn_ctx *c, jv v, bool pretty)
{
  if (IS_UNDEF(v) || IS_STR(v))
    return v;
  if (IS_FUNC(v))
    return jv_str("", 0);
  if (v.t == JV_NUM && !isfinite(v.u.n))
    return jn_fail_v(c, "D3001", 0, v);
  if (v.t == JV_NUM) {
    char buf[32];
    double d = floor(v.u.n) == v.u.n ? v.u.n : jn_precision15(v.u.n);
    size_t n = jn_num_to_js(d, buf);
    return jn_str_new(c, buf, n);
  }
  if (v.t == JV_ARR && (v.u.a->flags & AF_OUTER) && v.u.a->len > 0)
    v = v.u.a->items[0];
  asl_buf b = ASL_BUF_INIT;
  if (!jn_stringify(c, v, pretty ? 2 : 0, &b)) {
    asl_buf_free(&b);
    return jv_err();
  }
  jv r = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}
