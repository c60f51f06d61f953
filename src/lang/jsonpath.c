/* Evaluates compiled JSONPath (jsonpath_parse.c) the way Jayway's path tokens do, with its error
 * texts, plus the rule AWS adds on top: an indefinite path that Jayway would fail on evaluates
 * to [] (jsonpath/test_json_path_array_wildcard_or_slice_with_no_input__*: $.items[1:] on {}).
 * Matched subtrees are shared (increfed), never copied. Filters are in jsonpath_filter.c.
 *
 * The JSON provider named in Jayway's messages is json-smart, Jayway's default; which provider
 * AWS configures is not recorded in the corpus. */
#include "internal.h"

#include <math.h>
#include <string.h>

#define PROVIDER "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"

typedef struct run_ctx {
  const asl_path *p;
  const asl_json *root; /* '$' inside filters */
  path_mode mode;
  bool suppress; /* an indefinite path in AWS mode: a failure gives [] */
  bool failed;
  bool exhausted;    /* the step budget ran out: a failure nothing suppresses */
  uint32_t *budget;  /* steps left to the whole evaluation, shared with nested filters */
  asl_error *err; /* NULL: no message wanted */
  ASL_VEC(asl_json *) out; /* new references */
} run_ctx;

static void eval_from(run_ctx *c, size_t i, const asl_json *model);

/* ------------------------------------------------------------ path strings ---- */
static void add_name_fragment(asl_buf *b, char q, const path_name *names, size_t n)
{
  asl_buf_addc(b, '[');
  for (size_t k = 0; k < n; k++) {
    if (k)
      asl_buf_addc(b, ',');
    asl_buf_addc(b, q);
    asl_buf_add(b, names[k].s, names[k].len);
    asl_buf_addc(b, q);
  }
  asl_buf_addc(b, ']');
}

static const char *func_name(path_func f)
{
  switch (f) {
  case FUNC_LENGTH:
    return "length";
  case FUNC_MIN:
    return "min";
  case FUNC_MAX:
    return "max";
  case FUNC_AVG:
    return "avg";
  case FUNC_SUM:
    return "sum";
  case FUNC_STDDEV:
    return "stddev";
  case FUNC_KEYS:
    return "keys";
  case FUNC_FIRST:
    return "first";
  case FUNC_LAST:
    return "last";
  }
  return "?";
}

/* Jayway's PathToken.toString from step [i] on (getPathFragment of each token). */
static void add_fragments(asl_buf *b, const asl_path *p, size_t i)
{
  for (; i < p->nsteps; i++) {
    const path_step *st = &p->steps[i];
    switch (st->kind) {
    case STEP_PROP:
      add_name_fragment(b, st->delim, st->names, st->n);
      break;
    case STEP_INDEX:
      asl_buf_addc(b, '[');
      for (size_t k = 0; k < st->n; k++)
        asl_buf_printf(b, k ? ",%d" : "%d", st->indexes[k]);
      asl_buf_addc(b, ']');
      break;
    case STEP_SLICE:
      asl_buf_addc(b, '[');
      if (st->slice != SLICE_TO)
        asl_buf_printf(b, "%d", st->from);
      asl_buf_addc(b, ':');
      if (st->slice != SLICE_FROM)
        asl_buf_printf(b, "%d", st->to);
      asl_buf_addc(b, ']');
      break;
    case STEP_WILDCARD:
      asl_buf_adds(b, "[*]");
      break;
    case STEP_SCAN:
      asl_buf_adds(b, "..");
      break;
    case STEP_FILTER:
      asl_buf_adds(b, "[?]");
      break;
    case STEP_FUNC:
      asl_buf_printf(b, ".%s()", func_name(st->func));
      break;
    }
  }
}

/* The concrete path of the node reached before step [i] ("$['a'][0]"), as Jayway's currentPath.
 * Only asked for where every earlier step is definite. */
static void add_current_path(asl_buf *b, const asl_path *p, size_t i)
{
  asl_buf_addc(b, p->root);
  for (size_t k = 0; k < i; k++) {
    const path_step *st = &p->steps[k];
    if (st->kind == STEP_PROP && st->n == 1) {
      asl_buf_adds(b, "['");
      asl_buf_add(b, st->names[0].s, st->names[0].len);
      asl_buf_adds(b, "']");
    } else if (st->kind == STEP_INDEX && st->n == 1) {
      asl_buf_printf(b, "[%d]", st->indexes[0]);
    } else {
      add_fragments(b, p, k);
      break;
    }
  }
}

