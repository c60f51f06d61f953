/* The string functions: $length, $substring, $substringBefore, $substringAfter, $uppercase,
 * $lowercase, $trim, $pad, $join, and the ones taking a regex or a matcher function ($contains,
 * $split, $match, $replace) with the match objects regexes produce. Lengths and positions count
 * code points, as jsonata-js's stringToArray does. */
#include "functions.h"

#include <math.h>

/* ------------------------------------------------------------------ case ---- */
static uint32_t to_upper(uint32_t c)
{
  if (c >= 'a' && c <= 'z')
    return c - 32;
  if (c < 0x80)
    return c;
  if (c == 0xB5)
    return 0x39C;
  if (c == 0xFF)
    return 0x178;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
    return c - 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x131)
      return 'I';
    if (c >= 0x139 && c <= 0x148)
      return (c & 1) ? c : c - 1;
    if (c >= 0x179 && c <= 0x17E)
      return (c & 1) ? c : c - 1;
    if (c == 0x17F)
      return 'S';
    return (c & 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)
    return c - 32;
  if (c == 0x3C2)
    return 0x3A3;
  if (c >= 0x3AC && c <= 0x3AF)
    return c == 0x3AC ? 0x386 : c - 37;
  if (c >= 0x430 && c <= 0x44F)
    return c - 32;
  if (c >= 0x450 && c <= 0x45F)
    return c - 80;
  return c;
}

static uint32_t to_lower(uint32_t c)
{
  if (c >= 'A' && c <= 'Z')
    return c + 32;
  if (c < 0x80)
    return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
    return c + 32;
  if (c == 0x178)
    return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130)
      return 'i';
    if (c >= 0x139 && c <= 0x148)
      return (c & 1) ? c + 1 : c;
    if (c >= 0x179 && c <= 0x17E)
      return (c & 1) ? c + 1 : c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
    return c + 32;
  if (c == 0x386)
    return 0x3AC;
  if (c >= 0x388 && c <= 0x38A)
    return c + 37;
  if (c >= 0x410 && c <= 0x42F)
    return c + 32;
  if (c >= 0x400 && c <= 0x40F)
    return c + 80;
  return c;
}

static jv map_case(jn_ctx *c, jv v, bool upper)
{
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf b = ASL_BUF_INIT;
  asl_buf_reserve(&b, n);
  size_t i = 0;
  while (i < n) {
    unsigned char ch = (unsigned char)s[i];
    if (ch < 0x80) {
      asl_buf_addc(&b, (char)(upper ? (ch >= 'a' && ch <= 'z' ? ch - 32 : ch)
                                     : (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch)));
      i++;
      continue;
    }
    uint32_t cp = jn_utf8_next(s, n, &i);
    if (upper && cp == 0xDF) {
      asl_buf_add(&b, "SS", 2);
      continue;
    }
    jn_utf8_put(&b, upper ? to_upper(cp) : to_lower(cp));
  }
  jv r = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}

jv fn_uppercase(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return map_case(c, arg_at(args, nargs, 0), true);
}

jv fn_lowercase(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return map_case(c, arg_at(args, nargs, 0), false);
}

/* ------------------------------------------------------------------ plain ---- */
jv fn_length(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  return jv_num((double)jn_utf8_count(s, n));
}

/* JavaScript's relative index of slice(): truncated, negative from the end, clamped. */
static size_t rel_index(double d, size_t len)
{
  if (isnan(d))
    return 0;
  d = trunc(d);
  if (d < 0) {
    d += (double)len;
    return d < 0 ? 0 : (size_t)d;
  }
  return d > (double)len ? len : (size_t)d;
}

jv fn_substring(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  size_t len = jn_utf8_count(s, n);
  jv sv = arg_at(args, nargs, 1);
  double start = sv.t == JV_NUM ? sv.u.n : 0;
  if ((double)len + start < 0)
    start = 0;
  size_t b, e;
  jv lv = arg_at(args, nargs, 2);
  if (!IS_UNDEF(lv)) {
    double length = lv.t == JV_NUM ? lv.u.n : NAN;
    if (length <= 0)
      return jv_str("", 0);
    double end = start >= 0 ? start + length : (double)len + start + length;
    b = rel_index(start, len);
    e = rel_index(end, len);
  } else {
    b = rel_index(start, len);
    e = len;
  }
  if (e <= b)
    return jv_str("", 0);
  size_t ob = jn_utf8_offset(s, n, b);
  size_t oe = ob + jn_utf8_offset(s + ob, n - ob, e - b);
  return jv_str(s + ob, (uint32_t)(oe - ob));
}

