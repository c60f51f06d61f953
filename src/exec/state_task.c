/* Task: each attempt builds the effective input (InputPath, Parameters) and the context, asks
 * the handler registry (handler.h) for one invocation, and holds the clock while it is out, so
 * virtual time never skips past real work; TimeoutSeconds and HeartbeatSeconds (or their Path
 * forms) start when the task has started and cancel the call (its late answer is ignored). The
 * history events are those of the resource style: LambdaFunction* for a Lambda ARN, Activity*
 * for an activity, Task* with resourceType/resource for lambda:invoke and other integrations.
 * The answer goes through ResultSelector, ResultPath and OutputPath (io.c), or in a JSONata state
 * Arguments make the request and Output and Assign read the answer as $states.result; Retry
 * and Catch are retry.c's. A .waitForTaskToken Task that no mock answers waits for its token
 * instead, once the function it names has returned when one serves it
 * (lambda:invoke.waitForTaskToken); task_token.c looks tokens up, and the answer arrives here
 * as an answer would. */
#include "internal.h"

#include <string.h>

#define MAX_TASK_SECONDS 99999999

typedef enum family {
  FAMILY_LAMBDA,
  FAMILY_ACTIVITY,
  FAMILY_TASK,
} family;

static family family_of(asl_task_style style)
{
  switch (style) {
  case ASL_TASK_LAMBDA_ARN:
    return FAMILY_LAMBDA;
  case ASL_TASK_ACTIVITY:
    return FAMILY_ACTIVITY;
  case ASL_TASK_LAMBDA_INVOKE:
  case ASL_TASK_SERVICE:
    return FAMILY_TASK;
  }
  return FAMILY_TASK;
}

/* -------------------------------------------------------------------- events ---- */

/* Which event of the family: 0 scheduled, 1 started, 2 succeeded, 3 failed, 4 timed out. */
static asl_event_type event_of(family f, int which)
{
  static const asl_event_type lambda[] = {
      ASL_EVENT_LAMBDA_FUNCTION_SCHEDULED, ASL_EVENT_LAMBDA_FUNCTION_STARTED,
      ASL_EVENT_LAMBDA_FUNCTION_SUCCEEDED, ASL_EVENT_LAMBDA_FUNCTION_FAILED,
      ASL_EVENT_LAMBDA_FUNCTION_TIMED_OUT};
  static const asl_event_type activity[] = {
      ASL_EVENT_ACTIVITY_SCHEDULED, ASL_EVENT_ACTIVITY_STARTED, ASL_EVENT_ACTIVITY_SUCCEEDED,
      ASL_EVENT_ACTIVITY_FAILED, ASL_EVENT_ACTIVITY_TIMED_OUT};
  static const asl_event_type task[] = {ASL_EVENT_TASK_SCHEDULED, ASL_EVENT_TASK_STARTED,
                                        ASL_EVENT_TASK_SUCCEEDED, ASL_EVENT_TASK_FAILED,
                                        ASL_EVENT_TASK_TIMED_OUT};
  switch (f) {
  case FAMILY_LAMBDA:
    return lambda[which];
  case FAMILY_ACTIVITY:
    return activity[which];
  case FAMILY_TASK:
    return task[which];
  }
  return task[which];
}

static family family_of_run(const asl_run *r)
{
  return family_of(r->u.task.style);
}

/* Details of a Task* event begin with resourceType and resource ("lambda", "invoke"). */
static asl_json *task_details(const asl_run *r, size_t cap)
{
  const char *res = r->state->u.task.resource;
  asl_json *d = asl_json_object(cap + 2);
  const char *type;
  size_t type_len;
  const char *action;
  if (asl__resource_split(res, &type, &type_len, &action)) {
    asl_json_obj_put_cstr(d, "resourceType", asl_json_string(type, type_len));
    asl_json_obj_put_cstr(d, "resource", asl_json_cstr(action));
  } else {
    asl_json_obj_put_cstr(d, "resource", asl_json_cstr(res));
  }
  return d;
}

static void put_seconds(asl_json *d, const char *field, int64_t s)
{
  if (s > 0)
    asl_json_obj_put_cstr(d, field, asl_json_int(s));
}

