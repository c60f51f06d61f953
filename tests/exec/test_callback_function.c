/* lambda:invoke.waitForTaskToken served by a configured function, through the public API on a
 * real loop: the function (a command here) is invoked with the effective payload, which carries
 * the token; TaskSubmitted shows its response; the test reads the token the function wrote to a
 * file and answers it with asl_exec_task_success, also while the function still runs. A failing
 * function fails the Task with Lambda's errors (Retry and Catch act, each attempt a new token),
 * an unknown function is Lambda.ResourceNotFoundException, the function's timeout and the Task's
 * TimeoutSeconds end it, a stop kills it, and a mock still answers for the callback. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "callback_harness.h"

#define CB "\"Resource\":\"arn:aws:states:::lambda:invoke.waitForTaskToken\""
#define CALL(fn)                                                                                   \
  "\"Parameters\":{\"FunctionName\":\"" fn "\",\"Payload\":{\"token.$\":\"$$.Task.Token\","       \
  "\"order.$\":\"$.order\"}}"

static char dir[64];
static char config[2048];

/* The event the function last wrote (its payload), or NULL while there is none. */
static asl_json *read_event(void)
{
  char path[128];
  snprintf(path, sizeof path, "%s/event.json", dir);
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(buf, n, NULL, &err);
  asl_error_clear(&err);
  return v;
}

static void forget_event(void)
{
  char path[128];
  snprintf(path, sizeof path, "%s/event.json", dir);
  unlink(path);
}

/* The token the function received, once it has written its event (the loop runs meanwhile). */
static char *token_from_function(harness *h)
{
  asl_json *ev = NULL;
  for (int i = 0; i < 2000 && !(ev = read_event()) && h->done_calls == 0; i++) {
    uv_run(&h->loop, UV_RUN_NOWAIT);
    uv_sleep(5);
  }
  CHECK(ev != NULL);
  const asl_json *t = ev ? asl_json_get_cstr(ev, "token") : NULL;
  char *token = t && asl_json_is_string(t) ? strdup(asl_json_str(t)) : NULL;
  CHECK(token != NULL);
  asl_json_decref(ev);
  return token;
}

static void run_until_submitted(harness *h)
{
  while (find(h, ASL_EVENT_TASK_SUBMITTED, 0) < 0 && h->done_calls == 0 &&
         uv_run(&h->loop, UV_RUN_ONCE))
    ;
  CHECK(find(h, ASL_EVENT_TASK_SUBMITTED, 0) >= 0);
}

static void check_types(const harness *h, const asl_event_type *want, int n)
{
  CHECK(h->count == n);
  for (int i = 0; i < n && i < h->count; i++) {
    if (h->types[i] != want[i])
      fprintf(stderr, "  event %d: %s, want %s\n", i + 1, asl_event_type_name(h->types[i]),
              asl_event_type_name(want[i]));
    CHECK(h->types[i] == want[i]);
  }
}

/* TaskSubmitted's output: lambda:invoke's response, whose Payload is the function's. */
static void check_submitted(const harness *h, const char *payload)
{
  int i = find(h, ASL_EVENT_TASK_SUBMITTED, 0);
  CHECK(i >= 0 && h->outputs[i] != NULL);
  if (i < 0 || !h->outputs[i])
    return;
  asl_json *out = J(h->outputs[i]);
  asl_json *want = J(payload);
  const asl_json *p = asl_json_get_cstr(out, "Payload");
  CHECK(p && asl_json_equal(p, want));
  const asl_json *code = asl_json_get_cstr(out, "StatusCode");
  CHECK(code && asl_json_int_val(code) == 200);
  CHECK(asl_json_get_cstr(out, "SdkHttpMetadata") != NULL);
  asl_json_decref(want);
  asl_json_decref(out);
}

static void answer(harness *h, const char *token, const char *output)
{
  asl_json *v = J(output);
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_success(h->e, token, v, &err) == ASL_OK);
  asl_error_clear(&err);
  asl_json_decref(v);
}

