/* The array functions: $count, $append, $sort (fn.sort's merge sort, with an optional
 * comparator), $reverse, $shuffle (inside-out Fisher-Yates), $distinct and $zip. */
#include "functions.h"

#include <math.h>

jv fn_count(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return jv_num(0);
  return jv_num(jv_arr_len(arr));
}

jv fn_append(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return jn_append(c, arg_at(args, nargs, 0), arg_at(args, nargs, 1));
}

static int natural_swap(jn_ctx *c, jv a, jv b, void *data)
{
  (void)c, (void)data;
  if (a.t == JV_NUM && b.t == JV_NUM)
    return a.u.n > b.u.n;
  uint32_t la, lb;
  const char *sa = jv_strp(a, &la);
  const char *sb = jv_strp(b, &lb);
  int m = memcmp(sa, sb, la < lb ? la : lb);
  return m > 0 || (m == 0 && la > lb);
}

/* JavaScript truthiness of a comparator's answer. */
static bool js_truthy(jv v)
{
  switch ((jv_type)v.t) {
  case JV_UNDEF:
  case JV_NULL:
  case JV_ERR:
    return false;
  case JV_BOOL:
    return v.b;
  case JV_NUM:
    return v.u.n != 0 && !isnan(v.u.n);
  case JV_STR:
  case JV_JSTR: {
    uint32_t l;
    jv_strp(v, &l);
    return l > 0;
  }
  case JV_ARR:
  case JV_JARR:
  case JV_OBJ:
  case JV_JOBJ:
  case JV_FUNC:
    return true;
  }
  return true;
}

static int fn_swap(jn_ctx *c, jv a, jv b, void *data)
{
  jv pair[2] = {a, b};
  jv r = jn_call(c, *(jv *)data, pair, 2);
  if (IS_ERR(r))
    return -1;
  return js_truthy(r);
}

jv fn_sort(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr) || jv_arr_len(arr) <= 1)
    return arr;
  jv cmp = arg_at(args, nargs, 1);
  if (IS_UNDEF(cmp)) {
    if (!jn_is_array_of_numbers(arr) && !jn_is_array_of_strings(arr)) {
      jn_fail(c, "D3070", JN_NOPOS, NULL, NULL);
      jn_err_index(c, 1);
      return jv_err();
    }
    return jn_msort(c, arr, natural_swap, NULL);
  }
  return jn_msort(c, arr, fn_swap, &cmp);
}

jv fn_reverse(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  uint32_t n = jv_arr_len(arr);
  if (IS_UNDEF(arr) || n <= 1)
    return arr;
  jarr *r = jn_arr_new(c, n);
  for (uint32_t i = 0; i < n; i++)
    r->items[n - 1 - i] = jv_arr_at(arr, i);
  r->len = n;
  return jv_arr(r);
}

jv fn_shuffle(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  uint32_t n = jv_arr_len(arr);
  if (IS_UNDEF(arr) || n <= 1)
    return arr;
  jarr *r = jn_arr_new(c, n);
  r->len = n;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t j = (uint32_t)floor(jn_random_double(c) * (i + 1));
    if (i != j)
      r->items[i] = r->items[j];
    r->items[j] = jv_arr_at(arr, i);
  }
  return jv_arr(r);
}

jv fn_distinct(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr) || !IS_ARR(arr) || jv_arr_len(arr) <= 1)
    return arr;
  uint32_t n = jv_arr_len(arr);
  jv res = jv_is_seq(arr) ? jn_seq(c, n) : jv_arr(jn_arr_new(c, n));
  jarr *r = res.u.a;
  for (uint32_t i = 0; i < n; i++) {
    jv v = jv_arr_at(arr, i);
    bool dup = false;
    for (uint32_t k = 0; k < r->len && !dup; k++)
      dup = jv_deep_equal(v, r->items[k]);
    if (!dup)
      jn_push(c, r, v);
    if ((i & 1023) == 1023 && !jn_check_time(c))
      return jv_err();
  }
  return res;
}

jv fn_zip(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jarr *r = jn_arr_new(c, 0);
  if (nargs == 0)
    return jv_arr(r);
  uint32_t len = UINT32_MAX;
  for (uint32_t k = 0; k < nargs; k++) {
    uint32_t l = IS_ARR(args[k]) ? jv_arr_len(args[k]) : 0;
    if (l < len)
      len = l;
  }
  for (uint32_t i = 0; i < len; i++) {
    jarr *t = jn_arr_new(c, nargs);
    for (uint32_t k = 0; k < nargs; k++)
      t->items[t->len++] = jv_arr_at(args[k], i);
    jn_push(c, r, jv_arr(t));
  }
  return jv_arr(r);
}
