/* MockConfigFile and inline mocks through the registry: numbered and ranged invocations, Return
 * per resource style, Throw names and causes, a missing invocation, the file's validation errors,
 * cancellation, and that callbacks never re-enter. */
#include "harness.h"

#define ARN "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction"

static const char *mock_file =
    "{\"StateMachines\": {"
    "  \"seed\": {\"TestCases\": {"
    "    \"code200\": {\"Call API\": \"Ok\"},"
    "    \"code429\": {\"Call API\": \"TooManyThenOk\"},"
    "    \"envelope\": {\"Call API\": \"Envelope\", \"Invoke\": \"Envelope\", \"Sns\": \"Sns\"}}},"
    "  \"other\": {\"TestCases\": {\"x\": {\"A\": \"Ok\"}}}},"
    " \"MockedResponses\": {"
    "  \"Ok\": {\"0\": {\"Return\": \"200 OK\"}},"
    "  \"TooManyThenOk\": {"
    "    \"0-2\": {\"Throw\": {\"Error\": \"TooManyRequestsException\", \"Cause\": \"429 Too Many\"}},"
    "    \"3\": {\"Return\": \"200 OK\"}},"
    "  \"Envelope\": {\"0-9\": {\"Return\": {\"StatusCode\": 200, \"Payload\": {\"a\": 1}}}},"
    "  \"Sns\": {\"0\": {\"Return\": {\"MessageId\": \"m-1\"}}}}}";

typedef struct env {
  uv_loop_t loop;
  asl_handlers *h;
  asl_json *mocks, *config;
} env;

static asl_handlers *make(env *e, const char *mocks, const char *config, const char *machine,
                          const char *test_case, asl_error *err)
{
  memset(e, 0, sizeof *e);
  uv_loop_init(&e->loop);
  e->mocks = mocks ? J(mocks) : NULL;
  e->config = config ? J(config) : NULL;
  asl_handlers_opts o = {.loop = &e->loop,
                         .mock_config = e->mocks,
                         .config = e->config,
                         .config_dir = ".",
                         .state_machine_name = machine,
                         .test_case = test_case};
  e->h = asl_handlers_new(&o, err);
  return e->h;
}

static void done(env *e)
{
  asl_handlers_free(e->h);
  asl_json_decref(e->mocks);
  asl_json_decref(e->config);
  CHECK(uv_loop_close(&e->loop) == 0);
}

static asl_task_request req_of(const char *state, const char *resource, asl_task_style style,
                               const asl_json *input, uint64_t n)
{
  asl_task_request r = {.state_name = state,
                        .resource = resource,
                        .style = style,
                        .input = input,
                        .invocation = n};
  return r;
}

static void test_numbered_and_ranged(void)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, mock_file, NULL, "seed", "code429", &err) != NULL);
  asl_json *in = J("{}");
  outcome o = {0};
  for (uint64_t n = 0; n < 3; n++) {
    asl_task_request r = req_of("Call API", ARN, ASL_TASK_LAMBDA_ARN, in, n);
    CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
    CHECK(o.calls == 1);
    CHECK(o.status == ASL_E_HANDLER);
    CHECK_STR(o.name, "TooManyRequestsException");
    CHECK_STR(o.cause, "429 Too Many");
    CHECK(!o.reentered);
  }
  asl_task_request r = req_of("Call API", ARN, ASL_TASK_LAMBDA_ARN, in, 3);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK(o.status == ASL_OK);
  CHECK_JSON(o.value, "\"200 OK\""); /* a plain string Return is the direct ARN's result */
  /* invocation 4 has no entry: the execution fails, as in Step Functions Local */
  r.invocation = 4;
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK(o.status == ASL_E_HANDLER);
  CHECK_STR(o.name, "States.Runtime");
  CHECK_STR(o.cause, "The mocked response 'TooManyThenOk' (test case 'code429') has no entry for "
                     "invocation 4 of state 'Call API' (0-based, retries included); it covers: "
                     "0-2, 3");
  /* a state the test case does not mock, with nothing configured: check says how to serve it */
  CHECK(asl_handlers_check(e.h, "Call API", ARN, ASL_TASK_LAMBDA_ARN, &err) == ASL_OK);
  CHECK(asl_handlers_check(e.h, "Other", ARN, ASL_TASK_LAMBDA_ARN, &err) == ASL_E_USAGE);
  CHECK_STR(err.cause,
            "Task state \"Other\" calls the Lambda function \"MockAPIFunction\" (" ARN "), which "
            "nothing serves; map the function in aslrun.json, e.g. {\"functions\": "
            "{\"MockAPIFunction\": {\"python\": \"dir/module.handler\"}}} or {\"command\": "
            "[\"./program\"]}, or mock the state: {\"mocks\": {\"Other\": {\"Return\": ...}}} in "
            "aslrun.json, or --mock-config FILE --test-case NAME");
  asl_error_clear(&err);
  asl_task_call *c = NULL;
  r = req_of("Other", ARN, ASL_TASK_LAMBDA_ARN, in, 0);
  CHECK(invoke(e.h, &r, &o, &c, &err) == ASL_E_USAGE);
  asl_error_clear(&err);
  outcome_clear(&o);
  asl_json_decref(in);
  done(&e);
}

