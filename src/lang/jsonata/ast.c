/* The post-parse pass of jsonata-js (processAST): binary '.' chains become paths of steps,
 * predicates become filters or stages, @ / # bindings mark tuple steps, parent operators (%)
 * find the step they refer to (seekParent / resolveAncestry), and lambda bodies get their tail
 * calls turned into thunks for the trampoline in apply.c. */
#include <stdio.h>

#include "syntax.h"

typedef struct pass {
  asl_arena *a;
  jn_parse_error *err;
  int label; /* ancestorLabel */
  int index; /* ancestorIndex */
  int nesting;
} pass;

static jn_node *process(pass *P, jn_node *expr);

static void *fail(pass *P, const char *code, uint32_t pos)
{
  return jn_syntax_error(P->err, P->a, code, pos, NULL, 0, false);
}

static void append(pass *P, jn_node ***arr, uint32_t *n, jn_node *x)
{
  jn_node **na = asl_arena_alloc(P->a, (*n + 1) * sizeof *na);
  if (*n)
    memcpy(na, *arr, *n * sizeof *na);
  na[(*n)++] = x;
  *arr = na;
}

static void add_seeking(pass *P, jn_node *n, jn_slot *s)
{
  if (n->nseeking == n->seeking_cap) {
    uint32_t cap = n->seeking_cap ? n->seeking_cap * 2 : 4;
    jn_slot **na = asl_arena_alloc(P->a, cap * sizeof *na);
    if (n->nseeking)
      memcpy(na, n->seeking, n->nseeking * sizeof *na);
    n->seeking = na;
    n->seeking_cap = cap;
  }
  n->seeking[n->nseeking++] = s;
}

static void push_ancestry(pass *P, jn_node *result, jn_node *value)
{
  for (uint32_t i = 0; i < value->nseeking; i++)
    add_seeking(P, result, value->seeking[i]);
  if (value->kind == N_PARENT)
    add_seeking(P, result, value->slot);
}

static jn_slot *seek_parent(pass *P, jn_node *node, jn_slot *slot)
{
  switch ((int)node->kind) {
  case N_NAME:
  case N_WILDCARD:
    slot->level--;
    if (slot->level == 0) {
      if (node->ancestor)
        slot->label = node->ancestor->label; /* reuse the existing label */
      node->ancestor = slot;
      node->tuple = true;
    }
    break;
  case N_PARENT:
    slot->level++;
    break;
  case N_BLOCK:
    if (node->nitems > 0) {
      node->tuple = true;
      slot = seek_parent(P, node->items[node->nitems - 1], slot);
    }
    break;
  case N_PATH: {
    node->tuple = true;
    int index = (int)node->nitems - 1;
    slot = seek_parent(P, node->items[index--], slot);
    while (slot && slot->level > 0 && index >= 0)
      slot = seek_parent(P, node->items[index--], slot);
    break;
  }
  default:
    return fail(P, "S0217", node->pos);
  }
  return slot;
}

static bool resolve_ancestry(pass *P, jn_node *path)
{
  jn_node *last = path->items[path->nitems - 1];
  uint32_t n = last->nseeking + (last->kind == N_PARENT ? 1 : 0);
  if (n == 0)
    return true;
  jn_slot **slots = asl_arena_alloc(P->a, n * sizeof *slots);
  for (uint32_t i = 0; i < last->nseeking; i++)
    slots[i] = last->seeking[i];
  if (last->kind == N_PARENT)
    slots[n - 1] = last->slot;
  for (uint32_t is = 0; is < n; is++) {
    jn_slot *slot = slots[is];
    int index = (int)path->nitems - 2;
    while (slot->level > 0) {
      if (index < 0) {
        add_seeking(P, path, slot);
        break;
      }
      jn_node *step = path->items[index--];
      /* multiple contiguous steps that bind the focus are skipped */
      while (index >= 0 && step->has_focus && path->items[index]->has_focus)
        step = path->items[index--];
      slot = seek_parent(P, step, slot);
      if (!slot)
        return false;
    }
  }
  return true;
}

