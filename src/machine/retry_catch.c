/* Retry and Catch of Task, Parallel and Map states: their fields, defaults and rules (ErrorEquals
 * non-empty, States.ALL alone and last, IntervalSeconds >= 1, ...), and which error names an
 * ErrorEquals matches. Running retries and catches is the executor's concern. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* The names Step Functions defines (reference/stepfunctions-errors.md, section 1). */
static const char *const known_errors[] = {
    "States.ALL",
    "States.DataLimitExceeded",
    "States.HeartbeatTimeout",
    "States.Timeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.QueryEvaluationError",
};
#define KNOWN_COUNT (sizeof known_errors / sizeof known_errors[0])

static bool is_known(const char *s, size_t len)
{
  for (size_t i = 0; i < KNOWN_COUNT; i++)
    if (strlen(known_errors[i]) == len && memcmp(known_errors[i], s, len) == 0)
      return true;
  return false;
}

static bool has_name(const asl_error_match *m, const char *name)
{
  for (size_t i = 0; i < m->count; i++)
    if (strcmp(m->names[i], name) == 0)
      return true;
  return false;
}

bool asl_error_match_test(const asl_error_match *m, const char *name)
{
  /* States.Runtime is terminal: not even an explicit "States.Runtime" catches it
   * (conformance retry_catch/test_catch_states_runtime.json) */
  if (strcmp(name, "States.Runtime") == 0)
    return false;
  if (m->all || has_name(m, name))
    return true;
  bool timeout = strcmp(name, "States.Timeout") == 0;
  bool heartbeat = strcmp(name, "States.HeartbeatTimeout") == 0;
  /* a heartbeat expiry is a timeout too: a States.Timeout matcher sees it */
  if (heartbeat && has_name(m, "States.Timeout"))
    return true;
  /* States.TaskFailed matches every error except the timeouts */
  return m->task_failed && !timeout && !heartbeat;
}

/* Reads ErrorEquals of one retrier or catcher at [ptr]; [what] is "retrier" or "catcher". */
static void load_error_equals(loader *L, const slot *s, size_t obj_pos, const char *ptr,
                              const char *what, asl_error_match *out)
{
  if (!s->v) {
    asl__diag(L, obj_pos, ptr, NULL,
              "missing \"ErrorEquals\": the error names this %s handles, e.g. [\"States.ALL\"]",
              what);
    return;
  }
  if (!asl__want_array(L, s, ptr, "ErrorEquals", true))
    return;
  size_t n = asl_json_len(s->v);
  out->names = asl_arena_alloc(L->a, n * sizeof(char *));
  char *eq_ptr = asl__ptr(ptr, "ErrorEquals");
  for (size_t i = 0; i < n; i++) {
    const asl_json *e = asl_json_at(s->v, i);
    size_t epos = asl_json_pos(e) != ASL_NOPOS ? asl_json_pos(e) : asl__vpos(s);
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    if (!asl_json_is_string(e) || asl_json_str_len(e) == 0) {
      char *got = asl__describe(e);
      asl__diag(L, epos, eq_ptr, idx, "an error name must be a non-empty string, not %s", got);
      asl_free(got);
      continue;
    }
    const char *name = asl_json_str(e);
    size_t len = asl_json_str_len(e);
    if (len > 7 && memcmp(name, "States.", 7) == 0 && !is_known(name, len)) {
      /* an unknown States.* name never matches; a near miss of a known one is surely a typo */
      suggest sg;
      asl__suggest_init(&sg, name, len);
      for (size_t k = 0; k < KNOWN_COUNT; k++)
        asl__suggest_try(&sg, known_errors[k], strlen(known_errors[k]));
      if (sg.best) {
        char buf[1024];
        char *got = asl__describe(e);
        asl__diag(L, epos, eq_ptr, idx, "unknown error name %s%s", got,
                  asl__suggest_text(&sg, buf, sizeof buf));
        asl_free(got);
      }
    }
    if (len == 10 && memcmp(name, "States.ALL", 10) == 0) {
      out->all = true;
      if (n > 1)
        asl__diag(L, epos, eq_ptr, idx,
                  "States.ALL must be alone in ErrorEquals (it already matches every error); "
                  "remove the other names or move them to an earlier %s",
                  what);
    }
    if (len == 17 && memcmp(name, "States.TaskFailed", 17) == 0)
      out->task_failed = true;
    out->names[out->count++] = asl__arena_str(L, e);
  }
  asl_free(eq_ptr);
}