static void test_return_per_style(void)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, mock_file, NULL, "seed", "envelope", &err) != NULL);
  asl_json *in = J("{\"FunctionName\": \"f\", \"Payload\": {}}");
  outcome o = {0};
  asl_task_request r = req_of("Call API", ARN, ASL_TASK_LAMBDA_ARN, in, 0);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_JSON(o.value, "{\"a\":1}"); /* direct ARN: Return.Payload */
  r = req_of("Invoke", "arn:aws:states:::lambda:invoke", ASL_TASK_LAMBDA_INVOKE, in, 5);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_JSON(o.value, "{\"StatusCode\":200,\"Payload\":{\"a\":1}}"); /* the SDK response as is */
  r = req_of("Sns", "arn:aws:states:::sns:publish", ASL_TASK_SERVICE, in, 0);
  CHECK(asl_handlers_check(e.h, "Sns", r.resource, r.style, &err) == ASL_OK);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_JSON(o.value, "{\"MessageId\":\"m-1\"}");
  /* an unmocked service integration cannot run locally */
  CHECK(asl_handlers_check(e.h, "Sqs", "arn:aws:states:::sqs:sendMessage", ASL_TASK_SERVICE,
                           &err) == ASL_E_USAGE);
  CHECK_STR(err.cause, "Task state \"Sqs\" uses arn:aws:states:::sqs:sendMessage, which aslrun "
                       "cannot call locally; mock the state: {\"mocks\": {\"Sqs\": {\"Return\": "
                       "...}}} in aslrun.json, or --mock-config FILE --test-case NAME");
  asl_error_clear(&err);
  outcome_clear(&o);
  asl_json_decref(in);
  done(&e);
}

static void test_cancel_and_reentrancy(void)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, mock_file, NULL, "seed", "code200", &err) != NULL);
  asl_json *in = J("{}");
  outcome o = {0};
  asl_task_call *c = NULL;
  asl_task_request r = req_of("Call API", ARN, ASL_TASK_LAMBDA_ARN, in, 0);
  /* the answer is ready at once, but arrives only from the loop */
  CHECK(invoke(e.h, &r, &o, &c, &err) == ASL_OK);
  CHECK(o.calls == 0);
  cancel(c); /* cancelling wins over a ready answer */
  CHECK(o.calls == 0);
  uv_run(&e.loop, UV_RUN_DEFAULT);
  CHECK(o.calls == 1);
  CHECK(o.status == ASL_E_CANCELED);
  CHECK(o.value == NULL);
  CHECK(!o.reentered);
  /* many calls in flight, one cancelled: every callback once */
  outcome many[5] = {{0}};
  asl_task_call *calls[5];
  for (int i = 0; i < 5; i++)
    CHECK(invoke(e.h, &r, &many[i], &calls[i], &err) == ASL_OK);
  cancel(calls[2]);
  cancel(calls[2]); /* a second cancel changes nothing */
  uv_run(&e.loop, UV_RUN_DEFAULT);
  for (int i = 0; i < 5; i++) {
    CHECK(many[i].calls == 1);
    CHECK(many[i].status == (i == 2 ? ASL_E_CANCELED : ASL_OK));
    outcome_clear(&many[i]);
  }
  /* freeing with a call pending: its callback never runs, nothing leaks */
  CHECK(invoke(e.h, &r, &o, &c, &err) == ASL_OK);
  int before = o.calls;
  outcome_clear(&o);
  (void)before;
  asl_json_decref(in);
  done(&e);
  CHECK(o.calls == 0);
}