/* Lambda bodies: a call in tail position becomes a thunk the trampoline evaluates. */
static jn_node *tail_call_optimize(pass *P, jn_node *expr)
{
  if (expr->kind == N_FUNCTION && expr->npred == 0) {
    jn_node *thunk = jn_node_new(P->a, N_LAMBDA, expr->pos);
    thunk->thunk = true;
    thunk->rhs = expr;
    return thunk;
  }
  if (expr->kind == N_CONDITION) {
    expr->rhs = tail_call_optimize(P, expr->rhs);
    if (expr->third)
      expr->third = tail_call_optimize(P, expr->third);
    return expr;
  }
  if (expr->kind == N_BLOCK && expr->nitems > 0) {
    expr->items[expr->nitems - 1] = tail_call_optimize(P, expr->items[expr->nitems - 1]);
    return expr;
  }
  return expr;
}

static jn_node *as_path(pass *P, jn_node *step)
{
  if (step->kind == N_PATH)
    return step;
  jn_node *p = jn_node_new(P->a, N_PATH, step->pos);
  append(P, &p->items, &p->nitems, step);
  return p;
}

static jn_node *process_dot(pass *P, jn_node *expr)
{
  jn_node *lstep = process(P, expr->lhs);
  if (!lstep)
    return NULL;
  jn_node *result = as_path(P, lstep);
  if (lstep->kind == N_PARENT)
    add_seeking(P, result, lstep->slot);
  jn_node *rest = process(P, expr->rhs);
  if (!rest)
    return NULL;
  if (rest->kind == N_PATH) {
    for (uint32_t i = 0; i < rest->nitems; i++)
      append(P, &result->items, &result->nitems, rest->items[i]);
  } else {
    if (rest->npred) {
      rest->stages = rest->pred;
      rest->nstages = rest->npred;
      rest->pred = NULL;
      rest->npred = 0;
    }
    append(P, &result->items, &result->nitems, rest);
  }
  for (uint32_t i = 0; i < result->nitems; i++) {
    jn_node *step = result->items[i];
    if (step->kind == N_NUMBER || step->kind == N_VALUE)
      return fail(P, "S0213", step->pos);
    if (step->kind == N_STRING)
      step->kind = N_NAME;
  }
  for (uint32_t i = 0; i < result->nitems; i++)
    if (result->items[i]->keep_array)
      result->keep_singleton = true;
  jn_node *first = result->items[0];
  if (first->kind == N_ARRAY)
    first->consarray = true;
  jn_node *last = result->items[result->nitems - 1];
  if (last->kind == N_ARRAY)
    last->consarray = true;
  return resolve_ancestry(P, result) ? result : NULL;
}

static jn_node *filter_node(pass *P, jn_node *pred, uint32_t pos)
{
  jn_node *f = jn_node_new(P->a, N_FILTER, pos);
  f->lhs = pred;
  return f;
}

static jn_node *process_predicate(pass *P, jn_node *expr)
{
  jn_node *result = process(P, expr->lhs);
  if (!result)
    return NULL;
  jn_node *step = result;
  bool stages = false;
  if (result->kind == N_PATH) {
    step = result->items[result->nitems - 1];
    stages = true;
  }
  if (step->group)
    return fail(P, "S0209", expr->pos);
  jn_node *predicate = process(P, expr->rhs);
  if (!predicate)
    return NULL;
  if (predicate->nseeking) {
    for (uint32_t i = 0; i < predicate->nseeking; i++) {
      jn_slot *slot = predicate->seeking[i];
      if (slot->level == 1) {
        if (!seek_parent(P, step, slot))
          return NULL;
      } else {
        slot->level--;
      }
    }
    push_ancestry(P, step, predicate);
  }
  jn_node *f = filter_node(P, predicate, expr->pos);
  if (stages)
    append(P, &step->stages, &step->nstages, f);
  else
    append(P, &step->pred, &step->npred, f);
  return result;
}