static void emit_scheduled(asl_run *r, const asl_json *eff, int64_t timeout_s,
                           int64_t heartbeat_s)
{
  asl_exec *e = r->exec;
  family f = family_of_run(r);
  asl_json *d = NULL;
  if (asl__events_wanted(e)) {
    switch (f) {
    case FAMILY_LAMBDA:
    case FAMILY_ACTIVITY:
      d = asl_json_object(5);
      asl_json_obj_put_cstr(d, "resource", asl_json_cstr(r->state->u.task.resource));
      asl__event_put_payload(d, "input", "inputDetails", eff);
      put_seconds(d, "timeoutInSeconds", timeout_s);
      if (f == FAMILY_ACTIVITY)
        put_seconds(d, "heartbeatInSeconds", heartbeat_s);
      break;
    case FAMILY_TASK:
      d = task_details(r, 4);
      asl_json_obj_put_cstr(d, "region", asl_json_cstr(e->region));
      asl_json_obj_put_cstr(d, "parameters", asl__event_text(eff));
      put_seconds(d, "timeoutInSeconds", timeout_s);
      put_seconds(d, "heartbeatInSeconds", heartbeat_s);
      break;
    }
  }
  asl__run_emit(r, event_of(f, 0), d);
}

static void emit_started(asl_run *r)
{
  family f = family_of_run(r);
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    if (f == FAMILY_TASK) {
      d = task_details(r, 0);
    } else if (f == FAMILY_ACTIVITY) {
      d = asl_json_object(1);
      asl_json_obj_put_cstr(d, "workerName", asl_json_cstr("aslrun"));
    }
  }
  asl__run_emit(r, event_of(f, 1), d);
}

/* A callback Task's integration call is done and it now waits for its token: [output] is the
 * service's response (lambda:invoke's, as TaskSucceeded would show it; LocalStack's callback
 * snapshots recorded on AWS), or NULL when no service was called. */
static void emit_submitted(asl_run *r, const asl_json *output)
{
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = task_details(r, output ? 2 : 0);
    if (output)
      asl__event_put_payload(d, "output", "outputDetails", output);
  }
  asl__run_emit(r, ASL_EVENT_TASK_SUBMITTED, d);
}

static void emit_succeeded(asl_run *r, const asl_json *output)
{
  family f = family_of_run(r);
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = f == FAMILY_TASK ? task_details(r, 2) : asl_json_object(2);
    asl__event_put_payload(d, "output", "outputDetails", output);
  }
  asl__run_emit(r, event_of(f, 2), d);
}

/* TaskFailed / TaskTimedOut and their siblings: error, and cause when there is one. */
static void emit_error(asl_run *r, int which, const char *error, const char *cause)
{
  family f = family_of_run(r);
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = f == FAMILY_TASK ? task_details(r, 2) : asl_json_object(2);
    if (error)
      asl_json_obj_put_cstr(d, "error", asl_json_cstr(error));
    if (cause)
      asl_json_obj_put_cstr(d, "cause", asl_json_cstr(cause));
  }
  asl__run_emit(r, event_of(f, which), d);
}

static void note_handler(asl_run *r, const asl_task_result *res, const char *error,
                         const char *cause)
{
  if (!asl__notes_wanted(r->exec))
    return;
  asl_note n = {.kind = ASL_NOTE_HANDLER,
                .error = error,
                .cause = cause,
                .attempt = (int64_t)r->u.task.invocation,
                .resource = r->state->u.task.resource,
                .status = res->status,
                .duration_ms = res->duration_ms,
                .log = res->log,
                .answer = r->u.task.answered
                              ? (r->u.task.answer_label ? r->u.task.answer_label : "answer")
                              : NULL};
  asl__run_note(r, &n);
}

/* ------------------------------------------------------------------ timeouts ---- */

/* TimeoutSeconds or HeartbeatSeconds of a JSONata state from its expression on
 * $states.input: a positive integer, else States.QueryEvaluationError. */
static bool seconds_of_expr(asl_run *r, const asl_jsonata_template *expr, int64_t *out)
{
  asl__states s = {.input = r->input};
  asl_json *v = asl__ata_eval(r, expr, &s);
  if (!v)
    return false;
  int64_t n = 0;
  bool ok = asl__ata_integer(v, &n) && n >= 1 && n <= MAX_TASK_SECONDS;
  if (ok) {
    *out = n;
  } else {
    const char *field = asl_jsonata_template_field(expr);
    char *text = asl__value_text(v);
    asl__ata_fail(r, field,
                  "The %s field refers to value \"%s\" which is not a valid positive integer "
                  "(1 to %d)",
                  field, text, MAX_TASK_SECONDS);
    asl_free(text);
  }
  asl_json_decref(v);
  return ok;
}

