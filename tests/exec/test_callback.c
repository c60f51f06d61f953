/* Callback tasks and redrive through the public API on a real loop: a .waitForTaskToken Task
 * answered by asl_exec_task_success and _failure (with and without error and cause, caught),
 * heartbeats that keep a Task alive and HeartbeatSeconds / TimeoutSeconds that end it, tokens
 * that end with a stop or a failing sibling branch, a retry's new token, AWS's errors for
 * unknown and ended tokens; then RedriveExecution: a failed Task runs again after the states
 * that had succeeded (not re-run), a Parallel re-runs only its failed branch, a Map only its
 * unsuccessful iterations, an aborted execution resumes, $$.Execution.RedriveCount, and what
 * cannot be redriven. Each test ends with every handle closed and no JSON value left alive. */
#include "callback_harness.h"

#define SQS "\"Resource\":\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\""
#define TOKEN_PARAMS "\"Parameters\":{\"QueueUrl\":\"q\",\"MessageBody\":{\"t.$\":\"$$.Task.Token\"}}"

/* ---------------------------------------------------------------- callbacks ---- */

static void test_success(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  CHECK_STR(h.token_state[0], "T");
  /* the token names its execution, and is in the Task's parameters */
  char *arn = asl_task_token_execution(h.token[0]);
  CHECK_STR(arn, asl_exec_arn(h.e));
  asl_free(arn);
  CHECK(asl_task_token_execution("not a token") == NULL);
  CHECK(asl_task_token_execution("YWJj") == NULL); /* "abc" */
  int sched = find(&h, ASL_EVENT_TASK_SCHEDULED, 0);
  CHECK(sched > 0 && h.params[sched] && strstr(h.params[sched], h.token[0]));
  CHECK(find(&h, ASL_EVENT_TASK_SUBMITTED, 0) == sched + 2);
  /* a heartbeat with no HeartbeatSeconds is accepted and changes nothing */
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_heartbeat(h.e, h.token[0], &err) == ASL_OK);
  /* a token the execution never issued */
  CHECK(asl_exec_task_heartbeat(h.e, "bm9wZQ==", &err) != ASL_OK);
  CHECK_STR(err.name, "TaskDoesNotExist");
  asl_error_clear(&err);
  succeed(&h, 0, "{\"approved\":true}");
  /* answered: the token is no longer valid, even before the run goes on */
  asl_json *v = J("{}");
  CHECK(asl_exec_task_success(h.e, h.token[0], v, &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  CHECK_STR(err.cause, "Task Timed Out: 'Provided task does not exist anymore'");
  asl_error_clear(&err);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"approved\":true}");
  CHECK(h.ends == 1);
  asl_event_type want[] = {ASL_EVENT_EXECUTION_STARTED, ASL_EVENT_TASK_STATE_ENTERED,
                           ASL_EVENT_TASK_SCHEDULED,    ASL_EVENT_TASK_STARTED,
                           ASL_EVENT_TASK_SUBMITTED,    ASL_EVENT_TASK_SUCCEEDED,
                           ASL_EVENT_TASK_STATE_EXITED, ASL_EVENT_EXECUTION_SUCCEEDED};
  CHECK(h.count == 8);
  for (int i = 0; i < 8 && i < h.count; i++) {
    CHECK(h.types[i] == want[i]);
    CHECK(h.ids[i] == i + 1);
  }
  CHECK(asl_exec_task_failure(h.e, h.token[0], "E", NULL, &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  asl_error_clear(&err);
  asl_json_decref(v);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_failure(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  fail(&h, 0, "Rejected", "the reviewer said no");
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "Rejected");
  CHECK_STR(asl_exec_cause(h.e), "the reviewer said no");
  CHECK(find(&h, ASL_EVENT_TASK_FAILED, 0) == 5);
  teardown(&h);

  /* neither error nor cause: a States.ALL catcher sees null for both (recorded on AWS) */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"ResultPath\":\"$.err\",\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],"
            "\"ResultPath\":\"$.err\",\"Next\":\"C\"}],\"End\":true},"
            "\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
        "{\"a\":1}", true);
  run_until_waits(&h, 1);
  fail(&h, 0, NULL, NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"a\":1,\"err\":{\"Error\":null,\"Cause\":null}}");
  teardown(&h);
  CHECK(asl_json_live() == live);
}

typedef struct later {
  uv_timer_t t;
  harness *h;
  int which; /* -1: success, else heartbeat */
} later;

static void on_later(uv_timer_t *t)
{
  later *l = t->data;
  asl_error err = ASL_ERROR_INIT;
  if (l->which < 0) {
    asl_json *v = J("\"done\"");
    CHECK(asl_exec_task_success(l->h->e, l->h->token[0], v, &err) == ASL_OK);
    asl_json_decref(v);
  } else {
    CHECK(asl_exec_task_heartbeat(l->h->e, l->h->token[0], &err) == ASL_OK);
  }
  asl_error_clear(&err);
  uv_close((uv_handle_t *)t, NULL);
}

static void test_heartbeats_and_timeouts(void)
{
  size_t live = asl_json_live();
  harness h;
  /* heartbeats every 600 ms keep a 1-second HeartbeatSeconds alive until the answer at 1.5 s;
   * in virtual time too: the wait holds the clock, as a handler at work does */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"HeartbeatSeconds\":1,\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  later l[3] = {{.h = &h, .which = 0}, {.h = &h, .which = 1}, {.h = &h, .which = -1}};
  uint64_t at[3] = {600, 1200, 1500};
  for (int i = 0; i < 3; i++) {
    uv_timer_init(&h.loop, &l[i].t);
    l[i].t.data = &l[i];
    uv_timer_start(&l[i].t, on_later, at[i], 0);
  }
  uint64_t t0 = uv_now(&h.loop);
  run_to_end(&h, 1);
  CHECK(uv_now(&h.loop) - t0 >= 1400);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "\"done\"");
  teardown(&h);

  /* no heartbeat: States.HeartbeatTimeout after 1 s of real time */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"HeartbeatSeconds\":1,\"TimeoutSeconds\":100,\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  t0 = uv_now(&h.loop);
  run_to_end(&h, 1);
  CHECK(uv_now(&h.loop) - t0 >= 900);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "States.HeartbeatTimeout");
  CHECK(find(&h, ASL_EVENT_TASK_TIMED_OUT, 0) == 5);
  CHECK(h.ends == 1);
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_heartbeat(h.e, h.token[0], &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  asl_error_clear(&err);
  teardown(&h);

  /* TimeoutSeconds: States.Timeout, caught */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"TimeoutSeconds\":1,\"Catch\":[{\"ErrorEquals\":[\"States.Timeout\"],"
            "\"Next\":\"C\"}],\"End\":true},\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
        "{}", false);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"Error\":\"States.Timeout\",\"Cause\":\"\"}");
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_tokens_end(void)
{
  size_t live = asl_json_live();
  harness h;
  /* a stop ends the token */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  asl_exec_stop(h.e, "Stopped", NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_ABORTED);
  CHECK(h.ends == 1);
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = J("1");
  CHECK(asl_exec_task_success(h.e, h.token[0], v, &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  asl_error_clear(&err);
  CHECK(h.types[h.count - 2] == ASL_EVENT_TASK_STATE_ABORTED);
  teardown(&h);

  /* a failing sibling branch ends it */
  setup(&h, "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,"
            "\"Branches\":[{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS
            "," TOKEN_PARAMS ",\"End\":true}}},"
            "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":5,\"Next\":\"F\"},"
            "\"F\":{\"Type\":\"Fail\",\"Error\":\"Boom\"}}}]}}}",
        "{}", true);
  run_until_waits(&h, 1);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "Boom");
  CHECK(h.ends == 1);
  CHECK(asl_exec_task_success(h.e, h.token[0], v, &err) != ASL_OK);
  CHECK_STR(err.name, "TaskTimedOut");
  asl_error_clear(&err);
  teardown(&h);

  /* a retry waits for a new token */
  setup(&h, "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS
            ",\"Retry\":[{\"ErrorEquals\":[\"Busy\"],\"IntervalSeconds\":1}],\"End\":true}}}",
        "{}", true);
  run_until_waits(&h, 1);
  fail(&h, 0, "Busy", NULL);
  run_until_waits(&h, 2);
  CHECK(strcmp(h.token[0], h.token[1]) != 0);
  succeed(&h, 1, "2");
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "2");
  CHECK(h.ends == 2);
  teardown(&h);
  asl_json_decref(v);
  CHECK(asl_json_live() == live);
}

