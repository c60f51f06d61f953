/* The evaluator (jsonata-js's evaluate and the expressions that are not paths): operators,
 * constructors, conditions, blocks, bindings, variables, lambdas, function calls, partial
 * application, ~> and transforms. Every node evaluation counts one level of depth as the
 * reference's __evaluate_entry/__evaluate_exit hooks do, which is what the suite's `depth` and
 * Step Functions' limit measure. */
#include "internal.h"

#include <stdio.h>

#include <math.h>

#define STACK_MSG                                                                                  \
  "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as "    \
  "tail-recursive."

jv jn_boolean(jn_ctx *c, jv v)
{
  switch ((jv_type)v.t) {
  case JV_UNDEF:
    return jv_undef();
  case JV_ERR:
    return v;
  case JV_NULL:
    return jv_bool(false);
  case JV_BOOL:
    return jv_bool(v.b);
  case JV_NUM: {
    bool failed = false;
    if (jn_is_numeric(c, v, &failed))
      return jv_bool(v.u.n != 0);
    return failed ? jv_err() : jv_bool(false);
  }
  case JV_STR:
  case JV_JSTR: {
    uint32_t len;
    jv_strp(v, &len);
    return jv_bool(len > 0);
  }
  case JV_ARR:
  case JV_JARR: {
    uint32_t n = jv_arr_len(v);
    if (n == 1)
      return jn_boolean(c, jv_arr_at(v, 0));
    for (uint32_t i = 0; i < n; i++) {
      jv b = jn_boolean(c, jv_arr_at(v, i));
      PROPAGATE(b);
      if (b.t == JV_BOOL && b.b)
        return jv_bool(true);
    }
    return jv_bool(false);
  }
  case JV_OBJ:
  case JV_JOBJ:
    return jv_bool(jv_obj_count(v) > 0);
  case JV_FUNC:
    return jv_bool(false);
  }
  return jv_bool(false);
}

bool jn_truthy(jn_ctx *c, jv v, bool *failed)
{
  jv b = jn_boolean(c, v);
  if (IS_ERR(b)) {
    *failed = true;
    return false;
  }
  return b.t == JV_BOOL && b.b;
}

/* ------------------------------------------------------------------ operators ---- */
static jv numeric_op(jn_ctx *c, const jn_node *n, jv lhs, jv rhs)
{
  const char *op = jn_op_text((jn_op)n->op);
  bool failed = false;
  if (!IS_UNDEF(lhs) && !jn_is_numeric(c, lhs, &failed)) {
    if (!failed)
      jn_fail_v(c, "T2001", n->pos, lhs);
    jn_err_override(c, n->pos, op);
    return jv_err();
  }
  if (!IS_UNDEF(rhs) && !jn_is_numeric(c, rhs, &failed)) {
    if (!failed)
      jn_fail_v(c, "T2002", n->pos, rhs);
    jn_err_override(c, n->pos, op);
    return jv_err();
  }
  if (IS_UNDEF(lhs) || IS_UNDEF(rhs))
    return jv_undef();
  double a = lhs.u.n, b = rhs.u.n;
  switch ((int)n->op) {
  case OP_PLUS: return jv_num(a + b);
  case OP_MINUS: return jv_num(a - b);
  case OP_STAR: return jv_num(a * b);
  case OP_SLASH: return jv_num(a / b);
  default: return jv_num(fmod(a, b));
  }
}

static bool comparable(jv v)
{
  return IS_UNDEF(v) || IS_STR(v) || v.t == JV_NUM;
}