/* TimeoutSeconds or HeartbeatSeconds, literal, from its Path on the state's input or from its
 * JSONata expression; 0 for none; false (and r->error) when the value is not a positive
 * integer. */
static bool seconds_of(asl_run *r, int64_t literal, const asl_path *path,
                       const asl_jsonata_template *expr, const char *field, int64_t *out)
{
  *out = literal;
  if (expr)
    return seconds_of_expr(r, expr, out);
  if (!path)
    return true;
  asl_json *v = asl__io_eval_path(r, path, r->input);
  if (!v)
    return false;
  bool ok = asl_json_kind_of(v) == ASL_JSON_INT && asl_json_int_val(v) >= 1 &&
            asl_json_int_val(v) <= MAX_TASK_SECONDS;
  if (ok) {
    *out = asl_json_int_val(v);
  } else {
    char *text = asl__value_text(v);
    asl_error err = ASL_ERROR_INIT;
    asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                  "The %s field refers to value \"%s\" which is not a valid positive integer "
                  "(1 to %d): %s",
                  field, text, MAX_TASK_SECONDS, asl_path_text(path));
    asl_free(text);
    asl__run_fail_state(r, &err);
  }
  asl_json_decref(v);
  return ok;
}

static void on_task_done(void *data, const asl_task_result *res);

static void answer_clear(asl_run *r)
{
  asl__clock_timer_stop(&r->exec->clock, &r->u.task.answer_timer);
  asl_json_decref(r->u.task.answer_value);
  asl_free(r->u.task.answer_error);
  asl_free(r->u.task.answer_cause);
  r->u.task.answer_value = NULL;
  r->u.task.answer_error = NULL;
  r->u.task.answer_cause = NULL;
}

static void on_timer(asl_run *r, const char *error)
{
  asl__clock *c = &r->exec->clock;
  asl__clock_timer_stop(c, &r->u.task.timeout);
  asl__clock_timer_stop(c, &r->u.task.heartbeat);
  r->u.task.timed_out = error;
  /* no cause: the uncaught ExecutionFailed has none, a catcher sees ""
   * (timeouts/test_fixed_timeout_*.json, lambda/test_invoke_timeout.json) */
  emit_error(r, 4, error, NULL);
  if (r->u.task.answered) {
    /* no handler to stop: the answer that never comes ends here (and a token with it) */
    asl__task_wait_end(r);
    answer_clear(r);
    asl_task_result res = {.status = ASL_E_CANCELED, .error = ASL_ERROR_INIT};
    on_task_done(r, &res);
    return;
  }
  /* the handler's answer now comes as ASL_E_CANCELED, and whatever it sends later is ignored */
  asl_task_cancel(r->u.task.call);
}

static void on_timeout(asl__timer *t)
{
  on_timer(t->data, ASL__ERR(TIMEOUT));
}

/* No handler sends heartbeats, so HeartbeatSeconds after the start is a deadline too; AWS
 * names its expiry States.HeartbeatTimeout, which a States.Timeout matcher also sees. */
static void on_heartbeat(asl__timer *t)
{
  on_timer(t->data, ASL__ERR(HEARTBEAT_TIMEOUT));
}

static void start_timer(asl_run *r, asl__timer *t, asl__timer_cb cb, int64_t seconds)
{
  if (seconds <= 0)
    return;
  asl__clock *c = &r->exec->clock;
  t->cb = cb;
  t->data = r;
  asl_error err = ASL_ERROR_INIT;
  /* fails only on a closed clock, and a running execution's clock is open */
  asl__clock_timer_start(c, t, asl__clock_now(c) + seconds * 1000, &err);
  asl_error_clear(&err);
}

/* ----------------------------------------------------------------- the call ---- */

static void release_clock(asl_run *r)
{
  if (r->u.task.holding) {
    r->u.task.holding = false;
    if (r->u.task.holding_work)
      asl__clock_release_work(&r->exec->clock);
    else
      asl__clock_release(&r->exec->clock);
  }
}