/* What Java's toString gives for a model in Jayway's messages. */
static void add_model(asl_buf *b, const asl_json *v)
{
  if (asl_json_is_string(v))
    asl_buf_add(b, asl_json_str(v), asl_json_str_len(v));
  else
    asl__dump(v, b);
}

/* A Jayway exception: ends the run. */
ASL_PRINTF(2, 3) static void run_fail(run_ctx *c, const char *fmt, ...)
{
  c->failed = true;
  if (!c->err || c->suppress || asl_error_is_set(c->err))
    return;
  va_list ap;
  va_start(ap, fmt);
  asl_error_vset(c->err, ASL_E_RUNTIME, "States.Runtime", fmt, ap);
  va_end(ap);
}

/* Takes one step of the budget; false (and the run failed) when none is left. */
static bool step(run_ctx *c)
{
  if (*c->budget > 0) {
    (*c->budget)--;
    return true;
  }
  if (!c->exhausted) {
    c->exhausted = true;
    c->failed = true;
    if (c->err && !asl_error_is_set(c->err))
      asl_error_set(c->err, ASL_E_LIMIT, "States.Runtime",
                         "the JSONPath '%s' takes more than %u steps to evaluate on this input; "
                         "simplify its filters and '..'",
                         c->p->text, ASL_PATH_BUDGET);
  }
  return false;
}

static void add_result(run_ctx *c, asl_json *v)
{
  ASL_VEC_PUSH(c->out, v);
}

/* ------------------------------------------------------------ tokens ---- */
static void handle_prop(run_ctx *c, size_t i, const asl_json *model, const path_name *nm)
{
  const path_step *st = &c->p->steps[i];
  const asl_json *v = asl_json_get(model, nm->s, nm->len);
  if (!v) {
    bool must = st->leaf ? c->mode == PATH_REQUIRE
                         : (st->upstream_definite && st->definite) || c->mode == PATH_REQUIRE;
    if (must) {
      asl_buf b = ASL_BUF_INIT;
      add_current_path(&b, c->p, i);
      run_fail(c, "%s %s['%s']", st->leaf ? "No results for path:" : "Missing property in path",
               b.data, nm->s);
      asl_buf_free(&b);
    }
    return;
  }
  eval_from(c, i + 1, v);
}

static void eval_prop(run_ctx *c, size_t i, const asl_json *model)
{
  const path_step *st = &c->p->steps[i];
  if (!asl_json_is_object(model)) {
    if (st->upstream_definite) {
      asl_buf frag = ASL_BUF_INIT;
      asl_buf cur = ASL_BUF_INIT;
      add_name_fragment(&frag, st->delim, st->names, st->n);
      add_current_path(&cur, c->p, i);
      run_fail(c,
               "Expected to find an object with property %s in path %s but found '%s'. This is "
               "not a json object according to the JsonProvider: '%s'.",
               frag.data, cur.data, asl__java_class(model), PROVIDER);
      asl_buf_free(&frag);
      asl_buf_free(&cur);
    }
    return;
  }
  if (st->n == 1) {
    handle_prop(c, i, model, &st->names[0]);
  } else if (st->leaf) {
    /* ['a','b'] at the end merges the named members into one object */
    asl_json *merged = asl_json_object(st->n);
    for (size_t k = 0; k < st->n; k++) {
      asl_json *v = asl_json_get(model, st->names[k].s, st->names[k].len);
      if (!v) {
        if (c->mode == PATH_REQUIRE) {
          asl_buf cur = ASL_BUF_INIT;
          add_current_path(&cur, c->p, i);
          asl_buf_adds(&cur, "[");
          for (size_t j = 0; j < st->n; j++)
            asl_buf_printf(&cur, "%s'%s'", j ? ", " : "", st->names[j].s);
          asl_buf_adds(&cur, "]");
          run_fail(c, "Missing property in path %s", cur.data);
          asl_buf_free(&cur);
          asl_json_decref(merged);
          return;
        }
        continue;
      }
      asl_json_obj_put(merged, st->names[k].s, st->names[k].len, asl_json_incref(v));
    }
    add_result(c, merged);
  } else {
    for (size_t k = 0; k < st->n && !c->failed; k++)
      handle_prop(c, i, model, &st->names[k]);
  }
}

static void handle_index(run_ctx *c, size_t i, const asl_json *model, int64_t index)
{
  int64_t len = (int64_t)asl_json_len(model);
  int64_t eff = index < 0 ? len + index : index;
  if (eff < 0 || eff >= len)
    return; /* Jayway catches IndexOutOfBoundsException here */
  eval_from(c, i + 1, asl_json_at(model, (size_t)eff));
}

