/* Lambda as Step Functions sees it, for every function handler (process, python, http): which
 * function a Task names (direct ARN or lambda:invoke's FunctionName), what event it is sent, and
 * how the function's raw answer becomes the Task's result or error for each resource style
 * (stepfunctions-errors.md section 4; recorded cases in conformance/lambda). Running the function
 * is left to the handlers; mocks bypass this file (registry.c). */
#include <string.h>
#include <time.h>

#include "internal.h"

#define DEFAULT_REGION "us-east-1"
#define DEFAULT_ACCOUNT "123456789012"

void asl__lambda_target_free(asl__lambda_target *t)
{
  asl_free(t->name);
  asl_free(t->qualifier);
  asl_free(t->region);
  asl_free(t->account);
  asl_free(t->arn);
  memset(t, 0, sizeof *t);
}

void asl__lambda_target_copy(asl__lambda_target *dst, const asl__lambda_target *t)
{
  dst->name = t->name ? asl_strdup(t->name) : NULL;
  dst->qualifier = t->qualifier ? asl_strdup(t->qualifier) : NULL;
  dst->region = t->region ? asl_strdup(t->region) : NULL;
  dst->account = t->account ? asl_strdup(t->account) : NULL;
  dst->arn = t->arn ? asl_strdup(t->arn) : NULL;
  dst->region_given = t->region_given;
  dst->account_given = t->account_given;
}

static void set_arn(asl__lambda_target *t)
{
  asl_free(t->arn);
  t->arn = t->qualifier ? asl_strfmt("arn:aws:lambda:%s:%s:function:%s:%s", t->region, t->account,
                                     t->name, t->qualifier)
                        : asl_strfmt("arn:aws:lambda:%s:%s:function:%s", t->region, t->account,
                                     t->name);
}

/* Splits [s] at ':' into at most [max] parts; returns the count, or max + 1 when there are more. */
static size_t split_colons(const char *s, size_t n, const char **parts, size_t *lens, size_t max)
{
  size_t count = 0;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == ':') {
      if (count == max)
        return max + 1;
      parts[count] = s + start;
      lens[count] = i - start;
      count++;
      start = i + 1;
    }
  }
  return count;
}

static bool is_name_char(char c, bool dot)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || (dot && c == '.');
}

static bool all_chars(const char *s, size_t n, bool dot)
{
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!is_name_char(s[i], dot))
      return false;
  return true;
}

static bool all_digits(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return n > 0;
}

static bool valid_qualifier(const char *s, size_t n)
{
  return (n == 7 && memcmp(s, "$LATEST", 7) == 0) || (n <= 128 && all_chars(s, n, false));
}

bool asl__lambda_parse_arn(const char *s, size_t n, asl__lambda_target *t)
{
  const char *p[9];
  size_t l[9];
  size_t k = split_colons(s, n, p, l, 8);
  if (k < 7 || k > 8)
    return false;
  if (l[0] != 3 || memcmp(p[0], "arn", 3) != 0 || l[1] < 3 || memcmp(p[1], "aws", 3) != 0 ||
      l[2] != 6 || memcmp(p[2], "lambda", 6) != 0 || l[5] != 8 || memcmp(p[5], "function", 8) != 0)
    return false;
  if (l[3] == 0 || !all_chars(p[3], l[3], false) || !all_digits(p[4], l[4]) ||
      !all_chars(p[6], l[6], false) || l[6] > 64)
    return false;
  if (k == 8 && !valid_qualifier(p[7], l[7]))
    return false;
  memset(t, 0, sizeof *t);
  t->region = asl_strndup(p[3], l[3]);
  t->account = asl_strndup(p[4], l[4]);
  t->name = asl_strndup(p[6], l[6]);
  t->qualifier = k == 8 ? asl_strndup(p[7], l[7]) : NULL;
  t->region_given = true;
  t->account_given = true;
  set_arn(t);
  return true;
}