static const char *find_str(const char *h, size_t hn, const char *nd, size_t nn)
{
  if (nn == 0)
    return h;
  if (nn > hn)
    return NULL;
  return memmem(h, hn, nd, nn);
}

jv fn_substring_before(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n, cn;
  const char *s = jv_strp(v, &n);
  jv chars = arg_at(args, nargs, 1);
  const char *cs = IS_STR(chars) ? jv_strp(chars, &cn) : (cn = 9, "undefined");
  const char *p = find_str(s, n, cs, cn);
  if (!p)
    return v;
  return jv_str(s, (uint32_t)(p - s));
}

jv fn_substring_after(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n, cn;
  const char *s = jv_strp(v, &n);
  jv chars = arg_at(args, nargs, 1);
  const char *cs = IS_STR(chars) ? jv_strp(chars, &cn) : (cn = 9, "undefined");
  const char *p = find_str(s, n, cs, cn);
  if (!p)
    return v;
  size_t off = (size_t)(p - s) + cn;
  return jv_str(s + off, (uint32_t)(n - off));
}

jv fn_trim(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  char *out = jn_alloc(c, n + 1);
  size_t o = 0;
  for (uint32_t i = 0; i < n;) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
      while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
      out[o++] = ' ';
    } else {
      out[o++] = s[i++];
    }
  }
  size_t b = 0;
  if (o > 0 && out[0] == ' ')
    b = 1;
  if (o > b && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
  return jv_str(out + b, (uint32_t)(o - b));
}

jv fn_pad(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  jv wv = arg_at(args, nargs, 1);
  double width = wv.t == JV_NUM ? wv.u.n : NAN;
  jv chv = arg_at(args, nargs, 2);
  uint32_t cn = 0;
  const char *ch = IS_STR(chv) ? jv_strp(chv, &cn) : "";
  if (cn == 0) {
    ch = " ";
    cn = 1;
  }
  width = trunc(width);
  double pad = fabs(width) - (double)jn_utf8_count(s, n);
  if (!(pad > 0))
    return v;
  size_t padlen = (size_t)pad;
  size_t clen = jn_utf8_count(ch, cn);
  /* bytes of padLength characters of the repeated pad text */
  size_t full = padlen / clen, rest = padlen % clen;
  size_t rest_bytes = jn_utf8_offset(ch, cn, rest);
  if ((double)full * cn + (double)n > (double)c->budget)
    return jn_fail_memory(c);
  size_t total = full * cn + rest_bytes;
  char *out = jn_alloc(c, total + n + 1);
  char *pp = width > 0 ? out + n : out;
  for (size_t k = 0; k < full; k++)
    memcpy(pp + k * cn, ch, cn);
  memcpy(pp + full * cn, ch, rest_bytes);
  memcpy(width > 0 ? out : out + total, s, n);
  out[total + n] = '\0';
  return jv_str(out, (uint32_t)(total + n));
}

jv fn_join(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  jv sepv = arg_at(args, nargs, 1);
  uint32_t sn = 0;
  const char *sep = IS_STR(sepv) ? jv_strp(sepv, &sn) : "";
  asl_buf b = ASL_BUF_INIT;
  uint32_t len = jv_arr_len(arr);
  for (uint32_t i = 0; i < len; i++) {
    if (i)
      asl_buf_add(&b, sep, sn);
    uint32_t l;
    const char *s = jv_strp(jv_arr_at(arr, i), &l);
    asl_buf_add(&b, s, l);
    if (!jn_reserve(c, b.len)) {
      asl_buf_free(&b);
      return jv_err();
    }
  }
  jv r = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}