enum { R_ERRORS, R_INTERVAL, R_MAX_ATTEMPTS, R_BACKOFF, R_MAX_DELAY, R_JITTER, R_COMMENT, R_COUNT };
static const char *const retrier_fields[R_COUNT] = {
    "ErrorEquals",     "IntervalSeconds", "MaxAttempts", "BackoffRate",
    "MaxDelaySeconds", "JitterStrategy",  "Comment",
};

static void load_retrier(loader *L, const asl_json *v, size_t vpos, const char *ptr, asl_retrier *r)
{
  r->interval_seconds = 1;
  r->max_attempts = 3;
  r->backoff_rate = 2.0;
  r->max_delay_seconds = 0;
  r->jitter = ASL_JITTER_NONE;
  slot f[R_COUNT];
  if (!asl__scan_object(L, v, vpos, ptr, "a retrier", retrier_fields, R_COUNT, f))
    return;
  load_error_equals(L, &f[R_ERRORS], vpos, ptr, "retrier", &r->errors);
  if (f[R_INTERVAL].v)
    asl__want_int(L, &f[R_INTERVAL], ptr, "IntervalSeconds", 1, 99999999,
                  "a positive integer (at most 99999999)", &r->interval_seconds);
  if (f[R_MAX_ATTEMPTS].v)
    asl__want_int(L, &f[R_MAX_ATTEMPTS], ptr, "MaxAttempts", 0, 99999999,
                  "a non-negative integer (0 means never retry; at most 99999999)",
                  &r->max_attempts);
  if (f[R_BACKOFF].v)
    asl__want_number(L, &f[R_BACKOFF], ptr, "BackoffRate", 1.0, 1e300, "a number of at least 1.0",
                     &r->backoff_rate);
  if (f[R_MAX_DELAY].v)
    asl__want_int(L, &f[R_MAX_DELAY], ptr, "MaxDelaySeconds", 1, 31622401,
                  "a positive integer (at most 31622401)", &r->max_delay_seconds);
  if (f[R_JITTER].v && asl__want_string(L, &f[R_JITTER], ptr, "JitterStrategy")) {
    const char *j = asl_json_str(f[R_JITTER].v);
    size_t len = asl_json_str_len(f[R_JITTER].v);
    if (len == 4 && memcmp(j, "FULL", 4) == 0) {
      r->jitter = ASL_JITTER_FULL;
    } else if (!(len == 4 && memcmp(j, "NONE", 4) == 0)) {
      char *got = asl__describe(f[R_JITTER].v);
      asl__diag(L, asl__vpos(&f[R_JITTER]), ptr, "JitterStrategy",
                "JitterStrategy must be \"FULL\" or \"NONE\", not %s", got);
      asl_free(got);
    }
  }
  if (f[R_COMMENT].v)
    asl__want_string(L, &f[R_COMMENT], ptr, "Comment");
}

/* States.ALL in any but the last retrier or catcher would hide those after it. */
static void check_all_last(loader *L, const asl_json *arr, const char *ptr, size_t i, size_t n,
                           const asl_error_match *m, const char *what)
{
  if (!m->all || i + 1 == n)
    return;
  const asl_json *v = asl_json_at(arr, i);
  char idx[24];
  snprintf(idx, sizeof idx, "%zu", i);
  asl__diag(L, asl_json_pos(v), ptr, idx,
            "a %s with States.ALL must be the last one: those after it could never match; move "
            "it to the end",
            what);
}