asl_status asl__lambda_parse_name(const char *s, size_t n, const char *region,
                                  const char *account, asl__lambda_target *t, asl_error *err)
{
  const char *p[9];
  size_t l[9];
  size_t k = split_colons(s, n, p, l, 8);
  memset(t, 0, sizeof *t);
  if (k >= 7 && asl__lambda_parse_arn(s, n, t))
    return ASL_OK;
  bool ok = false;
  size_t name_at = 0;
  size_t qual_at = 0;
  if (k == 1 || k == 2) { /* NAME[:QUALIFIER] */
    ok = true;
    qual_at = k == 2 ? 1 : 0;
  } else if ((k == 3 || k == 4) && all_digits(p[0], l[0]) && l[0] == 12 && l[1] == 8 &&
             memcmp(p[1], "function", 8) == 0) { /* ACCOUNT:function:NAME[:QUALIFIER] */
    ok = true;
    name_at = 2;
    qual_at = k == 4 ? 3 : 0;
  }
  if (ok)
    ok = l[name_at] <= 64 && all_chars(p[name_at], l[name_at], false) &&
         (!qual_at || valid_qualifier(p[qual_at], l[qual_at]));
  if (!ok)
    return asl_error_set(err, ASL_E_HANDLER, NULL,
                         "1 validation error detected: Value '%.*s' at 'functionName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                         "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                         (int)n, s);
  t->name = asl_strndup(p[name_at], l[name_at]);
  t->qualifier = qual_at ? asl_strndup(p[qual_at], l[qual_at]) : NULL;
  t->region = asl_strdup(region);
  t->account = name_at ? asl_strndup(p[0], l[0]) : asl_strdup(account);
  t->account_given = name_at != 0;
  set_arn(t);
  return ASL_OK;
}

void asl__lambda_context_account(const asl_json *context, char **region, char **account)
{
  *region = NULL;
  *account = NULL;
  const asl_json *ex = context ? asl_json_get_cstr(context, "Execution") : NULL;
  const asl_json *id = ex ? asl_json_get_cstr(ex, "Id") : NULL;
  if (id && asl_json_is_string(id)) {
    /* arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME */
    const char *p[9];
    size_t l[9];
    size_t k = split_colons(asl_json_str(id), asl_json_str_len(id), p, l, 8);
    if (k >= 6 && l[3] > 0 && all_digits(p[4], l[4])) {
      *region = asl_strndup(p[3], l[3]);
      *account = asl_strndup(p[4], l[4]);
      return;
    }
  }
  *region = asl_strdup(DEFAULT_REGION);
  *account = asl_strdup(DEFAULT_ACCOUNT);
}

const char *asl__lambda_executed_version(const asl__lambda_target *t)
{
  /* a numeric qualifier is a version and runs as itself; an alias or none runs $LATEST here */
  if (t->qualifier && all_digits(t->qualifier, strlen(t->qualifier)))
    return t->qualifier;
  return "$LATEST";
}

/* ---- the request ---- */

static const char *const invoke_params[] = {"FunctionName", "Payload", "Qualifier", "LogType",
                                            "InvocationType", "ClientContext"};

