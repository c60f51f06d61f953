/* aslrun.json: strict parsing with "did you mean", per-function settings, and what a Task that
 * names an unknown or not yet runnable function gets. */
#include "harness.h"

static asl_handlers *make(uv_loop_t *loop, asl_json *cfg, asl_error *err)
{
  asl_handlers_opts o = {.loop = loop, .config = cfg, .config_dir = "/srv/app"};
  return asl_handlers_new(&o, err);
}

static void expect_error(const char *config, const char *pointer, const char *cause)
{
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_json *cfg = J(config);
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *h = make(&loop, cfg, &err);
  CHECK(h == NULL);
  CHECK(err.code == ASL_E_DEFINITION);
  CHECK_STR(err.cause, cause);
  CHECK_STR(err.pointer, pointer);
  CHECK(err.offset != ASL_NOPOS);
  asl_error_clear(&err);
  asl_handlers_free(h);
  asl_json_decref(cfg);
  CHECK(uv_loop_close(&loop) == 0);
}

static void test_errors(void)
{
  expect_error("{\"function\": {}}", "/function",
               "unknown field \"function\" in aslrun.json (did you mean \"functions\"?)");
  expect_error("{\"functions\": {\"F\": {\"python\": \"a.b\", \"timout\": 3}}}",
               "/functions/F/timout",
               "unknown field \"timout\" in a function (did you mean \"timeout\"?)");
  expect_error("{\"functions\": {\"F\": {\"python\": \"a.b\", \"command\": [\"x\"]}}}",
               "/functions/F",
               "function \"F\" needs exactly one of \"python\" (\"dir/module.function\"), "
               "\"command\" ([\"./program\", \"arg\"]) or \"lambda\" ({\"region\": ...}); it has "
               "several");
  expect_error("{\"functions\": {\"F\": {\"timeout\": 3}}}", "/functions/F",
               "function \"F\" needs exactly one of \"python\" (\"dir/module.function\"), "
               "\"command\" ([\"./program\", \"arg\"]) or \"lambda\" ({\"region\": ...}); it has "
               "none");
  expect_error("{\"functions\": {\"F\": {\"python\": \"a.b\", \"memory\": 64}}}",
               "/functions/F/memory", "\"memory\" must be a whole number of MB from 128 to 10240");
  expect_error("{\"functions\": {\"F\": {\"python\": \"a.b\", \"timeout\": 901}}}",
               "/functions/F/timeout",
               "\"timeout\" must be a number of seconds above 0 and at most 900");
  expect_error("{\"functions\": {\"F\": {\"command\": []}}}", "/functions/F/command",
               "\"command\" must be a non-empty array of strings, e.g. [\"./handler.sh\", \"arg\"]");
  expect_error("{\"functions\": {\"F\": {\"lambda\": {}, \"memory\": 256}}}",
               "/functions/F/memory", "\"memory\" applies only to \"python\" and \"command\" "
               "functions (a Lambda over HTTP has the memory AWS gave it)");
  expect_error("{\"functions\": {\"F\": {\"command\": [\"x\"], \"runtime\": \"python3.12\"}}}",
               "/functions/F/runtime", "\"runtime\" applies only to \"python\" functions");
  expect_error("{\"functions\": {\"F\": {\"lambda\": {\"regoin\": \"eu-west-1\"}}}}",
               "/functions/F/lambda/regoin",
               "unknown field \"regoin\" in \"lambda\" (did you mean \"region\"?)");
  expect_error("{\"functions\": {\"F\": {\"python\": \"a.b\", \"environment\": {\"K\": 1}}}}",
               "/functions/F/environment/K",
               "an environment variable's value must be a string without NUL");
  expect_error("{\"functions\": {\"arn:aws:lambda:us-east-1:1:function:F\": {\"python\": \"a.b\"}}}",
               "/functions/arn:aws:lambda:us-east-1:1:function:F",
               "\"arn:aws:lambda:us-east-1:1:function:F\" is not a Lambda function name (1-64 "
               "letters, digits, '-' or '_'); key functions by name, not by ARN");
  expect_error("{\"mocks\": {\"S\": {\"Return\": 1, \"Throw\": {\"Error\": \"E\"}}}}", "/mocks/S",
               "a mocked response has both \"Return\" and \"Throw\"; give exactly one");
  expect_error("{\"mocks\": {\"S\": []}}", "/mocks/S",
               "an inline mock list needs at least one response");
  /* an empty table of invocations (found by fuzz_config: it sorted a NULL array) */
  expect_error("{\"mocks\": {\"S\": {}}}", "/mocks/S",
               "mocked responses need at least one invocation number (\"0\": {\"Return\": ...}), "
               "or Return or Throw for every invocation");
}

