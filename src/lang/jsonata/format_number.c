/* $formatNumber: XPath F&O 4.7 format-number pictures as jsonata-js implements them, step by
 * step (splitting into prefix, mantissa, exponent and suffix; the validation rules D3080-D3093;
 * the analysis; then bullets 1-14 of the formatting), on code points. */
#include "functions.h"

#include <math.h>
#include <stdio.h>

typedef ASL_VEC(uint32_t) ustr;

static void u_from(ustr *u, const char *s, size_t n)
{
  /* storage even for an empty string: the picture's parts are offsets from its first item, and
   * NULL + 0 is undefined */
  ASL_VEC_PUSH(*u, 0);
  u->len = 0;
  for (size_t i = 0; i < n;)
    ASL_VEC_PUSH(*u, jn_utf8_next(s, n, &i));
}

static long u_index(const uint32_t *s, size_t n, uint32_t ch, size_t from)
{
  for (size_t i = from; i < n; i++)
    if (s[i] == ch)
      return (long)i;
  return -1;
}

static long u_last(const uint32_t *s, size_t n, uint32_t ch)
{
  for (size_t i = n; i-- > 0;)
    if (s[i] == ch)
      return (long)i;
  return -1;
}

static void u_insert(ustr *u, size_t pos, uint32_t ch)
{
  ASL_VEC_PUSH(*u, 0);
  if (pos > u->len - 1)
    pos = u->len - 1;
  memmove(u->items + pos + 1, u->items + pos, (u->len - 1 - pos) * sizeof(uint32_t));
  u->items[pos] = ch;
}

typedef struct props {
  uint32_t decimal, grouping, exponent, percent, permille, zero, digit, pattern;
  const char *minus;
  uint32_t minus_len;
} props;

typedef struct part {
  size_t sub, sub_len; /* the sub-picture: offset and length in the picture */
  size_t prefix_len, suffix_len;
  /* slices of the sub-picture, as offsets relative to it */
  size_t act, act_len;
  size_t man, man_len;
  bool has_exp;
  size_t exp, exp_len;
  size_t ip, ip_len;
  size_t fp, fp_len; /* relative to the sub-picture too (the suffix when no decimal point) */
} part;

typedef struct analysis {
  int int_groups[32];
  int n_int_groups;
  int regular;
  int frac_groups[32];
  int n_frac_groups;
  int min_int, scaling, min_frac, max_frac, min_exp;
  size_t prefix, prefix_len, suffix, suffix_len; /* in the picture */
  bool minus_prefix;
  size_t pic, pic_len;
} analysis;

static bool is_digit_family(const props *p, uint32_t ch)
{
  return ch >= p->zero && ch < p->zero + 10;
}

static bool is_active(const props *p, uint32_t ch)
{
  return is_digit_family(p, ch) || ch == p->decimal || ch == p->exponent || ch == p->grouping ||
         ch == p->digit || ch == p->pattern;
}

static void split_parts(const props *P, const uint32_t *pic, size_t sub, size_t n, part *o)
{
  const uint32_t *s = pic + sub;
  memset(o, 0, sizeof *o);
  o->sub = sub;
  o->sub_len = n;
  size_t ii;
  for (ii = 0; ii < n; ii++)
    if (is_active(P, s[ii]) && s[ii] != P->exponent)
      break;
  o->prefix_len = ii < n ? ii : 0;
  size_t suffix_start = n;
  bool found = false;
  for (size_t k = n; k-- > 0;)
    if (is_active(P, s[k]) && s[k] != P->exponent) {
      suffix_start = k + 1;
      found = true;
      break;
    }
  o->suffix_len = found ? n - suffix_start : 0;
  o->act = o->prefix_len;
  o->act_len = n - o->prefix_len - o->suffix_len;
  long ep = u_index(s, n, P->exponent, o->prefix_len);
  if (ep == -1 || (size_t)ep > n - o->suffix_len) {
    o->man = o->act;
    o->man_len = o->act_len;
    o->has_exp = false;
  } else {
    /* the exponent position is one in the sub-picture, used on the active part (as the
     * reference does) */
    size_t e = (size_t)ep < o->act_len ? (size_t)ep : o->act_len;
    o->man = o->act;
    o->man_len = e;
    o->has_exp = true;
    o->exp = o->act + (e + 1 < o->act_len ? e + 1 : o->act_len);
    o->exp_len = o->act + o->act_len - o->exp;
  }
  long dp = u_index(s + o->man, o->man_len, P->decimal, 0);
  if (dp == -1) {
    o->ip = o->man;
    o->ip_len = o->man_len;
    o->fp = n - o->suffix_len;
    o->fp_len = o->suffix_len;
  } else {
    o->ip = o->man;
    o->ip_len = (size_t)dp;
    o->fp = o->man + (size_t)dp + 1;
    o->fp_len = o->man_len - (size_t)dp - 1;
  }
}