bool asl__lambda_prepare(asl_task_call *c, const asl_task_request *req)
{
  char *region;
  char *account;
  asl__lambda_context_account(req->context, &region, &account);
  asl_error err = ASL_ERROR_INIT;
  bool ok = true;
  if (req->style == ASL_TASK_LAMBDA_ARN) {
    if (!asl__lambda_parse_arn(req->resource, strlen(req->resource), &c->target)) {
      asl__call_fail(c, "States.Runtime", "The resource '%s' is not a Lambda function ARN",
                     req->resource);
      ok = false;
      goto out;
    }
    /* the direct style sends the effective input itself */
    c->event = asl_json_dump(req->input, ASL_JSON_COMPACT, &c->event_len);
    goto out;
  }
  const asl_json *in = req->input;
  if (!asl_json_is_object(in)) {
    asl__call_fail(c, "States.Runtime",
                   "The parameters of lambda:invoke must be an object with FunctionName and "
                   "Payload, found %s",
                   asl_json_kind_name(asl_json_kind_of(in)));
    ok = false;
    goto out;
  }
  for (size_t i = 0; i < asl_json_len(in); i++) {
    size_t kl;
    const char *k = asl_json_key_at(in, i, &kl);
    bool known = false;
    for (size_t j = 0; j < sizeof invoke_params / sizeof *invoke_params; j++)
      known = known || strcmp(k, invoke_params[j]) == 0;
    if (!known) {
      asl_buf b = ASL_BUF_INIT;
      asl__suggest_append(&b, k, invoke_params, sizeof invoke_params / sizeof *invoke_params);
      asl__call_fail(c, "States.Runtime",
                     "The field '%s' is not supported by Step Functions for lambda:invoke%s", k,
                     b.data ? b.data : "");
      asl_buf_free(&b);
      ok = false;
      goto out;
    }
  }
  const asl_json *fname = asl_json_get_cstr(in, "FunctionName");
  if (!fname || !asl_json_is_string(fname)) {
    asl__call_fail(c, "States.Runtime",
                   "lambda:invoke needs the parameter FunctionName, a string (a function name, "
                   "NAME:QUALIFIER or a function ARN)%s",
                   fname ? "" : "; it is missing");
    ok = false;
    goto out;
  }
  if (asl__lambda_parse_name(asl_json_str(fname), asl_json_str_len(fname), region, account,
                             &c->target, &err) != ASL_OK) {
    asl__call_service_error(c, "AWSLambdaException", "ValidationException", 400, err.cause);
    ok = false;
    goto out;
  }
  const asl_json *qual = asl_json_get_cstr(in, "Qualifier");
  if (qual) {
    if (!asl_json_is_string(qual) || !valid_qualifier(asl_json_str(qual), asl_json_str_len(qual))) {
      asl__call_service_error(c, "AWSLambdaException", "ValidationException", 400,
                              "1 validation error detected: Value at 'qualifier' failed to "
                              "satisfy constraint: Member must satisfy regular expression "
                              "pattern: (|[a-zA-Z0-9$_-]+)");
      ok = false;
      goto out;
    }
    if (c->target.qualifier && strcmp(c->target.qualifier, asl_json_str(qual)) != 0) {
      asl__call_service_error(c, "InvalidParameterValueException", "InvalidParameterValueException",
                              400, "The derived qualifier from the function name does not match "
                                   "the specified qualifier.");
      ok = false;
      goto out;
    }
    asl_free(c->target.qualifier);
    c->target.qualifier = asl_strdup(asl_json_str(qual));
    set_arn(&c->target);
  }
  const asl_json *itype = asl_json_get_cstr(in, "InvocationType");
  if (itype && !(asl_json_is_string(itype) && strcmp(asl_json_str(itype), "RequestResponse") == 0)) {
    asl__call_fail(c, "States.Runtime",
                   "InvocationType %s is not supported by aslrun; only RequestResponse (the "
                   "default) runs locally",
                   asl_json_is_string(itype) ? asl_json_str(itype) : "(not a string)");
    ok = false;
    goto out;
  }
  const asl_json *ltype = asl_json_get_cstr(in, "LogType");
  if (ltype) {
    if (!asl_json_is_string(ltype) ||
        (strcmp(asl_json_str(ltype), "Tail") != 0 && strcmp(asl_json_str(ltype), "None") != 0)) {
      asl__call_service_error(c, "AWSLambdaException", "ValidationException", 400,
                              "1 validation error detected: Value at 'logType' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [None, Tail]");
      ok = false;
      goto out;
    }
    c->log_tail = strcmp(asl_json_str(ltype), "Tail") == 0;
  }
  const asl_json *payload = asl_json_get_cstr(in, "Payload");
  if (!payload || asl_json_is_null(payload)) {
    /* recorded: a null Payload reaches the function as {} (conformance lambda/test_invoke.json) */
    c->event = asl_strdup("{}");
    c->event_len = 2;
  } else if (asl_json_is_string(payload)) {
    /* a string Payload is the request body itself (conformance README, "handlers") */
    asl_json *parsed = asl_json_parse(asl_json_str(payload), asl_json_str_len(payload), NULL, &err);
    if (!parsed) {
      char *msg = asl_strfmt("Could not parse request body into json: Could not parse payload "
                             "into json: %s",
                             err.cause ? err.cause : "invalid JSON");
      asl__call_service_error(c, "InvalidRequestContentException", "InvalidRequestContentException",
                              400, msg);
      asl_free(msg);
      ok = false;
      goto out;
    }
    asl_json_decref(parsed);
    c->event = asl_strndup(asl_json_str(payload), asl_json_str_len(payload));
    c->event_len = asl_json_str_len(payload);
  } else {
    c->event = asl_json_dump(payload, ASL_JSON_COMPACT, &c->event_len);
  }
out:
  asl_error_clear(&err);
  asl_free(region);
  asl_free(account);
  return ok;
}

/* ---- the response ---- */

