/* Path navigation as jsonata-js does it: a path maps each step over the sequence the previous
 * step produced and flattens the results (an array constructor's result, marked cons, is kept
 * whole; a last step's lone array is kept as it is), predicates filter or index, steps that bind
 * @$focus, #$index or an ancestor for % run as tuple streams, ^(...) sorts and {...} groups. */
#include "internal.h"

#include <math.h>

/* ------------------------------------------------------------------ tuples ---- */
static jv tuple_at(jv t)
{
  return t.t == JV_OBJ ? jn_obj_find(t.u.o, "@", 1) : jv_undef();
}

static jobj *tuple_copy(jn_ctx *c, jv t)
{
  jobj *o = jn_obj_new(c, t.t == JV_OBJ ? t.u.o->live + 2 : 2);
  if (t.t == JV_OBJ)
    for (uint32_t i = 0; i < t.u.o->len; i++)
      if (!t.u.o->e[i].dead)
        jn_obj_set(c, o, t.u.o->e[i].k, t.u.o->e[i].klen, t.u.o->e[i].v);
  return o;
}

static jn_frame *frame_from_tuple(jn_ctx *c, jn_frame *env, jv t)
{
  jn_frame *f = jn_frame_new(c, env);
  if (t.t == JV_OBJ)
    for (uint32_t i = 0; i < t.u.o->len; i++)
      if (!t.u.o->e[i].dead)
        jn_bind(c, f, t.u.o->e[i].k, t.u.o->e[i].klen, t.u.o->e[i].v);
  return f;
}

/* ------------------------------------------------------------------ name lookup ---- */
static jv lookup_rec(jn_ctx *c, jv input, const char *k, uint32_t klen, int depth)
{
  if (IS_ARR(input)) {
    if (depth > 1000)
      return jn_fail_limit(c, "U1001", "Value nested too deeply");
    uint32_t n = jv_arr_len(input);
    jv r = jn_seq(c, n);
    for (uint32_t i = 0; i < n; i++) {
      jv res = lookup_rec(c, jv_arr_at(input, i), k, klen, depth + 1);
      PROPAGATE(res);
      if (IS_UNDEF(res))
        continue;
      if (IS_ARR(res)) {
        uint32_t m = jv_arr_len(res);
        for (uint32_t j = 0; j < m; j++)
          jn_push(c, r.u.a, jv_arr_at(res, j));
      } else {
        jn_push(c, r.u.a, res);
      }
    }
    return r;
  }
  if (IS_OBJ(input))
    return jv_obj_get(input, k, klen);
  return jv_undef();
}

jv jn_lookup_name(jn_ctx *c, jv input, const char *k, uint32_t klen)
{
  return lookup_rec(c, input, k, klen, 0);
}

/* ------------------------------------------------------------------ wildcards ---- */
static bool flatten_into(jn_ctx *c, jv v, jarr *into, int depth)
{
  if (!IS_ARR(v)) {
    jn_push(c, into, v);
    return true;
  }
  if (depth > 1000) {
    jn_fail_limit(c, "U1001", "Value nested too deeply");
    return false;
  }
  uint32_t n = jv_arr_len(v);
  for (uint32_t i = 0; i < n; i++)
    if (!flatten_into(c, jv_arr_at(v, i), into, depth + 1))
      return false;
  return true;
}

jv jn_flatten(jn_ctx *c, jv arr, jarr *into)
{
  if (!into)
    into = jn_arr_new(c, jv_arr_len(arr));
  if (!flatten_into(c, arr, into, 0))
    return jv_err();
  return jv_arr(into);
}

typedef struct wild_state {
  jn_ctx *c;
  jarr *r;
  bool failed;
} wild_state;

static bool wild_member(void *data, const char *k, uint32_t klen, jv v)
{
  (void)k, (void)klen;
  wild_state *s = data;
  if (IS_ARR(v)) {
    if (!flatten_into(s->c, v, s->r, 0)) {
      s->failed = true;
      return false;
    }
    /* fn.append turned the result into a plain array */
    s->r->flags &= (uint8_t)~AF_SEQ;
  } else {
    jn_push(s->c, s->r, v);
  }
  return true;
}

