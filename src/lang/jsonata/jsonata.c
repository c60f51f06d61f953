/* The public face of the engine (include/aslrun/jsonata.h): compiling into the caller's arena,
 * evaluating in a region of its own (a first block on the stack, so that a small expression
 * allocates nothing), turning JSONata errors into asl_errors, and the questions a loader asks of
 * a compiled expression (which variables it reads, what Step Functions refuses). */
#include "internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <time.h>

struct asl_jsonata {
  const char *text;
  size_t len;
  jn_node *ast;
  int flags;
};

static void set_parse_error(const jn_parse_error *pe, asl_error *err)
{
  jn_err e;
  memset(&e, 0, sizeof e);
  snprintf(e.code, sizeof e.code, "%s", pe->code ? pe->code : "S0201");
  e.token = pe->token ? asl_strdup(pe->token) : NULL;
  e.value = pe->value ? asl_strdup(pe->value) : NULL;
  e.message = pe->detail ? asl_strdup(pe->detail) : NULL;
  char *msg = jn_err_message(&e);
  asl_error_set(err, ASL_E_SYNTAX, e.code, "%s", msg);
  asl_error_locate(err, pe->pos, NULL);
  asl_free(msg);
  jn_err_clear(&e);
}

asl_status asl_jsonata_compile(asl_arena *a, const char *text, size_t len, int flags,
                               asl_jsonata **out, asl_error *err)
{
  asl_jsonata *e = asl_arena_alloc(a, sizeof *e);
  e->text = asl_arena_strndup(a, text, len);
  e->len = len;
  e->flags = flags;
  jn_parse_error pe;
  e->ast = jn_parse(a, e->text, len, flags, &pe);
  if (!e->ast) {
    set_parse_error(&pe, err);
    return ASL_E_SYNTAX;
  }
  *out = e;
  return ASL_OK;
}

const char *asl_jsonata_text(const asl_jsonata *e)
{
  return e->text;
}

size_t asl_jsonata_text_len(const asl_jsonata *e)
{
  return e->len;
}

/* ------------------------------------------------------------------ evaluation ---- */
#define INLINE_REGION 4096

asl_status asl_jsonata_eval(const asl_jsonata *e, const asl_jsonata_env *env, asl_json **out,
                            asl_error *err)
{
  static const asl_jsonata_env no_env = {0};
  if (!env)
    env = &no_env;
  alignas(max_align_t) char first[INLINE_REGION];
  jn_ctx c;
  memset(&c, 0, sizeof c);
  c.cur = first;
  c.end = first + sizeof first;
  c.budget = env->max_memory ? env->max_memory : ASL_JSONATA_DEFAULT_MEMORY;
  c.env = env;
  c.flags = e->flags;
  c.src = e->text;
  c.src_len = e->len;
  c.max_depth = env->max_depth ? env->max_depth : ASL_JSONATA_DEFAULT_DEPTH;
  if (c.max_depth > ASL_JSONATA_MAX_DEPTH)
    c.max_depth = ASL_JSONATA_MAX_DEPTH;
  if (env->time_limit_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    c.deadline_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
                    (uint64_t)env->time_limit_ms * 1000000ull;
  }
  c.rng = env->rng;
  c.now_ms = env->now_ms;
  c.err.pos = JN_NOPOS;

  jv input = jv_from_json(env->input);
  c.root = jn_frame_new(&c, NULL);
  jn_bind(&c, c.root, "$", 1, input);
  if (input.t == JV_JARR) {
    /* a top-level array is one input, not a sequence of them */
    jv w = jn_seq1(&c, input);
    w.u.a->flags |= AF_OUTER;
    input = w;
  }
  jv r = jn_eval(&c, e->ast, input, c.root);
  asl_status st = ASL_OK;
  *out = NULL;
  if (!IS_ERR(r) && IS_FUNC(r))
    jn_fail(&c, "U1003", JN_NOPOS, NULL, NULL);
  else if (!IS_ERR(r)) {
    bool failed = false;
    *out = jn_to_json(&c, r, 0, &failed);
  }
  if (c.failed) {
    asl_json_decref(*out);
    *out = NULL;
    char *msg = jn_err_message(&c.err);
    st = c.err.status ? c.err.status : ASL_E_RUNTIME;
    asl_error_set(err, st, c.err.code, "%s", msg);
    if (c.err.pos != JN_NOPOS)
      asl_error_locate(err, c.err.pos, NULL);
    asl_free(msg);
  }
  jn_err_clear(&c.err);
  jn_region_free(&c);
  asl_arena_free(c.eval_arena);
  for (size_t i = 0; i < c.nowned; i++)
    asl_json_decref(c.owned[i]);
  asl_free(c.owned);
  return st;
}

char *asl_jsonata_error_cause(const asl_error *err)
{
  return asl_strfmt("%s: %s", err->name ? err->name : "", err->cause ? err->cause : "");
}