static void on_task_done(void *data, const asl_task_result *res)
{
  asl_run *r = data;
  asl__clock *c = &r->exec->clock;
  r->u.task.call = NULL;
  asl__clock_timer_stop(c, &r->u.task.timeout);
  asl__clock_timer_stop(c, &r->u.task.heartbeat);
  release_clock(r);
  if (r->u.task.canceling) {
    note_handler(r, res, NULL, NULL);
    asl__run_state_done_later(r, ASL__OUT_CANCELED);
    return;
  }
  if (r->u.task.timed_out) {
    note_handler(r, res, r->u.task.timed_out, NULL);
    asl_error err = ASL_ERROR_INIT;
    err.code = ASL_E_RUNTIME;
    err.name = asl_strdup(r->u.task.timed_out);
    asl__run_fail(r, &err);
    asl__attempt_done(r, ASL__STEP_FAILED, false);
    return;
  }
  if (res->status == ASL_OK) {
    note_handler(r, res, NULL, NULL);
    emit_succeeded(r, res->value);
    if (r->state->query_language == ASL_QL_JSONATA)
      r->output = asl__ata_result(r, res->value);
    else
      r->output = asl__io_output(r, r->input, asl_json_incref(res->value), true);
    if (!r->output) {
      asl__attempt_done(r, ASL__STEP_FAILED, false);
      return;
    }
    r->next = r->state->next;
    asl__attempt_done(r, ASL__STEP_DONE, false);
    return;
  }
  /* ASL_E_HANDLER: the name and cause exactly as AWS reports them for the resource style; the
   * strings are lent for this call */
  /* SendTaskFailure may give neither error nor cause: AWS then records neither (a catcher sees
   * null for both; LocalStack's callback snapshot test_sqs_failure_in_wait_for_task_tok_no_error_field) */
  const char *name = res->error.name   ? res->error.name
                     : r->u.task.callback ? NULL
                                        : ASL__ERR(TASK_FAILED);
  note_handler(r, res, name, res->error.cause);
  emit_error(r, 3, name, res->error.cause);
  asl_error err = ASL_ERROR_INIT;
  err.code = ASL_E_HANDLER;
  err.name = name ? asl_strdup(name) : NULL;
  err.cause = res->error.cause ? asl_strdup(res->error.cause) : NULL;
  asl__run_fail(r, &err);
  asl__attempt_done(r, ASL__STEP_FAILED, false);
}

/* ------------------------------------------------------------------- answers ---- */

/* A RETURN or ERROR answer, delivered from the loop as a handler's would be. */
static void on_answer(asl__timer *t)
{
  asl_run *r = t->data;
  asl_task_result res = {.error = ASL_ERROR_INIT};
  if (r->u.task.answer_value) {
    res.status = ASL_OK;
    res.value = r->u.task.answer_value;
  } else {
    res.status = ASL_E_HANDLER;
    res.error.code = ASL_E_HANDLER;
    res.error.name = r->u.task.answer_error;
    res.error.cause = r->u.task.answer_cause;
  }
  /* the strings and the value stay ours until the result has been read; the run may have
   * moved on (a retry's next attempt), so they are taken out first */
  asl_json *value = r->u.task.answer_value;
  char *error = r->u.task.answer_error;
  char *cause = r->u.task.answer_cause;
  r->u.task.answer_value = NULL;
  r->u.task.answer_error = NULL;
  r->u.task.answer_cause = NULL;
  on_task_done(r, &res);
  asl_json_decref(value);
  asl_free(error);
  asl_free(cause);
}

/* Delivers the answer kept in the attempt from the loop, as a handler's would come. */
static void deliver_answer(asl_run *r)
{
  asl__clock *c = &r->exec->clock;
  r->u.task.answer_timer.cb = on_answer;
  r->u.task.answer_timer.data = r;
  asl_error err = ASL_ERROR_INIT;
  /* cannot fail: a running execution's clock is open */
  asl__clock_timer_start(c, &r->u.task.answer_timer, asl__clock_now(c), &err);
  asl_error_clear(&err);
}

/* The Map iterations that hold [r]'s current state, outermost first. */
typedef ASL_VEC(int64_t) index_vec;
typedef ASL_VEC(const char *) name_vec;