void asl__load_retry(state_ctx *c)
{
  slot *s = &c->f[F_RETRY];
  if (!s->v || !asl__want_array(c->L, s, c->st->pointer, "Retry", false))
    return;
  size_t n = asl_json_len(s->v);
  asl_state *st = c->st;
  st->retriers = asl_arena_alloc(c->L->a, n * sizeof(asl_retrier));
  st->retrier_count = n;
  char *ptr = asl__ptr(st->pointer, "Retry");
  for (size_t i = 0; i < n; i++) {
    const asl_json *v = asl_json_at(s->v, i);
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    char *rptr = asl__ptr(ptr, idx);
    size_t vpos = asl_json_pos(v) != ASL_NOPOS ? asl_json_pos(v) : asl__vpos(s);
    load_retrier(c->L, v, vpos, rptr, &st->retriers[i]);
    check_all_last(c->L, s->v, ptr, i, n, &st->retriers[i].errors, "retrier");
    asl_free(rptr);
  }
  asl_free(ptr);
}

enum { C_ERRORS, C_NEXT, C_RESULT_PATH, C_OUTPUT, C_ASSIGN, C_COMMENT, C_COUNT };
static const char *const catcher_fields[C_COUNT] = {
    "ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment",
};

static void load_catcher(state_ctx *c, const asl_json *v, size_t vpos, const char *ptr,
                         asl_catcher *k)
{
  loader *L = c->L;
  slot f[C_COUNT];
  if (!asl__scan_object(L, v, vpos, ptr, "a catcher", catcher_fields, C_COUNT, f)) {
    asl__mark_broken(L, c->st->list);
    return;
  }
  load_error_equals(L, &f[C_ERRORS], vpos, ptr, "catcher", &k->errors);
  if (!f[C_NEXT].v) {
    asl__diag(L, vpos, ptr, NULL,
              "missing \"Next\": the state to go to when this catcher catches an error");
    asl__mark_broken(L, c->st->list);
  } else
    asl__add_ref(L, c->st->list, &k->next, &f[C_NEXT], ptr, "Next");
  if (f[C_RESULT_PATH].v) {
    if (c->jsonata)
      asl__diag(L, f[C_RESULT_PATH].kpos, ptr, "ResultPath",
                "ResultPath is a JSONPath field and this state uses JSONata; use Output (the "
                "error is $states.errorOutput)");
    else
      asl__compile_refpath(L, &f[C_RESULT_PATH], ptr, "ResultPath", &k->result_path_null,
                           &k->result_path);
  }
  if (f[C_OUTPUT].v) {
    if (!c->jsonata)
      asl__diag(L, f[C_OUTPUT].kpos, ptr, "Output",
                "Output is a JSONata field and this state uses JSONPath; use ResultPath, or set "
                "\"QueryLanguage\": \"JSONata\"");
    else
      k->output = asl__compile_jsonata(L, &f[C_OUTPUT], ptr, "Output", "Output",
                                       ASL__ATA_ERROR_OUTPUT);
  }
  if (f[C_ASSIGN].v && asl__want_object(L, &f[C_ASSIGN], ptr, "Assign")) {
    k->assign = f[C_ASSIGN].v;
    k->assign_template = asl__load_assign(c, &f[C_ASSIGN], ptr);
    if (c->jsonata)
      k->assign_jsonata = asl__compile_jsonata(L, &f[C_ASSIGN], ptr, "Assign", "Assign",
                                               ASL__ATA_ERROR_OUTPUT);
  }
  if (f[C_COMMENT].v)
    asl__want_string(L, &f[C_COMMENT], ptr, "Comment");
}

void asl__load_catch(state_ctx *c)
{
  slot *s = &c->f[F_CATCH];
  if (!s->v)
    return;
  if (!asl__want_array(c->L, s, c->st->pointer, "Catch", false)) {
    asl__mark_broken(c->L, c->st->list);
    return;
  }
  size_t n = asl_json_len(s->v);
  asl_state *st = c->st;
  st->catchers = asl_arena_alloc(c->L->a, n * sizeof(asl_catcher));
  st->catcher_count = n;
  char *ptr = asl__ptr(st->pointer, "Catch");
  for (size_t i = 0; i < n; i++) {
    const asl_json *v = asl_json_at(s->v, i);
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    char *kptr = asl__ptr(ptr, idx);
    size_t vpos = asl_json_pos(v) != ASL_NOPOS ? asl_json_pos(v) : asl__vpos(s);
    load_catcher(c, v, vpos, kptr, &st->catchers[i]);
    check_all_last(c->L, s->v, ptr, i, n, &st->catchers[i].errors, "catcher");
    asl_free(kptr);
  }
  asl_free(ptr);
}
