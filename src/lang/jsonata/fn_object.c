/* The object functions ($keys, $lookup, $spread, $merge, $each, $sift), the higher-order array
 * functions ($map, $filter, $single, $reduce) and the transform operator's function. */
#include "functions.h"

typedef struct keys_state {
  jn_ctx *c;
  jobj *seen;
  jarr *out;
} keys_state;

static bool add_key(void *data, const char *k, uint32_t klen, jv v)
{
  (void)v;
  keys_state *s = data;
  if (!IS_UNDEF(jn_obj_find(s->seen, k, klen)))
    return true;
  jn_obj_set(s->c, s->seen, k, klen, jv_bool(true));
  jn_push(s->c, s->out, jv_str(k, klen));
  return true;
}

jv fn_keys(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arg = arg_at(args, nargs, 0);
  jv r = jn_seq(c, 0);
  keys_state s = {c, jn_obj_new(c, 8), r.u.a};
  if (IS_ARR(arg)) {
    uint32_t n = jv_arr_len(arg);
    for (uint32_t i = 0; i < n; i++) {
      jv item = jv_arr_at(arg, i);
      if (IS_OBJ(item))
        jv_obj_each(c, item, add_key, &s);
    }
  } else if (IS_OBJ(arg)) {
    jv_obj_each(c, arg, add_key, &s);
  }
  return r;
}

jv fn_lookup(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv key = arg_at(args, nargs, 1);
  uint32_t klen;
  const char *k = IS_STR(key) ? jv_strp(key, &klen) : (klen = 9, "undefined");
  return jn_lookup_name(c, arg_at(args, nargs, 0), k, klen);
}

typedef struct spread_state {
  jn_ctx *c;
  jarr *out;
} spread_state;

static bool spread_member(void *data, const char *k, uint32_t klen, jv v)
{
  spread_state *s = data;
  jobj *o = jn_obj_new(s->c, 1);
  jn_obj_set(s->c, o, k, klen, v);
  jn_push(s->c, s->out, jv_obj(o));
  return true;
}

static jv spread(jn_ctx *c, jv arg, int depth)
{
  if (depth > 1000)
    return jn_fail_limit(c, "U1001", "Value nested too deeply");
  if (IS_ARR(arg)) {
    jv result = jn_seq(c, 0);
    uint32_t n = jv_arr_len(arg);
    for (uint32_t i = 0; i < n; i++) {
      jv s = spread(c, jv_arr_at(arg, i), depth + 1);
      PROPAGATE(s);
      result = jn_append(c, result, s);
    }
    return result;
  }
  if (IS_OBJ(arg)) {
    jv result = jn_seq(c, jv_obj_count(arg));
    spread_state s = {c, result.u.a};
    jv_obj_each(c, arg, spread_member, &s);
    return result;
  }
  return arg;
}

jv fn_spread(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return spread(c, arg_at(args, nargs, 0), 0);
}

typedef struct merge_state {
  jn_ctx *c;
  jobj *out;
} merge_state;

static bool merge_member(void *data, const char *k, uint32_t klen, jv v)
{
  merge_state *s = data;
  jn_obj_set(s->c, s->out, k, klen, v);
  return true;
}

jv fn_merge(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  merge_state s = {c, jn_obj_new(c, 8)};
  uint32_t n = jv_arr_len(arr);
  for (uint32_t i = 0; i < n; i++)
    jv_obj_each(c, jv_arr_at(arr, i), merge_member, &s);
  return jv_obj(s.out);
}

typedef struct each_state {
  jn_ctx *c;
  jv obj, fn;
  jarr *out;   /* $each */
  jobj *kept;  /* $sift */
  bool failed;
} each_state;

static bool each_member(void *data, const char *k, uint32_t klen, jv v)
{
  each_state *s = data;
  jv fargs[3];
  uint32_t n = jn_hof_args(s->fn, v, jv_str(k, klen), s->obj, fargs);
  jv r = jn_call(s->c, s->fn, fargs, n);
  if (IS_ERR(r)) {
    s->failed = true;
    return false;
  }
  if (s->out) {
    if (!IS_UNDEF(r))
      jn_push(s->c, s->out, r);
  } else {
    bool t = jn_truthy(s->c, r, &s->failed);
    if (s->failed)
      return false;
    if (t)
      jn_obj_set(s->c, s->kept, k, klen, v);
  }
  return true;
}

jv fn_each(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv result = jn_seq(c, 0);
  each_state s = {c, arg_at(args, nargs, 0), arg_at(args, nargs, 1), result.u.a, NULL, false};
  jv_obj_each(c, s.obj, each_member, &s);
  return s.failed ? jv_err() : result;
}

jv fn_sift(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  each_state s = {c, arg_at(args, nargs, 0), arg_at(args, nargs, 1), NULL, jn_obj_new(c, 8),
                  false};
  jv_obj_each(c, s.obj, each_member, &s);
  if (s.failed)
    return jv_err();
  return s.kept->live == 0 ? jv_undef() : jv_obj(s.kept);
}