jv jn_eval_wildcard(jn_ctx *c, jv input)
{
  jv r = jn_seq(c, 0);
  if (input.t == JV_ARR && (input.u.a->flags & AF_OUTER) && input.u.a->len > 0)
    input = input.u.a->items[0];
  wild_state s = {c, r.u.a, false};
  if (IS_OBJ(input)) {
    jv_obj_each(c, input, wild_member, &s);
  } else if (IS_ARR(input)) {
    /* Object.keys of an array: its items */
    uint32_t n = jv_arr_len(input);
    for (uint32_t i = 0; i < n && !s.failed; i++)
      wild_member(&s, NULL, 0, jv_arr_at(input, i));
  }
  return s.failed ? jv_err() : r;
}

typedef struct desc_state {
  jn_ctx *c;
  jarr *r;
  int depth;
  bool failed;
} desc_state;

static bool descend(desc_state *s, jv v);

static bool desc_member(void *data, const char *k, uint32_t klen, jv v)
{
  (void)k, (void)klen;
  return descend(data, v);
}

static bool descend(desc_state *s, jv v)
{
  if (++s->depth > 1000) {
    jn_fail_limit(s->c, "U1001", "Value nested too deeply");
    s->failed = true;
    return false;
  }
  if (!IS_ARR(v))
    jn_push(s->c, s->r, v);
  if (IS_ARR(v)) {
    uint32_t n = jv_arr_len(v);
    for (uint32_t i = 0; i < n; i++)
      if (!descend(s, jv_arr_at(v, i)))
        return false;
  } else if (IS_OBJ(v)) {
    if (!jv_obj_each(s->c, v, desc_member, s))
      return false;
  }
  s->depth--;
  return true;
}

jv jn_eval_descendants(jn_ctx *c, jv input)
{
  if (IS_UNDEF(input))
    return input;
  jv r = jn_seq(c, 0);
  desc_state s = {c, r.u.a, 0, false};
  if (!descend(&s, input))
    return jv_err();
  return r.u.a->len == 1 ? r.u.a->items[0] : r;
}

/* ------------------------------------------------------------------ filters ---- */
jv jn_eval_filter(jn_ctx *c, const jn_node *pred, jv input, jn_frame *env)
{
  jv results = jn_seq(c, 0);
  bool tuples = input.t == JV_ARR && (input.u.a->flags & AF_TUPLES);
  if (tuples)
    results.u.a->flags |= AF_TUPLES;
  if (!IS_ARR(input))
    input = jn_seq1(c, input);
  uint32_t n = jv_arr_len(input);
  if (pred->kind == N_NUMBER) {
    double index = floor(pred->num);
    if (index < 0)
      index += n;
    if (index >= 0 && index < n) {
      jv item = jv_arr_at(input, (uint32_t)index);
      if (IS_ARR(item))
        return item;
      if (!IS_UNDEF(item))
        jn_push(c, results.u.a, item);
    }
    return results;
  }
  for (uint32_t index = 0; index < n; index++) {
    jv item = jv_arr_at(input, index);
    jv context = item;
    jn_frame *fenv = env;
    if (tuples) {
      context = tuple_at(item);
      fenv = frame_from_tuple(c, env, item);
    }
    jv res = jn_eval(c, pred, context, fenv);
    PROPAGATE(res);
    bool failed = false;
    if (jn_is_numeric(c, res, &failed))
      res = jn_seq1(c, res);
    if (failed)
      return jv_err();
    if (jn_is_array_of_numbers(res)) {
      uint32_t m = jv_arr_len(res);
      for (uint32_t k = 0; k < m; k++) {
        double ii = floor(jv_arr_at(res, k).u.n);
        if (ii < 0)
          ii += n;
        if (ii == index)
          jn_push(c, results.u.a, item);
      }
    } else {
      bool t = jn_truthy(c, res, &failed);
      if (failed)
        return jv_err();
      if (t)
        jn_push(c, results.u.a, item);
    }
  }
  return results;
}

/* ------------------------------------------------------------------ grouping ---- */
typedef struct group {
  jv data;
  uint32_t expr_index;
} group;

