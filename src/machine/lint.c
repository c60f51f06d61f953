/* Lints: what AWS accepts but is almost certainly a mistake, reported as warnings by
 * `aslrun validate --strict`. A catcher or retrier that can never act (an earlier one handles
 * every error it names, or it names States.Runtime, which nothing retries or catches); States.ALL
 * retried many times with nothing capping the back-off; a Choice without Default (and, given a
 * JSON Schema of the input, whether its rules cover every input: lint_schema.c); loops that no
 * path leaves for an End, Succeed or Fail state; a Task calling Lambda without TimeoutSeconds.
 * Loading and AWS's own rules are load.c's and the loaders'. */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* A retrier this many MaxAttempts on States.ALL, with no MaxDelaySeconds, is worth a word */
#define MANY_ATTEMPTS 10
#define MAX_DELAY_SECONDS 99999999.0

typedef struct linter {
  const asl_machine *m;
  const asl_lint_opts *opts;
  asl_diags *d;
} linter;

ASL_PRINTF(3, 4)
static void warn(linter *k, const char *pointer, const char *fmt, ...)
{
  size_t pos = asl_json_pointer_pos(k->m->definition, pointer, true);
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "warning: ");
  va_list ap;
  va_start(ap, fmt);
  asl_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  asl_diags_add(k->d, pos, pointer, "%s", b.data);
  asl_buf_free(&b);
}

static char *ptr_at(const char *base, const char *field, size_t i)
{
  return asl_strfmt("%s/%s/%zu", base, field, i);
}

/* ------------------------------------------------------------ Retry, Catch ---- */

/* Whether an earlier matcher of [list] (0..[upto]) handles error name [name] already. */
static bool handled_before(const asl_error_match *const *list, size_t upto, const char *name)
{
  for (size_t i = 0; i < upto; i++) {
    const asl_error_match *m = list[i];
    if (strcmp(name, "States.ALL") == 0) {
      if (m->all)
        return true;
    } else if (strcmp(name, "States.TaskFailed") == 0) {
      if (m->all || m->task_failed)
        return true;
    } else if (asl_error_match_test(m, name)) {
      return true;
    }
  }
  return false;
}

static void list_names(asl_buf *b, const asl_error_match *m)
{
  for (size_t i = 0; i < m->count; i++)
    asl_buf_printf(b, "%s%s", i ? ", " : "", m->names[i]);
}

/* Retry (what "retrier", [catch] false) or Catch of [st]: shadowed entries and States.Runtime. */
static void lint_matchers(linter *k, const asl_state *st, bool catch)
{
  size_t n = catch ? st->catcher_count : st->retrier_count;
  if (n == 0)
    return;
  const asl_error_match **list = asl_alloc(n * sizeof *list);
  for (size_t i = 0; i < n; i++)
    list[i] = catch ? &st->catchers[i].errors : &st->retriers[i].errors;
  const char *field = catch ? "Catch" : "Retry";
  for (size_t i = 0; i < n; i++) {
    const asl_error_match *m = list[i];
    char *p = ptr_at(st->pointer, field, i);
    bool reachable = false;
    bool runtime_only = m->count > 0;
    for (size_t j = 0; j < m->count; j++) {
      const char *name = m->names[j];
      if (strcmp(name, "States.Runtime") == 0) {
        char *ep = asl_strfmt("%s/ErrorEquals/%zu", p, j);
        warn(k, ep,
             "States.Runtime is never %s: Step Functions fails the execution at once on an "
             "interpreter error; remove it",
             catch ? "caught" : "retried");
        asl_free(ep);
        continue;
      }
      runtime_only = false;
      if (!handled_before(list, i, name))
        reachable = true;
    }
    if (!reachable && !runtime_only && i > 0) {
      asl_buf names = ASL_BUF_INIT;
      list_names(&names, m);
      if (catch)
        warn(k, p,
             "this catcher is never reached: the catchers before it already catch every error "
             "it names (%s), so its Next \"%s\" is never taken this way; remove it or move it up",
             names.data, st->catchers[i].next ? st->catchers[i].next->name : "?");
      else
        warn(k, p,
             "this retrier never acts: only the first retrier matching an error acts, and the "
             "retriers before it match every error it names (%s); remove it or move it up",
             names.data);
      asl_buf_free(&names);
    }
    asl_free(p);
  }
  asl_free(list);
}