static jv compare_op(jn_ctx *c, const jn_node *n, jv lhs, jv rhs)
{
  const char *op = jn_op_text((jn_op)n->op);
  if (!comparable(lhs) || !comparable(rhs)) {
    jn_fail_v(c, "T2010", n->pos, !(IS_STR(lhs) || lhs.t == JV_NUM) ? lhs : rhs);
    jn_err_override(c, n->pos, op);
    return jv_err();
  }
  if (IS_UNDEF(lhs) || IS_UNDEF(rhs))
    return jv_undef();
  if (IS_STR(lhs) != IS_STR(rhs)) {
    jn_fail_v(c, "T2009", n->pos, lhs);
    jn_err_value2(c, rhs);
    jn_err_override(c, n->pos, op);
    return jv_err();
  }
  int cmp;
  if (IS_STR(lhs)) {
    uint32_t la, lb;
    const char *sa = jv_strp(lhs, &la);
    const char *sb = jv_strp(rhs, &lb);
    int m = memcmp(sa, sb, la < lb ? la : lb);
    cmp = m ? m : (la < lb ? -1 : la > lb ? 1 : 0);
  } else {
    double a = lhs.u.n, b = rhs.u.n;
    if (isnan(a) || isnan(b))
      return jv_bool(false);
    cmp = a < b ? -1 : a > b ? 1 : 0;
  }
  switch ((int)n->op) {
  case OP_LT: return jv_bool(cmp < 0);
  case OP_LE: return jv_bool(cmp <= 0);
  case OP_GT: return jv_bool(cmp > 0);
  default: return jv_bool(cmp >= 0);
  }
}

static jv concat_op(jn_ctx *c, const jn_node *n, jv lhs, jv rhs)
{
  jv ls = jn_string(c, lhs, false);
  jv rs = IS_ERR(ls) ? ls : jn_string(c, rhs, false);
  if (IS_ERR(ls) || IS_ERR(rs)) {
    jn_err_override(c, n->pos, "&");
    return jv_err();
  }
  uint32_t la = 0, lb = 0;
  const char *a = IS_UNDEF(ls) ? "" : jv_strp(ls, &la);
  const char *b = IS_UNDEF(rs) ? "" : jv_strp(rs, &lb);
  char *p = jn_alloc(c, (size_t)la + lb + 1);
  memcpy(p, a, la);
  memcpy(p + la, b, lb);
  p[la + lb] = '\0';
  return jv_str(p, la + lb);
}

static jv range_op(jn_ctx *c, const jn_node *n, jv lhs, jv rhs)
{
  if (!IS_UNDEF(lhs) && !(lhs.t == JV_NUM && jn_is_integer(lhs.u.n))) {
    jn_fail_v(c, "T2003", n->pos, lhs);
    jn_err_override(c, n->pos, "..");
    return jv_err();
  }
  if (!IS_UNDEF(rhs) && !(rhs.t == JV_NUM && jn_is_integer(rhs.u.n))) {
    jn_fail_v(c, "T2004", n->pos, rhs);
    jn_err_override(c, n->pos, "..");
    return jv_err();
  }
  if (IS_UNDEF(lhs) || IS_UNDEF(rhs) || lhs.u.n > rhs.u.n)
    return jv_undef();
  double size = rhs.u.n - lhs.u.n + 1;
  if (size > 1e7) {
    jn_fail_v(c, "D2014", n->pos, jv_num(size));
    jn_err_override(c, n->pos, "..");
    return jv_err();
  }
  uint32_t cnt = (uint32_t)size;
  if (!jn_reserve(c, cnt * sizeof(jv)))
    return jv_err();
  jv r = jn_seq(c, cnt);
  jarr *a = r.u.a;
  for (uint32_t i = 0; i < cnt; i++)
    a->items[i] = jv_num(lhs.u.n + i);
  a->len = cnt;
  return r;
}

static jv in_op(jv lhs, jv rhs)
{
  if (IS_UNDEF(lhs) || IS_UNDEF(rhs))
    return jv_bool(false);
  if (!IS_ARR(rhs))
    return jv_bool(jv_strict_equal(rhs, lhs));
  uint32_t len = jv_arr_len(rhs);
  for (uint32_t i = 0; i < len; i++)
    if (jv_strict_equal(jv_arr_at(rhs, i), lhs))
      return jv_bool(true);
  return jv_bool(false);
}