/* ------------------------------------------------------------------ matchers ---- */
jv jn_regex_match_obj(jn_ctx *c, const jn_regex *re, uint32_t pos, const char *s, uint32_t slen,
                      uint32_t from)
{
  (void)pos;
  size_t off = jn_utf8_offset(s, slen, from);
  int ng = jn_regex_ngroups(re);
  int stack_caps[32];
  int *caps = 2 * (ng + 1) <= 32 ? stack_caps : jn_alloc(c, (size_t)(2 * (ng + 1)) * sizeof(int));
  int r = jn_regex_exec(c, re, s, slen, off, caps);
  if (r < 0)
    return jv_err();
  if (r == 0)
    return jv_undef();
  jobj *o = jn_obj_new(c, 5);
  jn_obj_set(c, o, "match", 5, jv_str(s + caps[0], (uint32_t)(caps[1] - caps[0])));
  double start = (double)jn_utf8_count(s, (size_t)caps[0]);
  double mlen = (double)jn_utf8_count(s + caps[0], (size_t)(caps[1] - caps[0]));
  jn_obj_set(c, o, "start", 5, jv_num(start));
  jn_obj_set(c, o, "end", 3, jv_num(start + mlen));
  jarr *groups = jn_arr_new(c, (uint32_t)ng);
  for (int g = 1; g <= ng; g++) {
    if (caps[2 * g] < 0)
      jn_push(c, groups, jv_undef());
    else
      jn_push(c, groups, jv_str(s + caps[2 * g], (uint32_t)(caps[2 * g + 1] - caps[2 * g])));
  }
  jn_obj_set(c, o, "groups", 6, jv_arr(groups));
  jfunc *next = jn_zalloc(c, sizeof *next);
  next->kind = F_MATCHNEXT;
  next->re = re;
  next->str = s;
  next->slen = slen;
  next->from = (uint32_t)caps[1];
  jn_obj_set(c, o, "next", 4, jv_func(next));
  return jv_obj(o);
}

/* evaluateMatcher: calls [matcher] on [str] and checks the structure of what it returns. */
static jv call_matcher(jn_ctx *c, jv matcher, jv str)
{
  jv r = jn_call(c, matcher, &str, 1);
  PROPAGATE(r);
  if (IS_UNDEF(r) || r.t == JV_NULL || (r.t == JV_BOOL && !r.b) || (r.t == JV_NUM && r.u.n == 0))
    return r;
  if (IS_STR(r)) {
    uint32_t l;
    jv_strp(r, &l);
    if (l == 0)
      return r;
  }
  jv start = jv_obj_get(r, "start", 5);
  jv groups = jv_obj_get(r, "groups", 6);
  jv next = jv_obj_get(r, "next", 4);
  if (!(start.t == JV_NUM || IS_ARR(groups) || IS_FUNC(next)))
    return jn_fail(c, "T1010", JN_NOPOS, NULL, NULL);
  return r;
}

static jv match_next(jn_ctx *c, jv m)
{
  jv next = jv_obj_get(m, "next", 4);
  return call_matcher(c, next, jv_undef());
}

static double num_field(jv m, const char *k)
{
  jv v = jv_obj_get(m, k, (uint32_t)strlen(k));
  return v.t == JV_NUM ? v.u.n : 0;
}

static bool found(jv r)
{
  return !IS_UNDEF(r);
}

jv fn_contains(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv tok = arg_at(args, nargs, 1);
  if (IS_UNDEF(tok))
    return tok;
  if (IS_STR(tok)) {
    uint32_t n, tn;
    const char *s = jv_strp(v, &n);
    const char *t = jv_strp(tok, &tn);
    return jv_bool(find_str(s, n, t, tn) != NULL);
  }
  jv m = call_matcher(c, tok, v);
  PROPAGATE(m);
  return jv_bool(found(m));
}