static jv reduce_tuple_stream(jn_ctx *c, jv stream)
{
  if (!IS_ARR(stream))
    return jv_obj(tuple_copy(c, stream));
  jobj *r = tuple_copy(c, jv_arr_at(stream, 0));
  uint32_t n = jv_arr_len(stream);
  for (uint32_t i = 1; i < n; i++) {
    jv t = jv_arr_at(stream, i);
    if (t.t != JV_OBJ)
      continue;
    for (uint32_t k = 0; k < t.u.o->len; k++) {
      jentry *e = &t.u.o->e[k];
      if (e->dead)
        continue;
      jv prev = jn_obj_find(r, e->k, e->klen);
      jn_obj_set(c, r, e->k, e->klen, jn_append(c, prev, e->v));
    }
  }
  return jv_obj(r);
}

jv jn_eval_group(jn_ctx *c, const jn_node *grp, jv input, jn_frame *env)
{
  bool reduce = input.t == JV_ARR && (input.u.a->flags & AF_TUPLES);
  if (!IS_ARR(input))
    input = jn_seq1(c, input);
  uint32_t n = jv_arr_len(input);
  jobj *keys = jn_obj_new(c, 8); /* key -> index into groups, as a number */
  ASL_VEC(group) groups = {0};
  jv result = jv_err();
  for (uint32_t item_index = 0; item_index < (n ? n : 1); item_index++) {
    /* an empty input still makes the literal object */
    jv item = n ? jv_arr_at(input, item_index) : jv_undef();
    jn_frame *genv = reduce ? frame_from_tuple(c, env, item) : env;
    for (uint32_t pi = 0; pi < grp->npairs; pi++) {
      jv key = jn_eval(c, grp->pairs[pi].key, reduce ? tuple_at(item) : item, genv);
      if (IS_ERR(key))
        goto done;
      if (IS_UNDEF(key))
        continue;
      if (!IS_STR(key)) {
        jn_fail_v(c, "T1003", grp->pos, key);
        goto done;
      }
      uint32_t klen;
      const char *k = jv_strp(key, &klen);
      jv slot = jn_obj_find(keys, k, klen);
      if (!IS_UNDEF(slot)) {
        group *g = &groups.items[(size_t)slot.u.n];
        if (g->expr_index != pi) {
          jn_fail_v(c, "D1009", grp->pos, key);
          goto done;
        }
        g->data = jn_append(c, g->data, item);
      } else {
        group g = {item, pi};
        jn_obj_set(c, keys, k, klen, jv_num((double)groups.len));
        ASL_VEC_PUSH(groups, g);
      }
    }
  }
  jobj *r = jn_obj_new(c, (uint32_t)groups.len);
  for (uint32_t i = 0; i < keys->len; i++) {
    jentry *e = &keys->e[i];
    group *g = &groups.items[(size_t)e->v.u.n];
    jv context = g->data;
    jn_frame *genv = env;
    if (reduce) {
      jv t = reduce_tuple_stream(c, g->data);
      context = tuple_at(t);
      jn_obj_del(t.u.o, "@", 1);
      genv = frame_from_tuple(c, env, t);
    }
    jv v = jn_eval(c, grp->pairs[g->expr_index].value, context, genv);
    if (IS_ERR(v))
      goto done;
    if (!IS_UNDEF(v))
      jn_obj_set(c, r, e->k, e->klen, v);
  }
  result = jv_obj(r);
done:
  ASL_VEC_FREE(groups);
  return result;
}

/* ------------------------------------------------------------------ sorting ---- */
jv jn_msort(jn_ctx *c, jv arr, jn_swap_fn swap, void *data);

typedef struct sort_state {
  const jn_node *n;
  jn_frame *env;
  bool tuples;
} sort_state;