static jv eval_binary(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  jv lhs = jn_eval(c, n->lhs, input, env);
  PROPAGATE(lhs);
  if (n->op == OP_AND || n->op == OP_OR) {
    bool failed = false;
    bool lb = jn_truthy(c, lhs, &failed);
    if (!failed) {
      if (n->op == OP_AND && !lb)
        return jv_bool(false);
      if (n->op == OP_OR && lb)
        return jv_bool(true);
      jv rhs = jn_eval(c, n->rhs, input, env);
      if (!IS_ERR(rhs)) {
        bool rb = jn_truthy(c, rhs, &failed);
        if (!failed)
          return jv_bool(rb);
      }
    }
    jn_err_override(c, n->pos, jn_op_text((jn_op)n->op));
    return jv_err();
  }
  jv rhs = jn_eval(c, n->rhs, input, env);
  PROPAGATE(rhs);
  switch ((int)n->op) {
  case OP_PLUS:
  case OP_MINUS:
  case OP_STAR:
  case OP_SLASH:
  case OP_PERCENT:
    return numeric_op(c, n, lhs, rhs);
  case OP_EQ:
    if (IS_UNDEF(lhs) || IS_UNDEF(rhs))
      return jv_bool(false);
    return jv_bool(jv_deep_equal(lhs, rhs));
  case OP_NE:
    if (IS_UNDEF(lhs) || IS_UNDEF(rhs))
      return jv_bool(false);
    return jv_bool(!jv_deep_equal(lhs, rhs));
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE:
    return compare_op(c, n, lhs, rhs);
  case OP_AMP:
    return concat_op(c, n, lhs, rhs);
  case OP_DOTDOT:
    return range_op(c, n, lhs, rhs);
  case OP_IN:
    return in_op(lhs, rhs);
  default:
    return jn_fail(c, "S0204", n->pos, NULL, NULL);
  }
}

/* ------------------------------------------------------------------ constructors ---- */
static jv eval_array(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  /* the items first, so that the array is allocated once at its size */
  jv stack_vals[8];
  jv *vals = n->nitems <= 8 ? stack_vals : jn_alloc(c, n->nitems * sizeof(jv));
  uint64_t total = 0;
  for (uint32_t i = 0; i < n->nitems; i++) {
    const jn_node *item = n->items[i];
    jv v = jn_eval(c, item, input, env);
    PROPAGATE(v);
    vals[i] = v;
    if (IS_UNDEF(v))
      continue;
    total += item->kind == N_ARRAY || !IS_ARR(v) ? 1 : jv_arr_len(v);
  }
  if (total > UINT32_MAX || !jn_reserve(c, (size_t)total * sizeof(jv)))
    return total > UINT32_MAX ? jn_fail_memory(c) : jv_err();
  jarr *r = jn_arr_new(c, (uint32_t)total);
  for (uint32_t i = 0; i < n->nitems; i++) {
    jv v = vals[i];
    if (IS_UNDEF(v))
      continue;
    if (n->items[i]->kind == N_ARRAY || !IS_ARR(v)) {
      /* a nested constructor is one item; any other value is appended (fn.append) */
      r->items[r->len++] = v;
    } else if (v.t == JV_ARR) {
      if (v.u.a->len) /* an empty one may have no items at all */
        memcpy(r->items + r->len, v.u.a->items, v.u.a->len * sizeof(jv));
      r->len += v.u.a->len;
    } else {
      uint32_t len = jv_arr_len(v);
      for (uint32_t k = 0; k < len; k++)
        r->items[r->len++] = jv_arr_at(v, k);
    }
  }
  if (n->consarray)
    r->flags |= AF_CONS;
  return jv_arr(r);
}

