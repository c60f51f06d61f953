/* Wait: Seconds, SecondsPath, Timestamp or TimestampPath (on the input after InputPath), then a
 * clock timer; the state is pending until it fires (virtual time fires it at once, with the
 * waited time still on the clock). Its output is the effective input through OutputPath.
 * The error causes are AWS's (conformance wait/test_base_wait_seconds_path__*,
 * wait/test_wait_timestamp_path__*). A JSONata Wait reads Seconds or Timestamp from an
 * expression and ends with its Output and Assign once waited. */
#include "internal.h"
#include "vars.h"

#include <string.h>

/* "$.input.waitSeconds == 1.5": strings as their text, other values as compact JSON */
static char *path_and_value(const asl_path *p, const asl_json *v)
{
  char *text = asl__value_text(v);
  char *s = asl_strfmt("%s == %s", asl_path_text(p), text);
  asl_free(text);
  return s;
}

static asl__step fail_value(asl_run *r, const char *what, const asl_path *p, const asl_json *v)
{
  char *pv = path_and_value(p, v);
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME), "%s: %s", what, pv);
  asl_free(pv);
  return asl__run_fail_state(r, &err);
}

static int64_t add_seconds(int64_t now_ms, int64_t seconds)
{
  /* far enough for any wait, and safe from overflow */
  const int64_t max_ms = INT64_MAX / 4;
  if (seconds > (max_ms - now_ms) / 1000)
    return max_ms;
  return now_ms + seconds * 1000;
}

static int64_t timestamp_ms(asl_timestamp t)
{
  return t.seconds * 1000 + t.nanos / 1000000;
}

/* The deadline of the wait, from the state's field; false (and r->error) when it is bad. */
static bool deadline(asl_run *r, const asl_json *in, int64_t now, int64_t *due)
{
  const asl_state *st = r->state;
  if (st->u.wait.has_seconds) {
    *due = add_seconds(now, st->u.wait.seconds);
    return true;
  }
  if (st->u.wait.has_timestamp) {
    *due = timestamp_ms(st->u.wait.timestamp);
    return true;
  }
  const asl_path *p = st->u.wait.seconds_path ? st->u.wait.seconds_path
                                              : st->u.wait.timestamp_path;
  if (!p) {
    asl_error err = ASL_ERROR_INIT;
    asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                  "The Wait state has none of Seconds, SecondsPath, Timestamp or TimestampPath");
    asl__run_fail_state(r, &err);
    return false;
  }
  asl_json *v = asl__io_eval_path(r, p, in);
  if (!v)
    return false;
  bool ok = true;
  if (st->u.wait.seconds_path) {
    if (asl_json_kind_of(v) != ASL_JSON_INT) {
      fail_value(r, "The SecondsPath parameter cannot be parsed as a long value", p, v);
      ok = false;
    } else if (asl_json_int_val(v) < 0) {
      fail_value(r, "The SecondsPath parameter references a negative value", p, v);
      ok = false;
    } else {
      *due = add_seconds(now, asl_json_int_val(v));
    }
  } else {
    asl_timestamp t;
    if (!asl_json_is_string(v) || !asl_timestamp_parse(asl_json_str(v), asl_json_str_len(v), &t)) {
      fail_value(r,
                 "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                 "offset date-time format string",
                 p, v);
      ok = false;
    } else {
      *due = timestamp_ms(t);
    }
  }
  asl_json_decref(v);
  return ok;
}

#define MAX_WAIT_SECONDS 99999999

/* JSONata: Seconds or Timestamp from its expression on $states.input; false (and r->error,
 * States.QueryEvaluationError) when the value is not one (wait/test_wait_timestamp_jsonata__*). */