static jn_node *process_group(pass *P, jn_node *expr)
{
  jn_node *result = process(P, expr->lhs);
  if (!result)
    return NULL;
  if (result->group)
    return fail(P, "S0210", expr->pos);
  jn_node *g = jn_node_new(P->a, N_OBJECT, expr->pos);
  g->npairs = expr->npairs;
  g->pairs = asl_arena_alloc(P->a, (expr->npairs ? expr->npairs : 1) * sizeof *g->pairs);
  for (uint32_t i = 0; i < expr->npairs; i++) {
    g->pairs[i].key = process(P, expr->pairs[i].key);
    if (!g->pairs[i].key)
      return NULL;
    g->pairs[i].value = process(P, expr->pairs[i].value);
    if (!g->pairs[i].value)
      return NULL;
  }
  result->group = g;
  return result;
}

static jn_node *process_sort(pass *P, jn_node *expr)
{
  jn_node *result = process(P, expr->lhs);
  if (!result)
    return NULL;
  if (result->kind != N_PATH) {
    jn_node *p = jn_node_new(P->a, N_PATH, result->pos);
    append(P, &p->items, &p->nitems, result);
    result = p;
  }
  jn_node *sort = jn_node_new(P->a, N_SORT, expr->pos);
  sort->nitems = expr->nitems;
  sort->items = asl_arena_alloc(P->a, (expr->nitems ? expr->nitems : 1) * sizeof *sort->items);
  for (uint32_t i = 0; i < expr->nitems; i++) {
    jn_node *term = expr->items[i];
    jn_node *e = process(P, term->lhs);
    if (!e)
      return NULL;
    push_ancestry(P, sort, e);
    jn_node *t = jn_node_new(P->a, N_SORT, term->pos);
    t->descending = term->descending;
    t->lhs = e;
    sort->items[i] = t;
  }
  append(P, &result->items, &result->nitems, sort);
  return resolve_ancestry(P, result) ? result : NULL;
}

static jn_node *process_focus(pass *P, jn_node *expr)
{
  jn_node *result = process(P, expr->lhs);
  if (!result)
    return NULL;
  jn_node *step = result->kind == N_PATH ? result->items[result->nitems - 1] : result;
  if (step->nstages || step->npred)
    return fail(P, "S0215", expr->pos);
  if (step->kind == N_SORT)
    return fail(P, "S0216", expr->pos);
  if (expr->keep_array)
    step->keep_array = true;
  step->focus = expr->rhs->str;
  step->focus_len = expr->rhs->len;
  step->has_focus = true;
  step->tuple = true;
  return result;
}

static jn_node *process_index(pass *P, jn_node *expr)
{
  jn_node *result = process(P, expr->lhs);
  if (!result)
    return NULL;
  jn_node *step = result;
  if (result->kind == N_PATH) {
    step = result->items[result->nitems - 1];
  } else {
    jn_node *p = jn_node_new(P->a, N_PATH, result->pos);
    append(P, &p->items, &p->nitems, result);
    result = p;
    if (step->npred) {
      step->stages = step->pred;
      step->nstages = step->npred;
      step->pred = NULL;
      step->npred = 0;
    }
  }
  if (step->nstages == 0) {
    step->index_var = expr->rhs->str;
    step->index_len = expr->rhs->len;
    step->has_index = true;
  } else {
    jn_node *ix = jn_node_new(P->a, N_INDEX, expr->pos);
    ix->str = expr->rhs->str;
    ix->len = expr->rhs->len;
    append(P, &step->stages, &step->nstages, ix);
  }
  step->tuple = true;
  return result;
}