static void map_path(const asl_run *r, index_vec *idx, name_vec *names)
{
  for (const asl_run *x = r; x->parent; x = x->parent) {
    if (x->parent->state && x->parent->state->type == ASL_STATE_MAP) {
      ASL_VEC_PUSH(*idx, (int64_t)x->index);
      ASL_VEC_PUSH(*names, x->parent->state->name);
    }
  }
  for (size_t i = 0, j = idx->len; j-- > i + 1; i++) {
    int64_t t = idx->items[i];
    idx->items[i] = idx->items[j];
    idx->items[j] = t;
    const char *n = names->items[i];
    names->items[i] = names->items[j];
    names->items[j] = n;
  }
}

/* Asks the execution's answer callback how this invocation is served. */
static void ask_answer(asl_run *r, asl_task_answer *out)
{
  asl_exec *e = r->exec;
  *out = (asl_task_answer){.kind = ASL_ANSWER_HANDLER};
  if (!e->answer)
    return;
  index_vec idx = {0};
  name_vec names = {0};
  map_path(r, &idx, &names);
  asl_task_query q = {.state = r->state->name,
                      .invocation = r->u.task.invocation,
                      .map_depth = idx.len,
                      .map_indexes = idx.items,
                      .map_states = names.items};
  e->answer(e->answer_data, &q, out);
  ASL_VEC_FREE(idx);
  ASL_VEC_FREE(names);
}

/* The attempt is served by [a] instead of a handler: the same events as a call, no clock hold
 * (nothing real is at work, so virtual time may skip to a timeout). */
static asl__step answer_attempt(asl_run *r, const asl_task_answer *a, const asl_json *eff,
                                int64_t timeout_s, int64_t heartbeat_s)
{
  r->u.task.answered = true;
  r->u.task.answer_label = a->label;
  emit_scheduled(r, eff, timeout_s, heartbeat_s);
  emit_started(r);
  start_timer(r, &r->u.task.timeout, on_timeout, timeout_s);
  start_timer(r, &r->u.task.heartbeat, on_heartbeat, heartbeat_s);
  switch (a->kind) {
  case ASL_ANSWER_RETURN:
    r->u.task.answer_value = asl_json_incref(a->value ? a->value : asl_json_null());
    break;
  case ASL_ANSWER_ERROR:
    r->u.task.answer_error = asl_strdup(a->error ? a->error : ASL__ERR(TASK_FAILED));
    r->u.task.answer_cause = a->cause ? asl_strdup(a->cause) : NULL;
    break;
  case ASL_ANSWER_TIMEOUT:
    return ASL__STEP_PENDING;
  case ASL_ANSWER_HANDLER:
    break;
  }
  deliver_answer(r);
  return ASL__STEP_PENDING;
}

/* ----------------------------------------------------------------- handlers ---- */

/* Starts the registry's call for the attempt, whose answer goes to [cb]; false (and r->error)
 * when nothing could start it. */
static bool start_call(asl_run *r, const asl_json *eff, int64_t timeout_s, asl_task_fault fault,
                       bool callback, asl_task_done_cb cb)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  asl_task_request req = {
      .state_name = st->name,
      .resource = st->u.task.resource,
      .style = r->u.task.style,
      .input = eff,
      .context = r->context,
      .invocation = r->u.task.invocation,
      .timeout_seconds = timeout_s,
      .now_ms = asl__clock_now(&e->clock),
      .fault = fault,
      .random = asl__exec_random(e),
      .callback = callback,
  };
  asl_error err = ASL_ERROR_INIT;
  asl_task_call *call = NULL;
  if (asl_task_invoke(e->handlers, &req, cb, r, &call, &err) != ASL_OK) {
    /* nothing could serve it (the CLI checks every Task before it starts, so this is rare):
     * an interpreter error, not one a Catch should see */
    if (!err.name)
      err.name = asl_strdup(ASL__ERR(RUNTIME));
    asl__run_fail(r, &err);
    return false;
  }
  r->u.task.call = call;
  return true;
}

/* --------------------------------------------------------------- callbacks ---- */

/* The function of a callback Task has returned: TaskSubmitted shows its response and the Task
 * goes on waiting for its token, or takes the answer that came meanwhile. A failed, timed-out or
 * cancelled invocation ends the Task as any call does (Lambda's errors, so Retry and Catch act),
 * and its token with it. */