/* ------------------------------------------------------------------ walking ---- */
typedef bool (*visit_fn)(const jn_node *n, bool top, void *data);

/* Visits every node; [top] tells whether the node is evaluated against the expression's own
 * context (what Step Functions' load-time check needs). */
static bool walk(const jn_node *n, bool top, visit_fn fn, void *data, int depth)
{
  if (!n || depth > 2000)
    return true;
  if (!fn(n, top, data))
    return false;
  depth++;
  switch ((int)n->kind) {
  case N_PATH:
    for (uint32_t i = 0; i < n->nitems; i++) {
      const jn_node *step = n->items[i];
      if (!walk(step, i == 0 ? top : false, fn, data, depth))
        return false;
      for (uint32_t k = 0; k < step->nstages; k++)
        if (!walk(step->stages[k]->lhs, false, fn, data, depth))
          return false;
    }
    break;
  case N_TRANSFORM:
    if (!walk(n->lhs, false, fn, data, depth) || !walk(n->rhs, false, fn, data, depth) ||
        !walk(n->third, false, fn, data, depth))
      return false;
    break;
  case N_SORT:
    for (uint32_t i = 0; i < n->nitems; i++)
      if (!walk(n->items[i]->lhs, false, fn, data, depth))
        return false;
    break;
  default:
    if (!walk(n->lhs, top, fn, data, depth) || !walk(n->rhs, top, fn, data, depth) ||
        !walk(n->third, top, fn, data, depth) || !walk(n->procedure, top, fn, data, depth))
      return false;
    if (n->kind != N_LAMBDA)
      for (uint32_t i = 0; i < n->nitems; i++)
        if (!walk(n->items[i], top, fn, data, depth))
          return false;
    for (uint32_t i = 0; i < n->npairs; i++)
      if (!walk(n->pairs[i].key, top, fn, data, depth) ||
          !walk(n->pairs[i].value, top, fn, data, depth))
        return false;
    break;
  }
  for (uint32_t i = 0; i < n->npred; i++)
    if (!walk(n->pred[i]->lhs, false, fn, data, depth))
      return false;
  if (n->group)
    for (uint32_t i = 0; i < n->group->npairs; i++)
      if (!walk(n->group->pairs[i].key, false, fn, data, depth) ||
          !walk(n->group->pairs[i].value, false, fn, data, depth))
        return false;
  return true;
}

typedef struct var_query {
  const char *name;
  size_t len;
  bool found;
} var_query;

static bool find_var(const jn_node *n, bool top, void *data)
{
  (void)top;
  var_query *q = data;
  if (n->kind == N_VARIABLE && n->len == q->len && memcmp(n->str, q->name, q->len) == 0) {
    q->found = true;
    return false;
  }
  return true;
}

bool asl_jsonata_uses_variable(const asl_jsonata *e, const char *name)
{
  var_query q = {name, strlen(name), false};
  walk(e->ast, true, find_var, &q, 0);
  return q.found;
}

typedef struct member_query {
  const char *name;
  size_t len;
  const char *member;
  size_t mlen;
  bool found;
} member_query;

static bool find_member(const jn_node *n, bool top, void *data)
{
  (void)top;
  member_query *q = data;
  if (n->kind != N_PATH || n->nitems < 2)
    return true;
  const jn_node *v = n->items[0];
  const jn_node *m = n->items[1];
  if (v->kind == N_VARIABLE && v->len == q->len && memcmp(v->str, q->name, q->len) == 0 &&
      m->kind == N_NAME && m->len == q->mlen && memcmp(m->str, q->member, q->mlen) == 0) {
    q->found = true;
    return false;
  }
  return true;
}

bool asl_jsonata_reads_member(const asl_jsonata *e, const char *name, const char *member)
{
  member_query q = {name, strlen(name), member, strlen(member), false};
  walk(e->ast, true, find_member, &q, 0);
  return q.found;
}

typedef struct sfn_query {
  char *msg;
  size_t offset;
} sfn_query;

static bool sfn_visit(const jn_node *n, bool top, void *data)
{
  sfn_query *q = data;
  if (n->kind == N_VARIABLE && n->len == 1 && n->str[0] == '$') {
    q->msg = asl_strdup("Reference to '$$' is not supported.");
    q->offset = n->pos;
    return false;
  }
  if (top && n->kind == N_PATH && n->nitems > 0 && n->items[0]->kind == N_NAME) {
    q->msg = asl_strfmt("Reference to '%.*s' at the top level is not supported.",
                        (int)n->items[0]->len, n->items[0]->str);
    q->offset = n->items[0]->pos;
    return false;
  }
  return true;
}

char *asl_jsonata_sfn_check(const asl_jsonata *e, size_t *offset)
{
  sfn_query q = {NULL, 0};
  walk(e->ast, true, sfn_visit, &q, 0);
  if (q.msg && offset)
    *offset = q.offset;
  return q.msg;
}
