/* The numbers a Map state reads when it starts: MaxConcurrency, ToleratedFailureCount and
 * ToleratedFailurePercentage, ItemBatcher's MaxItemsPerBatch and MaxInputBytesPerBatch, each a
 * literal (checked at load) or a path into the Map's input, with AWS's causes for bad values
 * (conformance map/test_max_concurrency_path__*, test_map_state_tolerated_failure_*), or in a
 * JSONata state an expression on $states.input. Running the iterations is state_map.c's. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* AWS reads these numbers from the value's text: a string "1" is 1 as well
 * (variables/test_reference_in_map_state__MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH.json),
 * "NoNumber" is refused with its text (map/test_max_concurrency_path__NoNumber.json). */
static bool string_int(const asl_json *v, int64_t *out)
{
  const char *s = asl_json_str(v);
  size_t n = asl_json_str_len(v);
  size_t i = n > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == n || n > 20)
    return false;
  for (size_t k = i; k < n; k++)
    if (s[k] < '0' || s[k] > '9')
      return false;
  errno = 0;
  long long x = strtoll(s, NULL, 10);
  if (errno != 0)
    return false;
  *out = x;
  return true;
}

static bool string_number(const asl_json *v, double *out)
{
  const char *s = asl_json_str(v);
  size_t n = asl_json_str_len(v);
  if (n == 0 || n > 64 || strspn(s, "+-0123456789.eE") != n)
    return false;
  char *end;
  errno = 0;
  double d = strtod(s, &end);
  if (end != s + n || errno != 0)
    return false;
  *out = d;
  return true;
}

static bool fail_value(asl_run *r, const char *field, const asl_json *v, const char *kind,
                       const asl_path *p)
{
  char *text = asl__value_text(v);
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                "The %s field refers to value \"%s\" which is not a valid %s: %s", field, text,
                kind, asl_path_text(p));
  asl_free(text);
  asl__run_fail_state(r, &err);
  return false;
}

static bool fail_text(asl_run *r, const char *text)
{
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME), "%s", text);
  asl__run_fail_state(r, &err);
  return false;
}

/* A JSONata state's number from expression [t] on $states.input, into *[out]; [integer] asks
 * for a whole number. False (and r->error, States.QueryEvaluationError) when it is not one. */
static bool number_of_expr(asl_run *r, const asl_jsonata_template *t, bool integer, double *out,
                           int64_t *iout)
{
  asl__states s = {.input = r->input};
  asl_json *v = asl__ata_eval(r, t, &s);
  if (!v)
    return false;
  int64_t n = 0;
  bool ok = asl_json_is_number(v) && (!integer || asl__ata_integer(v, &n));
  if (ok) {
    *out = asl_json_num_val(v);
    *iout = n;
  } else {
    const char *field = asl_jsonata_template_field(t);
    char *text = asl__value_text(v);
    asl__ata_fail(r, field, "The %s field refers to value \"%s\" which is not a valid %s", field,
                  text, integer ? "integer" : "number");
    asl_free(text);
  }
  asl_json_decref(v);
  return ok;
}

static bool int_of_expr(asl_run *r, const asl_jsonata_template *t, int64_t *out)
{
  double d;
  return number_of_expr(r, t, true, &d, out);
}

/* The same limits for a JSONata state's values, as QueryEvaluationErrors. */
static bool fail_query_text(asl_run *r, const asl_jsonata_template *t, const char *text)
{
  asl__ata_fail(r, asl_jsonata_template_field(t), "%s", text);
  return false;
}

/* An integer from [path] on [in]; false (and r->error) when it is not one. */
static bool int_at(asl_run *r, const asl_path *path, const asl_json *in, const char *field,
                   int64_t *out)
{
  asl_json *v = asl__io_eval_path(r, path, in);
  if (!v)
    return false;
  bool ok = asl_json_kind_of(v) == ASL_JSON_INT;
  if (ok)
    *out = asl_json_int_val(v);
  else if (asl_json_is_string(v))
    ok = string_int(v, out);
  if (!ok)
    fail_value(r, field, v, "integer", path);
  asl_json_decref(v);
  return ok;
}