static void expect_load_error(const char *mocks, const char *machine, const char *tc,
                              const char *pointer, const char *cause)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, mocks, NULL, machine, tc, &err) == NULL);
  CHECK_STR(err.cause, cause);
  if (pointer)
    CHECK_STR(err.pointer, pointer);
  asl_error_clear(&err);
  asl_json_decref(e.mocks);
  CHECK(uv_loop_close(&e.loop) == 0);
}

static void test_file_errors(void)
{
  expect_load_error(mock_file, "seed", "code4299", "/StateMachines/seed/TestCases",
                    "the mock config has no test case \"code4299\" for state machine \"seed\" (did "
                    "you mean \"code429\"?); known: \"code200\", \"code429\", \"envelope\"");
  expect_load_error(mock_file, "Seed", "code429", "/StateMachines",
                    "the mock config has no state machine \"Seed\" under \"StateMachines\" (the "
                    "machine's name is its file name without .json, or the name in "
                    "--state-machine-arn) (did you mean \"seed\"?); known: \"seed\", \"other\"");
  expect_load_error("{\"StateMachines\": {\"m\": {\"TestCases\": {\"t\": {\"S\": \"Okk\"}}}},"
                    " \"MockedResponses\": {\"Ok\": {\"0\": {\"Return\": 1}}}}",
                    "m", "t", "/StateMachines/m/TestCases/t/S",
                    "state \"S\" uses the mocked response \"Okk\", which \"MockedResponses\" does "
                    "not define (did you mean \"Ok\"?)");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"0\": {\"Return\": 1, "
                    "\"Throw\": {\"Error\": \"E\", \"Cause\": \"c\"}}}}}",
                    "m", "t", "/MockedResponses/R/0",
                    "a mocked response has both \"Return\" and \"Throw\"; give exactly one");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"0\": {}}}}", "m", "t",
                    "/MockedResponses/R/0",
                    "a mocked response has neither \"Return\" nor \"Throw\"; give exactly one");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"0-2\": {\"Return\": 1},"
                    " \"2-4\": {\"Return\": 2}}}}",
                    "m", "t", "/MockedResponses/R",
                    "invocation keys \"0-2\" and \"2-4\" overlap; each invocation must have one "
                    "response");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"1-x\": {\"Return\": 1}}}}",
                    "m", "t", "/MockedResponses/R/1-x",
                    "invocation key \"1-x\" is neither a number (\"3\") nor a range (\"0-2\")");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"3-1\": {\"Return\": 1}}}}",
                    "m", "t", "/MockedResponses/R/3-1",
                    "invocation range \"3-1\" runs backwards; write it \"1-3\"");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\" 1\": {\"Return\": 1}}}}",
                    "m", "t", NULL,
                    "invocation key \" 1\" is neither a number (\"3\") nor a range (\"0-2\")");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"0\": {\"Throw\": "
                    "{\"Error\": \"E\"}}}}}",
                    "m", "t", "/MockedResponses/R/0/Throw", "\"Throw\" needs \"Cause\", a string");
  expect_load_error("{\"StateMachines\": {}, \"MockedResponses\": {\"R\": {\"0\": {\"Retrun\": 1}}}}",
                    "m", "t", "/MockedResponses/R/0/Retrun",
                    "unknown field \"Retrun\" in a mocked response; it takes \"Return\" or "
                    "\"Throw\" (did you mean \"Return\"?)");
  expect_load_error("{\"StateMachine\": {}, \"MockedResponses\": {}}", "m", "t", "/StateMachine",
                    "unknown field \"StateMachine\" in the mock config (did you mean "
                    "\"StateMachines\"?)");
  expect_load_error(mock_file, "seed", NULL, NULL,
                    "a mock config needs a test case (--test-case NAME)");
  /* the error carries the byte offset of the offending value for file:line:col */
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, "{\"StateMachines\": {},\n \"MockedResponses\": {\"R\": {\"x\": {\"Return\": 1}}}}",
             NULL, "m", "t", &err) == NULL);
  CHECK(err.offset == 54);
  asl_error_clear(&err);
  asl_json_decref(e.mocks);
  CHECK(uv_loop_close(&e.loop) == 0);
}

