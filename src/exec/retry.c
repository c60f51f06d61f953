/* Retry and Catch, once for the three states that have them (Task, Parallel, Map): a state runs
 * in attempts; when one fails, the first retrier whose ErrorEquals matches decides (its own
 * counter and back-off, MaxAttempts 0 never retries, no later retrier is tried), then the first
 * matching catcher turns the error into {"Error", "Cause"} placed by its ResultPath and goes to
 * its Next. States.Runtime is neither retried nor caught (asl_error_match_test). What an attempt
 * is belongs to each state; this file only sequences them. */
#include "internal.h"
#include "vars.h"

#include <math.h>
#include <string.h>

/* AWS's largest IntervalSeconds and MaxDelaySeconds: back-offs never grow past it */
#define MAX_DELAY_SECONDS 99999999.0

/* The wait before the [n]-th retry (from 1) of [rt]: IntervalSeconds * BackoffRate^(n-1),
 * capped by MaxDelaySeconds; FULL jitter draws it uniformly from [0, that]. */
static int64_t backoff_ms(asl_run *r, const asl_retrier *rt, int64_t n)
{
  double base = (double)rt->interval_seconds * pow(rt->backoff_rate, (double)(n - 1));
  if (rt->max_delay_seconds > 0 && base > (double)rt->max_delay_seconds)
    base = (double)rt->max_delay_seconds;
  if (!(base <= MAX_DELAY_SECONDS)) /* also inf */
    base = MAX_DELAY_SECONDS;
  double ms = base * 1000.0;
  switch (rt->jitter) {
  case ASL_JITTER_FULL:
    /* 53 random bits: a uniform double in [0, 1] */
    ms *= (double)(asl__exec_random(r->exec) >> 11) / (double)(UINT64_C(1) << 53);
    break;
  case ASL_JITTER_NONE:
    break;
  }
  return (int64_t)llround(ms);
}

static void on_retry_timer(asl__timer *t);

static asl__step retry_later(asl_run *r, size_t i)
{
  const asl_retrier *rt = &r->state->retriers[i];
  /* a retry runs every branch and iteration again: nothing is left to redrive */
  asl__kept_drop(r);
  r->retry_counts[i]++;
  r->retry_total++;
  int64_t delay = backoff_ms(r, rt, r->retry_counts[i]);
  if (asl__notes_wanted(r->exec)) {
    asl_note n = {.kind = ASL_NOTE_RETRY,
                  .error = r->error.name,
                  .cause = r->error.cause,
                  .delay_ms = delay,
                  .attempt = r->retry_counts[i],
                  .max_attempts = rt->max_attempts,
                  .index = (int64_t)i};
    asl__run_note(r, &n);
  }
  asl_error_clear(&r->error);
  asl__clock *c = &r->exec->clock;
  r->retry_timer.cb = on_retry_timer;
  r->retry_timer.data = r;
  asl_error err = ASL_ERROR_INIT;
  if (asl__clock_timer_start(c, &r->retry_timer, asl__clock_now(c) + delay, &err) != ASL_OK)
    return asl__run_fail_state(r, &err);
  return ASL__STEP_PENDING;
}

/* The caught error's output: {"Error", "Cause"} ("" for a missing cause, as recorded in
 * lambda/test_invoke_timeout.json) through the catcher's ResultPath on the state's raw input;
 * in a JSONata state the catcher's Output and Assign read it as $states.errorOutput. */