static int term_swap(jn_ctx *c, jv a, jv b, void *data)
{
  sort_state *s = data;
  int comp = 0;
  for (uint32_t i = 0; comp == 0 && i < s->n->nitems; i++) {
    const jn_node *term = s->n->items[i];
    jv ca = a, cb = b;
    jn_frame *ea = s->env, *eb = s->env;
    if (s->tuples) {
      ca = tuple_at(a);
      ea = frame_from_tuple(c, s->env, a);
      cb = tuple_at(b);
      eb = frame_from_tuple(c, s->env, b);
    }
    jv aa = jn_eval(c, term->lhs, ca, ea);
    if (IS_ERR(aa))
      return -1;
    jv bb = jn_eval(c, term->lhs, cb, eb);
    if (IS_ERR(bb))
      return -1;
    if (IS_UNDEF(aa)) {
      comp = IS_UNDEF(bb) ? 0 : 1;
      continue;
    }
    if (IS_UNDEF(bb)) {
      comp = -1;
      continue;
    }
    bool an = aa.t == JV_NUM, bn = bb.t == JV_NUM;
    if (!(an || IS_STR(aa)) || !(bn || IS_STR(bb))) {
      jn_fail_v(c, "T2008", s->n->pos, !(an || IS_STR(aa)) ? aa : bb);
      return -1;
    }
    if (an != bn) {
      jn_fail_v(c, "T2007", s->n->pos, aa);
      jn_err_value2(c, bb);
      return -1;
    }
    int cmp;
    if (an) {
      cmp = aa.u.n == bb.u.n ? 0 : aa.u.n < bb.u.n ? -1 : 1;
      if (isnan(aa.u.n) || isnan(bb.u.n))
        cmp = 1;
    } else {
      uint32_t la, lb;
      const char *sa = jv_strp(aa, &la);
      const char *sb = jv_strp(bb, &lb);
      int m = memcmp(sa, sb, la < lb ? la : lb);
      cmp = m ? (m < 0 ? -1 : 1) : (la < lb ? -1 : la > lb ? 1 : 0);
    }
    if (cmp == 0)
      continue;
    comp = term->descending ? -cmp : cmp;
  }
  return comp == 1;
}

jv jn_eval_sort(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  sort_state s = {n, env, input.t == JV_ARR && (input.u.a->flags & AF_TUPLES)};
  return jn_msort(c, input, term_swap, &s);
}

/* fn.sort's merge sort: the same splits and comparisons as the reference, so that a
 * comparator's errors and side effects come in the same order. */
static bool msort_rec(jn_ctx *c, jv *items, uint32_t n, jv *tmp, jn_swap_fn swap, void *data)
{
  if (n <= 1)
    return true;
  uint32_t mid = n / 2;
  if (!msort_rec(c, items, mid, tmp, swap, data) ||
      !msort_rec(c, items + mid, n - mid, tmp, swap, data))
    return false;
  uint32_t i = 0, j = mid, k = 0;
  while (i < mid && j < n) {
    int s = swap(c, items[i], items[j], data);
    if (s < 0)
      return false;
    if (s)
      tmp[k++] = items[j++];
    else
      tmp[k++] = items[i++];
  }
  while (i < mid)
    tmp[k++] = items[i++];
  while (j < n)
    tmp[k++] = items[j++];
  memcpy(items, tmp, n * sizeof(jv));
  return true;
}

jv jn_msort(jn_ctx *c, jv arr, jn_swap_fn swap, void *data)
{
  if (IS_UNDEF(arr))
    return arr;
  uint32_t n = jv_arr_len(arr);
  if (!IS_ARR(arr) || n <= 1)
    return arr;
  jarr *r = jn_arr_copy(c, arr);
  r->flags = 0;
  jv *tmp = jn_alloc(c, n * sizeof(jv));
  if (!msort_rec(c, r->items, n, tmp, swap, data))
    return jv_err();
  return jv_arr(r);
}

/* ------------------------------------------------------------------ steps ---- */
static jv eval_stages(jn_ctx *c, const jn_node *step, jv input, jn_frame *env)
{
  jv result = input;
  for (uint32_t s = 0; s < step->nstages; s++) {
    const jn_node *st = step->stages[s];
    if (st->kind == N_FILTER) {
      result = jn_eval_filter(c, st->lhs, result, env);
      PROPAGATE(result);
    } else {
      uint32_t n = jv_arr_len(result);
      for (uint32_t e = 0; e < n; e++) {
        jv t = jv_arr_at(result, e);
        if (t.t == JV_OBJ)
          jn_obj_set(c, t.u.o, st->str, st->len, jv_num(e));
      }
    }
  }
  return result;
}

