/* Fail: ends its run with an error and a cause, each a literal (Error, Cause), a path or an
 * intrinsic (ErrorPath, CausePath, evaluated on the state's input), a JSONata expression on
 * $states.input, or absent: a Fail state with neither gives error null and cause null
 * (conformance fail/test_state_fail_empty.json). */
#include "internal.h"

#include <string.h>

/* The value of a literal or an ErrorPath/CausePath field, as a new string or NULL; false (and
 * r->error) when the expression fails. */
static bool field_text(asl_run *r, const char *literal, const asl_expr *path, const char *field,
                       char **out)
{
  *out = NULL;
  if (literal) {
    *out = asl_strdup(literal);
    return true;
  }
  if (!path)
    return true;
  asl_error err = ASL_ERROR_INIT;
  asl_env env = asl__run_env(r, r->input);
  asl_json *v = asl_expr_eval(path, field, &env, &err);
  if (!v) {
    asl__run_fail_state(r, &err);
    return false;
  }
  if (!asl_json_is_string(v)) {
    char *text = asl_json_dump(v, ASL_JSON_COMPACT, NULL);
    asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                  "The %s field must give a string, but '%s' gave %s", field, asl_expr_text(path),
                  text);
    asl_free(text);
    asl_json_decref(v);
    asl__run_fail_state(r, &err);
    return false;
  }
  *out = asl_strndup(asl_json_str(v), asl_json_str_len(v));
  asl_json_decref(v);
  return true;
}

/* A JSONata Error or Cause: an expression that must give a string; [out] NULL when absent. */
static bool expr_text(asl_run *r, const asl_jsonata_template *t, char **out)
{
  *out = NULL;
  if (!t)
    return true;
  asl__states s = {.input = r->input};
  asl_json *v = asl__ata_eval(r, t, &s);
  if (!v)
    return false;
  if (!asl_json_is_string(v)) {
    asl__ata_fail_type(r, t, "string", v);
    asl_json_decref(v);
    return false;
  }
  *out = asl_strndup(asl_json_str(v), asl_json_str_len(v));
  asl_json_decref(v);
  return true;
}

asl__step asl__state_fail_run(asl_run *r)
{
  const asl_state *st = r->state;
  char *error = NULL;
  char *cause = NULL;
  if (st->u.fail.error_expr || st->u.fail.cause_expr) {
    /* one may be an expression and the other a literal or absent */
    bool ok = st->u.fail.error_expr ? expr_text(r, st->u.fail.error_expr, &error)
                                    : field_text(r, st->u.fail.error, NULL, "Error", &error);
    if (ok)
      ok = st->u.fail.cause_expr ? expr_text(r, st->u.fail.cause_expr, &cause)
                                 : field_text(r, st->u.fail.cause, NULL, "Cause", &cause);
    if (!ok) {
      asl_free(error);
      return ASL__STEP_FAILED;
    }
  } else {
    if (!field_text(r, st->u.fail.error, st->u.fail.error_path, "ErrorPath", &error))
      return ASL__STEP_FAILED;
    if (!field_text(r, st->u.fail.cause, st->u.fail.cause_path, "CausePath", &cause)) {
      asl_free(error);
      return ASL__STEP_FAILED;
    }
  }
  asl_error err = ASL_ERROR_INIT;
  err.code = ASL_E_RUNTIME;
  err.name = error;
  err.cause = cause;
  return asl__run_fail(r, &err);
}