static void check_ended(harness *h, const char *token)
{
  asl_json *v = J("{}");
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_success(h->e, token, v, &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  asl_error_clear(&err);
  asl_json_decref(v);
}

static const asl_event_type answered[] = {
    ASL_EVENT_EXECUTION_STARTED, ASL_EVENT_TASK_STATE_ENTERED, ASL_EVENT_TASK_SCHEDULED,
    ASL_EVENT_TASK_STARTED,      ASL_EVENT_TASK_SUBMITTED,     ASL_EVENT_TASK_SUCCEEDED,
    ASL_EVENT_TASK_STATE_EXITED, ASL_EVENT_EXECUTION_SUCCEEDED};

static void test_invoked_then_answered(void)
{
  size_t live = asl_json_live();
  harness h;
  forget_event();
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Notify")
             ",\"ResultPath\":\"$.approval\",\"End\":true}}}",
             "{\"order\":7}", true, config, dir);
  run_until_submitted(&h);
  char *token = token_from_function(&h);
  /* the function got the effective payload: the token the Task waits for, and the order */
  CHECK(h.waits == 1 && token && strcmp(token, h.token[0]) == 0);
  asl_json *ev = read_event();
  const asl_json *order = ev ? asl_json_get_cstr(ev, "order") : NULL;
  CHECK(order && asl_json_int_val(order) == 7);
  asl_json_decref(ev);
  int sched = find(&h, ASL_EVENT_TASK_SCHEDULED, 0);
  CHECK(sched > 0 && h.params[sched] && token && strstr(h.params[sched], token));
  check_submitted(&h, "{\"queued\":true}");
  CHECK(h.done_calls == 0); /* it waits */
  answer(&h, token, "{\"approved\":true}");
  check_ended(&h, token);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"order\":7,\"approval\":{\"approved\":true}}");
  check_types(&h, answered, 8);
  CHECK(h.ends == 1);
  free(token);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

/* The answer comes while the function still runs: TaskSubmitted first, then TaskSucceeded. */
static void test_answered_during_invocation(void)
{
  size_t live = asl_json_live();
  harness h;
  forget_event();
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Slow")
             ",\"End\":true}}}",
             "{\"order\":8}", true, config, dir);
  char *token = token_from_function(&h);
  CHECK(find(&h, ASL_EVENT_TASK_SUBMITTED, 0) < 0);
  answer(&h, token, "\"early\"");
  check_ended(&h, token);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "\"early\"");
  check_types(&h, answered, 8);
  check_submitted(&h, "{\"queued\":\"late\"}");
  free(token);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_function_fails(void)
{
  size_t live = asl_json_live();
  harness h;
  /* the function's errorType, as lambda:invoke reports it: retried (a new token), then caught */
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Broken")
             ",\"Retry\":[{\"ErrorEquals\":[\"NotifyError\"],\"MaxAttempts\":1}],"
             "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.err\","
             "\"Next\":\"C\"}],\"End\":true},\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
             "{\"order\":9}", true, config, dir);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"order\":9,\"err\":{\"Error\":\"NotifyError\",\"Cause\":"
                   "\"{\\\"errorType\\\":\\\"NotifyError\\\",\\\"errorMessage\\\":\\\"queue "
                   "down\\\"}\"}}");
  CHECK(count_of(&h, ASL_EVENT_TASK_FAILED, "T", 0) == 2);
  CHECK(count_of(&h, ASL_EVENT_TASK_SUBMITTED, NULL, 0) == 0);
  CHECK(h.waits == 2 && h.ends == 2);
  if (h.waits == 2)
    CHECK(strcmp(h.token[0], h.token[1]) != 0);
  check_ended(&h, h.token[1]);
  teardown(&h);

  /* a function that is not configured: Lambda.ResourceNotFoundException */
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Nope")
             ",\"End\":true}}}",
             "{\"order\":1}", true, config, dir);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "Lambda.ResourceNotFoundException");
  CHECK(h.ends == h.waits);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_timeouts_and_stop(void)
{
  size_t live = asl_json_live();
  harness h;
  /* the function's own timeout: Lambda's Sandbox.Timedout */
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Hang")
             ",\"End\":true}}}",
             "{\"order\":1}", true, config, dir);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "Sandbox.Timedout");
  CHECK(find(&h, ASL_EVENT_TASK_FAILED, 0) >= 0);
  teardown(&h);

  /* the Task's TimeoutSeconds while the function runs: States.Timeout, the function stopped */
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("HangLong")
             ",\"TimeoutSeconds\":1,\"End\":true}}}",
             "{\"order\":1}", true, config, dir);
  uint64_t t0 = uv_hrtime();
  run_to_end(&h, 1);
  CHECK((uv_hrtime() - t0) / 1000000 < 4000);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "States.Timeout");
  CHECK(find(&h, ASL_EVENT_TASK_TIMED_OUT, 0) >= 0);
  CHECK(h.waits == 1 && h.ends == 1);
  teardown(&h);

  /* a stop while the function runs */
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("HangLong")
             ",\"End\":true}}}",
             "{\"order\":1}", true, config, dir);
  run_until_waits(&h, 1);
  t0 = uv_hrtime();
  asl_exec_stop(h.e, NULL, NULL);
  run_to_end(&h, 1);
  CHECK((uv_hrtime() - t0) / 1000000 < 4000);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_ABORTED);
  CHECK(h.ends == 1);
  if (h.waits == 1)
    check_ended(&h, h.token[0]);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