/* ------------------------------------------------------------------ functions ---- */
static bool proc_name(const jn_node *proc, const char **name, uint32_t *len)
{
  if (proc->kind == N_PATH && proc->nitems > 0 && proc->items[0]->str) {
    *name = proc->items[0]->str;
    *len = proc->items[0]->len;
    return true;
  }
  if (proc->kind == N_VARIABLE) {
    *name = proc->str;
    *len = proc->len;
    return true;
  }
  *name = NULL;
  *len = 0;
  return false;
}

static jv eval_function(jn_ctx *c, const jn_node *n, jv input, jn_frame *env, const jv *applyto)
{
  jv proc = jn_eval(c, n->procedure, input, env);
  PROPAGATE(proc);
  const char *name;
  uint32_t nlen;
  proc_name(n->procedure, &name, &nlen);
  if (IS_UNDEF(proc) && n->procedure->kind == N_PATH && name &&
      !IS_UNDEF(jn_lookup(c, env, name, nlen))) {
    jn_fail(c, "T1005", n->pos, NULL, NULL);
    c->err.token = asl_strndup(name, nlen); /* {{{token}}}: raw */
    return jv_err();
  }
  uint32_t nargs = n->nitems + (applyto ? 1 : 0);
  jv stackargs[8];
  jv *args = nargs <= 8 ? stackargs : jn_alloc(c, nargs * sizeof(jv));
  uint32_t k = 0;
  if (applyto)
    args[k++] = *applyto;
  for (uint32_t i = 0; i < n->nitems; i++) {
    jv a = jn_eval(c, n->items[i], input, env);
    PROPAGATE(a);
    args[k++] = a;
  }
  if (args == stackargs) {
    /* the callee may keep them (a lambda's frame does not, natives may return them in arrays,
     * which copy): a copy in the region keeps everything valid */
    jv *heap = jn_alloc(c, (nargs ? nargs : 1) * sizeof(jv));
    memcpy(heap, stackargs, nargs * sizeof(jv));
    args = heap;
  }
  jv r = jn_apply(c, proc, args, nargs, input, env, name, nlen, n->pos);
  if (IS_ERR(r))
    jn_err_locate(c, n->pos, name, nlen);
  return r;
}

static jv eval_partial(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  uint32_t nargs = n->nitems;
  jv *args = jn_alloc(c, (nargs ? nargs : 1) * sizeof(jv));
  bool *hole = jn_alloc(c, (nargs ? nargs : 1) * sizeof(bool));
  for (uint32_t i = 0; i < nargs; i++) {
    hole[i] = n->items[i]->kind == N_PLACEHOLDER;
    if (hole[i]) {
      args[i] = jv_undef();
    } else {
      args[i] = jn_eval(c, n->items[i], input, env);
      PROPAGATE(args[i]);
    }
  }
  jv proc = jn_eval(c, n->procedure, input, env);
  PROPAGATE(proc);
  const char *name;
  uint32_t nlen;
  proc_name(n->procedure, &name, &nlen);
  if (IS_UNDEF(proc) && n->procedure->kind == N_PATH && name &&
      !IS_UNDEF(jn_lookup(c, env, name, nlen))) {
    jn_fail(c, "T1007", n->pos, NULL, NULL);
    c->err.token = asl_strndup(name, nlen); /* {{{token}}}: raw */
    return jv_err();
  }
  if (!IS_FUNC(proc)) {
    jn_fail(c, "T1008", n->pos, NULL, NULL);
    jn_err_locate(c, n->pos, name, nlen);
    return jv_err();
  }
  jfunc *src = proc.u.f;
  jfunc *f = jn_zalloc(c, sizeof *f);
  if (src->kind == F_LAMBDA) {
    /* a closure with the supplied parameters bound, taking the remaining ones */
    jn_frame *fr = jn_frame_new(c, src->env);
    jn_node **unbound = jn_alloc(c, (src->nparams ? src->nparams : 1) * sizeof *unbound);
    uint32_t nu = 0;
    for (uint32_t i = 0; i < src->nparams; i++) {
      jn_node *p = src->params[i];
      if (i < nargs && hole[i])
        unbound[nu++] = p;
      else
        jn_bind(c, fr, p->str, p->len, i < nargs ? args[i] : jv_undef());
    }
    f->kind = F_LAMBDA;
    f->body = src->body;
    f->params = unbound;
    f->nparams = nu;
    f->sig = src->sig;
    f->input = src->input;
    f->env = fr;
    return jv_func(f);
  }
  /* a native (or other callable): the declared parameters, bound or left open */
  uint32_t np = src->kind == F_NATIVE ? src->bi->nparams : jn_arity(proc);
  f->kind = F_PARTIAL;
  f->f = proc;
  f->nargs = np;
  f->args = jn_alloc(c, (np ? np : 1) * sizeof(jv));
  f->hole = jn_alloc(c, (np ? np : 1) * sizeof(bool));
  for (uint32_t i = 0; i < np; i++) {
    f->hole[i] = i < nargs && hole[i];
    f->args[i] = i < nargs && !hole[i] ? args[i] : jv_undef();
  }
  return jv_func(f);
}