static bool check_array(run_ctx *c, size_t i, const asl_json *model)
{
  const path_step *st = &c->p->steps[i];
  if (asl_json_is_array(model))
    return true;
  if (st->upstream_definite) {
    asl_buf b = ASL_BUF_INIT;
    if (asl_json_is_null(model)) {
      add_current_path(&b, c->p, i);
      run_fail(c, "The path %s is null", b.data);
    } else {
      asl_buf m = ASL_BUF_INIT;
      add_fragments(&b, c->p, i);
      add_model(&m, model);
      run_fail(c, "Filter: %s can only be applied to arrays. Current context is: %s", b.data,
               m.data);
      asl_buf_free(&m);
    }
    asl_buf_free(&b);
  }
  return false;
}

static void eval_slice(run_ctx *c, size_t i, const asl_json *model)
{
  const path_step *st = &c->p->steps[i];
  int64_t len = (int64_t)asl_json_len(model);
  int64_t from = st->from;
  int64_t to = st->to;
  switch (st->slice) {
  case SLICE_FROM:
    if (from < 0)
      from += len;
    if (from < 0)
      from = 0;
    for (int64_t k = from; k < len && !c->failed; k++)
      handle_index(c, i, model, k);
    break;
  case SLICE_TO:
    if (to < 0)
      to += len;
    if (to > len)
      to = len;
    for (int64_t k = 0; k < to && !c->failed; k++)
      handle_index(c, i, model, k);
    break;
  case SLICE_BETWEEN:
    /* Jayway adjusts neither bound for negatives: [-2:2] reads indexes -2, -1, 0, 1; indexes
     * below -len read nothing, so the loop starts at -len at the earliest (a start of -10^9
     * hung fuzz_intrinsic) */
    if (to > len)
      to = len;
    if (from < -len)
      from = -len;
    for (int64_t k = from; k < to && len > 0 && !c->failed; k++)
      handle_index(c, i, model, k);
    break;
  }
}

static void eval_wildcard(run_ctx *c, size_t i, const asl_json *model)
{
  if (asl_json_is_object(model)) {
    size_t n = asl_json_len(model);
    for (size_t k = 0; k < n && !c->failed; k++)
      eval_from(c, i + 1, asl_json_value_at(model, k));
  } else if (asl_json_is_array(model)) {
    size_t n = asl_json_len(model);
    for (size_t k = 0; k < n && !c->failed; k++)
      eval_from(c, i + 1, asl_json_at(model, k));
  }
}

/* Does the step after a '..' apply to [m]? (Jayway's ScanPathToken predicates) */
static bool scan_accepts(const run_ctx *c, const path_step *st, const asl_json *m)
{
  switch (st->kind) {
  case STEP_PROP:
    if (!asl_json_is_object(m))
      return false;
    if (!st->definite || (st->leaf && c->mode == PATH_REQUIRE))
      return true;
    for (size_t k = 0; k < st->n; k++)
      if (!asl_json_get(m, st->names[k].s, st->names[k].len))
        return false;
    return true;
  case STEP_INDEX:
  case STEP_SLICE:
    return asl_json_is_array(m);
  case STEP_WILDCARD:
    return true;
  case STEP_FILTER:
    return asl__filter_accept(st->filter, m, c->root, c->budget);
  case STEP_SCAN:
  case STEP_FUNC:
    return false;
  }
  return false;
}

/* Visits every object and array below [model] (itself first, then children in order) without
 * recursion, so that deep documents cannot exhaust the stack. */
static void eval_scan(run_ctx *c, size_t i, const asl_json *model)
{
  const path_step *next = &c->p->steps[i + 1];
  typedef struct frame {
    const asl_json *node;
    size_t child;
  } frame;
  ASL_VEC(frame) stack = {0};
  if (asl_json_is_object(model) || asl_json_is_array(model)) {
    frame f = {model, 0};
    ASL_VEC_PUSH(stack, f);
    if (scan_accepts(c, next, model))
      eval_from(c, i + 1, model);
  }
  while (stack.len > 0 && !c->failed && step(c)) {
    frame *top = &stack.items[stack.len - 1];
    if (top->child >= asl_json_len(top->node)) {
      stack.len--;
      continue;
    }
    const asl_json *ch = asl_json_is_object(top->node) ? asl_json_value_at(top->node, top->child)
                                                       : asl_json_at(top->node, top->child);
    top->child++;
    if (asl_json_is_object(ch) || asl_json_is_array(ch)) {
      frame f = {ch, 0};
      ASL_VEC_PUSH(stack, f);
      if (scan_accepts(c, next, ch))
        eval_from(c, i + 1, ch);
    }
  }
  ASL_VEC_FREE(stack);
}

