/* The HTTP lambda handler against a misbehaving endpoint (tests/handlers/http/fault_server.py,
 * in Python so that the client is checked against code it does not share): each service error,
 * transport failure and malformed answer becomes the error AWS names, with AWS's cause format;
 * hangs end at the timeout; nothing crashes, hangs or leaks. Also what the requests carry:
 * path, qualifier, Lambda's headers and the SigV4 signature with each kind of credentials.
 * Argument: tests/handlers. */
#include <fcntl.h>
#include <sys/stat.h>

#include "child_server.h"
#include "harness.h"

static uv_loop_t loop;
static char base[64];

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn
#define RID "Request ID: 11111111-2222-3333-4444-555555555555; Proxy: null)"

static asl_handlers *registry(const char *config_text)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *cfg = config_text ? J(config_text) : NULL;
  asl_handlers_opts o = {.loop = &loop, .config = cfg, .config_dir = ".", .lambda_endpoint = base};
  asl_handlers *h = asl_handlers_new(&o, &err);
  if (!h) {
    fprintf(stderr, "registry: %s\n", err.cause);
    exit(1);
  }
  asl_json_decref(cfg);
  return h;
}

static void call(asl_handlers *h, const char *fn, asl_task_style style, const char *input,
                 outcome *o)
{
  char arn[200];
  snprintf(arn, sizeof arn, ARN("%s"), fn);
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = "Call",
                        .resource = style == ASL_TASK_LAMBDA_ARN ? arn
                                                                 : "arn:aws:states:::lambda:invoke",
                        .style = style, .input = in};
  if (run_one(&loop, h, &r, o, &err) != ASL_OK) {
    fprintf(stderr, "%s: invoke failed: %s\n", fn, err.cause);
    check_failures++;
  }
  CHECK(!o->reentered);
  asl_error_clear(&err);
  asl_json_decref(in);
}

static void expect(asl_handlers *h, const char *fn, const char *name, const char *cause_prefix,
                   const char *cause_part)
{
  outcome o = {0};
  int failures = check_failures;
  call(h, fn, ASL_TASK_LAMBDA_ARN, "{}", &o);
  CHECK(o.status == ASL_E_HANDLER);
  CHECK_STR(o.name, name);
  CHECK_PREFIX(o.cause, cause_prefix);
  if (cause_part)
    CHECK_CONTAINS(o.cause, cause_part);
  if (check_failures != failures)
    fprintf(stderr, "  (function %s)\n", fn);
  outcome_clear(&o);
}

