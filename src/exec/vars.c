/* Workflow variables: one scope a run, an object name -> value that the run owns and that only
 * asl__vars_assign changes. A lookup walks from the run to the runs around it: a branch or an
 * iteration reads its own variables first, then its parent's, which cannot change while it
 * runs (the Parallel or Map state assigns only once every child is over). A Distributed Map's
 * child executions stop at their own scope, as on AWS. What Assign is evaluated against, and
 * when, is each state's business (state_*.c, retry.c); this file stores and checks. */
#include "vars.h"

/* AWS's quotas: 256 KiB for the variables one Assign sets, 10 MiB for all of them. Both follow
 * --payload-limit (none lifts them; another figure scales them). */
#define ALL_VARIABLES_FACTOR 40

const asl_json *asl__var_lookup(void *run, const char *name, size_t len)
{
  for (const asl_run *r = run; r; r = r->parent) {
    if (r->vars) {
      const asl_json *v = asl_json_get(r->vars, name, len);
      if (v)
        return v;
    }
    if (r->owns_seq)
      break;
  }
  return NULL;
}

/* The variables of the scopes around [r] (not its own), in bytes of their JSON forms. */
static size_t outer_bytes(const asl_run *r)
{
  size_t n = 0;
  if (r->owns_seq)
    return 0;
  for (r = r->parent; r; r = r->parent) {
    if (r->vars)
      n += asl_json_size(r->vars);
    if (r->owns_seq)
      break;
  }
  return n;
}

static const asl_run *outer_owner(const asl_run *r, const char *name, size_t len)
{
  if (r->owns_seq)
    return NULL;
  for (const asl_run *o = r->parent; o; o = o->parent) {
    if (o->vars && asl_json_get(o->vars, name, len))
      return o;
    if (o->owns_seq)
      break;
  }
  return NULL;
}

static asl_status check(asl_run *r, const asl_json *values, asl_error *err)
{
  size_t n = asl_json_len(values);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *name = asl_json_key_at(values, i, &len);
    if (outer_owner(r, name, len)) {
      /* a branch or an iteration may read its outer scopes but not write to them */
      char *text = asl__value_text(asl_json_value_at(values, i));
      asl_status st = asl_error_set(err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                                    "Cannot bind value '%s' to variable '%.*s' as it belongs to "
                                    "an outer scope.",
                                    text, (int)len, name);
      asl_free(text);
      return st;
    }
  }
  size_t limit = r->exec->payload_limit;
  if (limit == SIZE_MAX)
    return ASL_OK;
  size_t size = asl_json_size(values);
  if (size > limit)
    return asl_error_set(err, ASL_E_LIMIT, ASL__ERR(DATA_LIMIT_EXCEEDED),
                         "The variables assigned by the state '%s' have a size of %zu bytes, "
                         "exceeding the maximum number of bytes service limit (%zu bytes for "
                         "one Assign).",
                         r->state->name, size, limit);
  return ASL_OK;
}

/* The run's scope with [values] set, as a new object: the run's own is replaced only once the
 * result is known to fit. */
static asl_json *merged(const asl_run *r, const asl_json *values)
{
  size_t n = asl_json_len(values);
  asl_json *o = r->vars ? asl_json_unshare(asl_json_incref(r->vars)) : asl_json_object(n);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *name = asl_json_key_at(values, i, &len);
    asl_json_obj_put(o, name, len, asl_json_incref(asl_json_value_at(values, i)));
  }
  return o;
}

asl_status asl__vars_assign(asl_run *r, asl_json *values, asl_error *err)
{
  asl_status st = check(r, values, err);
  if (st != ASL_OK) {
    asl_json_decref(values);
    return st;
  }
  if (asl_json_len(values) > 0) {
    asl_json *scope = merged(r, values);
    size_t limit = r->exec->payload_limit;
    size_t total = outer_bytes(r) + asl_json_size(scope);
    if (limit != SIZE_MAX && total > limit * ALL_VARIABLES_FACTOR) {
      asl_json_decref(scope);
      asl_json_decref(values);
      return asl_error_set(err, ASL_E_LIMIT, ASL__ERR(DATA_LIMIT_EXCEEDED),
                           "The variables of the execution would have a size of %zu bytes after "
                           "the state '%s', exceeding the maximum number of bytes service limit "
                           "(%zu bytes for all variables).",
                           total, r->state->name, limit * ALL_VARIABLES_FACTOR);
    }
    asl_json_decref(r->vars);
    r->vars = scope;
  }
  /* the state's exit event lists what it assigned */
  asl_json_decref(r->assigned);
  r->assigned = values;
  return ASL_OK;
}

asl_json *asl__vars_eval(asl_run *r, const asl_template *t, const asl_json *in)
{
  asl_error err = ASL_ERROR_INIT;
  asl_env env = asl__run_env(r, in);
  asl_json *values = asl_template_eval(t, &env, &err);
  if (!values)
    asl__run_fail_state(r, &err);
  return values;
}

bool asl__vars_apply(asl_run *r, asl_json *values)
{
  if (!values)
    return true;
  asl_error err = ASL_ERROR_INIT;
  if (asl__vars_assign(r, values, &err) == ASL_OK)
    return true;
  /* like the payload checks (io.c), a limit is reported without the state's prefix */
  if (err.code == ASL_E_LIMIT)
    asl__run_fail(r, &err);
  else
    asl__run_fail_state(r, &err);
  return false;
}

void asl__vars_free(asl_run *r)
{
  asl_json_decref(r->vars);
  r->vars = NULL;
  asl_json_decref(r->assigned);
  r->assigned = NULL;
}