static bool deadline_jsonata(asl_run *r, int64_t now, int64_t *due)
{
  const asl_state *st = r->state;
  bool seconds = st->u.wait.seconds_expr != NULL;
  const asl_jsonata_template *t = seconds ? st->u.wait.seconds_expr : st->u.wait.timestamp_expr;
  asl__states s = {.input = r->input};
  asl_json *v = asl__ata_eval(r, t, &s);
  if (!v)
    return false;
  char *text = asl__value_text(v);
  bool ok = true;
  if (seconds) {
    int64_t n = 0;
    if (!asl__ata_integer(v, &n)) {
      ok = false;
      asl__ata_fail(r, "Seconds", "The Seconds field cannot be parsed as a long value: %s", text);
    }
    if (ok && (n < 0 || n > MAX_WAIT_SECONDS)) {
      ok = false;
      asl__ata_fail(r, "Seconds",
                    "The Seconds field must be a non-negative integer of at most %d: %s",
                    MAX_WAIT_SECONDS, text);
    }
    if (ok)
      *due = add_seconds(now, n);
  } else {
    asl_timestamp ts;
    if (asl_json_is_string(v) && asl_timestamp_parse(asl_json_str(v), asl_json_str_len(v), &ts)) {
      *due = timestamp_ms(ts);
    } else {
      ok = false;
      asl__ata_fail(r, "Timestamp",
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                    "date-time format string: %s",
                    text);
    }
  }
  asl_free(text);
  asl_json_decref(v);
  return ok;
}

static void on_wait_timer(asl__timer *t)
{
  asl_run *r = t->data;
  asl_json *in = r->u.wait.effective;
  r->u.wait.effective = NULL;
  if (r->state->query_language == ASL_QL_JSONATA) {
    asl__states s = {.input = r->input};
    bool ok = asl__ata_finish(r, r->state->output, r->state->assign_jsonata, &s, r->input);
    asl_json_decref(in);
    if (!ok) {
      asl__run_state_done(r, ASL__OUT_FAILED);
      return;
    }
    r->next = r->state->next;
    asl__run_state_done(r, ASL__OUT_DONE);
    return;
  }
  /* Assign reads the effective input; nothing else assigns this run's variables meanwhile, so
   * they are still the ones from before the state */
  const asl_template *assign = r->state->assign_template;
  asl_json *values = assign ? asl__vars_eval(r, assign, in) : NULL;
  if (assign && !values) {
    asl_json_decref(in);
    asl__run_state_done(r, ASL__OUT_FAILED);
    return;
  }
  r->output = asl__io_output_path(r, in);
  if (!r->output || !asl__vars_apply(r, values)) {
    if (!r->output)
      asl_json_decref(values);
    asl__run_state_done(r, ASL__OUT_FAILED);
    return;
  }
  r->next = r->state->next;
  asl__run_state_done(r, ASL__OUT_DONE);
}

asl__step asl__state_wait_run(asl_run *r)
{
  asl_exec *e = r->exec;
  asl_json *in = asl__io_input_path(r, r->input);
  if (!in)
    return ASL__STEP_FAILED;
  int64_t now = asl__clock_now(&e->clock);
  int64_t due = now;
  bool ok = r->state->query_language == ASL_QL_JSONATA &&
                    (r->state->u.wait.seconds_expr || r->state->u.wait.timestamp_expr)
                ? deadline_jsonata(r, now, &due)
                : deadline(r, in, now, &due);
  if (!ok) {
    asl_json_decref(in);
    return ASL__STEP_FAILED;
  }
  /* a deadline in the past still waits for the loop's next turn: a Wait is never inline */
  if (due < now)
    due = now;
  asl__timer *t = &r->u.wait.timer;
  t->cb = on_wait_timer;
  t->data = r;
  asl_error err = ASL_ERROR_INIT;
  if (asl__clock_timer_start(&e->clock, t, due, &err) != ASL_OK) {
    asl_json_decref(in);
    return asl__run_fail_state(r, &err);
  }
  r->u.wait.effective = in;
  return ASL__STEP_PENDING;
}

void asl__state_wait_cancel(asl_run *r)
{
  asl__clock_timer_stop(&r->exec->clock, &r->u.wait.timer);
  asl_json_decref(r->u.wait.effective);
  r->u.wait.effective = NULL;
  asl__run_state_done_later(r, ASL__OUT_CANCELED);
}