static const char *validate(const props *P, const uint32_t *pic, const part *pt)
{
  const char *error = NULL;
  const uint32_t *s = pic + pt->sub;
  size_t n = pt->sub_len;
  long dpos = u_index(s, n, P->decimal, 0);
  if (dpos != u_last(s, n, P->decimal))
    error = "D3081";
  if (u_index(s, n, P->percent, 0) != u_last(s, n, P->percent))
    error = "D3082";
  if (u_index(s, n, P->permille, 0) != u_last(s, n, P->permille))
    error = "D3083";
  if (u_index(s, n, P->percent, 0) != -1 && u_index(s, n, P->permille, 0) != -1)
    error = "D3084";
  bool valid = false;
  for (size_t i = 0; i < pt->man_len; i++)
    if (is_digit_family(P, s[pt->man + i]) || s[pt->man + i] == P->digit)
      valid = true;
  if (!valid)
    error = "D3085";
  for (size_t i = 0; i < pt->act_len; i++)
    if (!is_active(P, s[pt->act + i]))
      error = "D3086";
  if (dpos != -1) {
    if ((dpos > 0 && s[dpos - 1] == P->grouping) || ((size_t)dpos + 1 < n && s[dpos + 1] == P->grouping))
      error = "D3087";
  } else if (pt->ip_len > 0 && s[pt->ip + pt->ip_len - 1] == P->grouping) {
    error = "D3088";
  }
  for (size_t i = 0; i + 1 < n; i++)
    if (s[i] == P->grouping && s[i + 1] == P->grouping)
      error = "D3089";
  long odp = u_index(s + pt->ip, pt->ip_len, P->digit, 0);
  if (odp != -1)
    for (long i = 0; i < odp; i++)
      if (is_digit_family(P, s[pt->ip + (size_t)i]))
        error = "D3090";
  odp = u_last(s + pt->fp, pt->fp_len, P->digit);
  if (odp != -1)
    for (size_t i = (size_t)odp; i < pt->fp_len; i++)
      if (is_digit_family(P, s[pt->fp + i]))
        error = "D3091";
  if (pt->has_exp && pt->exp_len > 0 &&
      (u_index(s, n, P->percent, 0) != -1 || u_index(s, n, P->permille, 0) != -1))
    error = "D3092";
  if (pt->has_exp) {
    bool bad = pt->exp_len == 0;
    for (size_t i = 0; i < pt->exp_len; i++)
      if (!is_digit_family(P, s[pt->exp + i]))
        bad = true;
    if (bad)
      error = "D3093";
  }
  return error;
}

static int gcd(int a, int b)
{
  return b == 0 ? a : gcd(b, a % b);
}

static int grouping_positions(const props *P, const uint32_t *s, size_t at, size_t at_len,
                              size_t ip, size_t ip_len, bool to_left, int *out)
{
  int n = 0;
  long gp = u_index(s + at, at_len, P->grouping, 0);
  while (gp != -1 && n < 32) {
    int count = 0;
    size_t from = to_left ? 0 : (size_t)gp, to = to_left ? (size_t)gp : at_len;
    for (size_t i = from; i < to; i++)
      if (is_digit_family(P, s[at + i]) || s[at + i] == P->digit)
        count++;
    out[n++] = count;
    /* the next one is searched for in the integer part (the reference's quirk) */
    gp = u_index(s + ip, ip_len, P->grouping, (size_t)gp + 1);
  }
  return n;
}