static jn_node *process_binary(pass *P, jn_node *expr)
{
  switch ((int)expr->op) {
  case OP_DOT:
    return process_dot(P, expr);
  case OP_LBRACKET:
    return process_predicate(P, expr);
  case OP_LBRACE:
    return process_group(P, expr);
  case OP_CARET:
    return process_sort(P, expr);
  case OP_AT:
    return process_focus(P, expr);
  case OP_HASH:
    return process_index(P, expr);
  case OP_ASSIGN: {
    jn_node *r = jn_node_new(P->a, N_BIND, expr->pos);
    r->lhs = process(P, expr->lhs);
    r->rhs = r->lhs ? process(P, expr->rhs) : NULL;
    if (!r->rhs)
      return NULL;
    push_ancestry(P, r, r->rhs);
    return r;
  }
  case OP_APPLY: {
    jn_node *r = jn_node_new(P->a, N_APPLY, expr->pos);
    r->lhs = process(P, expr->lhs);
    r->rhs = r->lhs ? process(P, expr->rhs) : NULL;
    if (!r->rhs)
      return NULL;
    r->keep_array = r->lhs->keep_array || r->rhs->keep_array;
    return r;
  }
  default: {
    jn_node *r = jn_node_new(P->a, N_BINARY, expr->pos);
    r->op = expr->op;
    r->lhs = process(P, expr->lhs);
    r->rhs = r->lhs ? process(P, expr->rhs) : NULL;
    if (!r->rhs)
      return NULL;
    push_ancestry(P, r, r->lhs);
    push_ancestry(P, r, r->rhs);
    return r;
  }
  }
}