static void on_invoked(void *data, const asl_task_result *res)
{
  asl_run *r = data;
  if (res->status != ASL_OK || r->u.task.canceling || r->u.task.timed_out) {
    asl__task_wait_end(r);
    answer_clear(r);
    r->u.task.answer_ready = false;
    on_task_done(r, res);
    return;
  }
  r->u.task.call = NULL;
  note_handler(r, res, NULL, NULL);
  emit_submitted(r, res->value);
  r->u.task.answered = true;
  if (r->u.task.answer_ready) {
    r->u.task.answer_ready = false;
    asl__clock_timer_stop(&r->exec->clock, &r->u.task.timeout);
    deliver_answer(r);
  }
}

/* The attempt waits for its token: the events of an integration call that was submitted, and
 * the clock held as for a handler at work (TimeoutSeconds and HeartbeatSeconds are real time
 * even in virtual time: the answer comes from outside). With [invoke], the function's call
 * (on_invoked) has started, as lambda:invoke's would; the token is valid from the start, so that
 * an answer sent while the function still runs counts (it is delivered after TaskSubmitted). */
static asl__step callback_attempt(asl_run *r, const asl_json *eff, int64_t timeout_s,
                                  int64_t heartbeat_s, bool invoke)
{
  r->u.task.callback = true;
  r->u.task.answer_label = "task token";
  r->u.task.heartbeat_s = heartbeat_s;
  r->u.task.answered = !invoke;
  emit_scheduled(r, eff, timeout_s, heartbeat_s);
  emit_started(r);
  if (!invoke)
    emit_submitted(r, NULL);
  asl__clock_hold_work(&r->exec->clock);
  r->u.task.holding = true;
  r->u.task.holding_work = true;
  start_timer(r, &r->u.task.timeout, on_timeout, timeout_s);
  start_timer(r, &r->u.task.heartbeat, on_heartbeat, heartbeat_s);
  asl__task_wait_begin(r);
  return ASL__STEP_PENDING;
}

void asl__task_callback_answer(asl_run *r, const asl_json *value, const char *error,
                               const char *cause)
{
  asl_exec *e = r->exec;
  asl__clock *c = &e->clock;
  asl__task_wait_end(r);
  /* no heartbeat can come now; TimeoutSeconds still bounds a function that is still running */
  asl__clock_timer_stop(c, &r->u.task.heartbeat);
  if (!r->u.task.call)
    asl__clock_timer_stop(c, &r->u.task.timeout);
  if (value && asl_json_size(value) > e->payload_limit) {
    r->u.task.answer_error = asl_strdup(ASL__ERR(DATA_LIMIT_EXCEEDED));
    r->u.task.answer_cause =
        asl_strfmt("The state/task '%s' returned a result with a size exceeding the maximum "
                   "number of bytes service limit.",
                   r->state->name);
  } else if (value) {
    r->u.task.answer_value = asl_json_incref(value);
  } else {
    r->u.task.answer_error = error ? asl_strdup(error) : NULL;
    r->u.task.answer_cause = cause ? asl_strdup(cause) : NULL;
  }
  if (r->u.task.call) {
    /* the function still runs: TaskSubmitted comes first (on_invoked) */
    r->u.task.answer_ready = true;
    return;
  }
  deliver_answer(r);
}

void asl__task_callback_heartbeat(asl_run *r)
{
  if (r->u.task.heartbeat_s <= 0)
    return;
  asl__clock_timer_stop(&r->exec->clock, &r->u.task.heartbeat);
  start_timer(r, &r->u.task.heartbeat, on_heartbeat, r->u.task.heartbeat_s);
}

/* ------------------------------------------------------------------ attempts ---- */

