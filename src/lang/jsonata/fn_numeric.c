/* The numeric functions: $sum, $max, $min, $average, $abs, $floor, $ceil, $round (half to
 * even, shifting the decimal point in text as jsonata-js does), $power, $sqrt, $random and
 * $formatBase. */
#include "functions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

jv fn_sum(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  double total = 0;
  uint32_t n = jv_arr_len(arr);
  for (uint32_t i = 0; i < n; i++)
    total += jv_arr_at(arr, i).u.n;
  return jv_num(total);
}

static jv extreme(jv *args, uint32_t nargs, bool max)
{
  jv arr = arg_at(args, nargs, 0);
  uint32_t n = jv_arr_len(arr);
  if (IS_UNDEF(arr) || n == 0)
    return jv_undef();
  double r = max ? -INFINITY : INFINITY;
  for (uint32_t i = 0; i < n; i++) {
    double d = jv_arr_at(arr, i).u.n;
    if (isnan(d))
      return jv_num(NAN);
    if (max ? d > r : d < r)
      r = d;
  }
  return jv_num(r);
}

jv fn_max(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  return extreme(args, nargs, true);
}

jv fn_min(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  return extreme(args, nargs, false);
}

jv fn_average(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv arr = arg_at(args, nargs, 0);
  uint32_t n = jv_arr_len(arr);
  if (IS_UNDEF(arr) || n == 0)
    return jv_undef();
  double total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += jv_arr_at(arr, i).u.n;
  return jv_num(total / n);
}

jv fn_abs(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  return IS_UNDEF(v) ? v : jv_num(fabs(v.u.n));
}

jv fn_floor(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  return IS_UNDEF(v) ? v : jv_num(floor(v.u.n));
}

jv fn_ceil(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  return IS_UNDEF(v) ? v : jv_num(ceil(v.u.n));
}

/* +(mantissa + 'e' + (exponent + shift)) on the JavaScript text of [d]. */
static double shift_decimal(double d, double shift)
{
  char buf[64];
  jn_num_to_js(d, buf);
  char *e = strchr(buf, 'e');
  double exp = shift;
  if (e) {
    exp += strtod(e + 1, NULL);
    *e = '\0';
  }
  char out[96];
  snprintf(out, sizeof out, "%se%.17g", buf, exp);
  return strtod(out, NULL);
}

/* Math.round: halves go towards +infinity. */
static double js_round(double x)
{
  if (!isfinite(x))
    return x;
  double f = floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

double jn_round_half_even(double arg, int precision)
{
  if (precision)
    arg = shift_decimal(arg, precision);
  double result = js_round(arg);
  double diff = result - arg;
  if (fabs(diff) == 0.5 && fabs(fmod(result, 2)) == 1)
    result -= 1;
  if (precision)
    result = shift_decimal(result, -precision);
  if (result == 0)
    result = 0; /* no -0 */
  return result;
}

jv fn_round(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv p = arg_at(args, nargs, 1);
  int precision = 0;
  if (p.t == JV_NUM && p.u.n != 0 && !isnan(p.u.n))
    precision = p.u.n > 400 ? 400 : p.u.n < -400 ? -400 : (int)p.u.n;
  return jv_num(jn_round_half_even(v.u.n, precision));
}

jv fn_sqrt(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  if (v.u.n < 0)
    return jn_fail_arg(c, "D3060", 1, v);
  return jv_num(sqrt(v.u.n));
}

jv fn_power(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv e = arg_at(args, nargs, 1);
  double r = pow(v.u.n, e.t == JV_NUM ? e.u.n : NAN);
  if (!isfinite(r)) {
    jn_fail_v(c, "D3061", JN_NOPOS, v);
    jn_err_exp(c, e);
    return jv_err();
  }
  return jv_num(r);
}

jv fn_random(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)args, (void)nargs, (void)input;
  return jv_num(jn_random_double(c));
}

jv fn_format_base(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  double value = jn_round_half_even(v.u.n, 0);
  jv rv = arg_at(args, nargs, 1);
  double radix = IS_UNDEF(rv) ? 10 : jn_round_half_even(rv.u.n, 0);
  if (!(radix >= 2 && radix <= 36))
    return jn_fail_v(c, "D3100", JN_NOPOS, jv_num(radix));
  if (!isfinite(value)) {
    char buf[32];
    size_t n = jn_num_to_js(value, buf);
    return jn_str_new(c, buf, n);
  }
  char digits[1100];
  size_t k = 0;
  bool neg = value < 0;
  double x = fabs(value);
  int r = (int)radix;
  do {
    double q = floor(x / r);
    int d = (int)(x - q * r);
    if (d < 0 || d >= r)
      d = 0;
    digits[k++] = "0123456789abcdefghijklmnopqrstuvwxyz"[d];
    x = q;
  } while (x >= 1 && k < sizeof digits - 2);
  if (neg)
    digits[k++] = '-';
  char *out = jn_alloc(c, k + 1);
  for (size_t i = 0; i < k; i++)
    out[i] = digits[k - 1 - i];
  out[k] = '\0';
  return jv_str(out, (uint32_t)k);
}
