/* THE input/output pipeline of a state, written once for every state type:
 *   InputPath -> Parameters -> (the state's result) -> ResultSelector -> ResultPath -> OutputPath
 * with AWS's special cases: a null InputPath gives {}, a null OutputPath gives {}, a null
 * ResultPath keeps the raw input and drops the result; and the payload limit on results and
 * outputs (States.DataLimitExceeded). Which steps a state type has is the state's business. */
#include "internal.h"
#include "vars.h"

#include <string.h>

static asl_json *fail(asl_run *r, asl_error *err)
{
  asl__run_fail_state(r, err);
  return NULL;
}

/* InputPath and OutputPath errors read "Invalid path '$.x' : No results for path: $['x']"
 * (conformance jsonpath/test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_INPUTPATH.json) */
asl_json *asl__io_eval_path(asl_run *r, const asl_path *p, const asl_json *v)
{
  asl_error err = ASL_ERROR_INIT;
  asl_env env = asl__run_env(r, v);
  asl_json *out = asl_path_eval(p, &env, &err);
  if (out)
    return out;
  if (err.code == ASL_E_RUNTIME) {
    char *cause = asl_strfmt("Invalid path '%s' : %s", asl_path_text(p), err.cause ? err.cause : "");
    asl_free(err.cause);
    err.cause = cause;
  }
  return fail(r, &err);
}

bool asl__io_check_size(asl_run *r, const asl_json *v)
{
  size_t limit = r->exec->payload_limit;
  if (limit == SIZE_MAX || asl_json_size(v) <= limit)
    return true;
  /* errors/test_start_large_input.json: no "An error occurred..." prefix on this one */
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_LIMIT, ASL__ERR(DATA_LIMIT_EXCEEDED),
                "The state/task '%s' returned a result with a size exceeding the maximum number "
                "of bytes service limit.",
                r->state->name);
  asl__run_fail(r, &err);
  return false;
}

asl_json *asl__io_input_path(asl_run *r, const asl_json *raw)
{
  const asl_state *st = r->state;
  if (st->input_path_null)
    return asl_json_object(0);
  if (!st->input_path)
    return asl_json_incref(raw);
  return asl__io_eval_path(r, st->input_path, raw);
}

asl_json *asl__io_effective_input(asl_run *r, const asl_json *raw)
{
  const asl_state *st = r->state;
  asl_json *in = asl__io_input_path(r, raw);
  if (!in || !st->parameters)
    return in;
  asl_error err = ASL_ERROR_INIT;
  asl_env env = asl__run_env(r, in);
  asl_json *params = asl_template_eval(st->parameters, &env, &err);
  asl_json_decref(in);
  if (!params)
    return fail(r, &err);
  if (!asl__io_check_size(r, params)) {
    asl_json_decref(params);
    return NULL;
  }
  return params;
}

asl_json *asl__io_output_path(asl_run *r, asl_json *v)
{
  const asl_state *st = r->state;
  asl_json *out;
  if (st->output_path_null) {
    out = asl_json_object(0);
    asl_json_decref(v);
  } else if (!st->output_path) {
    out = v;
  } else {
    out = asl__io_eval_path(r, st->output_path, v);
    asl_json_decref(v);
  }
  if (out && !asl__io_check_size(r, out)) {
    asl_json_decref(out);
    return NULL;
  }
  return out;
}

asl_json *asl__io_output(asl_run *r, const asl_json *raw, asl_json *result, bool select)
{
  const asl_state *st = r->state;
  asl_error err = ASL_ERROR_INIT;
  if (!asl__io_check_size(r, result)) {
    asl_json_decref(result);
    return NULL;
  }
  if (select && st->result_selector) {
    asl_env env = asl__run_env(r, result);
    asl_json *selected = asl_template_eval(st->result_selector, &env, &err);
    asl_json_decref(result);
    if (!selected)
      return fail(r, &err);
    result = selected;
  }
  /* Assign reads the result as ResultSelector left it; the variables change only once the
   * output is made, so that OutputPath still reads their old values
   * (variables/test_state_assign_evaluation_order__BASE_EVALUATION_ORDER_PASS_STATE.json) */
  asl_json *values = NULL;
  if (st->assign_template) {
    values = asl__vars_eval(r, st->assign_template, result);
    if (!values) {
      asl_json_decref(result);
      return NULL;
    }
  }
  asl_json *merged;
  if (st->result_path_null) {
    asl_json_decref(result);
    merged = asl_json_incref(raw);
  } else if (!st->result_path) {
    merged = result;
  } else {
    merged = asl_refpath_apply(st->result_path, raw, result, &err);
    asl_json_decref(result);
    if (!merged) {
      asl_json_decref(values);
      return fail(r, &err);
    }
  }
  asl_json *out = asl__io_output_path(r, merged);
  if (!out) {
    asl_json_decref(values);
    return NULL;
  }
  if (!asl__vars_apply(r, values)) {
    asl_json_decref(out);
    return NULL;
  }
  return out;
}

char *asl__value_text(const asl_json *v)
{
  if (asl_json_is_string(v))
    return asl_strndup(asl_json_str(v), asl_json_str_len(v));
  return asl_json_dump(v, ASL_JSON_COMPACT, NULL);
}