static jv eval_step(jn_ctx *c, const jn_node *step, jv input, jn_frame *env, bool last)
{
  if (step->kind == N_SORT) {
    jv r = jn_eval_sort(c, step, input, env);
    PROPAGATE(r);
    return step->nstages ? eval_stages(c, step, r, env) : r;
  }
  uint32_t n = jv_arr_len(input);
  jarr *results = jn_arr_new(c, n);
  for (uint32_t i = 0; i < n; i++) {
    jv res = jn_eval(c, step, jv_arr_at(input, i), env);
    PROPAGATE(res);
    for (uint32_t s = 0; s < step->nstages; s++) {
      res = jn_eval_filter(c, step->stages[s]->lhs, res, env);
      PROPAGATE(res);
    }
    if (!IS_UNDEF(res))
      jn_push(c, results, res);
  }
  if (last && results->len == 1 && IS_ARR(results->items[0]) && !jv_is_seq(results->items[0]))
    return results->items[0];
  jv seq = jn_seq(c, results->len);
  for (uint32_t i = 0; i < results->len; i++) {
    jv res = results->items[i];
    if (!IS_ARR(res) || (jv_arr_flags(res) & AF_CONS)) {
      jn_push(c, seq.u.a, res);
    } else {
      uint32_t m = jv_arr_len(res);
      for (uint32_t k = 0; k < m; k++)
        jn_push(c, seq.u.a, jv_arr_at(res, k));
    }
  }
  return seq;
}

static jv eval_tuple_step(jn_ctx *c, const jn_node *step, jv input, jv bindings, jn_frame *env)
{
  if (step->kind == N_SORT) {
    jv result;
    if (!IS_UNDEF(bindings)) {
      result = jn_eval_sort(c, step, bindings, env);
      PROPAGATE(result);
    } else {
      jv sorted = jn_eval_sort(c, step, input, env);
      PROPAGATE(sorted);
      uint32_t n = jv_arr_len(sorted);
      result = jn_seq(c, n);
      result.u.a->flags |= AF_TUPLES;
      for (uint32_t i = 0; i < n; i++) {
        jobj *t = jn_obj_new(c, 2);
        jn_obj_set(c, t, "@", 1, jv_arr_at(sorted, i));
        if (step->has_index)
          jn_obj_set(c, t, step->index_var, step->index_len, jv_num(i));
        else
          jn_obj_set(c, t, "undefined", 9, jv_num(i)); /* tuple[expr.index], no index named */
        jn_push(c, result.u.a, jv_obj(t));
      }
    }
    return step->nstages ? eval_stages(c, step, result, env) : result;
  }
  jv result = jn_seq(c, 0);
  result.u.a->flags |= AF_TUPLES;
  if (IS_UNDEF(bindings)) {
    uint32_t n = jv_arr_len(input);
    jarr *b = jn_arr_new(c, n);
    for (uint32_t i = 0; i < n; i++) {
      jobj *t = jn_obj_new(c, 1);
      jn_obj_set(c, t, "@", 1, jv_arr_at(input, i));
      b->items[b->len++] = jv_obj(t);
    }
    bindings = jv_arr(b);
  }
  uint32_t nb = jv_arr_len(bindings);
  for (uint32_t ee = 0; ee < nb; ee++) {
    jv tb = jv_arr_at(bindings, ee);
    jn_frame *senv = frame_from_tuple(c, env, tb);
    jv res = jn_eval(c, step, tuple_at(tb), senv);
    PROPAGATE(res);
    if (IS_UNDEF(res))
      continue;
    bool res_tuples = res.t == JV_ARR && (res.u.a->flags & AF_TUPLES);
    if (!IS_ARR(res))
      res = jn_seq1(c, res);
    uint32_t m = jv_arr_len(res);
    for (uint32_t bb = 0; bb < m; bb++) {
      jobj *t = tuple_copy(c, tb);
      jv item = jv_arr_at(res, bb);
      if (res_tuples) {
        if (item.t == JV_OBJ)
          for (uint32_t k = 0; k < item.u.o->len; k++)
            if (!item.u.o->e[k].dead)
              jn_obj_set(c, t, item.u.o->e[k].k, item.u.o->e[k].klen, item.u.o->e[k].v);
      } else {
        if (step->has_focus) {
          jn_obj_set(c, t, step->focus, step->focus_len, item);
          jn_obj_set(c, t, "@", 1, tuple_at(tb));
        } else {
          jn_obj_set(c, t, "@", 1, item);
        }
        if (step->has_index)
          jn_obj_set(c, t, step->index_var, step->index_len, jv_num(bb));
        if (step->ancestor)
          jn_obj_set(c, t, step->ancestor->label, (uint32_t)strlen(step->ancestor->label),
                     tuple_at(tb));
      }
      jn_push(c, result.u.a, jv_obj(t));
    }
  }
  return step->nstages ? eval_stages(c, step, result, env) : result;
}