static void test_inline_mocks(void)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  CHECK(make(&e, NULL,
             "{\"mocks\": {"
             " \"One\": {\"Return\": {\"Payload\": 7}},"
             " \"Seq\": [{\"Throw\": {\"Error\": \"Busy\"}}, {\"Return\": \"ok\"}],"
             " \"Table\": {\"0-1\": {\"Throw\": {\"Error\": \"E\", \"Cause\": \"c\"}}, \"2\": {\"Return\": 2}}}}",
             NULL, NULL, &err) != NULL);
  asl_json *in = J("{}");
  outcome o = {0};
  for (uint64_t n = 0; n < 3; n++) { /* a single response serves every invocation */
    asl_task_request r = req_of("One", ARN, ASL_TASK_LAMBDA_ARN, in, n * 1000);
    CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
    CHECK_JSON(o.value, "7");
  }
  asl_task_request r = req_of("Seq", ARN, ASL_TASK_LAMBDA_ARN, in, 0);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "Busy");
  CHECK(o.cause == NULL); /* inline Throw may leave out the cause */
  r.invocation = 1;
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_JSON(o.value, "\"ok\"");
  r.invocation = 2;
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "States.Runtime");
  CHECK_STR(o.cause, "The inline mock of state 'Seq' in aslrun.json has no response for invocation "
                     "2 (0-based, retries included); it covers: 0, 1");
  r = req_of("Table", ARN, ASL_TASK_LAMBDA_ARN, in, 1);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "E");
  CHECK_STR(o.cause, "c");
  r.invocation = 2;
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_JSON(o.value, "2");
  outcome_clear(&o);
  asl_json_decref(in);
  done(&e);
}

static void test_data_limit(void)
{
  env e;
  asl_error err = ASL_ERROR_INIT;
  asl_buf big = ASL_BUF_INIT;
  asl_buf_adds(&big, "{\"mocks\": {\"Big\": {\"Return\": \"");
  for (int i = 0; i < 262144; i++)
    asl_buf_addc(&big, 'a');
  asl_buf_adds(&big, "\"}}}");
  CHECK(make(&e, NULL, big.data, NULL, NULL, &err) != NULL);
  asl_buf_free(&big);
  asl_json *in = J("{}");
  outcome o = {0};
  asl_task_request r = req_of("Big", "arn:aws:states:::lambda:invoke", ASL_TASK_LAMBDA_INVOKE, in, 0);
  CHECK(run_one(&e.loop, e.h, &r, &o, &err) == ASL_OK);
  CHECK_STR(o.name, "States.DataLimitExceeded");
  CHECK_STR(o.cause, "The state/task 'lambda' returned a result with a size exceeding the maximum "
                     "number of bytes service limit.");
  outcome_clear(&o);
  asl_json_decref(in);
  done(&e);
}

int main(void)
{
  size_t live = asl_json_live();
  test_numbered_and_ranged();
  test_return_per_style();
  test_cancel_and_reentrancy();
  test_file_errors();
  test_inline_mocks();
  test_data_limit();
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
