/* What Parallel and Map share about their child runs: keeping the first failure (its error and
 * the state it failed in), the *StateAborted that AWS gives that state once the siblings have
 * stopped, and cancelling the siblings. Starting children and collecting results is each
 * state's own (state_parallel.c, state_map.c). */
#include "internal.h"

void asl__failure_take(asl__failure *f, asl_run *child)
{
  asl_error_move(&f->error, &child->error);
  f->set = true;
  /* a Distributed Map child is an execution of its own: its failure stays in its history */
  f->state = child->owns_seq ? NULL : child->state;
  f->depth = child->depth;
  f->last_id = child->last_event_id;
}

void asl__failure_set(asl__failure *f, asl_error *err)
{
  asl_error_move(&f->error, err);
  f->set = true;
  f->state = NULL;
}

void asl__failure_emit_abort(asl_run *r, asl__failure *f)
{
  if (!f->state)
    return;
  const asl__state_ops *ops = asl__state_ops_of(f->state->type);
  if (!ops->has_aborted)
    return;
  r->last_event_id = asl__event_emit_in(r->exec, r->seq, f->state->name, f->depth, ops->aborted,
                                        f->last_id, NULL);
}

void asl__failure_clear(asl__failure *f)
{
  asl_error_clear(&f->error);
  f->set = false;
  f->state = NULL;
}

void asl__children_cancel(asl_run **live, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (live[i])
      asl__run_cancel(live[i]);
}