bool asl__map_max_concurrency(asl_run *r, const asl_json *in, int64_t *out)
{
  const asl_state *st = r->state;
  *out = st->u.map.max_concurrency;
  const asl_jsonata_template *t = st->u.map.max_concurrency_expr;
  if (t) {
    if (!int_of_expr(r, t, out))
      return false;
    return *out >= 0 || fail_query_text(r, t, "MaxConcurrency cannot be negative.");
  }
  if (!st->u.map.max_concurrency_path)
    return true;
  if (!int_at(r, st->u.map.max_concurrency_path, in, "MaxConcurrencyPath", out))
    return false;
  if (*out < 0)
    return fail_text(r, "MaxConcurrency cannot be negative.");
  return true;
}

bool asl__map_tolerance(asl_run *r, const asl_json *in, int64_t *count, double *pct)
{
  const asl_state *st = r->state;
  *count = st->u.map.tolerated_failure_count;
  *pct = st->u.map.tolerated_failure_percentage;
  const asl_jsonata_template *tc = st->u.map.tolerated_failure_count_expr;
  const asl_jsonata_template *tp = st->u.map.tolerated_failure_percentage_expr;
  if (tc) {
    if (!int_of_expr(r, tc, count))
      return false;
    if (*count < 0)
      return fail_query_text(r, tc, "ToleratedFailureCount cannot be negative.");
  }
  if (tp) {
    int64_t unused;
    if (!number_of_expr(r, tp, false, pct, &unused))
      return false;
    if (!(*pct >= 0 && *pct <= 100))
      return fail_query_text(r, tp, "ToleratedFailurePercentage must be between 0 and 100.");
  }
  if (st->u.map.tolerated_failure_count_path) {
    if (!int_at(r, st->u.map.tolerated_failure_count_path, in, "ToleratedFailureCountPath", count))
      return false;
    if (*count < 0)
      return fail_text(r, "ToleratedFailureCount cannot be negative.");
  }
  const asl_path *pp = st->u.map.tolerated_failure_percentage_path;
  if (pp) {
    asl_json *v = asl__io_eval_path(r, pp, in);
    if (!v)
      return false;
    bool ok = asl_json_is_number(v);
    if (ok)
      *pct = asl_json_num_val(v);
    else if (asl_json_is_string(v))
      ok = string_number(v, pct);
    if (!ok) {
      fail_value(r, "ToleratedFailurePercentagePath", v, "float", pp);
      asl_json_decref(v);
      return false;
    }
    asl_json_decref(v);
    if (!(*pct >= 0 && *pct <= 100))
      return fail_text(r, "ToleratedFailurePercentage must be between 0 and 100.");
  }
  return true;
}

bool asl__map_batch_limits(asl_run *r, const asl_json *in, int64_t *max_items,
                           int64_t *max_bytes)
{
  const asl_state *st = r->state;
  *max_items = st->u.map.batcher_max_items;
  *max_bytes = st->u.map.batcher_max_input_bytes;
  const asl_jsonata_template *ti = st->u.map.batcher_max_items_expr;
  const asl_jsonata_template *tb = st->u.map.batcher_max_input_bytes_expr;
  if (ti) {
    if (!int_of_expr(r, ti, max_items))
      return false;
    if (*max_items <= 0)
      return fail_query_text(r, ti, "MaxItemsPerBatch must be a positive integer.");
  }
  if (tb) {
    if (!int_of_expr(r, tb, max_bytes))
      return false;
    if (*max_bytes <= 0 || *max_bytes > ASL_PAYLOAD_LIMIT_AWS)
      return fail_query_text(r, tb, "MaxInputBytesPerBatch must be between 1 and 262144.");
  }
  if (st->u.map.batcher_max_items_path) {
    if (!int_at(r, st->u.map.batcher_max_items_path, in, "MaxItemsPerBatchPath", max_items))
      return false;
    if (*max_items <= 0)
      return fail_text(r, "MaxItemsPerBatch must be a positive integer.");
  }
  if (st->u.map.batcher_max_input_bytes_path) {
    if (!int_at(r, st->u.map.batcher_max_input_bytes_path, in, "MaxInputBytesPerBatchPath",
                max_bytes))
      return false;
    if (*max_bytes <= 0 || *max_bytes > ASL_PAYLOAD_LIMIT_AWS)
      return fail_text(r, "MaxInputBytesPerBatch must be between 1 and 262144.");
  }
  return true;
}