static void analyse(const props *P, const uint32_t *pic, const part *pt, analysis *a)
{
  const uint32_t *s = pic + pt->sub;
  memset(a, 0, sizeof *a);
  a->n_int_groups = grouping_positions(P, s, pt->ip, pt->ip_len, pt->ip, pt->ip_len, false,
                                       a->int_groups);
  if (a->n_int_groups > 0) {
    int factor = a->int_groups[0];
    for (int i = 1; i < a->n_int_groups; i++)
      factor = gcd(factor, a->int_groups[i]);
    a->regular = factor;
    for (int idx = 1; idx <= a->n_int_groups && a->regular; idx++) {
      bool found = false;
      for (int i = 0; i < a->n_int_groups; i++)
        if (a->int_groups[i] == idx * factor)
          found = true;
      if (!found)
        a->regular = 0;
    }
  }
  a->n_frac_groups = grouping_positions(P, s, pt->fp, pt->fp_len, pt->ip, pt->ip_len, true,
                                        a->frac_groups);
  for (size_t i = 0; i < pt->ip_len; i++)
    if (is_digit_family(P, s[pt->ip + i]))
      a->min_int++;
  a->scaling = a->min_int;
  for (size_t i = 0; i < pt->fp_len; i++) {
    if (is_digit_family(P, s[pt->fp + i]))
      a->min_frac++;
    if (is_digit_family(P, s[pt->fp + i]) || s[pt->fp + i] == P->digit)
      a->max_frac++;
  }
  if (a->min_int == 0 && a->max_frac == 0) {
    if (pt->has_exp) {
      a->min_frac = 1;
      a->max_frac = 1;
    } else {
      a->min_int = 1;
    }
  }
  if (pt->has_exp && a->min_int == 0 && u_index(s + pt->ip, pt->ip_len, P->digit, 0) != -1)
    a->min_int = 1;
  if (a->min_int == 0 && a->min_frac == 0)
    a->min_frac = 1;
  if (pt->has_exp)
    for (size_t i = 0; i < pt->exp_len; i++)
      if (is_digit_family(P, s[pt->exp + i]))
        a->min_exp++;
  a->prefix = pt->sub;
  a->prefix_len = pt->prefix_len;
  a->suffix = pt->sub + pt->sub_len - pt->suffix_len;
  a->suffix_len = pt->suffix_len;
  a->pic = pt->sub;
  a->pic_len = pt->sub_len;
}

/* Math.abs(value).toFixed(dp) in the digit family. */
static void make_string(const props *P, double value, int dp, ustr *out)
{
  char buf[512];
  value = fabs(value);
  if (value < 1e21)
    snprintf(buf, sizeof buf, "%.*f", dp > 100 ? 100 : dp, value);
  else
    jn_num_to_js(value, buf);
  for (const char *p = buf; *p; p++) {
    uint32_t ch = (unsigned char)*p;
    if (ch >= '0' && ch <= '9')
      ch = ch - '0' + P->zero;
    ASL_VEC_PUSH(*out, ch);
  }
}

static uint32_t prop_cp(jv options, const char *key, uint32_t dflt)
{
  jv v = jv_obj_get(options, key, (uint32_t)strlen(key));
  if (!IS_STR(v))
    return dflt;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  if (n == 0)
    return dflt;
  size_t i = 0;
  return jn_utf8_next(s, n, &i);
}