static void eval_filter(run_ctx *c, size_t i, const asl_json *model)
{
  const path_step *st = &c->p->steps[i];
  if (asl_json_is_object(model)) {
    if (asl__filter_accept(st->filter, model, c->root, c->budget))
      eval_from(c, i + 1, model);
  } else if (asl_json_is_array(model)) {
    size_t n = asl_json_len(model);
    for (size_t k = 0; k < n && !c->failed; k++) {
      const asl_json *item = asl_json_at(model, k);
      if (asl__filter_accept(st->filter, item, c->root, c->budget))
        eval_from(c, i + 1, item);
    }
  } else if (st->upstream_definite) {
    asl_buf b = ASL_BUF_INIT;
    asl_buf m = ASL_BUF_INIT;
    add_fragments(&b, c->p, i);
    add_model(&m, model);
    run_fail(c, "Filter: %s can not be applied to primitives. Current context is: %s", b.data,
             m.data);
    asl_buf_free(&b);
    asl_buf_free(&m);
  }
}

/* Jayway's path functions. Returns a new reference, or NULL after run_fail. */
static asl_json *apply_func(run_ctx *c, path_func f, const asl_json *model)
{
  switch (f) {
  case FUNC_LENGTH:
    if (asl_json_is_array(model) || asl_json_is_object(model))
      return asl_json_int((int64_t)asl_json_len(model));
    return asl_json_null();
  case FUNC_KEYS:
    if (asl_json_is_object(model)) {
      size_t n = asl_json_len(model);
      asl_json *keys = asl_json_array(n);
      for (size_t k = 0; k < n; k++) {
        size_t kl;
        const char *key = asl_json_key_at(model, k, &kl);
        asl_json_arr_push(keys, asl_json_string(key, kl));
      }
      return keys;
    }
    return asl_json_null();
  case FUNC_FIRST:
  case FUNC_LAST:
    if (asl_json_is_array(model) && asl_json_len(model) > 0)
      return asl_json_incref(
        asl_json_at(model, f == FUNC_FIRST ? 0 : asl_json_len(model) - 1));
    return asl_json_null();
  case FUNC_MIN:
  case FUNC_MAX:
  case FUNC_AVG:
  case FUNC_SUM:
  case FUNC_STDDEV: {
    double sum = 0;
    double sumsq = 0;
    double mn = 0;
    double mx = 0;
    size_t count = 0;
    if (asl_json_is_array(model)) {
      size_t n = asl_json_len(model);
      for (size_t k = 0; k < n; k++) {
        const asl_json *v = asl_json_at(model, k);
        if (!asl_json_is_number(v))
          continue;
        double d = asl_json_num_val(v);
        if (count == 0 || d < mn)
          mn = d;
        if (count == 0 || d > mx)
          mx = d;
        sum += d;
        sumsq += d * d;
        count++;
      }
    }
    if (count == 0) {
      run_fail(c, "Aggregation function attempted to calculate value using empty array");
      return NULL;
    }
    double avg = sum / (double)count;
    double r = f == FUNC_MIN   ? mn
               : f == FUNC_MAX ? mx
               : f == FUNC_SUM ? sum
               : f == FUNC_AVG ? avg
                               : sqrt(sumsq / (double)count - avg * avg);
    return asl_json_double(r);
  }
  }
  return asl_json_null();
}

static void eval_from(run_ctx *c, size_t i, const asl_json *model)
{
  if (c->failed || !step(c))
    return;
  if (i == c->p->nsteps) {
    add_result(c, asl_json_incref(model));
    return;
  }
  const path_step *st = &c->p->steps[i];
  switch (st->kind) {
  case STEP_PROP:
    eval_prop(c, i, model);
    break;
  case STEP_INDEX:
    if (check_array(c, i, model))
      for (size_t k = 0; k < st->n && !c->failed; k++)
        handle_index(c, i, model, st->indexes[k]);
    break;
  case STEP_SLICE:
    if (check_array(c, i, model))
      eval_slice(c, i, model);
    break;
  case STEP_WILDCARD:
    eval_wildcard(c, i, model);
    break;
  case STEP_SCAN:
    eval_scan(c, i, model);
    break;
  case STEP_FILTER:
    eval_filter(c, i, model);
    break;
  case STEP_FUNC: {
    asl_json *r = apply_func(c, st->func, model);
    if (r)
      add_result(c, r);
    break;
  }
  }
}

