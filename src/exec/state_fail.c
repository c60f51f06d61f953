/* Fail: ends its run with an error and a cause, each a literal (Error, Cause), a path or an
 * intrinsic (ErrorPath, CausePath, evaluated on the state's input), or absent: a Fail state with
 * neither gives error null and cause null (conformance fail/test_state_fail_empty.json). */
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

asl__step asl__state_fail_run(asl_run *r)
{
  const asl_state *st = r->state;
  char *error = NULL;
  char *cause = NULL;
  if (!field_text(r, st->u.fail.error, st->u.fail.error_path, "ErrorPath", &error))
    return ASL__STEP_FAILED;
  if (!field_text(r, st->u.fail.cause, st->u.fail.cause_path, "CausePath", &cause)) {
    asl_free(error);
    return ASL__STEP_FAILED;
  }
  asl_error err = ASL_ERROR_INIT;
  err.code = ASL_E_RUNTIME;
  err.name = error;
  err.cause = cause;
  return asl__run_fail(r, &err);
}
