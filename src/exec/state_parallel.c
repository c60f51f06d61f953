/* Parallel: each attempt runs every branch as a child run on the loop, all on the same effective
 * input (InputPath, Parameters; JSONata: Arguments), and collects their outputs in branch order.
 * The first branch to fail fails the state with its own error and cause (not
 * States.BranchFailed: conformance
 * errors/test_parallel_catch_error__PARALLEL_CATCH_ERROR_OUTPUT.json) once the other branches
 * have been aborted. Events: ParallelStateStarted each attempt, ParallelStateSucceeded, and
 * ParallelStateFailed when it fails for good (retry.c). A failed or aborted attempt keeps its
 * results and its unsuccessful branches, which a redrive runs again (redrive.c). */
#include "internal.h"

struct asl__par {
  asl_run *owner;
  size_t n;
  size_t running;
  asl_run **live;      /* branches still running (NULL once done) */
  asl_json **results;  /* branch outputs */
  asl_run **kept;      /* branches that failed or were aborted, for a redrive */
  int64_t last_id;     /* the latest event of any finished branch */
  bool canceling;
  asl__failure failure;
};

static void par_free(asl__par *p)
{
  for (size_t i = 0; i < p->n; i++) {
    asl_json_decref(p->results[i]);
    asl__run_free(p->kept[i]);
  }
  asl_free(p->kept);
  asl_free(p->results);
  asl_free(p->live);
  asl__failure_clear(&p->failure);
  asl_free(p);
}

static asl__step parallel_resume(asl_run *r);

static void par_free_data(void *data)
{
  par_free(data);
}

/* The attempt did not succeed: what it did is kept for a redrive (dropped when a retry or a
 * catcher goes on). */
static void keep(asl_run *r, asl__par *p)
{
  asl__failure_clear(&p->failure);
  asl__kept_drop(r);
  r->kept = (asl__kept){.resume = parallel_resume, .free = par_free_data, .data = p};
}

/* Every branch has ended: the state's attempt ends. */
static void finish(asl__par *p)
{
  asl_run *r = p->owner;
  r->u.parallel = NULL;
  if (p->last_id > r->last_event_id)
    r->last_event_id = p->last_id;
  if (p->canceling) {
    keep(r, p);
    asl__run_state_done_later(r, ASL__OUT_CANCELED);
    return;
  }
  if (p->failure.set) {
    asl__failure_emit_abort(r, &p->failure);
    asl_error_move(&r->error, &p->failure.error);
    keep(r, p);
    asl__attempt_done(r, ASL__STEP_FAILED, true);
    return;
  }
  asl__run_emit(r, ASL_EVENT_PARALLEL_STATE_SUCCEEDED, NULL);
  asl_json *out = asl_json_array(p->n);
  for (size_t i = 0; i < p->n; i++) {
    asl_json_arr_push(out, p->results[i]);
    p->results[i] = NULL;
  }
  par_free(p);
  if (r->state->query_language == ASL_QL_JSONATA) {
    r->output = asl__ata_result(r, out);
    asl_json_decref(out);
  } else {
    r->output = asl__io_output(r, r->input, out, true);
  }
  if (!r->output) {
    asl__attempt_done(r, ASL__STEP_FAILED, true);
    return;
  }
  r->next = r->state->next;
  asl__attempt_done(r, ASL__STEP_DONE, true);
}

static void on_branch_done(asl_run *child)
{
  asl__par *p = child->data;
  size_t i = child->index;
  p->live[i] = NULL;
  p->running--;
  if (child->last_event_id > p->last_id)
    p->last_id = child->last_event_id;
  switch (child->status) {
  case ASL_EXEC_SUCCEEDED:
    p->results[i] = child->result;
    child->result = NULL;
    break;
  case ASL_EXEC_FAILED:
    if (!p->failure.set && !p->canceling) {
      asl__failure_take(&p->failure, child);
      asl__children_cancel(p->live, p->n);
    }
    break;
  case ASL_EXEC_ABORTED:
  case ASL_EXEC_TIMED_OUT:
  case ASL_EXEC_RUNNING:
    break;
  }
  if (child->status == ASL_EXEC_SUCCEEDED)
    asl__run_free(child);
  else
    p->kept[i] = child; /* a redrive takes it up where it stopped */
  if (p->running == 0)
    finish(p);
}

static asl__step parallel_attempt(asl_run *r)
{
  const asl_state *st = r->state;
  if (st->uses_context && r->retry_total > 0)
    asl__run_rebuild_context(r);
  asl_json *eff = st->query_language == ASL_QL_JSONATA ? asl__ata_arguments(r)
                                                       : asl__io_effective_input(r, r->input);
  if (!eff)
    return ASL__STEP_FAILED;
  size_t n = st->u.parallel.count;
  asl__par *p = asl_calloc(1, sizeof *p);
  p->owner = r;
  p->n = n;
  p->live = asl_calloc(n, sizeof *p->live);
  p->results = asl_calloc(n, sizeof *p->results);
  p->kept = asl_calloc(n, sizeof *p->kept);
  p->running = n;
  r->u.parallel = p;
  /* every branch's first event follows ParallelStateStarted */
  int64_t started = asl__run_emit(r, ASL_EVENT_PARALLEL_STATE_STARTED, NULL);
  for (size_t i = 0; i < n; i++) {
    asl_run *child =
        asl__run_new(r->exec, r, &st->u.parallel.branches[i], eff, on_branch_done, p);
    child->index = i;
    child->last_event_id = started;
    p->live[i] = child;
  }
  asl_json_decref(eff);
  for (size_t i = 0; i < n; i++)
    asl__run_post(p->live[i]);
  return ASL__STEP_PENDING;
}

/* A redrive: the branches the failed attempt kept run again from where they stopped, beside
 * the results of those that had succeeded. */
static asl__step parallel_resume_first(asl_run *r)
{
  asl__par *p = r->kept.data;
  r->kept = (asl__kept){0};
  size_t redo = 0;
  for (size_t i = 0; i < p->n; i++)
    redo += p->kept[i] != NULL;
  if (redo == 0) {
    par_free(p);
    return parallel_attempt(r);
  }
  p->canceling = false;
  p->last_id = 0;
  r->u.parallel = p;
  int64_t started = asl__run_emit(r, ASL_EVENT_PARALLEL_STATE_STARTED, NULL);
  for (size_t i = 0; i < p->n; i++) {
    asl_run *child = p->kept[i];
    if (!child)
      continue;
    p->kept[i] = NULL;
    asl__run_redrive(child, started);
    p->live[i] = child;
    p->running++;
  }
  for (size_t i = 0; i < p->n; i++)
    if (p->live[i])
      asl__run_post(p->live[i]);
  return ASL__STEP_PENDING;
}

static void parallel_cancel(asl_run *r)
{
  asl__par *p = r->u.parallel;
  p->canceling = true;
  asl__children_cancel(p->live, p->n);
}

static const asl__attempt_ops parallel_attempts = {parallel_attempt, parallel_cancel, true,
                                                   ASL_EVENT_PARALLEL_STATE_FAILED};

asl__step asl__state_parallel_run(asl_run *r)
{
  return asl__attempts_begin(r, &parallel_attempts);
}

static asl__step parallel_resume(asl_run *r)
{
  return asl__attempts_resume(r, &parallel_attempts, parallel_resume_first);
}