/* ------------------------------------------------------------------ redrive ---- */

static void redrive(harness *h)
{
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_redrive(h->e, on_done, h, &err) == ASL_OK);
  asl_error_clear(&err);
}

static void test_redrive_task(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"A\",\"States\":{"
            "\"A\":{\"Type\":\"Pass\",\"Result\":{\"x\":1},\"Next\":\"T\"},"
            "\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS ",\"ResultPath\":\"$.t\","
            "\"Retry\":[{\"ErrorEquals\":[\"Busy\"],\"MaxAttempts\":1}],\"Next\":\"R\"},"
            "\"R\":{\"Type\":\"Pass\",\"Parameters\":{\"x.$\":\"$.x\",\"t.$\":\"$.t\","
            "\"rc.$\":\"$$.Execution.RedriveCount\"},\"End\":true}}}",
        "{}", true);
  /* not redrivable while running */
  const char *why = NULL;
  CHECK(!asl_exec_redrivable(h.e, &why));
  CHECK_STR(why, "Execution is RUNNING and cannot be redriven.");
  run_until_waits(&h, 1);
  fail(&h, 0, "Busy", "1");
  run_until_waits(&h, 2);
  fail(&h, 1, "Busy", "2"); /* the retrier is spent */
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK(asl_exec_redrivable(h.e, &why));
  int before = h.count;
  int64_t last_id = h.ids[before - 1];
  redrive(&h);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_RUNNING);
  CHECK(asl_exec_redrive_count(h.e) == 1 && asl_exec_redrive_ms(h.e) > 0);
  /* the retrier starts again: one more failure is retried */
  run_until_waits(&h, 3);
  fail(&h, 2, "Busy", "3");
  run_until_waits(&h, 4);
  succeed(&h, 3, "\"ok\"");
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"x\":1,\"t\":\"ok\",\"rc\":1}");
  /* the history goes on: ExecutionRedriven follows ExecutionFailed, then T is entered again
   * with its original input; A is not run again */
  CHECK(h.types[before] == ASL_EVENT_EXECUTION_REDRIVEN);
  CHECK(h.ids[before] == last_id + 1 && h.prev[before] == last_id);
  CHECK(h.redrive_count == 1);
  CHECK(h.types[before + 1] == ASL_EVENT_TASK_STATE_ENTERED);
  CHECK(h.prev[before + 1] == h.ids[before]);
  CHECK_STR(h.states[before + 1], "T");
  CHECK(count_of(&h, ASL_EVENT_PASS_STATE_ENTERED, "A", before) == 0);
  CHECK(!asl_exec_redrivable(h.e, &why));
  CHECK_STR(why, "Execution is SUCCEEDED and cannot be redriven.");
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_redrive(h.e, on_done, &h, &err) != ASL_OK);
  CHECK_STR(err.name, "ExecutionNotRedrivable");
  CHECK_STR(err.cause, "Execution is SUCCEEDED and cannot be redriven.");
  asl_error_clear(&err);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_redrive_parallel(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,"
            "\"Branches\":["
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":\"a\",\"End\":true}}},"
            "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Next\":\"T\"},"
            "\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS ",\"End\":true}}}]}}}",
        "{\"in\":1}", true);
  run_until_waits(&h, 1);
  fail(&h, 0, "No", NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "No");
  int before = h.count;
  redrive(&h);
  run_until_waits(&h, 2);
  succeed(&h, 1, "\"b\"");
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "[\"a\",\"b\"]");
  /* only the failed branch ran again, from its failed state */
  CHECK(count_of(&h, ASL_EVENT_PARALLEL_STATE_ENTERED, "P", before) == 1);
  CHECK(count_of(&h, ASL_EVENT_PARALLEL_STATE_STARTED, "P", before) == 1);
  CHECK(count_of(&h, ASL_EVENT_PASS_STATE_ENTERED, NULL, before) == 0);
  CHECK(count_of(&h, ASL_EVENT_TASK_STATE_ENTERED, "T", before) == 1);
  CHECK(count_of(&h, ASL_EVENT_PARALLEL_STATE_SUCCEEDED, "P", before) == 1);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