jv fn_split(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv limv = arg_at(args, nargs, 2);
  if (limv.t == JV_NUM && limv.u.n < 0) {
    jn_fail_v(c, "D3020", JN_NOPOS, limv);
    jn_err_index(c, 3);
    return jv_err();
  }
  bool has_limit = limv.t == JV_NUM;
  double limit = has_limit ? limv.u.n : 0;
  jarr *r = jn_arr_new(c, 4);
  if (has_limit && !(limit > 0))
    return jv_arr(r);
  uint32_t n;
  const char *s = jv_strp(v, &n);
  jv sep = arg_at(args, nargs, 1);
  if (IS_STR(sep)) {
    double lim = has_limit ? floor(limit) : 4294967295.0;
    uint32_t sn;
    const char *sp = jv_strp(sep, &sn);
    if (sn == 0) {
      size_t i = 0;
      while (i < n && r->len < lim) {
        size_t st = i;
        jn_utf8_next(s, n, &i);
        jn_push(c, r, jv_str(s + st, (uint32_t)(i - st)));
      }
      return jv_arr(r);
    }
    size_t pos = 0;
    while (r->len < lim) {
      const char *p = find_str(s + pos, n - pos, sp, sn);
      if (!p) {
        jn_push(c, r, jv_str(s + pos, (uint32_t)(n - pos)));
        break;
      }
      jn_push(c, r, jv_str(s + pos, (uint32_t)(p - (s + pos))));
      pos = (size_t)(p - s) + sn;
    }
    return jv_arr(r);
  }
  double count = 0;
  jv m = call_matcher(c, sep, v);
  PROPAGATE(m);
  if (!found(m)) {
    jn_push(c, r, v);
    return jv_arr(r);
  }
  size_t start = 0; /* code points */
  while (found(m) && (!has_limit || count < limit)) {
    size_t ms = (size_t)num_field(m, "start");
    size_t bs = jn_utf8_offset(s, n, start), bm = jn_utf8_offset(s, n, ms);
    jn_push(c, r, jv_str(s + bs, bm > bs ? (uint32_t)(bm - bs) : 0));
    start = (size_t)num_field(m, "end");
    m = match_next(c, m);
    PROPAGATE(m);
    count++;
  }
  if (!has_limit || count < limit) {
    size_t bs = jn_utf8_offset(s, n, start);
    jn_push(c, r, jv_str(s + bs, (uint32_t)(n - bs)));
  }
  return jv_arr(r);
}

jv fn_match(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv limv = arg_at(args, nargs, 2);
  if (limv.t == JV_NUM && limv.u.n < 0) {
    jn_fail_v(c, "D3040", JN_NOPOS, limv);
    jn_err_index(c, 3);
    return jv_err();
  }
  bool has_limit = limv.t == JV_NUM;
  jv result = jn_seq(c, 0);
  if (has_limit && !(limv.u.n > 0))
    return result;
  double count = 0;
  jv m = call_matcher(c, arg_at(args, nargs, 1), v);
  PROPAGATE(m);
  while (found(m) && (!has_limit || count < limv.u.n)) {
    jobj *o = jn_obj_new(c, 3);
    jn_obj_set(c, o, "match", 5, jv_obj_get(m, "match", 5));
    jn_obj_set(c, o, "index", 5, jv_obj_get(m, "start", 5));
    jn_obj_set(c, o, "groups", 6, jv_obj_get(m, "groups", 6));
    jn_push(c, result.u.a, jv_obj(o));
    m = match_next(c, m);
    PROPAGATE(m);
    count++;
  }
  return result;
}

/* The replacement text with $0, $n and $$ filled from a match, as jsonata-js reads them. */
static void substitute(jv m, const char *rep, uint32_t rn, asl_buf *out)
{
  jv groups = jv_obj_get(m, "groups", 6);
  uint32_t ng = jv_arr_len(groups);
  size_t position = 0;
  const char *d = memchr(rep, '$', rn);
  while (d && position < rn) {
    size_t index = (size_t)(d - rep);
    asl_buf_add(out, rep + position, index - position);
    position = index + 1;
    char dv = position < rn ? rep[position] : '\0';
    if (dv == '$') {
      asl_buf_addc(out, '$');
      position++;
    } else if (dv == '0') {
      uint32_t ml;
      const char *ms = jv_strp(jv_obj_get(m, "match", 5), &ml);
      asl_buf_add(out, ms, ml);
      position++;
    } else {
      int max_digits = ng == 0 ? 1 : (int)floor(log10((double)ng)) + 1;
      /* parseInt of up to max_digits characters */
      long val = -1;
      int used = 0;
      for (int k = 0; k < max_digits && position + (size_t)k < rn; k++) {
        char ch = rep[position + (size_t)k];
        if (ch < '0' || ch > '9')
          break;
        val = (val < 0 ? 0 : val * 10) + (ch - '0');
        used++;
      }
      if (max_digits > 1 && val > (long)ng) {
        val = -1;
        used = 0;
        for (int k = 0; k < max_digits - 1 && position + (size_t)k < rn; k++) {
          char ch = rep[position + (size_t)k];
          if (ch < '0' || ch > '9')
            break;
          val = (val < 0 ? 0 : val * 10) + (ch - '0');
          used++;
        }
      }
      if (val >= 0) {
        if (ng > 0 && val >= 1 && (uint32_t)val <= ng) {
          jv sub = jv_arr_at(groups, (uint32_t)val - 1);
          if (IS_STR(sub)) {
            uint32_t sl;
            const char *ss = jv_strp(sub, &sl);
            asl_buf_add(out, ss, sl);
          }
        }
        /* index.toString().length: leading zeros are not counted */
        char digits[24];
        position += (size_t)snprintf(digits, sizeof digits, "%ld", val);
        (void)used;
      } else {
        asl_buf_addc(out, '$');
      }
    }
    d = position < rn ? memchr(rep + position, '$', rn - position) : NULL;
  }
  if (position < rn)
    asl_buf_add(out, rep + position, rn - position);
}