static asl__step catch_error(asl_run *r, size_t index)
{
  const asl_catcher *c = &r->state->catchers[index];
  asl__kept_drop(r);
  asl_json *out = asl_json_object(2);
  asl_json_obj_put_cstr(out, "Error", r->error.name ? asl_json_cstr(r->error.name)
                                                    : asl_json_null());
  /* an error with neither name nor cause (SendTaskFailure without either) is caught as
   * {"Error": null, "Cause": null}: LocalStack's callback snapshot recorded on AWS,
   * test_sqs_failure_in_wait_for_task_tok_no_error_field */
  asl_json_obj_put_cstr(out, "Cause", r->error.cause  ? asl_json_cstr(r->error.cause)
                                      : r->error.name ? asl_json_cstr("")
                                                      : asl_json_null());
  if (asl__notes_wanted(r->exec)) {
    asl_note n = {.kind = ASL_NOTE_CATCH,
                  .error = r->error.name,
                  .cause = r->error.cause,
                  .next = c->next->name,
                  .index = (int64_t)index};
    asl__run_note(r, &n);
  }
  asl_error_clear(&r->error);
  if (r->state->query_language == ASL_QL_JSONATA) {
    /* Output (the error output when absent) and Assign, reading $states.errorOutput */
    asl__states s = {.input = r->input, .error_output = out};
    bool ok = asl__ata_finish(r, c->output, c->assign_jsonata, &s, out);
    asl_json_decref(out);
    if (!ok)
      return ASL__STEP_FAILED;
    r->next = c->next;
    return ASL__STEP_DONE;
  }
  /* a JSONPath catcher's Assign reads the error output */
  asl_json *values = NULL;
  if (c->assign_template) {
    values = asl__vars_eval(r, c->assign_template, out);
    if (!values) {
      asl_json_decref(out);
      return ASL__STEP_FAILED;
    }
  }
  asl_json *merged;
  if (c->result_path_null) {
    asl_json_decref(out);
    merged = asl_json_incref(r->input);
  } else if (!c->result_path) {
    merged = out;
  } else {
    asl_error err = ASL_ERROR_INIT;
    merged = asl_refpath_apply(c->result_path, r->input, out, &err);
    asl_json_decref(out);
    if (!merged) {
      asl_json_decref(values);
      return asl__run_fail_state(r, &err);
    }
  }
  if (!asl__io_check_size(r, merged)) {
    asl_json_decref(merged);
    asl_json_decref(values);
    return ASL__STEP_FAILED;
  }
  if (!asl__vars_apply(r, values)) {
    asl_json_decref(merged);
    return ASL__STEP_FAILED;
  }
  r->output = merged;
  r->next = c->next;
  return ASL__STEP_DONE;
}

/* What a failed attempt leads to: a retry (PENDING), a catch (DONE) or the state's failure. */
static asl__step settle(asl_run *r, asl__step step)
{
  if (step != ASL__STEP_FAILED)
    return step;
  const asl_state *st = r->state;
  /* a Fail state without Error gives a nameless error; only the wildcards can see it */
  const char *name = r->error.name ? r->error.name : "";
  for (size_t i = 0; i < st->retrier_count; i++) {
    if (!asl_error_match_test(&st->retriers[i].errors, name))
      continue;
    /* only the first matching retrier counts, even when it is exhausted */
    if (r->retry_counts[i] < st->retriers[i].max_attempts)
      return retry_later(r, i);
    break;
  }
  /* an interpreter error fails the execution at once, with no *StateFailed before it
   * (conformance map/test_max_concurrency_path__NoNumber.json) */
  if (strcmp(name, ASL__ERR(RUNTIME)) == 0)
    return ASL__STEP_FAILED;
  if (r->attempt->has_failed_event)
    asl__run_emit(r, r->attempt->failed_event, NULL);
  for (size_t i = 0; i < st->catcher_count; i++)
    if (asl_error_match_test(&st->catchers[i].errors, name))
      return catch_error(r, i);
  return ASL__STEP_FAILED;
}

void asl__attempt_done(asl_run *r, asl__step step, bool later)
{
  step = settle(r, step);
  if (step == ASL__STEP_PENDING)
    return;
  asl__outcome out = step == ASL__STEP_DONE ? ASL__OUT_DONE : ASL__OUT_FAILED;
  if (later)
    asl__run_state_done_later(r, out);
  else
    asl__run_state_done(r, out);
}

static void on_retry_timer(asl__timer *t)
{
  asl_run *r = t->data;
  asl__attempt_done(r, r->attempt->attempt(r), false);
}

asl__step asl__attempts_begin(asl_run *r, const asl__attempt_ops *ops)
{
  const asl_state *st = r->state;
  r->attempt = ops;
  if (st->retrier_count > 0)
    r->retry_counts = asl_calloc(st->retrier_count, sizeof *r->retry_counts);
  return settle(r, ops->attempt(r));
}

asl__step asl__attempts_resume(asl_run *r, const asl__attempt_ops *ops,
                               asl__step (*first)(asl_run *r))
{
  const asl_state *st = r->state;
  r->attempt = ops;
  if (st->retrier_count > 0)
    r->retry_counts = asl_calloc(st->retrier_count, sizeof *r->retry_counts);
  return settle(r, first(r));
}

void asl__attempts_cancel(asl_run *r)
{
  if (asl__clock_timer_active(&r->retry_timer)) {
    asl__clock_timer_stop(&r->exec->clock, &r->retry_timer);
    asl__run_state_done_later(r, ASL__OUT_CANCELED);
    return;
  }
  r->attempt->cancel(r);
}

void asl__attempts_clear(asl_run *r)
{
  if (asl__clock_timer_active(&r->retry_timer))
    asl__clock_timer_stop(&r->exec->clock, &r->retry_timer);
  asl_free(r->retry_counts);
  r->retry_counts = NULL;
  r->attempt = NULL;
}
