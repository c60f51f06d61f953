/* The context object $$, as AWS shapes it (context_object/test_input_path__ctx.json):
 *   {"Execution": {"Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount"[, "RedriveTime"]},
 *    "StateMachine": {"Id", "Name"}, "State": {"Name", "EnteredTime"}}
 * Task, Parallel and Map states add State.RetryCount, a .waitForTaskToken Task adds
 * "Task": {"Token"}, and a Map's ItemSelector sees "Map": {"Item": {"Index", "Value"}}.
 * The Execution and StateMachine parts are built once and shared; the whole object is built
 * only for states whose expressions read $$ (asl_state.uses_context) and for Task requests. */
#include "internal.h"

static asl_json *timestamp(int64_t ms)
{
  char buf[32];
  size_t n = asl_timestamp_format_ms(ms, buf);
  return asl_json_string(buf, n);
}

void asl__context_init(asl_exec *e)
{
  asl_json *ex = asl_json_object(7);
  asl_json_obj_put_cstr(ex, "Id", asl_json_cstr(e->arn));
  asl_json_obj_put_cstr(ex, "Input", asl_json_incref(e->input));
  asl_json_obj_put_cstr(ex, "StartTime", timestamp(e->start_ms));
  asl_json_obj_put_cstr(ex, "Name", asl_json_cstr(e->name));
  asl_json_obj_put_cstr(ex, "RoleArn", asl_json_cstr(e->role_arn));
  /* an Express execution has no RedriveCount (misc/test_query_runtime_memory.json); RedriveTime
   * appears once the execution has been redriven */
  if (!e->express)
    asl_json_obj_put_cstr(ex, "RedriveCount", asl_json_int(e->redrive_count));
  if (e->redrive_count > 0)
    asl_json_obj_put_cstr(ex, "RedriveTime", timestamp(e->redrive_ms));
  asl_json_decref(e->ctx_execution);
  e->ctx_execution = ex;
  if (e->ctx_state_machine)
    return;

  asl_json *sm = asl_json_object(2);
  asl_json_obj_put_cstr(sm, "Id", asl_json_cstr(e->sm_arn));
  asl_json_obj_put_cstr(sm, "Name", asl_json_cstr(e->sm_name));
  e->ctx_state_machine = sm;
}

static bool has_retry_count(asl_state_type t)
{
  switch (t) {
  case ASL_STATE_TASK:
  case ASL_STATE_PARALLEL:
  case ASL_STATE_MAP:
    return true;
  case ASL_STATE_PASS:
  case ASL_STATE_CHOICE:
  case ASL_STATE_WAIT:
  case ASL_STATE_SUCCEED:
  case ASL_STATE_FAIL:
    return false;
  }
  return false;
}

static asl_json *build(asl_run *r, size_t extra)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  /* a Pass state's $$.State has only Name and EnteredTime [recorded]; RetryCount belongs to
   * Task, Parallel and Map */
  bool retry = has_retry_count(st->type);
  asl_json *state = asl_json_object(3);
  asl_json_obj_put_cstr(state, "Name", asl_json_string(st->name, st->name_len));
  asl_json_obj_put_cstr(state, "EnteredTime", timestamp(r->entered_ms));
  if (retry)
    asl_json_obj_put_cstr(state, "RetryCount", asl_json_int(r->retry_total));

  asl_json *ctx = asl_json_object(4 + extra);
  asl_json_obj_put_cstr(ctx, "Execution", asl_json_incref(e->ctx_execution));
  asl_json_obj_put_cstr(ctx, "StateMachine", asl_json_incref(e->ctx_state_machine));
  asl_json_obj_put_cstr(ctx, "State", state);
  if (st->type == ASL_STATE_TASK && st->u.task.resource &&
      asl__resource_is_callback(st->u.task.resource)) {
    asl_json *task = asl_json_object(1);
    asl_json_obj_put_cstr(task, "Token", asl__task_token_new(e));
    asl_json_obj_put_cstr(ctx, "Task", task);
  }
  return ctx;
}

asl_json *asl__context_for_state(asl_run *r)
{
  return build(r, 0);
}

asl_json *asl__context_for_item(asl_run *r, size_t index, const asl_json *value)
{
  asl_json *ctx = build(r, 1);
  asl_json *item = asl_json_object(2);
  asl_json_obj_put_cstr(item, "Index", asl_json_int((int64_t)index));
  asl_json_obj_put_cstr(item, "Value", asl_json_incref(value));
  asl_json *map = asl_json_object(1);
  asl_json_obj_put_cstr(map, "Item", item);
  asl_json_obj_put_cstr(ctx, "Map", map);
  return ctx;
}