static jv eval_apply(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  jv lhs = jn_eval(c, n->lhs, input, env);
  PROPAGATE(lhs);
  if (n->rhs->kind == N_FUNCTION)
    return eval_function(c, n->rhs, input, env, &lhs);
  jv fn = jn_eval(c, n->rhs, input, env);
  PROPAGATE(fn);
  if (!IS_FUNC(fn))
    return jn_fail_v(c, "T2006", n->pos, fn);
  if (IS_FUNC(lhs)) {
    /* function chaining: λ($x){ $g($f($x)) } */
    jfunc *f = jn_zalloc(c, sizeof *f);
    f->kind = F_CHAIN;
    f->f = lhs;
    f->g = fn;
    return jv_func(f);
  }
  jv *args = jn_alloc(c, sizeof(jv));
  args[0] = lhs;
  return jn_apply(c, fn, args, 1, jv_null(), env, NULL, 0, n->pos);
}

static jv eval_lambda(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  jfunc *f = n->thunk && c->thunk_slot ? c->thunk_slot : jn_alloc(c, sizeof *f);
  memset(f, 0, sizeof *f);
  f->kind = F_LAMBDA;
  f->thunk = n->thunk;
  f->body = n->rhs;
  f->params = n->items;
  f->nparams = n->nitems;
  f->sig = n->sig;
  f->input = input;
  f->env = env;
  return jv_func(f);
}

