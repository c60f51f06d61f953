/* The python handler with real Python functions (tests/handlers/python): results, warm workers,
 * the context and environment, logs, every failure type with Lambda's error payloads, timeouts,
 * memory, cancellation, concurrency, and no process left behind. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "harness.h"

static uv_loop_t loop;
static asl_handlers *h;
static asl_json *config;
static char root[4096];

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn
#define INVOKE "arn:aws:states:::lambda:invoke"

static void run_arn(const char *state, const char *resource, const char *input, outcome *o)
{
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = state, .resource = resource, .style = ASL_TASK_LAMBDA_ARN,
                        .input = in};
  CHECK(run_one(&loop, h, &r, o, &err) == ASL_OK);
  if (err.cause)
    fprintf(stderr, "invoke failed: %s\n", err.cause);
  asl_error_clear(&err);
  CHECK(!o->reentered);
  asl_json_decref(in);
}

static void run_invoke(const char *input, outcome *o)
{
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = "Invoke", .resource = INVOKE,
                        .style = ASL_TASK_LAMBDA_INVOKE, .input = in};
  CHECK(run_one(&loop, h, &r, o, &err) == ASL_OK);
  asl_error_clear(&err);
  asl_json_decref(in);
}

static asl_json *cause_json(const outcome *o)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = o->cause ? asl_json_parse(o->cause, strlen(o->cause), NULL, &err) : NULL;
  asl_error_clear(&err);
  return v;
}

static const char *field(const asl_json *v, const char *k)
{
  const asl_json *f = v ? asl_json_get_cstr(v, k) : NULL;
  return f && asl_json_is_string(f) ? asl_json_str(f) : NULL;
}

static void test_results_and_warmth(void)
{
  outcome o = {0};
  run_arn("Echo", ARN("Echo"), "{\"a\": [1, 2.5, \"x\"]}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_JSON(o.value, "{\"a\":[1,2.5,\"x\"]}");
  CHECK_CONTAINS(o.log, "START RequestId: ");
  CHECK_CONTAINS(o.log, "Init Duration: ");
  /* lambda:invoke: the envelope; Content-Length counts Python's spaced JSON */
  run_invoke("{\"FunctionName\": \"Echo\", \"Payload\": {\"body\": \"string body\"}}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_JSON(asl_json_get_cstr(o.value, "Payload"), "{\"body\":\"string body\"}");
  const asl_json *hdr = asl_json_get_cstr(asl_json_get_cstr(o.value, "SdkHttpMetadata"), "HttpHeaders");
  CHECK_JSON(asl_json_get_cstr(hdr, "Content-Length"), "\"23\"");
  /* a string Payload is the request body: the function gets the string */
  run_invoke("{\"FunctionName\": \"Echo\", \"Payload\": \"\\\"HelloWorld\\\"\"}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "Payload"), "\"HelloWorld\"");
  CHECK_JSON(asl_json_get_cstr(hdr = asl_json_get_cstr(asl_json_get_cstr(o.value, "SdkHttpMetadata"),
                                                       "HttpHeaders"), "Content-Length"),
             "\"12\"");
  run_invoke("{\"FunctionName\": \"Echo\", \"Payload\": null}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "Payload"), "{}");
  /* a warm worker keeps module state */
  run_arn("Count", ARN("Counter"), "{}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "count"), "1");
  CHECK_CONTAINS(o.log, "Init Duration: "); /* Counter's first call starts its worker */
  int64_t pid = asl_json_int_val(asl_json_get_cstr(o.value, "pid"));
  run_arn("Count", ARN("Counter"), "{}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "count"), "2");
  CHECK(o.log && strstr(o.log, "START RequestId: ") && !strstr(o.log, "Init Duration"));
  CHECK(asl_json_int_val(asl_json_get_cstr(o.value, "pid")) == pid);
  CHECK(o.log && !strstr(o.log, "Init Duration")); /* warm: no init in the REPORT line */
  /* "cold": a fresh worker each time */
  run_arn("Cold", ARN("ColdCounter"), "{}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "count"), "1");
  run_arn("Cold", ARN("ColdCounter"), "{}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "count"), "1");
  /* non-ASCII stays UTF-8 through Step Functions */
  run_arn("U", ARN("Unicode"), "{}", &o);
  CHECK_JSON(o.value, "{\"text\":\"caf\xc3\xa9\"}");
  outcome_clear(&o);
}

static void test_context_and_log(void)
{
  outcome o = {0};
  run_arn("Ctx", ARN("Ctx") ":live", "{}", &o);
  CHECK(o.status == ASL_OK);
  const asl_json *v = o.value;
  CHECK_STR(field(v, "function_name"), "Ctx");
  CHECK_STR(field(v, "function_version"), "$LATEST");
  CHECK_STR(field(v, "memory_limit_in_mb"), "256");
  CHECK_STR(field(v, "invoked_function_arn"), ARN("Ctx") ":live");
  CHECK(field(v, "aws_request_id") && strlen(field(v, "aws_request_id")) == 36);
  CHECK_STR(field(v, "log_group_name"), "/aws/lambda/Ctx");
  CHECK_CONTAINS(field(v, "log_stream_name"), "/[$LATEST]");
  const asl_json *rem = asl_json_get_cstr(v, "remaining");
  CHECK(rem && asl_json_kind_of(rem) == ASL_JSON_INT && asl_json_int_val(rem) > 1000 &&
        asl_json_int_val(rem) <= 2000);
  CHECK(asl_json_is_null(asl_json_get_cstr(v, "identity")));
  char task_root[4200];
  snprintf(task_root, sizeof task_root, "%s/python", root);
  char *real = realpath(task_root, NULL);
  CHECK_STR(field(v, "cwd"), real);
  CHECK_STR(field(v, "path0"), real);
  const asl_json *env = asl_json_get_cstr(v, "env");
  CHECK_STR(field(env, "LAMBDA_TASK_ROOT"), real);
  CHECK_STR(field(env, "_HANDLER"), "app.ctx");
  CHECK_STR(field(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
  CHECK_STR(field(env, "AWS_REGION"), "us-east-1");
  CHECK_PREFIX(field(env, "AWS_EXECUTION_ENV"), "AWS_Lambda_python3.");
  CHECK_STR(field(env, "TZ"), ":UTC");
  CHECK_STR(field(env, "STAGE"), "test");
  CHECK_STR(field(v, "trace"), "Root=1-");
  free(real);
  /* prints and logging go to the invocation's log, never into the result */
  run_arn("Print", ARN("Printer"), "{}", &o);
  CHECK_JSON(o.value, "1");
  CHECK_CONTAINS(o.log, " Version: $LATEST\nhello from the handler\na warning\nEND RequestId: ");
  CHECK_CONTAINS(o.log, "\tBilled Duration: ");
  CHECK_CONTAINS(o.log, "\tMemory Size: 128 MB\tMax Memory Used: ");
  outcome_clear(&o);
}

/* An unhandled exception, both styles: errorType, and the cause verbatim or compact. */
static void test_exception(void)
{
  outcome o = {0};
  run_arn("Boom", ARN("Boom"), "{}", &o);
  CHECK(o.status == ASL_E_HANDLER);
  CHECK_STR(o.name, "CustomError");
  CHECK_PREFIX(o.cause, "{\"errorMessage\": \"bad thing\", \"errorType\": \"CustomError\", "
                        "\"requestId\": \"");
  asl_json *c = cause_json(&o);
  const asl_json *st = asl_json_get_cstr(c, "stackTrace");
  CHECK(st && asl_json_len(st) == 2);
  char want[4400];
  char *real_root = realpath(root, NULL);
  snprintf(want, sizeof want, "  File \"%s/python/app.py\", line 57, in boom\n    helper()\n",
           real_root);
  CHECK_STR(asl_json_str(asl_json_at(st, 0)), want);
  snprintf(want, sizeof want,
           "  File \"%s/python/app.py\", line 53, in helper\n    raise CustomError(\"bad thing\")\n",
           real_root);
  CHECK_STR(asl_json_str(asl_json_at(st, 1)), want);
  free(real_root);
  CHECK(strlen(field(c, "requestId")) == 36);
  CHECK_CONTAINS(o.log, "[ERROR] CustomError: bad thing\rTraceback (most recent call last):\r");
  asl_json_decref(c);
  run_invoke("{\"FunctionName\": \"Boom\", \"Payload\": {}}", &o);
  CHECK_STR(o.name, "CustomError");
  CHECK_PREFIX(o.cause, "{\"errorMessage\":\"bad thing\",\"errorType\":\"CustomError\",\"requestId\":\"");
  /* a handler with the wrong signature fails at invoke time, as on Lambda */
  run_arn("Two", ARN("TwoArgs"), "{}", &o);
  CHECK_STR(o.name, "TypeError");
  c = cause_json(&o);
  CHECK_STR(field(c, "errorMessage"), "two_args_only() takes 1 positional argument but 2 were given");
  asl_json_decref(c);
  outcome_clear(&o);
}

static void expect_init_error(const char *fn, const char *type, const char *message)
{
  outcome o = {0};
  char arn[200];
  snprintf(arn, sizeof arn, ARN("%s"), fn);
  run_arn(fn, arn, "{}", &o);
  CHECK(o.status == ASL_E_HANDLER);
  CHECK_STR(o.name, type);
  asl_json *c = cause_json(&o);
  CHECK_STR(field(c, "errorType"), type);
  CHECK_STR(field(c, "errorMessage"), message);
  CHECK_STR(field(c, "requestId"), ""); /* init errors carry no request id */
  asl_json_decref(c);
  outcome_clear(&o);
}

static void test_init_errors(void)
{
  expect_init_error("Broken", "Runtime.UserCodeSyntaxError",
                    "Syntax error in module 'broken': '[' was never closed (broken.py, line 2)");
  outcome o = {0};
  run_arn("Broken", ARN("Broken"), "{}", &o);
  CHECK_CONTAINS(o.cause, "\"stackTrace\": [\"  File \\\"");
  CHECK_CONTAINS(o.cause, "broken.py\\\" Line 2\\n    return [1,\\n\"]");
  outcome_clear(&o);
  expect_init_error("BadImport", "Runtime.ImportModuleError",
                    "Unable to import module 'badimport': No module named 'nosuchmodule_xyz'");
  expect_init_error("Missing", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'");
  expect_init_error("Malformed", "Runtime.MalformedHandlerName",
                    "Bad handler 'app': not enough values to unpack (expected 2, got 1)");
  expect_init_error("Builtin", "Runtime.BuiltInModuleConflict",
                    "Cannot use built-in module sys as a handler module");
  expect_init_error("TopLevel", "RuntimeError", "at import");
  /* an init error is reported again on the next invoke: the environment starts over */
  expect_init_error("BadImport", "Runtime.ImportModuleError",
                    "Unable to import module 'badimport': No module named 'nosuchmodule_xyz'");
}

static void test_platform_errors(void)
{
  outcome o = {0};
  run_arn("Marshal", ARN("Unserialisable"), "{}", &o);
  CHECK_STR(o.name, "Runtime.MarshalError");
  asl_json *c = cause_json(&o);
  CHECK_STR(field(c, "errorMessage"),
            "Unable to marshal response: Object of type set is not JSON serializable");
  CHECK_JSON(asl_json_get_cstr(c, "stackTrace"), "[]");
  asl_json_decref(c);

  run_arn("Exit", ARN("Exit3"), "{}", &o);
  CHECK_STR(o.name, "Runtime.ExitError");
  c = cause_json(&o);
  char want[200];
  snprintf(want, sizeof want, "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: %s "
           "Error: Runtime exited with error: exit status 3\"}", o.cause ? o.cause + 57 : "");
  CHECK_PREFIX(o.cause, "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: ");
  CHECK_CONTAINS(o.cause, " Error: Runtime exited with error: exit status 3\"}");
  asl_json_decref(c);
  run_arn("Exit0", ARN("Exit0"), "{}", &o);
  CHECK_CONTAINS(o.cause, " Error: Runtime exited without providing a reason\"}");
  run_arn("Segv", ARN("Segv"), "{}", &o);
  CHECK_CONTAINS(o.cause, " Error: Runtime exited with error: signal: segmentation fault\"}");
  /* out of memory: the worker dies as Lambda's sandbox does */
  run_arn("Hog", ARN("Hog"), "{}", &o);
  CHECK_STR(o.name, "Runtime.ExitError");
  CHECK_CONTAINS(o.cause, " Error: Runtime exited with error: signal: killed\"}");
  /* the function's own timeout: the worker is killed at the deadline */
  uint64_t t0 = uv_hrtime();
  run_arn("Sleep", ARN("Sleeper"), "{\"s\": 30}", &o);
  double secs = (double)(uv_hrtime() - t0) / 1e9;
  CHECK(secs > 0.45 && secs < 3.0);
  CHECK_STR(o.name, "Sandbox.Timedout");
  CHECK_PREFIX(o.cause, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: ");
  CHECK_CONTAINS(o.cause, " Error: Task timed out after 0.50 seconds\"}");
  CHECK_CONTAINS(o.log, "going to sleep\n");
  CHECK_CONTAINS(o.log, " Task timed out after 0.50 seconds\nEND RequestId: ");
  /* lambda:invoke: the same payload, compact either way */
  run_invoke("{\"FunctionName\": \"Sleeper\", \"Payload\": {\"s\": 0.01}}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_JSON(asl_json_get_cstr(o.value, "Payload"), "\"awake\"");
  outcome_clear(&o);
}

static void test_cancel_and_concurrency(void)
{
  outcome o = {0};
  asl_json *in = J("{\"s\": 30}");
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = "Sleep", .resource = ARN("LongSleeper"),
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  asl_task_call *c = NULL;
  CHECK(invoke(h, &r, &o, &c, &err) == ASL_OK);
  uint64_t t0 = uv_hrtime();
  while (uv_hrtime() - t0 < 300000000ull) /* let it start */
    uv_run(&loop, UV_RUN_NOWAIT);
  cancel(c);
  CHECK(o.calls == 0);
  while (o.calls == 0)
    uv_run(&loop, UV_RUN_ONCE);
  CHECK(o.status == ASL_E_CANCELED);
  CHECK(!o.reentered);
  asl_json_decref(in);

  /* three at once on a function with concurrency 2: two workers, the third call waits */
  in = J("{\"s\": 0.4}");
  r.resource = ARN("Pair");
  r.input = in;
  outcome many[3] = {{0}};
  asl_task_call *calls[3];
  t0 = uv_hrtime();
  for (int i = 0; i < 3; i++)
    CHECK(invoke(h, &r, &many[i], &calls[i], &err) == ASL_OK);
  while (many[0].calls + many[1].calls + many[2].calls < 3)
    uv_run(&loop, UV_RUN_ONCE);
  double secs = (double)(uv_hrtime() - t0) / 1e9;
  CHECK(secs > 0.75 && secs < 4.0);
  for (int i = 0; i < 3; i++) {
    CHECK(many[i].status == ASL_OK);
    outcome_clear(&many[i]);
  }
  asl_json_decref(in);
  outcome_clear(&o);
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  if (argc < 2) {
    fprintf(stderr, "usage: test_python TESTS_HANDLERS_DIR\n");
    return 2;
  }
  snprintf(root, sizeof root, "%s", argv[1]);
  size_t live = asl_json_live();
  uv_loop_init(&loop);
  config = J("{\"functions\": {"
             " \"Echo\": {\"python\": \"python/app.echo\"},"
             " \"Counter\": {\"python\": \"python/app.counter\"},"
             " \"ColdCounter\": {\"python\": \"python/app.counter\", \"cold\": true},"
             " \"Ctx\": {\"python\": \"python/app.ctx\", \"memory\": 256, \"timeout\": 2,"
             "           \"environment\": {\"STAGE\": \"test\"}},"
             " \"Printer\": {\"python\": \"python/app.printer\"},"
             " \"Boom\": {\"python\": \"python/app.boom\"},"
             " \"TwoArgs\": {\"python\": \"python/app.two_args_only\"},"
             " \"Broken\": {\"python\": \"python/broken.handler\"},"
             " \"BadImport\": {\"python\": \"python/badimport.handler\"},"
             " \"Missing\": {\"python\": \"python/app.nope\"},"
             " \"Malformed\": {\"python\": \"python/app\"},"
             " \"Builtin\": {\"python\": \"python/sys.handler\"},"
             " \"TopLevel\": {\"python\": \"python/toplevel.handler\"},"
             " \"Unserialisable\": {\"python\": \"python/app.unserialisable\"},"
             " \"Exit3\": {\"python\": \"python/app.exit3\"},"
             " \"Exit0\": {\"python\": \"python/app.exit0\"},"
             " \"Segv\": {\"python\": \"python/app.segv\"},"
             " \"Hog\": {\"python\": \"python/app.hog\", \"memory\": 128},"
             " \"Sleeper\": {\"python\": \"python/app.sleeper\", \"timeout\": 0.5},"
             " \"LongSleeper\": {\"python\": \"python/app.sleeper\", \"timeout\": 60},"
             " \"Pair\": {\"python\": \"python/app.sleeper\", \"concurrency\": 2},"
             " \"Unicode\": {\"python\": \"python/app.unicode\"}}}");
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts opts = {.loop = &loop, .config = config, .config_dir = root};
  h = asl_handlers_new(&opts, &err);
  if (!h) {
    fprintf(stderr, "config: %s\n", err.cause);
    return 1;
  }
  test_results_and_warmth();
  test_context_and_log();
  test_exception();
  test_init_errors();
  test_platform_errors();
  test_cancel_and_concurrency();
  asl_handlers_free(h);
  asl_json_decref(config);
  CHECK(uv_loop_close(&loop) == 0);
  /* every worker was reaped: no child of ours is left, zombie or alive */
  int status;
  CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