void asl__http_date(int64_t ms, char out[40])
{
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
           months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static asl_json *str1(const char *s)
{
  asl_json *a = asl_json_array(1);
  asl_json_arr_push(a, asl_json_cstr(s));
  return a;
}

/* Payload of the envelope: the parsed JSON, or the raw text when it is not JSON
 * (stepfunctions-errors.md 4.1). */
static asl_json *parse_payload(const char *payload, size_t len)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(payload, len, NULL, &err);
  asl_error_clear(&err);
  return v ? v : asl_json_string(payload, len);
}

asl_json *asl__lambda_envelope(const asl_task_call *c, const char *payload, size_t len,
                               const char *log)
{
  char date[40];
  char clen[24];
  char trace[80];
  asl__http_date(c->now_ms, date);
  snprintf(clen, sizeof clen, "%zu", len);
  /* X-Ray's form: root=1-<epoch seconds hex>-<96 random bits hex> */
  snprintf(trace, sizeof trace, "root=1-%08llx-%.8s%.4s%.4s%.8s;sampled=0",
           (unsigned long long)(c->now_ms / 1000), c->request_id, c->request_id + 9,
           c->request_id + 14, c->request_id + 24);
  /* an HTTP endpoint says which version ran; local handlers run what the qualifier names */
  const char *version =
      c->executed_version ? c->executed_version : asl__lambda_executed_version(&c->target);
  char *log_b64 = NULL;
  if (c->log_tail) {
    /* X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log */
    asl_buf b = ASL_BUF_INIT;
    size_t ll = log ? strlen(log) : 0;
    size_t from = ll > 4096 ? ll - 4096 : 0;
    asl_base64_encode(log ? log + from : "", ll - from, &b);
    log_b64 = asl_buf_steal(&b, NULL);
  }

  /* key orders as recorded (conformance lambda/test_lambda_service_invoke.json and
   * test_invoke_unsupported_param.json): AllHttpHeaders in the SDK's hash order, HttpHeaders
   * sorted case-insensitively */
  asl_json *all = asl_json_object(10);
  if (log_b64)
    asl_json_obj_put_cstr(all, "X-Amz-Log-Result", str1(log_b64));
  asl_json_obj_put_cstr(all, "X-Amz-Executed-Version", str1(version));
  asl_json_obj_put_cstr(all, "x-amzn-Remapped-Content-Length", str1("0"));
  asl_json_obj_put_cstr(all, "Connection", str1("keep-alive"));
  asl_json_obj_put_cstr(all, "x-amzn-RequestId", str1(c->request_id));
  asl_json_obj_put_cstr(all, "Content-Length", str1(clen));
  asl_json_obj_put_cstr(all, "Date", str1(date));
  asl_json_obj_put_cstr(all, "X-Amzn-Trace-Id", str1(trace));
  asl_json_obj_put_cstr(all, "Content-Type", str1("application/json"));

  asl_json *hdr = asl_json_object(10);
  asl_json_obj_put_cstr(hdr, "Connection", asl_json_cstr("keep-alive"));
  asl_json_obj_put_cstr(hdr, "Content-Length", asl_json_cstr(clen));
  asl_json_obj_put_cstr(hdr, "Content-Type", asl_json_cstr("application/json"));
  asl_json_obj_put_cstr(hdr, "Date", asl_json_cstr(date));
  asl_json_obj_put_cstr(hdr, "X-Amz-Executed-Version", asl_json_cstr(version));
  if (log_b64)
    asl_json_obj_put_cstr(hdr, "X-Amz-Log-Result", asl_json_cstr(log_b64));
  asl_json_obj_put_cstr(hdr, "x-amzn-Remapped-Content-Length", asl_json_cstr("0"));
  asl_json_obj_put_cstr(hdr, "x-amzn-RequestId", asl_json_cstr(c->request_id));
  asl_json_obj_put_cstr(hdr, "X-Amzn-Trace-Id", asl_json_cstr(trace));

  asl_json *meta = asl_json_object(3);
  asl_json_obj_put_cstr(meta, "AllHttpHeaders", all);
  asl_json_obj_put_cstr(meta, "HttpHeaders", hdr);
  asl_json_obj_put_cstr(meta, "HttpStatusCode", asl_json_int(200));
  asl_json *rmeta = asl_json_object(1);
  asl_json_obj_put_cstr(rmeta, "RequestId", asl_json_cstr(c->request_id));

  asl_json *env = asl_json_object(6);
  asl_json_obj_put_cstr(env, "ExecutedVersion", asl_json_cstr(version));
  if (log_b64)
    asl_json_obj_put_cstr(env, "LogResult", asl_json_cstr(log_b64));
  asl_json_obj_put_cstr(env, "Payload", parse_payload(payload, len));
  asl_json_obj_put_cstr(env, "SdkHttpMetadata", meta);
  asl_json_obj_put_cstr(env, "SdkResponseMetadata", rmeta);
  asl_json_obj_put_cstr(env, "StatusCode", asl_json_int(200));
  asl_free(log_b64);
  return env;
}