static void test_service_errors(void)
{
  asl_handlers *h = registry(NULL);
  expect(h, "Throttle", "Lambda.TooManyRequestsException",
         "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: "
         "TooManyRequestsException; " RID,
         NULL);
  expect(h, "Internal", "Lambda.ServiceException",
         "Internal Server Error (Service: AWSLambda; Status Code: 500; Error Code: null; " RID,
         NULL);
  expect(h, "Service", "Lambda.ServiceException",
         "Lambda had an internal error (Service: AWSLambda; Status Code: 500; Error Code: "
         "ServiceException; " RID,
         NULL);
  expect(h, "Gateway", "Lambda.AWSLambdaException",
         "<html><body><h1>502 Bad Gateway</h1></body></html> (Service: AWSLambda; Status Code: "
         "502; Error Code: null; " RID,
         NULL);
  expect(h, "NotReady", "Lambda.ResourceNotReadyException",
         "The function is inactive (Service: AWSLambda; Status Code: 502; Error Code: "
         "ResourceNotReadyException; " RID,
         NULL);
  /* not one of Lambda's modelled errors: the SDK's generic exception, with the real code */
  expect(h, "Denied", "Lambda.AWSLambdaException",
         "User: arn:aws:iam::1:user/u is not authorized (Service: AWSLambda; Status Code: 403; "
         "Error Code: AccessDeniedException; " RID,
         NULL);
  expect(h, "BodyCode", "Lambda.InvalidParameterValueException",
         "bad value (Service: AWSLambda; Status Code: 400; Error Code: "
         "InvalidParameterValueException; " RID,
         NULL);
  expect(h, "NoSuchFunction", "Lambda.ResourceNotFoundException",
         "Function not found: x (Service: AWSLambda; Status Code: 404; Error Code: "
         "ResourceNotFoundException; " RID,
         NULL);
  /* transport: no valid answer at all */
  expect(h, "Truncated", "Lambda.SdkClientException", "Unable to execute HTTP request: ",
         "(POST http://127.0.0.1:");
  expect(h, "Garbage", "Lambda.SdkClientException", "Unable to execute HTTP request: ", NULL);
  expect(h, "Close", "Lambda.SdkClientException", "Unable to execute HTTP request: ", NULL);
  expect(h, "HugeError", "Lambda.SdkClientException",
         "Unable to execute HTTP request: the response is larger than 6291556 bytes (POST ", NULL);
  /* a result over Lambda's limit: what Lambda itself reports */
  expect(h, "Huge", "Function.ResponseSizeTooLarge",
         "{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":\"Response payload "
         "size exceeded maximum allowed payload size (6291556 bytes).\"}",
         NULL);

  /* function errors: errorType and the payload; the log tail decoded; the version that ran */
  outcome o = {0};
  call(h, "FnError", ASL_TASK_LAMBDA_ARN, "{}", &o);
  CHECK_STR(o.name, "ValueError");
  CHECK_STR(o.cause, "{\"errorMessage\": \"bad input\", \"errorType\": \"ValueError\"}");
  CHECK_CONTAINS(o.log, "START RequestId: r\nsomething went wrong\nEND RequestId: r\n");
  call(h, "NoType", ASL_TASK_LAMBDA_ARN, "{}", &o);
  CHECK_STR(o.name, "Lambda.Unknown");
  CHECK_STR(o.cause, "The cause could not be determined because Lambda did not return an error "
                     "type. Returned payload: {\"errorMessage\":\"2025-03-25T14:59:02.758Z r Task "
                     "timed out after 3.00 seconds\"}");
  call(h, "LogBad", ASL_TASK_LAMBDA_ARN, "{}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_CONTAINS(o.log, "aslrun: the endpoint's X-Amz-Log-Result is not base64");
  call(h, "FnError", ASL_TASK_LAMBDA_INVOKE, "{\"FunctionName\": \"FnError\"}", &o);
  CHECK_STR(o.cause, "{\"errorMessage\":\"bad input\",\"errorType\":\"ValueError\"}");
  /* a successful lambda:invoke: the envelope carries the endpoint's request id and version */
  call(h, "Headers", ASL_TASK_LAMBDA_INVOKE, "{\"FunctionName\": \"Headers\"}", &o);
  CHECK_JSON(asl_json_get_cstr(asl_json_get_cstr(o.value, "SdkResponseMetadata"), "RequestId"),
             "\"11111111-2222-3333-4444-555555555555\"");
  outcome_clear(&o);

  /* a 7 MB event: the endpoint's 413 */
  asl_buf in = ASL_BUF_INIT;
  asl_buf_adds(&in, "[\"");
  for (int i = 0; i < 7 * 1024 * 1024; i++)
    asl_buf_addc(&in, 'x');
  asl_buf_adds(&in, "\"]");
  call(h, "TooLarge", ASL_TASK_LAMBDA_ARN, in.data, &o);
  CHECK_STR(o.name, "Lambda.RequestTooLargeException");
  CHECK_STR(o.cause, "Request must be smaller than 6291456 bytes for the InvokeFunction operation "
                     "(Service: AWSLambda; Status Code: 413; Error Code: RequestTooLargeException; "
                     RID);
  asl_buf_free(&in);
  outcome_clear(&o);
  asl_handlers_free(h);
}

static void test_timeouts_and_refusal(int closed_port)
{
  char cfg[1024];
  snprintf(cfg, sizeof cfg,
           "{\"functions\": {"
           "\"Hang\": {\"lambda\": {\"endpoint\": \"%s\"}, \"timeout\": 1},"
           "\"HangBody\": {\"lambda\": {\"endpoint\": \"%s\"}, \"timeout\": 1},"
           "\"Refused\": {\"lambda\": {\"endpoint\": \"http://127.0.0.1:%d\"}}}}",
           base, base, closed_port);
  asl_handlers *h = registry(cfg);
  uint64_t t0 = uv_hrtime();
  expect(h, "Hang", "Lambda.SdkClientException",
         "Unable to execute HTTP request: Operation timed out after ", "(POST http://127.0.0.1:");
  expect(h, "HangBody", "Lambda.SdkClientException",
         "Unable to execute HTTP request: Operation timed out after ", NULL);
  double s = (double)(uv_hrtime() - t0) / 1e9;
  CHECK(s >= 1.9 && s < 4.0);
  char refused[200];
  snprintf(refused, sizeof refused, "(POST http://127.0.0.1:%d/2015-03-31/functions/", closed_port);
  expect(h, "Refused", "Lambda.SdkClientException", "Unable to execute HTTP request: Failed to "
                                                    "connect to 127.0.0.1 port ",
         refused);

  /* a call cancelled while the endpoint hangs: once, with ASL_E_CANCELED, at once */
  asl_json *in = J("{}");
  asl_task_request r = {.state_name = "Call", .resource = ARN("Hang"),
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  outcome o = {0};
  asl_task_call *c;
  asl_error err = ASL_ERROR_INIT;
  CHECK(invoke(h, &r, &o, &c, &err) == ASL_OK);
  for (int i = 0; i < 5; i++)
    uv_run(&loop, UV_RUN_NOWAIT);
  cancel(c);
  while (o.calls == 0)
    uv_run(&loop, UV_RUN_ONCE);
  CHECK(o.status == ASL_E_CANCELED && o.calls == 1 && !o.reentered);
  /* and one still running when the registry is freed */
  outcome o2 = {0};
  CHECK(invoke(h, &r, &o2, &c, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_NOWAIT);
  asl_handlers_free(h);
  CHECK(o2.calls == 0);
  outcome_clear(&o);
  asl_json_decref(in);
}

static void test_concurrency(void)
{
  /* 40 calls of a function that takes 0.3 s, all in flight at once on one thread */
  asl_handlers *h = registry(NULL);
  enum { N = 40 };
  static outcome os[N];
  asl_task_call *calls[N];
  asl_json *in = J("{}");
  asl_task_request r = {.state_name = "Call", .resource = ARN("Slow"),
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  asl_error err = ASL_ERROR_INIT;
  uint64_t t0 = uv_hrtime();
  for (int i = 0; i < N; i++)
    CHECK(invoke(h, &r, &os[i], &calls[i], &err) == ASL_OK);
  for (int i = 0; i < N; i++)
    while (os[i].calls == 0)
      uv_run(&loop, UV_RUN_ONCE);
  double s = (double)(uv_hrtime() - t0) / 1e9;
  if (s >= 3.0)
    fprintf(stderr, "40 concurrent 0.3 s calls took %.2f s\n", s);
  CHECK(s < 3.0); /* one after the other would take 12 s */
  for (int i = 0; i < N; i++) {
    CHECK(os[i].status == ASL_OK);
    CHECK_JSON(os[i].value, "{\"ok\":true}");
    outcome_clear(&os[i]);
  }
  asl_json_decref(in);
  asl_handlers_free(h);
}

/* ---- what the requests carry ---- */

static asl_json *headers_of(asl_handlers *h, asl_task_style style, const char *fn,
                            const char *input, const char **path)
{
  outcome o = {0};
  call(h, fn, style, input, &o);
  CHECK(o.status == ASL_OK);
  asl_json *v = o.value ? asl_json_incref(o.value) : NULL;
  if (v && style == ASL_TASK_LAMBDA_INVOKE) {
    asl_json *p = asl_json_incref((asl_json *)asl_json_get_cstr(v, "Payload"));
    asl_json_decref(v);
    v = p;
  }
  *path = v ? asl_json_str(asl_json_get_cstr(v, "path")) : "";
  outcome_clear(&o);
  return v;
}

static const char *hdr(const asl_json *v, const char *name)
{
  const asl_json *h = asl_json_get_cstr(asl_json_get_cstr(v, "headers"), name);
  return h ? asl_json_str(h) : NULL;
}

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void test_requests(void)
{
  /* unsigned: Lambda's headers, the qualifier in the query, the event as body */
  asl_handlers *h = registry(NULL);
  const char *path;
  asl_json *v = headers_of(h, ASL_TASK_LAMBDA_INVOKE, "Headers",
                           "{\"FunctionName\": \"Headers:live\", \"Payload\": {\"k\": [1]}}", &path);
  CHECK_STR(path, "/2015-03-31/functions/Headers/invocations?Qualifier=live");
  CHECK_STR(hdr(v, "x-amz-invocation-type"), "RequestResponse");
  CHECK_STR(hdr(v, "x-amz-log-type"), "Tail");
  CHECK_STR(hdr(v, "content-type"), "application/json");
  CHECK(hdr(v, "authorization") == NULL);
  CHECK(hdr(v, "expect") == NULL);
  CHECK_STR(asl_json_str(asl_json_get_cstr(v, "body")), "{\"k\":[1]}");
  asl_json_decref(v);
  /* a full ARN keeps its account and region; a partial one its account */
  v = headers_of(h, ASL_TASK_LAMBDA_INVOKE, "Headers",
                 "{\"FunctionName\": \"arn:aws:lambda:eu-west-1:111111111111:function:Headers:3\"}",
                 &path);
  CHECK_STR(path, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A111111111111%3A"
                  "function%3AHeaders/invocations?Qualifier=3");
  asl_json_decref(v);
  v = headers_of(h, ASL_TASK_LAMBDA_INVOKE, "Headers",
                 "{\"FunctionName\": \"111111111111:function:Headers\", \"Qualifier\": \"$LATEST\"}",
                 &path);
  CHECK_STR(path, "/2015-03-31/functions/111111111111%3Afunction%3AHeaders/invocations?"
                  "Qualifier=%24LATEST");
  asl_json_decref(v);
  asl_handlers_free(h);

  /* signed with the environment's keys and session token; the region comes from the ARN */
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
  setenv("AWS_SESSION_TOKEN", "SESSIONTOKEN", 1);
  h = registry(NULL);
  outcome o = {0};
  call(h, "Headers", ASL_TASK_LAMBDA_ARN, "{}", &o);
  CHECK(o.log == NULL || !strstr(o.log, "unsigned"));
  outcome_clear(&o);
  v = headers_of(h, ASL_TASK_LAMBDA_INVOKE, "Headers",
                 "{\"FunctionName\": \"arn:aws:lambda:eu-west-1:111111111111:function:Headers\"}",
                 &path);
  const char *auth = hdr(v, "authorization");
  CHECK_PREFIX(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
  CHECK_CONTAINS(auth, "/eu-west-1/lambda/aws4_request, SignedHeaders=content-type;host;"
                       "x-amz-date;x-amz-invocation-type;x-amz-log-type;x-amz-security-token, "
                       "Signature=");
  CHECK(auth && strlen(strstr(auth, "Signature=")) == 10 + 64);
  CHECK_STR(hdr(v, "x-amz-security-token"), "SESSIONTOKEN");
  CHECK(hdr(v, "x-amz-date") && strlen(hdr(v, "x-amz-date")) == 16);
  asl_json_decref(v);
  asl_handlers_free(h);

  /* a function's "profile" and "region": the shared credentials file, not the environment */
  char dir[] = "/tmp/aslrun-creds-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char creds[128], conf[128];
  snprintf(creds, sizeof creds, "%s/credentials", dir);
  snprintf(conf, sizeof conf, "%s/config", dir);
  write_file(creds, "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n");
  write_file(conf, "[profile dev]\nregion = ap-south-1\n");
  setenv("AWS_SHARED_CREDENTIALS_FILE", creds, 1);
  setenv("AWS_CONFIG_FILE", conf, 1);
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"functions\": {\"Headers\": {\"lambda\": {\"endpoint\": \"%s\", \"profile\": "
           "\"dev\"}}, \"Other\": {\"lambda\": {\"endpoint\": \"%s\", \"profile\": \"nope\"}}}}",
           base, base);
  h = registry(cfg);
  v = headers_of(h, ASL_TASK_LAMBDA_INVOKE, "Headers", "{\"FunctionName\": \"Headers\"}", &path);
  auth = hdr(v, "authorization");
  CHECK_PREFIX(auth, "AWS4-HMAC-SHA256 Credential=AKIDDEV/");
  CHECK_CONTAINS(auth, "/ap-south-1/lambda/aws4_request, SignedHeaders=content-type;host;"
                       "x-amz-date;x-amz-invocation-type;x-amz-log-type, Signature=");
  CHECK(hdr(v, "x-amz-security-token") == NULL);
  asl_json_decref(v);
  /* a profile that does not exist: the invocation cannot start, and says why */
  asl_json *in = J("{}");
  asl_task_request r = {.state_name = "Call", .resource = ARN("Other"),
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  asl_task_call *c;
  asl_error err = ASL_ERROR_INIT;
  CHECK(invoke(h, &r, &o, &c, &err) == ASL_E_USAGE);
  CHECK_STR(err.name, "States.Runtime");
  char want[512];
  snprintf(want, sizeof want,
           "cannot call Lambda function \"Other\": the AWS profile \"nope\" (aslrun.json "
           "\"profile\") is in neither %s nor %s",
           creds, conf);
  CHECK_STR(err.cause, want);
  asl_error_clear(&err);
  asl_json_decref(in);
  asl_handlers_free(h);
  unlink(creds);
  unlink(conf);
  rmdir(dir);
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
}

/* HTTPS, as AWS's endpoints are: the certificate checked against AWS_CA_BUNDLE. */
static void test_tls(const char *dir)
{
  char script[4200], ca[4200];
  snprintf(script, sizeof script, "%s/http/fault_server.py", dir);
  snprintf(ca, sizeof ca, "%s/http/tls/cert.pem", dir);
  char *server_argv[] = {"python3", script, "--tls", NULL};
  child_server tls;
  if (child_server_start(&tls, server_argv) != 0) {
    check_failures++;
    return;
  }
  char url[64];
  snprintf(url, sizeof url, "https://localhost:%d", tls.port);
  char saved[64];
  snprintf(saved, sizeof saved, "%s", base);
  snprintf(base, sizeof base, "%s", url);
  setenv("AWS_CA_BUNDLE", ca, 1);
  asl_handlers *h = registry(NULL);
  outcome o = {0};
  call(h, "Headers", ASL_TASK_LAMBDA_ARN, "{\"secure\": true}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_STR(asl_json_str(asl_json_get_cstr(o.value, "body")), "{\"secure\":true}");
  outcome_clear(&o);
  asl_handlers_free(h);
  /* a certificate nobody vouches for: no answer is trusted */
  setenv("AWS_CA_BUNDLE", "/dev/null", 1);
  h = registry(NULL);
  expect(h, "Headers", "Lambda.SdkClientException", "Unable to execute HTTP request: ", url);
  asl_handlers_free(h);
  unsetenv("AWS_CA_BUNDLE");
  snprintf(base, sizeof base, "%s", saved);
  child_server_stop(&tls);
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  if (argc < 2) {
    fprintf(stderr, "usage: test_http_faults TESTS_HANDLERS_DIR\n");
    return 2;
  }
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_PROFILE");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_LAMBDA");
  unsetenv("AWS_CA_BUNDLE");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  char script[4200];
  snprintf(script, sizeof script, "%s/http/fault_server.py", argv[1]);
  char *server_argv[] = {"python3", script, NULL};
  child_server server;
  if (child_server_start(&server, server_argv) != 0)
    return 1;
  snprintf(base, sizeof base, "http://127.0.0.1:%d", server.port);

  uv_loop_init(&loop);
  test_service_errors();
  test_timeouts_and_refusal(child_server_closed_port());
  test_concurrency();
  test_requests();
  test_tls(argv[1]);

  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  child_server_stop(&server);
  return CHECK_DONE();
}
