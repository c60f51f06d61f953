/* History events: numbering, previousEventId chains, timestamps, and the *EventDetails objects
 * in GetExecutionHistory's shape (input/output as JSON text with {"truncated": false} beside
 * them). Details are built only when a sink is attached; ids are given always, because AWS's
 * error causes quote them. Which events a state emits is decided by run.c and the states. */
#include "internal.h"

#include <string.h>

const char *asl_event_type_name(asl_event_type t)
{
  switch (t) {
#define ASL_EVENT_NAME(id, name, details)                                                          \
  case ASL_EVENT_##id:                                                                             \
    return name;
    ASL_EVENT_TYPES(ASL_EVENT_NAME)
#undef ASL_EVENT_NAME
  }
  return "?";
}

const char *asl_event_details_key(asl_event_type t)
{
  switch (t) {
#define ASL_EVENT_DETAILS(id, name, details)                                                       \
  case ASL_EVENT_##id:                                                                             \
    return details;
    ASL_EVENT_TYPES(ASL_EVENT_DETAILS)
#undef ASL_EVENT_DETAILS
  }
  return NULL;
}

asl_json *asl_event_json(const asl_event *ev, asl_json *timestamp)
{
  asl_json *o = asl_json_object(5);
  asl_json_obj_put_cstr(o, "timestamp", timestamp);
  asl_json_obj_put_cstr(o, "type", asl_json_cstr(asl_event_type_name(ev->type)));
  asl_json_obj_put_cstr(o, "id", asl_json_int(ev->id));
  asl_json_obj_put_cstr(o, "previousEventId", asl_json_int(ev->previous_id));
  const char *key = asl_event_details_key(ev->type);
  if (key && ev->details)
    asl_json_obj_put_cstr(o, key, asl_json_incref(ev->details));
  return o;
}

bool asl__events_wanted(const asl_exec *e)
{
  return e->sink_count > 0;
}

bool asl__notes_wanted(const asl_exec *e)
{
  for (size_t i = 0; i < e->sink_count; i++)
    if (e->sinks[i].on_note)
      return true;
  return false;
}

int64_t asl__event_emit_in(asl_exec *e, asl__seq *seq, const char *state, int depth,
                           asl_event_type type, int64_t previous_id, asl_json *details)
{
  int64_t id = ++seq->last_id;
  /* a Distributed Map's child executions have histories of their own, not counted here */
  bool allowed = seq->child || asl__exec_history_allows(e, id, type);
  if (allowed && e->sink_count > 0) {
    asl_event ev = {
        .id = id,
        .previous_id = previous_id,
        .type = type,
        .timestamp_ms = asl__clock_now(&e->clock),
        .details = details,
        .state = state,
        .depth = depth,
        .child_execution = seq->child,
    };
    for (size_t i = 0; i < e->sink_count; i++)
      e->sinks[i].on_event(e->sinks[i].data, &ev);
  }
  asl_json_decref(details);
  return id;
}

int64_t asl__event_emit(asl_exec *e, asl_event_type type, int64_t previous_id, asl_json *details)
{
  return asl__event_emit_in(e, &e->seq, NULL, 0, type, previous_id, details);
}

int64_t asl__run_emit_after(asl_run *r, asl_event_type type, int64_t previous_id,
                            asl_json *details)
{
  return asl__event_emit_in(r->exec, r->seq, r->state ? r->state->name : NULL, r->depth, type, previous_id,
              details);
}

int64_t asl__run_emit(asl_run *r, asl_event_type type, asl_json *details)
{
  r->last_event_id = asl__run_emit_after(r, type, r->last_event_id, details);
  return r->last_event_id;
}

void asl__run_note(asl_run *r, asl_note *n)
{
  asl_exec *e = r->exec;
  /* past the history quota the execution is only winding down */
  if (e->history_full && !r->seq->child)
    return;
  n->timestamp_ms = asl__clock_now(&e->clock);
  n->depth = r->depth;
  n->child_execution = r->seq->child;
  n->state = r->state ? r->state->name : NULL;
  for (size_t i = 0; i < e->sink_count; i++)
    if (e->sinks[i].on_note)
      e->sinks[i].on_note(e->sinks[i].data, n);
}

asl_json *asl__event_text(const asl_json *v)
{
  size_t len;
  char *text = asl_json_dump(v, ASL_JSON_COMPACT, &len);
  return asl_json_string_take(text, len);
}