/* The index of the token whose TaskScheduled parameters carry item [v] ("v":N). */
static int token_of_item(const harness *h, int v)
{
  char want[32];
  snprintf(want, sizeof want, "\"v\":%d", v);
  for (int i = h->count - 1; i >= 0; i--) {
    if (h->types[i] != ASL_EVENT_TASK_SCHEDULED || !h->params[i] || !strstr(h->params[i], want))
      continue;
    for (int k = h->waits - 1; k >= 0; k--)
      if (strstr(h->params[i], h->token[k]))
        return k;
  }
  return -1;
}

static void test_redrive_map(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":true,"
            "\"MaxConcurrency\":3,\"ItemProcessor\":{\"StartAt\":\"T\",\"States\":{"
            "\"T\":{\"Type\":\"Task\"," SQS ",\"Parameters\":{\"QueueUrl\":\"q\","
            "\"MessageBody\":{\"v.$\":\"$\",\"t.$\":\"$$.Task.Token\"}},\"End\":true}}}}}}",
        "[0,1,2,3]", true);
  run_until_waits(&h, 3); /* three at once; item 3 waits for a free place */
  succeed(&h, token_of_item(&h, 0), "\"r0\"");
  run_until_waits(&h, 4);
  fail(&h, token_of_item(&h, 1), "Bad", "item 1"); /* aborts items 2 and 3 */
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK(count_of(&h, ASL_EVENT_MAP_ITERATION_ABORTED, "M", 0) == 2);
  int before = h.count;
  int waits = h.waits;
  redrive(&h);
  run_until_waits(&h, waits + 3);
  for (int v = 1; v <= 3; v++) {
    char out[16];
    snprintf(out, sizeof out, "\"r%d\"", v);
    succeed(&h, token_of_item(&h, v), out);
  }
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "[\"r0\",\"r1\",\"r2\",\"r3\"]");
  /* iteration 0 is not run again */
  CHECK(count_of(&h, ASL_EVENT_MAP_ITERATION_STARTED, "M", before) == 3);
  CHECK(count_of(&h, ASL_EVENT_TASK_STATE_ENTERED, "T", before) == 3);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_redrive_aborted_and_timed_out(void)
{
  size_t live = asl_json_live();
  harness h;
  setup(&h, "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Pass\",\"Next\":\"T\"},"
            "\"T\":{\"Type\":\"Task\"," SQS "," TOKEN_PARAMS ",\"End\":true}}}",
        "{\"k\":\"v\"}", true);
  run_until_waits(&h, 1);
  asl_exec_stop(h.e, "Stop", "by test");
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_ABORTED);
  redrive(&h);
  run_until_waits(&h, 2);
  succeed(&h, 1, "{\"k\":\"w\"}");
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"k\":\"w\"}");
  CHECK(asl_exec_error(h.e) == NULL && asl_exec_cause(h.e) == NULL);
  teardown(&h);

  /* the machine's TimeoutSeconds counts again from the redrive */
  setup(&h, "{\"TimeoutSeconds\":1,\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS
            "," TOKEN_PARAMS ",\"End\":true}}}",
        "{}", false);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_TIMED_OUT);
  redrive(&h);
  run_until_waits(&h, 2);
  CHECK(h.redrive_count == 1);
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_TIMED_OUT);
  CHECK(asl_exec_redrive_count(h.e) == 1);
  redrive(&h);
  run_until_waits(&h, 3);
  succeed(&h, 2, "3");
  run_to_end(&h, 3);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  CHECK(h.redrive_count == 2);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