/* ------------------------------------------------------------------ the dispatch ---- */
static jv eval_node(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  switch ((int)n->kind) {
  case N_PATH:
    return jn_eval_path(c, n, input, env);
  case N_BINARY:
    return eval_binary(c, n, input, env);
  case N_NEG: {
    jv v = jn_eval(c, n->lhs, input, env);
    PROPAGATE(v);
    if (IS_UNDEF(v))
      return v;
    bool failed = false;
    if (jn_is_numeric(c, v, &failed))
      return jv_num(-v.u.n);
    if (failed)
      return jv_err();
    jn_fail_v(c, "D1002", n->pos, v);
    c->err.token = asl_strdup("\"-\"");
    return jv_err();
  }
  case N_ARRAY:
    return eval_array(c, n, input, env);
  case N_OBJECT:
    return jn_eval_group(c, n, input, env);
  case N_NAME:
    return jn_lookup_name(c, input, n->str, n->len);
  case N_STRING:
    return jv_str(n->str, n->len);
  case N_NUMBER:
    return jv_num(n->num);
  case N_VALUE:
    return n->vk == VK_NULL ? jv_null() : jv_bool(n->vk == VK_TRUE);
  case N_WILDCARD:
    return jn_eval_wildcard(c, input);
  case N_DESCENDANT:
    return jn_eval_descendants(c, input);
  case N_PARENT:
    return jn_lookup(c, env, n->slot->label, (uint32_t)strlen(n->slot->label));
  case N_CONDITION: {
    jv cond = jn_eval(c, n->lhs, input, env);
    PROPAGATE(cond);
    bool failed = false;
    bool t = jn_truthy(c, cond, &failed);
    if (failed)
      return jv_err();
    if (t)
      return jn_eval(c, n->rhs, input, env);
    if (n->third)
      return jn_eval(c, n->third, input, env);
    return jv_undef();
  }
  case N_COALESCE: {
    jv v = jn_eval(c, n->lhs, input, env);
    PROPAGATE(v);
    return IS_UNDEF(v) ? jn_eval(c, n->rhs, input, env) : v;
  }
  case N_ELVIS: {
    jv v = jn_eval(c, n->lhs, input, env);
    PROPAGATE(v);
    bool failed = false;
    bool t = jn_truthy(c, v, &failed);
    if (failed)
      return jv_err();
    return t ? v : jn_eval(c, n->rhs, input, env);
  }
  case N_BLOCK: {
    jn_frame *frame = jn_frame_new(c, env);
    jv r = jv_undef();
    for (uint32_t i = 0; i < n->nitems; i++) {
      r = jn_eval(c, n->items[i], input, frame);
      PROPAGATE(r);
    }
    return r;
  }
  case N_BIND: {
    jv v = jn_eval(c, n->rhs, input, env);
    PROPAGATE(v);
    jn_bind(c, env, n->lhs->str, n->lhs->len, v);
    return v;
  }
  case N_REGEX: {
    jfunc *f = jn_zalloc(c, sizeof *f);
    f->kind = F_REGEX;
    f->re = n->re;
    f->node = n;
    return jv_func(f);
  }
  case N_FUNCTION:
    return eval_function(c, n, input, env, NULL);
  case N_PARTIAL:
    return eval_partial(c, n, input, env);
  case N_VARIABLE:
    if (n->len == 0)
      return input.t == JV_ARR && (input.u.a->flags & AF_OUTER) ? input.u.a->items[0] : input;
    return jn_lookup(c, env, n->str, n->len);
  case N_LAMBDA:
    return eval_lambda(c, n, input, env);
  case N_APPLY:
    return eval_apply(c, n, input, env);
  case N_TRANSFORM: {
    jfunc *f = jn_zalloc(c, sizeof *f);
    f->kind = F_TRANSFORM;
    f->node = n;
    f->env = env;
    return jv_func(f);
  }
  case N_SORT:
    return jn_eval_sort(c, n, input, env);
  case N_PLACEHOLDER:
  case N_FILTER:
  case N_INDEX:
  case R_BINARY:
  case R_OPERATOR:
  case R_END:
  case R_ERROR:
    break;
  }
  return jn_fail(c, "S0206", n->pos, NULL, NULL);
}

jv jn_eval(jn_ctx *c, const jn_node *n, jv input, jn_frame *env)
{
  if (c->failed)
    return jv_err();
  if (++c->depth > c->max_depth)
    return jn_fail_limit(c, "U1001", STACK_MSG);
  if ((++c->tick & 127) == 0 && !jn_check_time(c))
    return jv_err();
  jv r = eval_node(c, n, input, env);
  if (IS_ERR(r))
    return r;
  for (uint32_t i = 0; i < n->npred; i++) {
    r = jn_eval_filter(c, n->pred[i]->lhs, r, env);
    PROPAGATE(r);
  }
  if (n->kind != N_PATH && n->group) {
    r = jn_eval_group(c, n->group, r, env);
    PROPAGATE(r);
  }
  c->depth--;
  if (r.t == JV_ARR && (r.u.a->flags & AF_SEQ) && !(r.u.a->flags & AF_TUPLES)) {
    jarr *a = r.u.a;
    if (n->keep_array)
      a->flags |= AF_KEEP;
    if (a->len == 0)
      return jv_undef();
    if (a->len == 1 && !(a->flags & AF_KEEP))
      return a->items[0];
  }
  return r;
}