/* The common case, a chain of plain names over single objects ($states.input.a.b): looked up
 * directly. NULL-result (false) when anything needs the general rules: an array on the way,
 * predicates, bindings, a kept singleton. */
static bool simple_path(jn_ctx *c, const jn_node *n, jv input, jn_frame *env, jv *out)
{
  if (n->keep_singleton || n->keep_array || n->group || n->tuple)
    return false;
  jv cur = input;
  for (uint32_t i = 0; i < n->nitems; i++) {
    const jn_node *step = n->items[i];
    if (step->npred || step->nstages || step->group || step->tuple || step->keep_array)
      return false;
    if (step->kind == N_VARIABLE && i == 0) {
      if (step->len == 0) {
        if (IS_ARR(input))
          return false;
      } else {
        cur = jn_lookup(c, env, step->str, step->len);
      }
    } else if (step->kind == N_NAME) {
      if (IS_ARR(cur))
        return false;
      cur = jv_obj_get(cur, step->str, step->len);
    } else {
      return false;
    }
    if (IS_UNDEF(cur))
      break;
    if (IS_ARR(cur) && i + 1 < n->nitems)
      return false;
  }
  /* each step is one more level of evaluation, as in the general case */
  if (c->depth + 1 > c->max_depth)
    return false;
  if (cur.t == JV_ARR && (cur.u.a->flags & AF_SEQ))
    return false;
  *out = cur;
  return true;
}

jv jn_eval_path(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  jv fast;
  if (simple_path(c, n, input, env, &fast))
    return fast;
  jv input_seq;
  if (IS_ARR(input) && n->items[0]->kind != N_VARIABLE)
    input_seq = input;
  else
    input_seq = jn_seq1(c, input);
  jv result = jv_undef();
  bool tuples = false;
  jv bindings = jv_undef();
  for (uint32_t i = 0; i < n->nitems; i++) {
    const jn_node *step = n->items[i];
    if (step->tuple)
      tuples = true;
    if (i == 0 && step->consarray) {
      result = jn_eval(c, step, input_seq, env);
    } else if (tuples) {
      bindings = eval_tuple_step(c, step, input_seq, bindings, env);
      PROPAGATE(bindings);
    } else {
      result = eval_step(c, step, input_seq, env, i == n->nitems - 1);
    }
    PROPAGATE(result);
    if (!tuples && (IS_UNDEF(result) || (IS_ARR(result) && jv_arr_len(result) == 0)))
      break;
    if (!step->has_focus)
      input_seq = result;
  }
  if (tuples) {
    if (n->tuple) {
      result = bindings;
    } else {
      uint32_t nb = jv_arr_len(bindings);
      result = jn_seq(c, nb);
      for (uint32_t i = 0; i < nb; i++)
        jn_push(c, result.u.a, tuple_at(jv_arr_at(bindings, i)));
    }
  }
  if (n->keep_singleton) {
    if (result.t == JV_ARR && (result.u.a->flags & AF_CONS) && !(result.u.a->flags & AF_SEQ))
      result = jn_seq1(c, result);
    if (result.t == JV_ARR)
      result.u.a->flags |= AF_KEEP;
  }
  if (n->group)
    result = jn_eval_group(c, n->group, tuples ? bindings : result, env);
  return result;
}