/* Redrives of nested and unusual shapes: a Map inside a Parallel branch, a Distributed Map, a
 * Parallel that a retry and then a catcher act on, a stop during a Wait, and an execution that
 * reached the history quota. */
static void test_redrive_shapes(void)
{
  size_t live = asl_json_live();
  harness h;
  /* Parallel [ Pass, Map [ callback Task ] ]: item 1 fails; the redrive re-runs item 1 only */
  setup(&h, "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,"
            "\"Branches\":["
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":\"a\",\"End\":true}}},"
            "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":true,"
            "\"MaxConcurrency\":1,\"ItemProcessor\":{\"StartAt\":\"T\",\"States\":{"
            "\"T\":{\"Type\":\"Task\"," SQS ",\"Parameters\":{\"QueueUrl\":\"q\","
            "\"MessageBody\":{\"v.$\":\"$\",\"t.$\":\"$$.Task.Token\"}},\"End\":true}}}}}}]}}}",
        "[0,1,2]", true);
  run_until_waits(&h, 1);
  succeed(&h, token_of_item(&h, 0), "0");
  run_until_waits(&h, 2);
  fail(&h, token_of_item(&h, 1), "Bad", NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  int before = h.count;
  redrive(&h);
  run_until_waits(&h, 3);
  succeed(&h, token_of_item(&h, 1), "1");
  run_until_waits(&h, 4);
  succeed(&h, token_of_item(&h, 2), "2");
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "[\"a\",[0,1,2]]");
  CHECK(count_of(&h, ASL_EVENT_TASK_STATE_ENTERED, "T", before) == 2);
  CHECK(count_of(&h, ASL_EVENT_PASS_STATE_ENTERED, "A", before) == 0);
  teardown(&h);

  /* a Distributed Map: the failed child execution runs again */
  setup(&h, "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":true,"
            "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\","
            "\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"T\",\"States\":{"
            "\"T\":{\"Type\":\"Task\"," SQS ",\"Parameters\":{\"QueueUrl\":\"q\","
            "\"MessageBody\":{\"v.$\":\"$\",\"t.$\":\"$$.Task.Token\"}},\"End\":true}}}}}}",
        "[0,1]", true);
  run_until_waits(&h, 2);
  succeed(&h, 0, "\"x\"");
  fail(&h, 1, "Bad", "no");
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  redrive(&h);
  run_until_waits(&h, 3);
  succeed(&h, 2, "\"y\"");
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "[\"x\",\"y\"]");
  teardown(&h);

  /* a Parallel retried (all branches again), then caught: nothing is left to redrive, and the
   * execution succeeds */
  setup(&h, "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Next\":\"F\","
            "\"Retry\":[{\"ErrorEquals\":[\"Bad\"],\"MaxAttempts\":1,\"IntervalSeconds\":1}],"
            "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"F\"}],"
            "\"Branches\":[{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\"," SQS
            "," TOKEN_PARAMS ",\"End\":true}}}]},"
            "\"F\":{\"Type\":\"Fail\",\"Error\":\"Final\"}}}",
        "{}", true);
  run_until_waits(&h, 1);
  fail(&h, 0, "Bad", NULL);
  run_until_waits(&h, 2);
  fail(&h, 1, "Bad", NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(h.e), "Final");
  /* the Fail state runs again, and fails again */
  before = h.count;
  redrive(&h);
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_FAILED);
  CHECK(count_of(&h, ASL_EVENT_FAIL_STATE_ENTERED, "F", before) == 1);
  CHECK(count_of(&h, ASL_EVENT_PARALLEL_STATE_ENTERED, NULL, before) == 0);
  teardown(&h);

  /* a stop during a Wait: the Wait runs again in full */
  setup(&h, "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,"
            "\"End\":true}}}",
        "{\"w\":1}", true);
  uv_run(&h.loop, UV_RUN_NOWAIT);
  asl_exec_stop(h.e, NULL, NULL);
  run_to_end(&h, 1);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_ABORTED);
  before = h.count;
  redrive(&h);
  run_to_end(&h, 2);
  CHECK(asl_exec_status_of(h.e) == ASL_EXEC_SUCCEEDED);
  check_output(&h, "{\"w\":1}");
  CHECK(count_of(&h, ASL_EVENT_WAIT_STATE_EXITED, "W", before) == 1);
  teardown(&h);
  CHECK(asl_json_live() == live);
}