static jn_node *process_inner(pass *P, jn_node *expr)
{
  jn_node *result;
  switch ((int)expr->kind) {
  case R_BINARY:
    return process_binary(P, expr);
  case N_NEG: {
    jn_node *e = process(P, expr->lhs);
    if (!e)
      return NULL;
    if (e->kind == N_NUMBER) {
      e->num = -e->num;
      return e;
    }
    result = jn_node_new(P->a, N_NEG, expr->pos);
    result->lhs = e;
    push_ancestry(P, result, e);
    return result;
  }
  case N_ARRAY:
    result = jn_node_new(P->a, N_ARRAY, expr->pos);
    result->nitems = expr->nitems;
    result->items = asl_arena_alloc(P->a, (expr->nitems ? expr->nitems : 1) * sizeof(jn_node *));
    for (uint32_t i = 0; i < expr->nitems; i++) {
      jn_node *v = process(P, expr->items[i]);
      if (!v)
        return NULL;
      push_ancestry(P, result, v);
      result->items[i] = v;
    }
    return result;
  case N_OBJECT:
    result = jn_node_new(P->a, N_OBJECT, expr->pos);
    result->npairs = expr->npairs;
    result->pairs = asl_arena_alloc(P->a, (expr->npairs ? expr->npairs : 1) * sizeof(jn_pair));
    for (uint32_t i = 0; i < expr->npairs; i++) {
      jn_node *k = process(P, expr->pairs[i].key);
      if (!k)
        return NULL;
      push_ancestry(P, result, k);
      jn_node *v = process(P, expr->pairs[i].value);
      if (!v)
        return NULL;
      push_ancestry(P, result, v);
      result->pairs[i].key = k;
      result->pairs[i].value = v;
    }
    return result;
  case N_FUNCTION:
  case N_PARTIAL:
    result = jn_node_new(P->a, (jn_kind)expr->kind, expr->pos);
    result->nitems = expr->nitems;
    result->items = asl_arena_alloc(P->a, (expr->nitems ? expr->nitems : 1) * sizeof(jn_node *));
    for (uint32_t i = 0; i < expr->nitems; i++) {
      jn_node *v = process(P, expr->items[i]);
      if (!v)
        return NULL;
      push_ancestry(P, result, v);
      result->items[i] = v;
    }
    result->procedure = process(P, expr->procedure);
    return result->procedure ? result : NULL;
  case N_LAMBDA: {
    result = jn_node_new(P->a, N_LAMBDA, expr->pos);
    result->items = expr->items; /* the parameters, variables */
    result->nitems = expr->nitems;
    result->sig = expr->sig;
    jn_node *body = process(P, expr->rhs);
    if (!body)
      return NULL;
    result->rhs = tail_call_optimize(P, body);
    return result;
  }
  case N_CONDITION:
  case N_COALESCE:
  case N_ELVIS:
    result = jn_node_new(P->a, (jn_kind)expr->kind, expr->pos);
    result->lhs = process(P, expr->lhs);
    if (!result->lhs)
      return NULL;
    push_ancestry(P, result, result->lhs);
    result->rhs = process(P, expr->rhs);
    if (!result->rhs)
      return NULL;
    push_ancestry(P, result, result->rhs);
    if (expr->third) {
      result->third = process(P, expr->third);
      if (!result->third)
        return NULL;
      push_ancestry(P, result, result->third);
    }
    return result;
  case N_TRANSFORM:
    result = jn_node_new(P->a, N_TRANSFORM, expr->pos);
    result->lhs = process(P, expr->lhs);
    result->rhs = result->lhs ? process(P, expr->rhs) : NULL;
    if (!result->rhs)
      return NULL;
    if (expr->third) {
      result->third = process(P, expr->third);
      if (!result->third)
        return NULL;
    }
    return result;
  case N_BLOCK:
    result = jn_node_new(P->a, N_BLOCK, expr->pos);
    result->nitems = expr->nitems;
    result->items = asl_arena_alloc(P->a, (expr->nitems ? expr->nitems : 1) * sizeof(jn_node *));
    for (uint32_t i = 0; i < expr->nitems; i++) {
      jn_node *part = process(P, expr->items[i]);
      if (!part)
        return NULL;
      push_ancestry(P, result, part);
      if (part->consarray || (part->kind == N_PATH && part->items[0]->consarray))
        result->consarray = true;
      result->items[i] = part;
    }
    return result;
  case N_NAME:
    result = jn_node_new(P->a, N_PATH, expr->pos);
    append(P, &result->items, &result->nitems, expr);
    if (expr->keep_array)
      result->keep_singleton = true;
    return result;
  case N_PARENT: {
    result = jn_node_new(P->a, N_PARENT, expr->pos);
    jn_slot *slot = asl_arena_alloc(P->a, sizeof *slot);
    char label[16];
    snprintf(label, sizeof label, "!%d", P->label++);
    slot->label = asl_arena_strdup(P->a, label);
    slot->level = 1;
    slot->index = P->index++;
    result->slot = slot;
    return result;
  }
  case N_STRING:
  case N_NUMBER:
  case N_VALUE:
  case N_WILDCARD:
  case N_DESCENDANT:
  case N_VARIABLE:
  case N_REGEX:
    return expr;
  case R_OPERATOR:
    if (expr->op == OP_AND || expr->op == OP_OR || expr->op == OP_IN) {
      /* the keywords used as field names */
      const char *t = jn_op_text((jn_op)expr->op);
      expr->kind = N_NAME;
      expr->str = t;
      expr->len = (uint32_t)strlen(t);
      return process(P, expr);
    }
    if (expr->op == OP_QUESTION) {
      expr->kind = N_PLACEHOLDER;
      return expr;
    }
    {
      const char *t = jn_op_text((jn_op)expr->op);
      jn_syntax_error(P->err, P->a, "S0201", expr->pos, t, strlen(t), true);
      return NULL;
    }
  case R_END:
    return fail(P, "S0207", expr->pos);
  default:
    return fail(P, "S0206", expr->pos);
  }
}

static jn_node *process(pass *P, jn_node *expr)
{
  if (++P->nesting > 1000)
    return fail(P, "S0220", expr->pos);
  jn_node *result = process_inner(P, expr);
  P->nesting--;
  if (result && expr->keep_array)
    result->keep_array = true;
  return result;
}

jn_node *jn_process(asl_arena *a, jn_node *raw, jn_parse_error *err)
{
  pass P = {a, err, 0, 0, 0};
  jn_node *expr = process(&P, raw);
  if (!expr)
    return NULL;
  if (expr->kind == N_PARENT || expr->nseeking)
    return fail(&P, "S0217", expr->pos);
  return expr;
}
