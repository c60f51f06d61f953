/* The context object $$, as AWS shapes it (context_object/test_input_path__ctx.json):
 *   {"Execution": {"Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount"},
 *    "StateMachine": {"Id", "Name"}, "State": {"Name", "EnteredTime"}}
 * The Execution and StateMachine parts are built once and shared; the whole object is built
 * only for states whose expressions read $$ (asl_state.uses_context). */
#include "internal.h"

static asl_json *timestamp(int64_t ms)
{
  char buf[32];
  size_t n = asl_timestamp_format_ms(ms, buf);
  return asl_json_string(buf, n);
}

void asl__context_init(asl_exec *e)
{
  asl_json *ex = asl_json_object(6);
  asl_json_obj_put_cstr(ex, "Id", asl_json_cstr(e->arn));
  asl_json_obj_put_cstr(ex, "Input", asl_json_incref(e->input));
  asl_json_obj_put_cstr(ex, "StartTime", timestamp(e->start_ms));
  asl_json_obj_put_cstr(ex, "Name", asl_json_cstr(e->name));
  asl_json_obj_put_cstr(ex, "RoleArn", asl_json_cstr(e->role_arn));
  asl_json_obj_put_cstr(ex, "RedriveCount", asl_json_int(0));
  e->ctx_execution = ex;

  asl_json *sm = asl_json_object(2);
  asl_json_obj_put_cstr(sm, "Id", asl_json_cstr(e->sm_arn));
  asl_json_obj_put_cstr(sm, "Name", asl_json_cstr(e->sm_name));
  e->ctx_state_machine = sm;
}

asl_json *asl__context_for_state(asl_run *r)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  /* a Pass state's $$.State has only Name and EnteredTime [recorded]; RetryCount (Task,
   * Parallel, Map) and $$.Map come with those states */
  asl_json *state = asl_json_object(2);
  asl_json_obj_put_cstr(state, "Name", asl_json_string(st->name, st->name_len));
  asl_json_obj_put_cstr(state, "EnteredTime", timestamp(r->entered_ms));

  asl_json *ctx = asl_json_object(3);
  asl_json_obj_put_cstr(ctx, "Execution", asl_json_incref(e->ctx_execution));
  asl_json_obj_put_cstr(ctx, "StateMachine", asl_json_incref(e->ctx_state_machine));
  asl_json_obj_put_cstr(ctx, "State", state);
  return ctx;
}