static void test_not_redrivable(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  const char *def = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"A\"}}}";
  asl_machine *m = load_machine(def);
  static harness counter;
  asl_exec_opts o = {.loop = &loop, .virtual_time = true,
                     .quotas = {.max_history_events = 100}};
  asl_json *in = J("{}");
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = NULL;
  CHECK(asl_exec_start(m, in, &o, on_done, &counter, &e, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_FAILED);
  const char *why = NULL;
  CHECK(!asl_exec_redrivable(e, &why));
  CHECK_STR(why, "Execution history event limit exceeded.");
  CHECK(asl_exec_redrive(e, on_done, &counter, &err) != ASL_OK);
  CHECK_STR(err.name, "ExecutionNotRedrivable");
  asl_error_clear(&err);
  asl_exec_free(e);
  asl_json_decref(in);
  asl_machine_free(m);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_express(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
                    "\"Parameters\":{\"e.$\":\"$$.Execution\"},\"End\":true}}}";
  asl_machine *m = load_machine(def);
  int done = 0;
  static harness counter; /* counts the done callbacks */
  asl_exec_opts o = {.loop = &loop, .virtual_time = true, .express = true, .name = "café",
                     .state_machine_arn = "arn:aws:states:eu-west-1:111111111111:stateMachine:M"};
  asl_json *in = J("{}");
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = NULL;
  CHECK(asl_exec_start(m, in, &o, NULL, &done, &e, &err) != ASL_OK);
  asl_error_clear(&err);
  CHECK(asl_exec_start(m, in, &o, on_done, &counter, &e, &err) == ASL_OK);
  /* arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:UUID */
  const char *arn = asl_exec_arn(e);
  const char *prefix = "arn:aws:states:eu-west-1:111111111111:express:M:café:";
  CHECK(strncmp(arn, prefix, strlen(prefix)) == 0 && strlen(arn) == strlen(prefix) + 36);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_SUCCEEDED);
  /* $$.Execution.Id is the express ARN, and an Express execution has no RedriveCount */
  const asl_json *ex = asl_json_get_cstr(asl_exec_output(e), "e");
  CHECK(ex && strcmp(asl_json_str(asl_json_get_cstr(ex, "Id")), arn) == 0);
  CHECK(ex && asl_json_get_cstr(ex, "RedriveCount") == NULL);
  const char *why;
  CHECK(!asl_exec_redrivable(e, &why));
  CHECK_STR(why, "Execution is an Express execution and cannot be redriven.");
  asl_exec_free(e);
  /* names count characters, not bytes: 80 two-byte characters are a valid name, 81 are not */
  char name[81 * 2 + 1] = {0};
  for (int i = 0; i < 80; i++)
    memcpy(name + 2 * i, "\xc3\xa9", 2);
  o.name = name;
  CHECK(asl_exec_start(m, in, &o, on_done, &counter, &e, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_DEFAULT);
  asl_exec_free(e);
  memcpy(name + 160, "\xc3\xa9", 2);
  CHECK(asl_exec_start(m, in, &o, on_done, &counter, &e, &err) != ASL_OK);
  CHECK_STR(err.cause, "the execution name must have 1 to 80 characters, not 81");
  asl_error_clear(&err);
  asl_json_decref(in);
  asl_machine_free(m);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

int main(void)
{
  test_success();
  test_failure();
  test_heartbeats_and_timeouts();
  test_tokens_end();
  test_redrive_task();
  test_redrive_parallel();
  test_redrive_map();
  test_redrive_aborted_and_timed_out();
  test_redrive_shapes();
  test_not_redrivable();
  test_express();
  return CHECK_DONE();
}