static void lint_retry_budget(linter *k, const asl_state *st)
{
  for (size_t i = 0; i < st->retrier_count; i++) {
    const asl_retrier *r = &st->retriers[i];
    /* a BackoffRate of 1 keeps every wait at IntervalSeconds: that is a cap too */
    if (!r->errors.all || r->max_attempts < MANY_ATTEMPTS || r->max_delay_seconds > 0 ||
        r->backoff_rate <= 1.0)
      continue;
    double last = (double)r->interval_seconds * pow(r->backoff_rate, (double)(r->max_attempts - 1));
    double total = 0;
    for (int64_t a = 0; a < r->max_attempts && total < MAX_DELAY_SECONDS * 2; a++) {
      double w = (double)r->interval_seconds * pow(r->backoff_rate, (double)a);
      total += w < MAX_DELAY_SECONDS ? w : MAX_DELAY_SECONDS;
    }
    if (!(last <= MAX_DELAY_SECONDS))
      last = MAX_DELAY_SECONDS;
    char *p = ptr_at(st->pointer, "Retry", i);
    warn(k, p,
         "States.ALL is retried %lld times with no MaxDelaySeconds: the last wait is %.0f s and "
         "a permanent error keeps the state busy for %.0f s in all; retry the errors that pass, "
         "lower MaxAttempts, or cap the back-off with MaxDelaySeconds",
         (long long)r->max_attempts, last, total);
    asl_free(p);
  }
}

/* ------------------------------------------------------------------- Task ---- */

static bool calls_lambda(const char *resource)
{
  static const char *const partitions[] = {"arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:", NULL};
  for (const char *const *p = partitions; *p; p++) {
    size_t n = strlen(*p);
    if (strncmp(resource, *p, n) != 0)
      continue;
    if (strncmp(resource + n, "lambda:", 7) == 0)
      return true;
    if (strncmp(resource + n, "states:::lambda:invoke", 22) == 0)
      return true;
  }
  return false;
}

static void lint_task(linter *k, const asl_state *st)
{
  if (!st->u.task.resource || !calls_lambda(st->u.task.resource))
    return;
  if (st->u.task.timeout_seconds || st->u.task.timeout_seconds_path ||
      st->u.task.timeout_seconds_expr)
    return;
  warn(k, st->pointer,
       "a Task calling Lambda without TimeoutSeconds waits as long as the call does (a stuck one "
       "until the execution's one-year limit); set TimeoutSeconds, as AWS's best practices ask");
}

/* ------------------------------------------------------------------ loops ---- */

typedef ASL_VEC(const asl_state *) state_vec;

/* The states of [list] each state leads to by Next, Choice rules, Default and Catch. */
static void successors(const asl_state *st, state_vec *out)
{
  out->len = 0;
  if (st->next)
    ASL_VEC_PUSH(*out, st->next);
  for (size_t i = 0; i < st->catcher_count; i++)
    if (st->catchers[i].next)
      ASL_VEC_PUSH(*out, st->catchers[i].next);
  if (st->type == ASL_STATE_CHOICE) {
    for (size_t i = 0; i < st->u.choice.count; i++)
      if (st->u.choice.branches[i].next)
        ASL_VEC_PUSH(*out, st->u.choice.branches[i].next);
    if (st->u.choice.default_next)
      ASL_VEC_PUSH(*out, st->u.choice.default_next);
  }
}

static bool is_terminal(const asl_state *st)
{
  return st->end || st->type == ASL_STATE_SUCCEED || st->type == ASL_STATE_FAIL;
}

/* Tarjan's strongly connected components over the states that cannot end (iterative: a list
 * may hold thousands of states). */
typedef struct scc_ctx {
  const asl_states *list;
  const bool *stuck;
  int64_t *index;
  int64_t *low;
  bool *on_stack;
  size_t *stack;
  size_t top;
  int64_t counter;
  linter *k;
} scc_ctx;