static asl_json *not_truncated(void)
{
  asl_json *o = asl_json_object(1);
  asl_json_obj_put_cstr(o, "truncated", asl_json_bool(false));
  return o;
}

void asl__event_put_payload(asl_json *o, const char *field, const char *details_field,
                            const asl_json *v)
{
  asl_json_obj_put_cstr(o, field, asl__event_text(v));
  asl_json_obj_put_cstr(o, details_field, not_truncated());
}

int64_t asl__event_execution_started(asl_exec *e)
{
  asl_json *d = NULL;
  if (asl__events_wanted(e)) {
    d = asl_json_object(3);
    asl__event_put_payload(d, "input", "inputDetails", e->input);
    asl_json_obj_put_cstr(d, "roleArn", asl_json_cstr(e->role_arn));
  }
  return asl__event_emit(e, ASL_EVENT_EXECUTION_STARTED, 0, d);
}

asl_json *asl__event_error_details(const char *error, const char *cause, bool always)
{
  if (!error && !cause && !always)
    return NULL;
  asl_json *d = asl_json_object(2);
  if (error)
    asl_json_obj_put_cstr(d, "error", asl_json_cstr(error));
  if (cause)
    asl_json_obj_put_cstr(d, "cause", asl_json_cstr(cause));
  return d;
}

int64_t asl__event_execution_end(asl_exec *e, int64_t previous_id)
{
  asl_event_type type = ASL_EVENT_EXECUTION_FAILED;
  asl_json *d = NULL;
  bool want = asl__events_wanted(e);
  switch (e->status) {
  case ASL_EXEC_SUCCEEDED:
    type = ASL_EVENT_EXECUTION_SUCCEEDED;
    if (want) {
      d = asl_json_object(2);
      asl__event_put_payload(d, "output", "outputDetails", e->output);
    }
    break;
  case ASL_EXEC_FAILED:
    type = ASL_EVENT_EXECUTION_FAILED;
    /* AWS gives the details object even when a Fail state had neither Error nor Cause */
    if (want)
      d = asl__event_error_details(e->error, e->cause, true);
    break;
  case ASL_EXEC_TIMED_OUT:
    type = ASL_EVENT_EXECUTION_TIMED_OUT;
    if (want)
      d = asl__event_error_details(e->error, e->cause, false);
    break;
  case ASL_EXEC_ABORTED:
    type = ASL_EVENT_EXECUTION_ABORTED;
    if (want)
      d = asl__event_error_details(e->error, e->cause, false);
    break;
  case ASL_EXEC_RUNNING:
    break;
  }
  return asl__event_emit(e, type, previous_id, d);
}

static asl_json *state_details(const asl_state *st, const char *field, const char *details_field,
                               const asl_json *v)
{
  asl_json *d = asl_json_object(3);
  asl_json_obj_put_cstr(d, "name", asl_json_string(st->name, st->name_len));
  asl__event_put_payload(d, field, details_field, v);
  return d;
}

void asl__event_state_entered(asl_run *r)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  asl_json *d = NULL;
  if (asl__events_wanted(e))
    d = state_details(st, "input", "inputDetails", r->input);
  r->entered_id = asl__run_emit(r, asl__state_ops_of(st->type)->entered, d);
}

/* StateExitedEventDetails' assignedVariables: each variable the state set, as JSON text. */
static void put_assigned(asl_json *d, const asl_json *assigned)
{
  size_t n = assigned ? asl_json_len(assigned) : 0;
  if (n == 0)
    return;
  asl_json *vars = asl_json_object(n);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *name = asl_json_key_at(assigned, i, &len);
    asl_json_obj_put(vars, name, len, asl__event_text(asl_json_value_at(assigned, i)));
  }
  asl_json_obj_put_cstr(d, "assignedVariables", vars);
  asl_json_obj_put_cstr(d, "assignedVariablesDetails", not_truncated());
}

void asl__event_state_exited(asl_run *r)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  const asl__state_ops *ops = asl__state_ops_of(st->type);
  if (!ops->has_exited)
    return;
  asl_json *d = NULL;
  if (asl__events_wanted(e)) {
    d = state_details(st, "output", "outputDetails", r->output);
    put_assigned(d, r->assigned);
  }
  asl__run_emit(r, ops->exited, d);
}

void asl__event_state_aborted(asl_run *r)
{
  const asl__state_ops *ops = asl__state_ops_of(r->state->type);
  if (!ops->has_aborted)
    return;
  asl__run_emit(r, ops->aborted, NULL);
}
