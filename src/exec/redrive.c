/* RedriveExecution: a finished, unsuccessful execution runs again from where it stopped, as AWS
 * redrives (redrive-executions.html): the same history goes on with ExecutionRedriven, each run
 * that failed or was aborted enters its current state again with that state's original input,
 * and a Parallel or Map resumes from what its failed attempt kept (state_parallel.c,
 * state_map.c) so that only its unsuccessful branches or iterations run again. What a run keeps
 * lives in asl_run.kept; this file holds the redrive's order of things and its rules. */
#include "internal.h"

void asl__kept_drop(asl_run *r)
{
  asl__kept k = r->kept;
  r->kept = (asl__kept){0};
  r->resuming = false;
  if (k.data)
    k.free(k.data);
}

void asl__run_redrive(asl_run *r, int64_t previous_id)
{
  r->status = ASL_EXEC_RUNNING;
  asl_error_clear(&r->error);
  r->cancel_requested = false;
  r->last_event_id = previous_id;
  r->phase = ASL__RUN_ENTER;
  r->next = NULL;
  r->resuming = r->kept.data != NULL;
}

bool asl_exec_redrivable(const asl_exec *e, const char **why)
{
  /* the done callback runs once the last handle has closed */
  if (!e->finished || e->open_handles > 0)
    *why = "Execution is RUNNING and cannot be redriven.";
  else if (e->express)
    *why = "Execution is an Express execution and cannot be redriven.";
  else if (e->status == ASL_EXEC_SUCCEEDED)
    *why = "Execution is SUCCEEDED and cannot be redriven.";
  else if (e->stop == ASL__STOP_DURATION)
    *why = "Execution has exceeded the max execution time.";
  /* the history must have room for ExecutionRedriven and one more event */
  else if (e->history_full || e->seq.last_id + 2 > e->quotas.max_history_events)
    *why = "Execution history event limit exceeded.";
  else
    return true;
  return false;
}

asl_status asl_exec_redrive(asl_exec *e, asl_exec_done_cb cb, void *data, asl_error *err)
{
  const char *why;
  if (!asl_exec_redrivable(e, &why))
    return asl_error_set(err, ASL_E_USAGE, "ExecutionNotRedrivable", "%s", why);
  if (!cb)
    return asl_error_set(err, ASL_E_USAGE, NULL, "asl_exec_redrive needs a done callback");
  int64_t last = e->seq.last_id;
  if (asl__exec_reopen(e, cb, data, err) != ASL_OK)
    return err->code;
  e->redrive_count++;
  e->redrive_ms = asl__clock_now(&e->clock);
  asl__context_init(e);
  asl_json *d = NULL;
  if (asl__events_wanted(e)) {
    d = asl_json_object(1);
    asl_json_obj_put_cstr(d, "redriveCount", asl_json_int(e->redrive_count));
  }
  int64_t id = asl__event_emit(e, ASL_EVENT_EXECUTION_REDRIVEN, last, d);
  asl__run_redrive(e->top, id);
  asl__run_post(e->top);
  return ASL_OK;
}