static void set_error_owned(asl_task_call *c, char *name, char *cause)
{
  c->result.status = ASL_E_HANDLER;
  c->result.error.code = ASL_E_HANDLER;
  c->result.error.name = name;
  c->result.error.cause = cause;
  c->own_error = true;
}

void asl__call_function_done(asl_task_call *c, const char *payload, size_t len,
                             bool function_error, const char *log)
{
  if (asl__call_ignored(c))
    return;
  if (log) {
    asl_free(c->log);
    c->log = asl_strdup(log);
    c->result.log = c->log;
  }
  if (c->raw) {
    /* served over the Invoke API: the bytes go back as they are (lambda_serve.c) */
    asl_free(c->raw_payload);
    c->raw_payload = asl_strndup(payload ? payload : "", len);
    c->raw_len = len;
    c->raw_function_error = function_error;
    c->result.status = ASL_OK;
    asl__call_complete(c);
    return;
  }
  if (!function_error) {
    if (len > asl__handlers_payload_limit(c->reg)) {
      /* recorded: 'lambda' for lambda:invoke (errors/test_service_task_lambada_data_limit_...);
       * the direct-ARN cause was masked in the recording, the function ARN stands in */
      set_error_owned(c, asl_strdup("States.DataLimitExceeded"),
                      asl_strfmt("The state/task '%s' returned a result with a size exceeding the "
                                 "maximum number of bytes service limit.",
                                 c->style == ASL_TASK_LAMBDA_INVOKE ? "lambda" : c->target.arn));
    } else if (c->style == ASL_TASK_LAMBDA_INVOKE) {
      c->result.status = ASL_OK;
      c->result.value = asl__lambda_envelope(c, payload, len, log);
    } else {
      c->result.status = ASL_OK;
      c->result.value = parse_payload(payload, len);
    }
    asl__call_complete(c);
    return;
  }
  /* a function error: Error = errorType, Cause = the payload, verbatim for the direct ARN and
   * compact for lambda:invoke (stepfunctions-errors.md 4.2) */
  asl_error perr = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(payload, len, NULL, &perr);
  asl_error_clear(&perr);
  const asl_json *type = v && asl_json_is_object(v) ? asl_json_get_cstr(v, "errorType") : NULL;
  if (type && asl_json_is_string(type)) {
    char *cause = c->style == ASL_TASK_LAMBDA_INVOKE ? asl_json_dump(v, ASL_JSON_COMPACT, NULL)
                                                     : asl_strndup(payload, len);
    set_error_owned(c, asl_strndup(asl_json_str(type), asl_json_str_len(type)), cause);
  } else {
    set_error_owned(c, asl_strdup("Lambda.Unknown"),
                    asl_strfmt("The cause could not be determined because Lambda did not return "
                               "an error type. Returned payload: %.*s",
                               (int)len, payload));
  }
  asl_json_decref(v);
  asl__call_complete(c);
}

void asl__call_service_error_id(asl_task_call *c, const char *exception, const char *code,
                                int http_status, const char *message, const char *request_id)
{
  if (asl__call_ignored(c))
    return;
  /* the Java SDK's AmazonServiceException text, which Step Functions reports as the cause */
  set_error_owned(c, asl_strfmt("Lambda.%s", exception),
                  asl_strfmt("%s (Service: AWSLambda; Status Code: %d; Error Code: %s; Request ID: "
                             "%s; Proxy: null)",
                             message, http_status, code ? code : "null",
                             request_id ? request_id : "null"));
  asl__call_complete(c);
}

void asl__call_service_error(asl_task_call *c, const char *exception, const char *code,
                             int http_status, const char *message)
{
  char rid[37];
  asl__handlers_uuid(c->reg, rid);
  asl__call_service_error_id(c, exception, code, http_status, message, rid);
}