static void drop_results(run_ctx *c)
{
  for (size_t k = 0; k < c->out.len; k++)
    asl_json_decref(c->out.items[k]);
  ASL_VEC_FREE(c->out);
}

/* Builds the value of a finished run. */
static asl_json *collect(run_ctx *c, bool definite, bool *missing)
{
  if (*c->budget == 0)
    step(c); /* a nested filter used the last step: the results are incomplete */
  if (c->exhausted) {
    drop_results(c);
    return NULL;
  }
  if (c->failed) {
    drop_results(c);
    if (c->suppress)
      return asl_json_array(0);
    *missing = true;
    return NULL;
  }
  if (definite) {
    if (c->out.len == 0) {
      if (c->mode != PATH_REQUIRE) {
        asl_buf b = ASL_BUF_INIT;
        asl_buf_addc(&b, c->p->root);
        add_fragments(&b, c->p, 0);
        run_fail(c, "No results for path: %s", b.data);
        asl_buf_free(&b);
      }
      drop_results(c);
      *missing = true;
      return NULL;
    }
    asl_json *r = c->out.items[0];
    c->out.items[0] = NULL;
    drop_results(c);
    return r;
  }
  asl_json *arr = asl_json_array(c->out.len);
  for (size_t k = 0; k < c->out.len; k++)
    asl_json_arr_push(arr, c->out.items[k]);
  ASL_VEC_FREE(c->out);
  return arr;
}

asl_json *asl__path_run(const asl_path *p, const asl_json *doc, const asl_json *root,
                        path_mode mode, bool *missing, uint32_t *budget, asl_error *err)
{
  *missing = false;
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.budget = budget;
  c.p = p;
  c.root = root;
  c.mode = mode;
  c.err = err;
  c.suppress = !p->definite && mode == PATH_AWS;
  if (p->nsteps >= 2 && p->steps[0].kind == STEP_SCAN && p->steps[p->nsteps - 1].kind == STEP_FUNC) {
    /* Jayway's invertScannerFunctionRelationship: $..book.length() is the length of the list of
     * every match of $..book, not the length of each match. */
    asl_path prefix = *p;
    prefix.nsteps--;
    prefix.definite = false;
    run_ctx pc = c;
    pc.p = &prefix;
    pc.suppress = mode == PATH_AWS;
    eval_from(&pc, 0, doc);
    asl_json *list = collect(&pc, false, missing);
    if (!list)
      return NULL;
    asl_json *r = apply_func(&c, p->steps[p->nsteps - 1].func, list);
    asl_json_decref(list);
    if (!r)
      *missing = true;
    return r;
  }
  eval_from(&c, 0, doc);
  return collect(&c, p->definite, missing);
}

const asl_json *asl__path_lookup(const asl_path *p, const asl_json *doc)
{
  const asl_json *cur = doc;
  for (size_t i = 0; i < p->nsteps; i++) {
    const path_step *st = &p->steps[i];
    const asl_json *next = NULL;
    if (st->kind == STEP_PROP) {
      if (asl_json_is_object(cur))
        next = asl_json_get(cur, st->names[0].s, st->names[0].len);
    } else if (asl_json_is_array(cur)) {
      int64_t len = (int64_t)asl_json_len(cur);
      int64_t eff = st->indexes[0] < 0 ? len + st->indexes[0] : st->indexes[0];
      if (eff >= 0 && eff < len)
        next = asl_json_at(cur, (size_t)eff);
    }
    if (!next)
      return NULL;
    cur = next;
  }
  return cur;
}

const asl_json *asl__path_doc(const asl_path *p, const asl_env *env)
{
  if (p->var)
    return env->vars ? env->vars(env->vars_data, p->var, p->var_len) : NULL;
  return p->context ? env->context : env->input;
}

asl_json *asl_path_eval(const asl_path *p, const asl_env *env, asl_error *err)
{
  const asl_json *doc = asl__path_doc(p, env);
  if (!doc) {
    if (p->var)
      asl__runtime_error(err, "States.Runtime",
                         "The variable '$%s' referenced by the path '%s' has not been assigned",
                         p->var, p->text);
    else
      asl__runtime_error(err, "States.Runtime", "the context object is not available to '%s'",
                         p->text);
    return NULL;
  }
  if (p->simple) {
    /* the common case, $.a.b or $.a[0]: no allocation but the result's reference */
    const asl_json *v = asl__path_lookup(p, doc);
    if (v)
      return asl_json_incref(v);
    /* a miss: the general evaluator words the error */
  }
  bool missing;
  uint32_t budget = ASL_PATH_BUDGET;
  return asl__path_run(p, doc, doc, PATH_AWS, &missing, &budget, err);
}
