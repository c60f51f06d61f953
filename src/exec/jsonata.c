/* JSONata states in the executor: the $states binding a field sees, evaluating a compiled field
 * (jsonata.h) with the workflow variables (vars.h), States.QueryEvaluationError with its
 * EvaluationFailed event, and the end every JSONata state shares: Assign and Output, both
 * evaluated against the variables as they were when the state was entered, then the
 * assignments. Which field a state evaluates, and when, is each state's business (state_*.c). */
#include "internal.h"
#include "vars.h"

#include <math.h>
#include <stdarg.h>

/* Real time one evaluation may take. JSONata has no loops, but nested higher-order calls can
 * still run for hours on a small input; AWS documents no bound, this one keeps the loop alive
 * (past it the expression fails with U1001, a QueryEvaluationError like any other). */
#define EVAL_TIME_LIMIT_MS 10000

/* $states: {"input", "context", "result", "errorOutput"}, each only when the field has it. */
static asl_json *states_object(const asl_run *r, const asl__states *s)
{
  asl_json *o = asl_json_object(4);
  asl_json_obj_put_cstr(o, "input", asl_json_incref(s->input ? s->input : asl_json_null()));
  const asl_json *ctx = s->context ? s->context : r->context;
  if (ctx)
    asl_json_obj_put_cstr(o, "context", asl_json_incref(ctx));
  if (s->result)
    asl_json_obj_put_cstr(o, "result", asl_json_incref(s->result));
  if (s->error_output)
    asl_json_obj_put_cstr(o, "errorOutput", asl_json_incref(s->error_output));
  return o;
}

/* EvaluationFailed {"error", "cause", "location", "state"}: AWS records it where the expression
 * failed, before the state's failure events (map/test_map_state_items_eval_jsonata_fail__*,
 * errors/test_map_catch_error__MAP_CATCH_ERROR_OUTPUT_WITH_RETRY.json). */
static void emit_failed(asl_run *r, const char *location)
{
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = asl__event_error_details(r->error.name, r->error.cause, true);
    if (location)
      asl_json_obj_put_cstr(d, "location", asl_json_cstr(location));
    asl_json_obj_put_cstr(d, "state", asl_json_string(r->state->name, r->state->name_len));
  }
  asl__run_emit(r, ASL_EVENT_EVALUATION_FAILED, d);
}

static void fail_query(asl_run *r, asl_error *err, const char *location)
{
  if (!err->name)
    err->name = asl_strdup(ASL__ERR(QUERY_EVALUATION_ERROR));
  asl__run_fail_state(r, err);
  emit_failed(r, location);
}

asl_json *asl__ata_eval(asl_run *r, const asl_jsonata_template *t, const asl__states *s)
{
  asl_error err = ASL_ERROR_INIT;
  asl_jsonata_env env = {0};
  if (asl_jsonata_template_is_constant(t))
    return asl_jsonata_template_eval(t, &env, &err); /* a constant cannot fail */
  asl_json *states = states_object(r, s);
  asl_jsonata_var var = {"states", states};
  env.vars = &var;
  env.nvars = 1;
  env.lookup = asl__var_lookup;
  env.lookup_data = r;
  env.rng = &r->exec->rng;
  env.now_ms = asl__clock_now(&r->exec->clock);
  env.time_limit_ms = EVAL_TIME_LIMIT_MS;
  asl_json *v = asl_jsonata_template_eval(t, &env, &err);
  asl_json_decref(states);
  if (!v)
    fail_query(r, &err, asl_jsonata_template_field(t));
  return v;
}

asl__step asl__ata_fail(asl_run *r, const char *location, const char *fmt, ...)
{
  asl_error err = ASL_ERROR_INIT;
  va_list ap;
  va_start(ap, fmt);
  char *cause = asl_vstrfmt(fmt, ap);
  va_end(ap);
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(QUERY_EVALUATION_ERROR), "%s", cause);
  asl_free(cause);
  fail_query(r, &err, location);
  return ASL__STEP_FAILED;
}

bool asl__ata_integer(const asl_json *v, int64_t *out)
{
  if (asl_json_kind_of(v) == ASL_JSON_INT) {
    *out = asl_json_int_val(v);
    return true;
  }
  if (asl_json_kind_of(v) != ASL_JSON_DOUBLE)
    return false;
  double d = asl_json_num_val(v);
  /* 5.0 is an integer to JSONata, which has one kind of number; the bounds keep the
   * conversion defined */
  if (!(d >= -9.2e18 && d <= 9.2e18) || d != floor(d))
    return false;
  *out = (int64_t)d;
  return true;
}

asl__step asl__ata_fail_type(asl_run *r, const asl_jsonata_template *t, const char *expected,
                             const asl_json *v)
{
  const char *expr = asl_jsonata_template_expression(t);
  const char *field = asl_jsonata_template_field(t);
  char *text = asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  asl__ata_fail(r, field,
                "The JSONata expression '%s' specified for the field '%s' returned an unexpected "
                "result type. Expected '%s', but was '%s' for value: %s",
                expr ? expr : "", field, expected, asl_json_kind_name(asl_json_kind_of(v)), text);
  asl_free(text);
  return ASL__STEP_FAILED;
}

bool asl__ata_finish(asl_run *r, const asl_jsonata_template *output,
                     const asl_jsonata_template *assign, const asl__states *s,
                     const asl_json *deflt)
{
  asl_json *values = NULL;
  if (assign) {
    values = asl__ata_eval(r, assign, s);
    if (!values)
      return false;
  }
  asl_json *out = output ? asl__ata_eval(r, output, s) : asl_json_incref(deflt);
  if (!out) {
    asl_json_decref(values);
    return false;
  }
  if (!asl__io_check_size(r, out)) {
    asl_json_decref(values);
    asl_json_decref(out);
    return false;
  }
  if (!asl__vars_apply(r, values)) {
    asl_json_decref(out);
    return false;
  }
  r->output = out;
  return true;
}

asl_json *asl__ata_arguments(asl_run *r)
{
  const asl_state *st = r->state;
  if (!st->arguments)
    return asl_json_incref(r->input);
  asl__states s = {.input = r->input};
  asl_json *args = asl__ata_eval(r, st->arguments, &s);
  if (args && !asl__io_check_size(r, args)) {
    asl_json_decref(args);
    return NULL;
  }
  return args;
}

asl_json *asl__ata_result(asl_run *r, const asl_json *result)
{
  const asl_state *st = r->state;
  if (!asl__io_check_size(r, result))
    return NULL;
  asl__states s = {.input = r->input, .result = result};
  if (!asl__ata_finish(r, st->output, st->assign_jsonata, &s, result))
    return NULL;
  asl_json *out = r->output;
  r->output = NULL;
  return out;
}
