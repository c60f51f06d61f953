/* A run: one state list driven from its start state to its end, as an explicit state machine
 * (enter a state, wait for it if it is pending, complete it, go on). Synchronous states complete
 * inline in drive's loop, so a chain of Pass and Choice states costs no turn of the event loop,
 * yet every ASL__BURST transitions the run yields to the loop (timers, Ctrl-C). What each state
 * does is in state_*.c; events in events.c; the execution around the top run in exec.c. */
#include "internal.h"
#include "vars.h"

#include <inttypes.h>

asl_run *asl__run_new(asl_exec *e, asl_run *parent, const asl_states *states,
                      const asl_json *input, asl__run_done_cb on_done, void *data)
{
  asl_run *r = asl_calloc(1, sizeof *r);
  r->exec = e;
  r->parent = parent;
  r->states = states;
  r->state = states->start;
  r->input = asl_json_incref(input);
  r->phase = ASL__RUN_ENTER;
  r->error = (asl_error)ASL_ERROR_INIT;
  r->status = ASL_EXEC_RUNNING;
  r->on_done = on_done;
  r->data = data;
  r->seq = parent ? parent->seq : &e->seq;
  r->depth = parent ? parent->depth + 1 : 0;
  r->retry_timer.slot = ASL__TIMER_IDLE;
  return r;
}

void asl__run_own_history(asl_run *r)
{
  asl__seq *seq = asl_calloc(1, sizeof *seq);
  seq->child = true;
  /* a child execution's ExecutionStarted is its event 1 */
  seq->last_id = 1;
  r->seq = seq;
  r->owns_seq = true;
  r->last_event_id = 1;
}

void asl__run_free(asl_run *r)
{
  if (!r)
    return;
  if (r->owns_seq)
    asl_free(r->seq);
  asl__attempts_clear(r);
  asl__kept_drop(r);
  asl_json_decref(r->input);
  asl_json_decref(r->context);
  asl_json_decref(r->output);
  asl_json_decref(r->result);
  asl_error_clear(&r->error);
  asl__vars_free(r);
  asl_free(r);
}

asl_env asl__run_env(asl_run *r, const asl_json *input)
{
  asl_env env = {.input = input,
                 .context = r->context,
                 .rng = &r->exec->rng,
                 .vars = asl__var_lookup,
                 .vars_data = r};
  return env;
}

void asl__run_post(asl_run *r)
{
  asl_exec *e = r->exec;
  if (r->queued)
    return;
  r->queued = true;
  r->next_ready = NULL;
  if (e->ready_tail)
    e->ready_tail->next_ready = r;
  else
    e->ready_head = r;
  e->ready_tail = r;
  asl__exec_kick(e);
}

asl__step asl__run_fail(asl_run *r, asl_error *err)
{
  asl_error_move(&r->error, err);
  return ASL__STEP_FAILED;
}

asl__step asl__run_fail_state(asl_run *r, asl_error *err)
{
  /* an error with no Step Functions name is aslrun's own (a feature not built yet): it still
   * must fail the execution as the interpreter error it is */
  if (!err->name)
    err->name = asl_strdup(ASL__ERR(RUNTIME));
  if (err->code == ASL_OK)
    err->code = ASL_E_RUNTIME;
  char *prefix = asl_strfmt("An error occurred while executing the state '%s' (entered at the "
                            "event id #%" PRId64 "). ",
                            r->state->name, r->entered_id);
  asl_error_prefix_cause(err, prefix);
  asl_free(prefix);
  return asl__run_fail(r, err);
}

static void finish(asl_run *r, asl_exec_status status)
{
  r->status = status;
  r->phase = ASL__RUN_FINISHED;
}

void asl__run_rebuild_context(asl_run *r)
{
  asl_json_decref(r->context);
  r->context = asl__context_for_state(r);
}

static void enter(asl_run *r)
{
  const asl_state *st = r->state;
  asl__event_state_entered(r);
  /* a new state execution: its retriers start afresh */
  r->retry_total = 0;
  if (st->uses_context || st->type == ASL_STATE_TASK)
    r->entered_ms = asl__clock_now(&r->exec->clock);
  if (st->uses_context)
    r->context = asl__context_for_state(r);
  r->next = NULL;
  asl_json_decref(r->assigned);
  r->assigned = NULL;
  asl__step step;
  if (r->resuming) {
    /* a redrive: a Parallel or Map goes on from what its failed attempt kept */
    r->resuming = false;
    step = r->kept.resume(r);
  } else {
    step = asl__state_ops_of(st->type)->run(r);
  }
  switch (step) {
  case ASL__STEP_DONE:
    r->outcome = ASL__OUT_DONE;
    r->phase = ASL__RUN_COMPLETE;
    break;
  case ASL__STEP_FAILED:
    r->outcome = ASL__OUT_FAILED;
    r->phase = ASL__RUN_COMPLETE;
    break;
  case ASL__STEP_PENDING:
    r->phase = ASL__RUN_WAITING;
    break;
  }
}

static void complete(asl_run *r)
{
  asl_json_decref(r->context);
  r->context = NULL;
  asl__attempts_clear(r);
  switch (r->outcome) {
  case ASL__OUT_DONE: {
    asl__kept_drop(r);
    asl__event_state_exited(r);
    asl_json_decref(r->input);
    r->input = r->output;
    r->output = NULL;
    if (r->next) {
      r->state = r->next;
      r->phase = ASL__RUN_ENTER;
    } else {
      r->result = r->input;
      r->input = NULL;
      finish(r, ASL_EXEC_SUCCEEDED);
    }
    break;
  }
  case ASL__OUT_FAILED:
    finish(r, ASL_EXEC_FAILED);
    break;
  case ASL__OUT_CANCELED:
    asl__event_state_aborted(r);
    finish(r, ASL_EXEC_ABORTED);
    break;
  }
}

void asl__run_drive(asl_run *r)
{
  asl_exec *e = r->exec;
  for (;;) {
    switch (r->phase) {
    case ASL__RUN_ENTER:
      /* a stop asked for from inside this very chain (by a sink) ends it before the next state */
      if (r->cancel_requested || e->stop != ASL__STOP_NONE) {
        finish(r, ASL_EXEC_ABORTED);
        break;
      }
      if (e->burst >= ASL__BURST) {
        asl__run_post(r);
        return;
      }
      e->burst++;
      enter(r);
      break;
    case ASL__RUN_WAITING:
      return;
    case ASL__RUN_COMPLETE:
      complete(r);
      break;
    case ASL__RUN_FINISHED:
      /* the callback may free the run: nothing may touch it afterwards */
      r->on_done(r);
      return;
    }
  }
}

void asl__run_state_done(asl_run *r, asl__outcome out)
{
  r->outcome = out;
  r->phase = ASL__RUN_COMPLETE;
  asl__run_drive(r);
}

void asl__run_state_done_later(asl_run *r, asl__outcome out)
{
  r->outcome = out;
  r->phase = ASL__RUN_COMPLETE;
  asl__run_post(r);
}

void asl__run_cancel(asl_run *r)
{
  if (r->phase == ASL__RUN_FINISHED || r->cancel_requested)
    return;
  r->cancel_requested = true;
  if (r->phase == ASL__RUN_WAITING) {
    const asl__state_ops *ops = asl__state_ops_of(r->state->type);
    ops->cancel(r);
  }
}