jv fn_replace(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv pat = arg_at(args, nargs, 1);
  jv rep = arg_at(args, nargs, 2);
  jv limv = arg_at(args, nargs, 3);
  if (IS_STR(pat)) {
    uint32_t pl;
    jv_strp(pat, &pl);
    if (pl == 0) {
      jn_fail_v(c, "D3010", JN_NOPOS, pat);
      jn_err_index(c, 2);
      return jv_err();
    }
  }
  if (limv.t == JV_NUM && limv.u.n < 0) {
    jn_fail_v(c, "D3011", JN_NOPOS, limv);
    jn_err_index(c, 4);
    return jv_err();
  }
  bool has_limit = limv.t == JV_NUM;
  if (has_limit && !(limv.u.n > 0))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf b = ASL_BUF_INIT;
  double count = 0;
  jv result = jv_err();
  if (IS_STR(pat)) {
    uint32_t pl, rl = 0;
    const char *p = jv_strp(pat, &pl);
    jv rs = IS_STR(rep) ? rep : jn_string(c, rep, false);
    const char *r = IS_STR(rs) ? jv_strp(rs, &rl) : "";
    size_t position = 0;
    const char *hit = find_str(s, n, p, pl);
    while (hit && (!has_limit || count < limv.u.n)) {
      size_t index = (size_t)(hit - s);
      asl_buf_add(&b, s + position, index - position);
      asl_buf_add(&b, r, rl);
      position = index + pl;
      count++;
      if (!jn_reserve(c, b.len)) {
        asl_buf_free(&b);
        return jv_err();
      }
      hit = find_str(s + position, n - position, p, pl);
    }
    asl_buf_add(&b, s + position, n - position);
    result = jn_str_new(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return result;
  }
  jv m = call_matcher(c, pat, v);
  if (IS_ERR(m))
    goto done;
  if (!found(m)) {
    asl_buf_free(&b);
    return v;
  }
  size_t position = 0; /* code points */
  while (found(m) && (!has_limit || count < limv.u.n)) {
    size_t ms = (size_t)num_field(m, "start");
    size_t bp = jn_utf8_offset(s, n, position), bm = jn_utf8_offset(s, n, ms);
    if (bm > bp)
      asl_buf_add(&b, s + bp, bm - bp);
    if (IS_STR(rep)) {
      uint32_t rl;
      const char *r = jv_strp(rep, &rl);
      substitute(m, r, rl, &b);
    } else {
      jv with = jn_call(c, rep, &m, 1);
      if (IS_ERR(with))
        goto done;
      if (!IS_STR(with)) {
        jn_fail_v(c, "D3012", JN_NOPOS, with);
        goto done;
      }
      uint32_t wl;
      const char *w = jv_strp(with, &wl);
      asl_buf_add(&b, w, wl);
    }
    uint32_t ml;
    const char *mstr = jv_strp(jv_obj_get(m, "match", 5), &ml);
    position = ms + jn_utf8_count(mstr, ml);
    count++;
    m = match_next(c, m);
    if (IS_ERR(m))
      goto done;
    if (!jn_reserve(c, b.len))
      goto done;
  }
  {
    size_t bp = jn_utf8_offset(s, n, position);
    asl_buf_add(&b, s + bp, n - bp);
  }
  result = jn_str_new(c, b.data ? b.data : "", b.len);
done:
  asl_buf_free(&b);
  return result;
}