jv fn_format_number(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv pv = arg_at(args, nargs, 1);
  jv options = arg_at(args, nargs, 2);
  props P = {'.', ',', 'e', '%', 0x2030, '0', '#', ';', "-", 1};
  if (IS_OBJ(options)) {
    P.decimal = prop_cp(options, "decimal-separator", P.decimal);
    P.grouping = prop_cp(options, "grouping-separator", P.grouping);
    P.exponent = prop_cp(options, "exponent-separator", P.exponent);
    P.percent = prop_cp(options, "percent", P.percent);
    P.permille = prop_cp(options, "per-mille", P.permille);
    P.zero = prop_cp(options, "zero-digit", P.zero);
    P.digit = prop_cp(options, "digit", P.digit);
    P.pattern = prop_cp(options, "pattern-separator", P.pattern);
    jv m = jv_obj_get(options, "minus-sign", 10);
    if (IS_STR(m))
      P.minus = jv_strp(m, &P.minus_len);
  }
  uint32_t pn;
  const char *ps = jv_strp(pv, &pn);
  ustr pic = {0};
  u_from(&pic, ps, pn);
  ustr sv = {0};
  jv result = jv_err();

  long sep1 = u_index(pic.items, pic.len, P.pattern, 0);
  if (sep1 >= 0 && u_index(pic.items, pic.len, P.pattern, (size_t)sep1 + 1) >= 0) {
    jn_fail(c, "D3080", JN_NOPOS, NULL, NULL);
    goto done;
  }
  int nsub = sep1 >= 0 ? 2 : 1;
  part parts[2];
  split_parts(&P, pic.items, 0, sep1 >= 0 ? (size_t)sep1 : pic.len, &parts[0]);
  if (nsub == 2)
    split_parts(&P, pic.items, (size_t)sep1 + 1, pic.len - (size_t)sep1 - 1, &parts[1]);
  for (int i = 0; i < nsub; i++) {
    const char *code = validate(&P, pic.items, &parts[i]);
    if (code) {
      jn_fail(c, code, JN_NOPOS, NULL, NULL);
      goto done;
    }
  }
  analysis vars[2];
  for (int i = 0; i < nsub; i++)
    analyse(&P, pic.items, &parts[i], &vars[i]);
  if (nsub == 1) {
    vars[1] = vars[0];
    vars[1].minus_prefix = true;
  }
  double value = v.u.n;
  const analysis *pic_a = value >= 0 ? &vars[0] : &vars[1];
  const uint32_t *picture = pic.items + pic_a->pic;
  double adjusted = value;
  if (u_index(picture, pic_a->pic_len, P.percent, 0) != -1)
    adjusted = value * 100;
  else if (u_index(picture, pic_a->pic_len, P.permille, 0) != -1)
    adjusted = value * 1000;
  double mantissa = adjusted;
  bool has_exponent = false;
  double exponent = 0;
  if (pic_a->min_exp != 0 && isfinite(adjusted)) {
    double max_m = pow(10, pic_a->scaling), min_m = pow(10, pic_a->scaling - 1);
    has_exponent = true;
    if (mantissa != 0) {
      while (fabs(mantissa) < min_m) {
        mantissa *= 10;
        exponent -= 1;
      }
      while (fabs(mantissa) > max_m) {
        mantissa /= 10;
        exponent += 1;
      }
    }
  }
  double rounded = jn_round_half_even(mantissa, pic_a->max_frac);
  make_string(&P, rounded, pic_a->max_frac, &sv);
  long dp = u_index(sv.items, sv.len, '.', 0);
  if (dp == -1)
    ASL_VEC_PUSH(sv, P.decimal);
  else
    sv.items[dp] = P.decimal;
  size_t lead = 0;
  while (lead < sv.len && sv.items[lead] == P.zero)
    lead++;
  memmove(sv.items, sv.items + lead, (sv.len - lead) * sizeof(uint32_t));
  sv.len -= lead;
  while (sv.len > 0 && sv.items[sv.len - 1] == P.zero)
    sv.len--;
  dp = u_index(sv.items, sv.len, P.decimal, 0);
  long pad_left = pic_a->min_int - dp;
  long pad_right = pic_a->min_frac - ((long)sv.len - dp - 1);
  for (long k = 0; k < pad_left && k < 1000; k++)
    u_insert(&sv, 0, P.zero);
  for (long k = 0; k < pad_right && k < 1000; k++)
    ASL_VEC_PUSH(sv, P.zero);
  dp = u_index(sv.items, sv.len, P.decimal, 0);
  if (pic_a->regular > 0) {
    long groups = (dp - 1) / pic_a->regular;
    for (long g = 1; g <= groups; g++)
      u_insert(&sv, (size_t)(dp - g * pic_a->regular), P.grouping);
  } else {
    for (int k = 0; k < pic_a->n_int_groups; k++) {
      long at = dp - pic_a->int_groups[k];
      u_insert(&sv, at < 0 ? 0 : (size_t)at, P.grouping);
      dp++;
    }
  }
  dp = u_index(sv.items, sv.len, P.decimal, 0);
  for (int k = 0; k < pic_a->n_frac_groups; k++)
    u_insert(&sv, (size_t)(pic_a->frac_groups[k] + dp + 1), P.grouping);
  dp = u_index(sv.items, sv.len, P.decimal, 0);
  if (u_index(picture, pic_a->pic_len, P.decimal, 0) == -1 || dp == (long)sv.len - 1)
    sv.len = sv.len ? sv.len - 1 : 0;

  asl_buf out = ASL_BUF_INIT;
  if (pic_a->minus_prefix)
    asl_buf_add(&out, P.minus, P.minus_len);
  for (size_t i = 0; i < pic_a->prefix_len; i++)
    jn_utf8_put(&out, pic.items[pic_a->prefix + i]);
  for (size_t i = 0; i < sv.len; i++)
    jn_utf8_put(&out, sv.items[i]);
  if (has_exponent) {
    ustr se = {0};
    make_string(&P, exponent, 0, &se);
    jn_utf8_put(&out, P.exponent);
    if (exponent < 0)
      asl_buf_add(&out, P.minus, P.minus_len);
    for (long k = pic_a->min_exp - (long)se.len; k > 0; k--)
      jn_utf8_put(&out, P.zero);
    for (size_t i = 0; i < se.len; i++)
      jn_utf8_put(&out, se.items[i]);
    ASL_VEC_FREE(se);
  }
  for (size_t i = 0; i < pic_a->suffix_len; i++)
    jn_utf8_put(&out, pic.items[pic_a->suffix + i]);
  result = jn_str_new(c, out.data ? out.data : "", out.len);
  asl_buf_free(&out);
done:
  ASL_VEC_FREE(pic);
  ASL_VEC_FREE(sv);
  return result;
}