static asl__step task_attempt(asl_run *r)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  r->u.task.call = NULL;
  r->u.task.timeout.slot = ASL__TIMER_IDLE;
  r->u.task.heartbeat.slot = ASL__TIMER_IDLE;
  r->u.task.answer_timer.slot = ASL__TIMER_IDLE;
  r->u.task.timed_out = NULL;
  r->u.task.canceling = false;
  r->u.task.holding = false;
  r->u.task.holding_work = false;
  r->u.task.answered = false;
  r->u.task.answer_label = NULL;
  r->u.task.answer_value = NULL;
  r->u.task.answer_error = NULL;
  r->u.task.answer_cause = NULL;
  r->u.task.callback = false;
  r->u.task.answer_ready = false;
  r->u.task.token = NULL;
  r->u.task.heartbeat_s = 0;
  /* once an attempt: every event of the attempt and its request need it */
  r->u.task.style = asl_exec_resource_style(st->u.task.resource);
  /* the request carries $$ whether or not an expression reads it (lambda:invoke takes its
   * region from it); rebuilt for each attempt, as $$.State.RetryCount changes */
  if (!r->context || r->retry_total > 0)
    asl__run_rebuild_context(r);

  int64_t timeout_s;
  int64_t heartbeat_s;
  if (!seconds_of(r, st->u.task.timeout_seconds, st->u.task.timeout_seconds_path,
                  st->u.task.timeout_seconds_expr, "TimeoutSecondsPath", &timeout_s) ||
      !seconds_of(r, st->u.task.heartbeat_seconds, st->u.task.heartbeat_seconds_path,
                  st->u.task.heartbeat_seconds_expr, "HeartbeatSecondsPath", &heartbeat_s))
    return ASL__STEP_FAILED;
  asl_json *eff = st->query_language == ASL_QL_JSONATA ? asl__ata_arguments(r)
                                                       : asl__io_effective_input(r, r->input);
  if (!eff)
    return ASL__STEP_FAILED;
  r->u.task.invocation = asl__exec_next_invocation(e, st);
  asl_task_answer ans;
  ask_answer(r, &ans);
  if (ans.kind != ASL_ANSWER_HANDLER) {
    asl__step step = answer_attempt(r, &ans, eff, timeout_s, heartbeat_s);
    asl_json_decref(eff);
    return step;
  }
  bool invoke;
  bool callback = asl__task_is_callback(r, &invoke);
  if (callback && !invoke) {
    asl__step step = callback_attempt(r, eff, timeout_s, heartbeat_s, false);
    asl_json_decref(eff);
    return step;
  }
  if (!e->handlers) {
    asl_json_decref(eff);
    asl_error err = ASL_ERROR_INIT;
    asl_error_set(&err, ASL_E_USAGE, ASL__ERR(RUNTIME),
                  "The Task state '%s' cannot run invocation %llu: the execution was started "
                  "without a handler registry",
                  st->name, (unsigned long long)r->u.task.invocation);
    return asl__run_fail(r, &err);
  }

  if (!start_call(r, eff, timeout_s, ans.fault, callback, callback ? on_invoked : on_task_done)) {
    asl_json_decref(eff);
    return ASL__STEP_FAILED;
  }
  if (callback) {
    asl__step step = callback_attempt(r, eff, timeout_s, heartbeat_s, true);
    asl_json_decref(eff);
    return step;
  }
  r->u.task.holding_work = asl_task_call_runs_code(r->u.task.call);
  if (r->u.task.holding_work)
    asl__clock_hold_work(&e->clock);
  else
    asl__clock_hold(&e->clock);
  r->u.task.holding = true;
  emit_scheduled(r, eff, timeout_s, heartbeat_s);
  emit_started(r);
  asl_json_decref(eff);
  /* the timeout counts from the start of the task (stepfunctions-errors.md 4.4) */
  start_timer(r, &r->u.task.timeout, on_timeout, timeout_s);
  start_timer(r, &r->u.task.heartbeat, on_heartbeat, heartbeat_s);
  return ASL__STEP_PENDING;
}

static void task_cancel(asl_run *r)
{
  r->u.task.canceling = true;
  if (r->u.task.answered) {
    asl__clock *c = &r->exec->clock;
    asl__clock_timer_stop(c, &r->u.task.timeout);
    asl__clock_timer_stop(c, &r->u.task.heartbeat);
    asl__task_wait_end(r);
    release_clock(r);
    answer_clear(r);
    asl__run_state_done_later(r, ASL__OUT_CANCELED);
    return;
  }
  /* the answer comes as ASL_E_CANCELED from the loop and completes the state; a timed-out
   * call was cancelled already and its answer is still on the way */
  if (!r->u.task.timed_out)
    asl_task_cancel(r->u.task.call);
}

static const asl__attempt_ops task_attempts = {task_attempt, task_cancel, false,
                                               ASL_EVENT_TASK_FAILED};

asl__step asl__state_task_run(asl_run *r)
{
  return asl__attempts_begin(r, &task_attempts);
}