static void report_loop(scc_ctx *c, const size_t *members, size_t n)
{
  const asl_states *list = c->list;
  /* a component of one state is a loop only when it leads to itself */
  if (n == 1) {
    state_vec succ = {0};
    successors(list->items[members[0]], &succ);
    bool self = false;
    for (size_t i = 0; i < succ.len; i++)
      self = self || succ.items[i] == list->items[members[0]];
    ASL_VEC_FREE(succ);
    if (!self)
      return;
  }
  size_t first = members[0];
  bool wait = false;
  bool can_fail = false;
  for (size_t i = 0; i < n; i++) {
    if (members[i] < first)
      first = members[i];
    asl_state_type t = list->items[members[i]]->type;
    wait = wait || t == ASL_STATE_WAIT;
    can_fail = can_fail || t == ASL_STATE_TASK || t == ASL_STATE_PARALLEL ||
               t == ASL_STATE_MAP || t == ASL_STATE_CHOICE;
  }
  asl_buf names = ASL_BUF_INIT;
  size_t shown = 0;
  for (size_t i = 0; i < list->count && shown < 8; i++) {
    for (size_t j = 0; j < n; j++) {
      if (members[j] == i) {
        asl_buf_printf(&names, "%s\"%s\"", shown ? ", " : "", list->items[i]->name);
        shown++;
      }
    }
  }
  if (n > shown)
    asl_buf_printf(&names, " and %zu more", n - shown);
  warn(c->k, list->items[first]->pointer,
       "a %sloop with no way out: %s %s, never to an End, Succeed or Fail state, so only %sthe "
       "history quota (25,000 events) or a timeout ends it; give the loop an exit",
       wait ? "Wait " : "", names.data, n == 1 ? "leads only to itself" : "lead only to each other",
       can_fail ? "an error, " : "");
  asl_buf_free(&names);
}

static void strongconnect(scc_ctx *c, size_t v0)
{
  /* an explicit stack of (state, next successor) frames */
  typedef struct frame {
    size_t v;
    size_t next;
    state_vec succ;
  } frame;
  ASL_VEC(frame) frames = {0};
  frame f0 = {v0, 0, {0}};
  successors(c->list->items[v0], &f0.succ);
  ASL_VEC_PUSH(frames, f0);
  c->index[v0] = c->low[v0] = c->counter++;
  c->stack[c->top++] = v0;
  c->on_stack[v0] = true;
  while (frames.len) {
    frame *f = &frames.items[frames.len - 1];
    if (f->next < f->succ.len) {
      const asl_state *w_st = f->succ.items[f->next++];
      if (w_st->list != c->list)
        continue;
      size_t w = w_st->index;
      if (!c->stuck[w])
        continue;
      if (c->index[w] < 0) {
        frame nf = {w, 0, {0}};
        successors(c->list->items[w], &nf.succ);
        c->index[w] = c->low[w] = c->counter++;
        c->stack[c->top++] = w;
        c->on_stack[w] = true;
        ASL_VEC_PUSH(frames, nf);
      } else if (c->on_stack[w] && c->index[w] < c->low[f->v]) {
        c->low[f->v] = c->index[w];
      }
      continue;
    }
    size_t v = f->v;
    ASL_VEC_FREE(f->succ);
    frames.len--;
    if (frames.len) {
      size_t parent = frames.items[frames.len - 1].v;
      if (c->low[v] < c->low[parent])
        c->low[parent] = c->low[v];
    }
    if (c->low[v] == c->index[v]) {
      size_t start = c->top;
      while (start > 0 && c->stack[start - 1] != v)
        start--;
      start--;
      for (size_t i = start; i < c->top; i++)
        c->on_stack[c->stack[i]] = false;
      report_loop(c, c->stack + start, c->top - start);
      c->top = start;
    }
  }
  ASL_VEC_FREE(frames);
}

static void lint_loops(linter *k, const asl_states *list)
{
  size_t n = list->count;
  if (n == 0)
    return;
  /* which states can reach a terminal one: backwards from the terminal states */
  bool *ends = asl_calloc(n, sizeof *ends);
  bool changed = true;
  state_vec succ = {0};
  for (size_t i = 0; i < n; i++)
    ends[i] = is_terminal(list->items[i]);
  while (changed) {
    changed = false;
    for (size_t i = 0; i < n; i++) {
      if (ends[i])
        continue;
      successors(list->items[i], &succ);
      for (size_t j = 0; j < succ.len && !ends[i]; j++)
        if (succ.items[j]->list == list && ends[succ.items[j]->index])
          ends[i] = changed = true;
    }
  }
  ASL_VEC_FREE(succ);
  bool *stuck = asl_calloc(n, sizeof *stuck);
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    stuck[i] = !ends[i];
    any = any || stuck[i];
  }
  if (any) {
    scc_ctx c = {list,
                 stuck,
                 asl_alloc(n * sizeof(int64_t)),
                 asl_alloc(n * sizeof(int64_t)),
                 asl_calloc(n, sizeof(bool)),
                 asl_alloc(n * sizeof(size_t)),
                 0,
                 0,
                 k};
    for (size_t i = 0; i < n; i++)
      c.index[i] = -1;
    for (size_t i = 0; i < n; i++)
      if (stuck[i] && c.index[i] < 0)
        strongconnect(&c, i);
    asl_free(c.index);
    asl_free(c.low);
    asl_free(c.on_stack);
    asl_free(c.stack);
  }
  asl_free(stuck);
  asl_free(ends);
}