/* A mock of the state answers for the callback (Step Functions Local): no function runs. */
static void test_mock_answers(void)
{
  size_t live = asl_json_live();
  harness h;
  forget_event();
  char with_mock[2200];
  snprintf(with_mock, sizeof with_mock, "%.*s, \"mocks\": {\"T\": {\"Return\": \"mocked\"}}}",
           (int)strlen(config) - 1, config);
  setup_with(&h,
             "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," CB "," CALL("Notify")
             ",\"End\":true}}}",
             "{\"order\":2}", true, with_mock, dir);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "\"mocked\"");
  CHECK(h.waits == 0);
  CHECK(count_of(&h, ASL_EVENT_TASK_SUBMITTED, NULL, 0) == 0);
  asl_json *ev = read_event();
  CHECK(ev == NULL);
  asl_json_decref(ev);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

/* What the registry says about callback Tasks, and the refusal where no token can be answered. */
static void test_registry(void)
{
  size_t live = asl_json_live();
  const char *res = "arn:aws:states:::lambda:invoke.waitForTaskToken";
  CHECK(asl_exec_resource_style(res) == ASL_TASK_LAMBDA_INVOKE);
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_json *cfg = J(config);
  asl_json *mocks_only = J("{\"mocks\": {\"M\": {\"Return\": 1}}}");
  asl_handlers_opts o = {.loop = &loop, .config = cfg, .config_dir = dir};
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *fns = asl_handlers_new(&o, &err);
  o.config = mocks_only;
  asl_handlers *mocks = asl_handlers_new(&o, &err);
  CHECK(fns && mocks);
  CHECK(asl_handlers_callback(fns, "T", ASL_TASK_LAMBDA_INVOKE) == ASL_CALLBACK_FUNCTION);
  CHECK(asl_handlers_callback(fns, "T", ASL_TASK_SERVICE) == ASL_CALLBACK_WAIT);
  CHECK(asl_handlers_callback(mocks, "T", ASL_TASK_LAMBDA_INVOKE) == ASL_CALLBACK_WAIT);
  CHECK(asl_handlers_callback(mocks, "M", ASL_TASK_LAMBDA_INVOKE) == ASL_CALLBACK_MOCK);
  /* a run that answers no tokens (aslrun run, aslrun test) refuses it before it starts... */
  CHECK(asl_handlers_check(fns, "T", res, ASL_TASK_LAMBDA_INVOKE, &err) == ASL_E_USAGE);
  CHECK(err.cause && strstr(err.cause, "nothing answers task tokens in this run") &&
        strstr(err.cause, "aslrun serve"));
  asl_error_clear(&err);
  CHECK(asl_handlers_check(mocks, "M", res, ASL_TASK_LAMBDA_INVOKE, &err) == ASL_OK);
  /* ... and an invocation that is not a callback's never runs the function */
  asl_json *in = J("{\"FunctionName\": \"Notify\", \"Payload\": {}}");
  asl_task_request req = {.state_name = "T", .resource = res, .style = ASL_TASK_LAMBDA_INVOKE,
                          .input = in};
  asl_task_call *call = NULL;
  CHECK(asl_task_invoke(fns, &req, NULL, NULL, &call, &err) == ASL_E_USAGE);
  CHECK(call == NULL);
  asl_error_clear(&err);
  asl_json_decref(in);
  asl_handlers_free(fns);
  asl_handlers_free(mocks);
  asl_json_decref(cfg);
  asl_json_decref(mocks_only);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

int main(void)
{
  signal(SIGPIPE, SIG_IGN);
  snprintf(dir, sizeof dir, "/tmp/aslrun-cbfn-XXXXXX");
  if (!mkdtemp(dir))
    return 2;
  /* each function writes its event to event.json (through a rename, so that the test never
   * reads half of it) and answers as a Lambda would */
  snprintf(config, sizeof config,
           "{\"functions\": {"
           " \"Notify\": {\"command\": [\"/bin/sh\", \"-c\", \"cat > event.tmp && mv event.tmp "
           "event.json && echo '{\\\"queued\\\": true}'\"]},"
           " \"Slow\": {\"command\": [\"/bin/sh\", \"-c\", \"cat > event.tmp && mv event.tmp "
           "event.json && sleep 0.5 && echo '{\\\"queued\\\": \\\"late\\\"}'\"]},"
           " \"Broken\": {\"command\": [\"/bin/sh\", \"-c\", \"cat > /dev/null; echo "
           "'{\\\"errorType\\\": \\\"NotifyError\\\", \\\"errorMessage\\\": \\\"queue "
           "down\\\"}'; exit 1\"]},"
           " \"Hang\": {\"command\": [\"/bin/sh\", \"-c\", \"cat > /dev/null; sleep 5\"], "
           "\"timeout\": 0.3},"
           " \"HangLong\": {\"command\": [\"/bin/sh\", \"-c\", \"cat > /dev/null; sleep 30\"], "
           "\"timeout\": 60}}}");
  test_invoked_then_answered();
  test_answered_during_invocation();
  test_function_fails();
  test_timeouts_and_stop();
  test_mock_answers();
  test_registry();
  forget_event();
  rmdir(dir);
  return CHECK_DONE();
}