static void test_functions(void)
{
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_json *cfg = J("{\"$schema\": \"schemas/aslrun.schema.json\", \"functions\": {"
                    " \"Py\": {\"python\": \"mock_api/lambda_function.lambda_handler\", \"timeout\": 2.5,"
                    "          \"memory\": 256, \"environment\": {\"STAGE\": \"dev\"}},"
                    " \"Remote\": {\"lambda\": {\"region\": \"eu-west-1\", \"endpoint\": "
                    "\"http://127.0.0.1:1\"}, \"timeout\": 5}}}");
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *h = make(&loop, cfg, &err);
  CHECK(h != NULL);
  const char *arn = "arn:aws:lambda:us-east-1:123456789012:function:Py";
  CHECK(asl_handlers_check(h, "Call", arn, ASL_TASK_LAMBDA_ARN, &err) == ASL_OK);
  /* a typo in the function name: check names the closest configured one */
  CHECK(asl_handlers_check(h, "Call", "arn:aws:lambda:us-east-1:123456789012:function:Pyy",
                           ASL_TASK_LAMBDA_ARN, &err) == ASL_E_USAGE);
  CHECK_CONTAINS(err.cause, "which nothing serves (did you mean \"Py\"?); map the function");
  asl_error_clear(&err);
  CHECK(asl_handlers_check(h, "Call", "arn:aws:states:::lambda:invoke", ASL_TASK_LAMBDA_INVOKE,
                           &err) == ASL_OK);
  CHECK(asl_handlers_check(h, "Call", "arn:aws:lambda:us-east-1:123:function", ASL_TASK_LAMBDA_ARN,
                           &err) == ASL_E_USAGE);
  CHECK_STR(err.cause, "Task state \"Call\": \"arn:aws:lambda:us-east-1:123:function\" is not a "
                       "Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])");
  asl_error_clear(&err);

  /* lambda:invoke of an unknown function: AWS's service error, through the callback */
  asl_json *ctx = J("{\"Execution\": {\"Id\": \"arn:aws:states:eu-west-2:111111111111:execution:m:e\"}}");
  asl_json *in = J("{\"FunctionName\": \"no_such_fn\", \"Payload\": null}");
  asl_task_request r = {.state_name = "Call", .resource = "arn:aws:states:::lambda:invoke",
                        .style = ASL_TASK_LAMBDA_INVOKE, .input = in, .context = ctx};
  outcome o = {0};
  CHECK(run_one(&loop, h, &r, &o, &err) == ASL_OK);
  CHECK(!o.reentered);
  CHECK_STR(o.name, "Lambda.ResourceNotFoundException");
  CHECK_PREFIX(o.cause, "Function not found: arn:aws:lambda:eu-west-2:111111111111:function:"
                        "no_such_fn:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: "
                        "ResourceNotFoundException; Request ID: ");
  CHECK_CONTAINS(o.cause, "; Proxy: null)");
  CHECK(o.cause && strlen(o.cause) == strlen("Function not found: arn:aws:lambda:eu-west-2:"
                                             "111111111111:function:no_such_fn:$LATEST (Service: "
                                             "AWSLambda; Status Code: 404; Error Code: "
                                             "ResourceNotFoundException; Request ID: ; Proxy: "
                                             "null)") + 36);
  asl_json_decref(in);
  /* a malformed FunctionName is refused by Lambda's validation */
  in = J("{\"FunctionName\": \"bad name!\"}");
  r.input = in;
  CHECK(run_one(&loop, h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "Lambda.AWSLambdaException");
  CHECK_PREFIX(o.cause, "1 validation error detected: Value 'bad name!' at 'functionName' failed "
                        "to satisfy constraint: Member must satisfy regular expression pattern: ");
  CHECK_CONTAINS(o.cause, "(Service: AWSLambda; Status Code: 400; Error Code: ValidationException;");
  asl_json_decref(in);
  /* an unknown parameter */
  in = J("{\"FunctionName\": \"Py\", \"Paylaod\": {}}");
  r.input = in;
  CHECK(run_one(&loop, h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "States.Runtime");
  CHECK_STR(o.cause, "The field 'Paylaod' is not supported by Step Functions for lambda:invoke "
                     "(did you mean \"Payload\"?)");
  asl_json_decref(in);
  /* a string Payload must be JSON text: Lambda refuses the body otherwise */
  in = J("{\"FunctionName\": \"Py\", \"Payload\": \"not json\"}");
  r.input = in;
  CHECK(run_one(&loop, h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "Lambda.InvalidRequestContentException");
  CHECK_PREFIX(o.cause, "Could not parse request body into json: Could not parse payload into json: ");
  asl_json_decref(in);
  /* a lambda function goes over HTTP: nothing listens on port 1, the SDK's client error */
  in = J("{\"FunctionName\": \"arn:aws:lambda:eu-west-1:123456789012:function:Remote\"}");
  r.input = in;
  CHECK(run_one(&loop, h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "Lambda.SdkClientException");
  CHECK_PREFIX(o.cause, "Unable to execute HTTP request: ");
  CHECK_CONTAINS(o.cause, "(POST http://127.0.0.1:1/2015-03-31/functions/"
                          "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3ARemote/"
                          "invocations)");
  asl_json_decref(in);
  outcome_clear(&o);
  asl_json_decref(ctx);
  asl_handlers_free(h);
  asl_json_decref(cfg);
  CHECK(uv_loop_close(&loop) == 0);

  /* no aslrun.json at all: a lambda:invoke Task cannot be served */
  uv_loop_init(&loop);
  asl_handlers_opts o2 = {.loop = &loop};
  h = asl_handlers_new(&o2, &err);
  CHECK(asl_handlers_check(h, "Call", "arn:aws:states:::lambda:invoke", ASL_TASK_LAMBDA_INVOKE,
                           &err) == ASL_E_USAGE);
  CHECK_PREFIX(err.cause, "Task state \"Call\" calls arn:aws:states:::lambda:invoke, but no "
                          "aslrun.json maps any function; map the function in aslrun.json");
  asl_error_clear(&err);
  asl_handlers_free(h);
  CHECK(uv_loop_close(&loop) == 0);
}

int main(void)
{
  size_t live = asl_json_live();
  test_errors();
  test_functions();
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