/* ------------------------------------------------------------------ Choice ---- */

/* The states that get the execution input as it is: the start state, and every state reached
 * from one of them through states that pass their input on untouched. */
static void mark_input_states(const asl_machine *m, bool *marked)
{
  const asl_states *top = &m->top;
  if (!top->start)
    return;
  size_t *stack = asl_alloc(top->count * sizeof *stack);
  size_t sp = 0;
  marked[top->start->index] = true;
  stack[sp++] = top->start->index;
  state_vec succ = {0};
  while (sp) {
    const asl_state *st = top->items[stack[--sp]];
    bool passes = !st->input_path && !st->input_path_null && !st->output_path &&
                  !st->output_path_null;
    switch (st->type) {
    case ASL_STATE_CHOICE:
    case ASL_STATE_WAIT:
      break;
    case ASL_STATE_PASS:
      passes = passes && !st->parameters && !st->u.pass.result && !st->result_path &&
               !st->result_path_null;
      break;
    case ASL_STATE_TASK:
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
    case ASL_STATE_PARALLEL:
    case ASL_STATE_MAP:
      passes = false;
      break;
    }
    if (!passes || st->assign || st->output)
      continue;
    successors(st, &succ);
    for (size_t i = 0; i < succ.len; i++) {
      const asl_state *x = succ.items[i];
      if (x->list == top && !marked[x->index]) {
        marked[x->index] = true;
        stack[sp++] = x->index;
      }
    }
  }
  ASL_VEC_FREE(succ);
  asl_free(stack);
}

static void lint_choice(linter *k, const asl_state *st, bool gets_input)
{
  if (st->u.choice.default_next)
    return;
  const asl_json *schema = k->opts ? k->opts->input_schema : NULL;
  if (!schema) {
    warn(k, st->pointer,
         "this Choice has no Default: an input that no rule matches fails the execution with "
         "States.NoChoiceMatched; add \"Default\" (or --input-schema FILE to check the rules "
         "against the input's JSON Schema)");
    return;
  }
  if (!gets_input) {
    warn(k, st->pointer,
         "this Choice has no Default, and its input is not the execution input, so the input "
         "schema cannot tell whether its rules match every input; add \"Default\"");
    return;
  }
  char *detail = NULL;
  switch (asl__choice_covers(st, schema, &detail)) {
  case ASL__COVERS_ALL:
    break;
  case ASL__COVERS_NOT:
    warn(k, st->pointer, "this Choice has no Default, and its rules do not cover the input "
                         "schema: %s",
         detail);
    break;
  case ASL__COVERS_UNKNOWN:
    warn(k, st->pointer,
         "this Choice has no Default, and aslrun cannot tell whether its rules cover the input "
         "schema (%s); add \"Default\"",
         detail);
    break;
  }
  asl_free(detail);
}

/* ------------------------------------------------------------------- walk ---- */

static void lint_list(linter *k, const asl_states *list, const bool *input_states)
{
  for (size_t i = 0; i < list->count; i++) {
    const asl_state *st = list->items[i];
    lint_matchers(k, st, false);
    lint_matchers(k, st, true);
    lint_retry_budget(k, st);
    switch (st->type) {
    case ASL_STATE_TASK:
      lint_task(k, st);
      break;
    case ASL_STATE_CHOICE:
      lint_choice(k, st, input_states && list == &k->m->top && input_states[i]);
      break;
    case ASL_STATE_PARALLEL:
      for (size_t b = 0; b < st->u.parallel.count; b++)
        lint_list(k, &st->u.parallel.branches[b], NULL);
      break;
    case ASL_STATE_MAP:
      lint_list(k, &st->u.map.processor, NULL);
      break;
    case ASL_STATE_PASS:
    case ASL_STATE_WAIT:
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
      break;
    }
  }
  lint_loops(k, list);
}

void asl_machine_lint(const asl_machine *m, const asl_lint_opts *opts, asl_diags *d)
{
  linter k = {m, opts, d};
  bool *input_states = asl_calloc(m->top.count ? m->top.count : 1, sizeof *input_states);
  mark_input_states(m, input_states);
  lint_list(&k, &m->top, input_states);
  asl_free(input_states);
}