/* ------------------------------------------------------------------ higher order ---- */
jv fn_map(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  jv fn = arg_at(args, nargs, 1);
  uint32_t n = jv_arr_len(arr);
  jv result = jn_seq(c, n);
  for (uint32_t i = 0; i < n; i++) {
    jv fargs[3];
    uint32_t k = jn_hof_args(fn, jv_arr_at(arr, i), jv_num(i), arr, fargs);
    jv r = jn_call(c, fn, fargs, k);
    PROPAGATE(r);
    if (!IS_UNDEF(r))
      jn_push(c, result.u.a, r);
  }
  return result;
}

jv fn_filter(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  jv fn = arg_at(args, nargs, 1);
  uint32_t n = jv_arr_len(arr);
  jv result = jn_seq(c, 0);
  for (uint32_t i = 0; i < n; i++) {
    jv item = jv_arr_at(arr, i);
    jv fargs[3];
    uint32_t k = jn_hof_args(fn, item, jv_num(i), arr, fargs);
    jv r = jn_call(c, fn, fargs, k);
    PROPAGATE(r);
    bool failed = false;
    bool t = jn_truthy(c, r, &failed);
    if (failed)
      return jv_err();
    if (t)
      jn_push(c, result.u.a, item);
  }
  return result;
}

jv fn_single(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  jv fn = arg_at(args, nargs, 1);
  uint32_t n = jv_arr_len(arr);
  bool found = false;
  jv result = jv_undef();
  for (uint32_t i = 0; i < n; i++) {
    jv item = jv_arr_at(arr, i);
    bool positive = true;
    if (!IS_UNDEF(fn)) {
      jv fargs[3];
      uint32_t k = jn_hof_args(fn, item, jv_num(i), arr, fargs);
      jv r = jn_call(c, fn, fargs, k);
      PROPAGATE(r);
      bool failed = false;
      positive = jn_truthy(c, r, &failed);
      if (failed)
        return jv_err();
    }
    if (positive) {
      if (found) {
        jn_fail(c, "D3138", JN_NOPOS, NULL, NULL);
        jn_err_index(c, (int)i);
        return jv_err();
      }
      result = item;
      found = true;
    }
  }
  if (!found)
    return jn_fail(c, "D3139", JN_NOPOS, NULL, NULL);
  return result;
}

jv fn_reduce(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv seq = arg_at(args, nargs, 0);
  if (IS_UNDEF(seq))
    return seq;
  jv fn = arg_at(args, nargs, 1);
  uint32_t arity = jn_arity(fn);
  if (arity < 2) {
    jn_fail(c, "D3050", JN_NOPOS, NULL, NULL);
    jn_err_index(c, 1);
    return jv_err();
  }
  jv init = arg_at(args, nargs, 2);
  uint32_t n = jv_arr_len(seq);
  jv result;
  uint32_t index;
  if (IS_UNDEF(init) && n > 0) {
    result = jv_arr_at(seq, 0);
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  while (index < n) {
    jv fargs[4] = {result, jv_arr_at(seq, index), jv_num(index), seq};
    uint32_t k = arity >= 4 ? 4 : arity >= 3 ? 3 : 2;
    result = jn_call(c, fn, fargs, k);
    PROPAGATE(result);
    index++;
  }
  return result;
}

/* ------------------------------------------------------------------ transform ---- */
typedef struct update_state {
  jn_ctx *c;
  jobj *match;
} update_state;

static bool update_member(void *data, const char *k, uint32_t klen, jv v)
{
  update_state *s = data;
  jn_obj_set(s->c, s->match, k, klen, v);
  return true;
}

jv jn_apply_transform(jn_ctx *c, const jfunc *f, jv obj)
{
  if (IS_UNDEF(obj))
    return obj;
  const jn_node *n = f->node;
  jv clone = jn_lookup(c, f->env, "clone", 5);
  if (!IS_FUNC(clone))
    return jn_fail(c, "T2013", n->pos, NULL, NULL);
  jv result = jn_call(c, clone, &obj, 1);
  PROPAGATE(result);
  jv matches = jn_eval(c, n->lhs, result, f->env);
  PROPAGATE(matches);
  if (IS_UNDEF(matches))
    return result;
  if (!IS_ARR(matches))
    matches = jn_seq1(c, matches);
  uint32_t nm = jv_arr_len(matches);
  for (uint32_t i = 0; i < nm; i++) {
    jv match = jv_arr_at(matches, i);
    jv update = jn_eval(c, n->rhs, match, f->env);
    PROPAGATE(update);
    if (!IS_UNDEF(update)) {
      if (!IS_OBJ(update))
        return jn_fail_v(c, "T2011", n->rhs->pos, update);
      if (match.t == JV_OBJ) {
        update_state s = {c, match.u.o};
        jv_obj_each(c, update, update_member, &s);
      }
    }
    if (n->third) {
      jv deletions = jn_eval(c, n->third, match, f->env);
      PROPAGATE(deletions);
      if (IS_UNDEF(deletions))
        continue;
      jv val = deletions;
      if (!IS_ARR(deletions))
        deletions = jn_seq1(c, deletions);
      if (!jn_is_array_of_strings(deletions))
        return jn_fail_v(c, "T2012", n->third->pos, val);
      if (match.t == JV_OBJ) {
        uint32_t nd = jv_arr_len(deletions);
        for (uint32_t k = 0; k < nd; k++) {
          uint32_t kl;
          const char *ks = jv_strp(jv_arr_at(deletions, k), &kl);
          jn_obj_del(match.u.o, ks, kl);
        }
      }
    }
  }
  return result;
}
