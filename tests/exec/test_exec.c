/* Executions through the public API on a real loop, with machines that need no expressions:
 * results, the event stream (ids, previous ids, details), stop during a Wait, an endless
 * synchronous loop that still sees Ctrl-C-like stops and timeouts, a sink that stops the
 * execution from inside an event, options that cannot start, two executions on one loop, Task
 * states served by one handler registry shared by two executions (events, depth, notes), a Task
 * with no registry, and a stop during a Map. Each test ends with every handle closed and no JSON
 * value left alive. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../unit/check.h"
#include "../unit/literals.h"
#include "aslrun/exec.h"

#define MAX_EVENTS 64

typedef struct recorder {
  int done_calls;
  bool in_start; /* set around asl_exec_start: the done callback must not run inside it */
  bool done_inside_start;
  int count;
  asl_event_type types[MAX_EVENTS];
  int64_t ids[MAX_EVENTS];
  int64_t prev[MAX_EVENTS];
  char *names[MAX_EVENTS];
  char *inputs[MAX_EVENTS];
  int depths[MAX_EVENTS];
  char *states[MAX_EVENTS];
  int notes[4]; /* by asl_note_kind */
  int stop_at; /* stop the execution when this many events were seen (0: never) */
  asl_exec *exec;
} recorder;



static void on_event(void *data, const asl_event *ev)
{
  recorder *r = data;
  if (r->count < MAX_EVENTS) {
    int i = r->count;
    r->types[i] = ev->type;
    r->ids[i] = ev->id;
    r->prev[i] = ev->previous_id;
    const asl_json *name = ev->details ? asl_json_get_cstr(ev->details, "name") : NULL;
    r->names[i] = name ? strdup(asl_json_str(name)) : NULL;
    const asl_json *in = ev->details ? asl_json_get_cstr(ev->details, "input") : NULL;
    r->inputs[i] = in ? strdup(asl_json_str(in)) : NULL;
    r->depths[i] = ev->depth;
    r->states[i] = ev->state ? strdup(ev->state) : NULL;
  }
  r->count++;
  if (r->stop_at && r->count == r->stop_at)
    asl_exec_stop(r->exec, "StoppedBySink", NULL);
}

static void on_note(void *data, const asl_note *n)
{
  recorder *r = data;
  r->notes[n->kind]++;
}

static void on_done(asl_exec *e, void *data)
{
  (void)e;
  recorder *r = data;
  r->done_calls++;
  if (r->in_start)
    r->done_inside_start = true;
}

static void recorder_free(recorder *r)
{
  for (int i = 0; i < r->count && i < MAX_EVENTS; i++) {
    free(r->names[i]);
    free(r->inputs[i]);
    free(r->states[i]);
  }
}

static asl_exec *start(uv_loop_t *loop, const asl_machine *m, const char *input, bool virtual_time,
                       recorder *rec, asl_event_sink *sink)
{
  *sink = (asl_event_sink){.on_event = on_event, .data = rec};
  /* the endless loops below would reach AWS's history quota long before their stop */
  asl_exec_opts o = {.loop = loop,
                     .virtual_time = virtual_time,
                     .sinks = sink,
                     .sink_count = 1,
                     .quotas = {.max_history_events = ASL_QUOTA_NONE}};
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = NULL;
  rec->in_start = true;
  CHECK(asl_exec_start(m, in, &o, on_done, rec, &e, &err) == ASL_OK);
  rec->in_start = false;
  asl_json_decref(in);
  rec->exec = e;
  return e;
}

static void test_success_and_events(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"A\",\"States\":{"
                        "\"A\":{\"Type\":\"Pass\",\"Result\":{\"x\":1},\"Next\":\"W\"},"
                        "\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,\"Next\":\"S\"},"
                        "\"S\":{\"Type\":\"Succeed\"}}}");
  recorder rec = {0};
  asl_event_sink sink;
  asl_exec *e = start(&loop, m, "{\"in\":true}", true, &rec, &sink);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_RUNNING);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(rec.done_calls == 1 && !rec.done_inside_start);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_SUCCEEDED);
  asl_json *want = J("{\"x\":1}");
  CHECK(asl_json_equal(asl_exec_output(e), want));
  asl_json_decref(want);
  CHECK(asl_exec_error(e) == NULL && asl_exec_cause(e) == NULL);
  CHECK(strlen(asl_exec_name(e)) == 36);
  CHECK(strncmp(asl_exec_arn(e), "arn:aws:states:us-east-1:123456789012:execution:StateMachine:",
                61) == 0);
  CHECK(asl_exec_stop_ms(e) - asl_exec_start_ms(e) >= 3600 * 1000);
  static const asl_event_type want_types[] = {
      ASL_EVENT_EXECUTION_STARTED,    ASL_EVENT_PASS_STATE_ENTERED, ASL_EVENT_PASS_STATE_EXITED,
      ASL_EVENT_WAIT_STATE_ENTERED,   ASL_EVENT_WAIT_STATE_EXITED,  ASL_EVENT_SUCCEED_STATE_ENTERED,
      ASL_EVENT_SUCCEED_STATE_EXITED, ASL_EVENT_EXECUTION_SUCCEEDED};
  CHECK(rec.count == 8);
  for (int i = 0; i < 8 && i < rec.count; i++) {
    CHECK(rec.types[i] == want_types[i]);
    CHECK(rec.ids[i] == i + 1);
  }
  /* the first state's entered event follows nothing, as AWS records it */
  CHECK(rec.prev[0] == 0 && rec.prev[1] == 0 && rec.prev[2] == 2 && rec.prev[7] == 7);
  CHECK_STR(rec.names[1], "A");
  CHECK_STR(rec.inputs[1], "{\"in\":true}");
  CHECK_STR(rec.inputs[3], "{\"x\":1}");
  CHECK_STR(rec.inputs[0], "{\"in\":true}");
  CHECK_STR(asl_event_type_name(ASL_EVENT_WAIT_STATE_ABORTED), "WaitStateAborted");
  CHECK_STR(asl_event_details_key(ASL_EVENT_PASS_STATE_EXITED), "stateExitedEventDetails");
  CHECK(asl_event_details_key(ASL_EVENT_WAIT_STATE_ABORTED) == NULL);
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void on_stop_timer(uv_timer_t *t)
{
  asl_exec_stop(t->data, "Stopped", "by the test");
  uv_close((uv_handle_t *)t, NULL);
}

static void stop_after(uv_loop_t *loop, uv_timer_t *t, asl_exec *e, uint64_t ms)
{
  uv_timer_init(loop, t);
  t->data = e;
  uv_timer_start(t, on_stop_timer, ms, 0);
}

static void test_stop_during_wait(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"W\",\"States\":{"
                        "\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}");
  recorder rec = {0};
  asl_event_sink sink;
  asl_exec *e = start(&loop, m, "{}", false, &rec, &sink);
  uv_timer_t t;
  stop_after(&loop, &t, e, 20);
  uint64_t t0 = uv_hrtime();
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK((uv_hrtime() - t0) / 1000000u < 2000);
  CHECK(rec.done_calls == 1);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_ABORTED);
  CHECK_STR(asl_exec_error(e), "Stopped");
  CHECK_STR(asl_exec_cause(e), "by the test");
  CHECK(asl_exec_output(e) == NULL);
  CHECK(rec.count == 4);
  CHECK(rec.types[2] == ASL_EVENT_WAIT_STATE_ABORTED);
  CHECK(rec.types[3] == ASL_EVENT_EXECUTION_ABORTED);
  asl_exec_stop(e, NULL, NULL); /* after the end: nothing happens */
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static const char endless[] = "{\"StartAt\":\"A\",%s\"States\":{"
                              "\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},"
                              "\"B\":{\"Type\":\"Pass\",\"Next\":\"A\"}}}";

static void test_endless_loop_still_stops(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  char text[256];
  snprintf(text, sizeof text, endless, "");
  asl_machine *m = load_machine(text);
  recorder rec = {0};
  asl_event_sink sink;
  asl_exec *e = start(&loop, m, "{}", false, &rec, &sink);
  uv_timer_t t;
  stop_after(&loop, &t, e, 30);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(rec.done_calls == 1);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_ABORTED);
  CHECK(rec.count > 1000); /* it ran, yielding to the loop, until the stop */
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_endless_loop_times_out(bool virtual_time)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  char text[256];
  snprintf(text, sizeof text, endless, "\"TimeoutSeconds\":1,");
  asl_machine *m = load_machine(text);
  asl_exec_opts o = {.loop = &loop,
                     .virtual_time = virtual_time,
                     .quotas = {.max_history_events = ASL_QUOTA_NONE}};
  recorder rec = {0};
  asl_json *in = J("{}");
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = NULL;
  uint64_t t0 = uv_hrtime();
  CHECK(asl_exec_start(m, in, &o, on_done, &rec, &e, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t ms = (uv_hrtime() - t0) / 1000000u;
  CHECK(ms >= 990 && ms < 5000); /* busy, so even virtual time passes in real time */
  CHECK(rec.done_calls == 1);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_TIMED_OUT);
  CHECK(asl_exec_error(e) == NULL && asl_exec_cause(e) == NULL);
  asl_json_decref(in);
  asl_exec_free(e);
  asl_machine_free(m);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_stop_from_inside_a_sink(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  char text[256];
  snprintf(text, sizeof text, endless, "");
  asl_machine *m = load_machine(text);
  recorder rec = {.stop_at = 5};
  asl_event_sink sink;
  asl_exec *e = start(&loop, m, "{}", true, &rec, &sink);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(rec.done_calls == 1);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_ABORTED);
  CHECK_STR(asl_exec_error(e), "StoppedBySink");
  CHECK(asl_exec_cause(e) == NULL);
  CHECK(rec.count < MAX_EVENTS);
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void expect_refused(uv_loop_t *loop, const asl_machine *m, const char *input,
                           asl_exec_opts o, asl_status want, const char *cause_part)
{
  o.loop = loop;
  recorder rec = {0};
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = (asl_exec *)1;
  CHECK(asl_exec_start(m, in, &o, on_done, &rec, &e, &err) == want);
  CHECK(e == NULL);
  if (!err.cause || !strstr(err.cause, cause_part)) {
    fprintf(stderr, "cause: %s\nwanted a part: %s\n", err.cause ? err.cause : "(null)",
            cause_part);
    check_failures++;
  }
  asl_error_clear(&err);
  asl_json_decref(in);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK(rec.done_calls == 0);
}

static void test_refused_starts(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}");
  expect_refused(&loop, m, "{}", (asl_exec_opts){.name = "has space"}, ASL_E_USAGE,
                 "space or control character");
  expect_refused(&loop, m, "{}", (asl_exec_opts){.name = "a:b"}, ASL_E_USAGE, "contains ':'");
  char long_name[82];
  memset(long_name, 'n', 81);
  long_name[81] = 0;
  expect_refused(&loop, m, "{}", (asl_exec_opts){.name = long_name}, ASL_E_USAGE,
                 "1 to 80 characters, not 81");
  expect_refused(&loop, m, "{}", (asl_exec_opts){.state_machine_arn = "arn:aws:states:x"},
                 ASL_E_USAGE, "is not a state machine ARN");
  expect_refused(&loop, m, "{\"s\":\"0123456789\"}", (asl_exec_opts){.payload_limit = 10},
                 ASL_E_LIMIT, "more than the payload limit of 10 bytes");
  expect_refused(&loop, m, "{}", (asl_exec_opts){.start_time_ms = 5}, ASL_E_USAGE,
                 "only be chosen in virtual time");
  asl_machine_free(m);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_two_executions_on_one_loop(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *ok = load_machine("{\"StartAt\":\"W\",\"States\":{"
                         "\"W\":{\"Type\":\"Wait\",\"Seconds\":10,\"Next\":\"P\"},"
                         "\"P\":{\"Type\":\"Pass\",\"Result\":\"done\",\"End\":true}}}");
  asl_machine *bad = load_machine("{\"StartAt\":\"F\",\"States\":{"
                          "\"F\":{\"Type\":\"Fail\",\"Error\":\"E\",\"Cause\":\"C\"}}}");
  recorder r1 = {0};
  recorder r2 = {0};
  asl_event_sink s1;
  asl_event_sink s2;
  asl_exec *e1 = start(&loop, ok, "{}", true, &r1, &s1);
  asl_exec *e2 = start(&loop, bad, "[]", true, &r2, &s2);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(r1.done_calls == 1 && r2.done_calls == 1);
  CHECK(asl_exec_status_of(e1) == ASL_EXEC_SUCCEEDED);
  CHECK(asl_exec_status_of(e2) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(e2), "E");
  CHECK_STR(asl_exec_cause(e2), "C");
  CHECK(r2.count == 3 && r2.types[2] == ASL_EVENT_EXECUTION_FAILED && r2.prev[2] == 2);
  CHECK(strcmp(asl_exec_name(e1), asl_exec_name(e2)) != 0);
  asl_exec_free(e1);
  asl_exec_free(e2);
  asl_machine_free(ok);
  asl_machine_free(bad);
  recorder_free(&r1);
  recorder_free(&r2);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static asl_exec *start_with(uv_loop_t *loop, const asl_machine *m, const char *input,
                            asl_handlers *h, recorder *rec, asl_event_sink *sink)
{
  *sink = (asl_event_sink){.on_event = on_event, .data = rec, .on_note = on_note};
  asl_exec_opts o = {.loop = loop, .virtual_time = true, .sinks = sink, .sink_count = 1,
                     .handlers = h};
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_exec *e = NULL;
  CHECK(asl_exec_start(m, in, &o, on_done, rec, &e, &err) == ASL_OK);
  asl_json_decref(in);
  rec->exec = e;
  return e;
}

static int find_event(const recorder *r, asl_event_type t, int from)
{
  for (int i = from; i < r->count && i < MAX_EVENTS; i++)
    if (r->types[i] == t)
      return i;
  return -1;
}

static void test_tasks_with_one_registry(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  /* a Parallel whose second branch maps a Task over the items: retried once, then caught */
  asl_machine *m = load_machine(
      "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,\"Branches\":["
      "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":\"a\",\"End\":true}}},"
      "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,\"End\":true,"
      "\"ItemProcessor\":{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
      "\"Resource\":\"arn:aws:lambda:us-east-1:123456789012:function:F\","
      "\"Retry\":[{\"ErrorEquals\":[\"Busy\"],\"MaxAttempts\":1}],"
      "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"C\"}],\"End\":true},"
      "\"C\":{\"Type\":\"Pass\",\"Result\":\"caught\",\"End\":true}}}}}}]}}}");
  asl_json *config = J("{\"mocks\":{\"T\":{\"0-1\":{\"Throw\":{\"Error\":\"Busy\"}},"
                       "\"2-99\":{\"Return\":\"ok\"}}}}");
  asl_handlers_opts ho = {.loop = &loop, .config = config};
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *h = asl_handlers_new(&ho, &err);
  CHECK(h != NULL);
  CHECK(asl_exec_resource_style("arn:aws:lambda:us-east-1:123456789012:function:F") ==
        ASL_TASK_LAMBDA_ARN);
  CHECK(asl_exec_resource_style("arn:aws:states:::lambda:invoke") == ASL_TASK_LAMBDA_INVOKE);
  CHECK(asl_exec_resource_style("arn:aws:states:::lambda:invoke.waitForTaskToken") ==
        ASL_TASK_LAMBDA_INVOKE);
  CHECK(asl_exec_resource_style("arn:aws:states:us-east-1:123456789012:activity:A") ==
        ASL_TASK_ACTIVITY);
  CHECK(asl_handlers_check(h, "T", "arn:aws:lambda:us-east-1:123456789012:function:F",
                           ASL_TASK_LAMBDA_ARN, &err) == ASL_OK);
  recorder r1 = {0};
  recorder r2 = {0};
  asl_event_sink s1;
  asl_event_sink s2;
  asl_exec *e1 = start_with(&loop, m, "[1,2]", h, &r1, &s1);
  asl_exec *e2 = start_with(&loop, m, "[3]", h, &r2, &s2);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(r1.done_calls == 1 && r2.done_calls == 1);
  CHECK(asl_exec_status_of(e1) == ASL_EXEC_SUCCEEDED);
  CHECK(asl_exec_status_of(e2) == ASL_EXEC_SUCCEEDED);
  /* each execution counts its own invocations: both start at mock entry 0 */
  asl_json *want1 = J("[\"a\",[\"caught\",\"ok\"]]");
  asl_json *want2 = J("[\"a\",[\"caught\"]]");
  CHECK(asl_json_equal(asl_exec_output(e1), want1));
  CHECK(asl_json_equal(asl_exec_output(e2), want2));
  asl_json_decref(want1);
  asl_json_decref(want2);
  CHECK(r1.notes[ASL_NOTE_HANDLER] == 3 && r1.notes[ASL_NOTE_RETRY] == 1 &&
        r1.notes[ASL_NOTE_CATCH] == 1);
  /* the Task inside the Map inside the Parallel is two levels down, and names its state */
  int sched = find_event(&r1, ASL_EVENT_LAMBDA_FUNCTION_SCHEDULED, 0);
  CHECK(sched > 0 && r1.depths[sched] == 2);
  CHECK_STR(r1.states[sched], "T");
  int it = find_event(&r1, ASL_EVENT_MAP_ITERATION_STARTED, 0);
  CHECK(it > 0 && r1.depths[it] == 1);
  CHECK_STR(r1.states[it], "M");
  CHECK(r1.depths[0] == 0 && r1.states[0] == NULL);
  asl_exec_free(e1);
  asl_exec_free(e2);
  asl_handlers_free(h);
  asl_json_decref(config);
  asl_machine_free(m);
  recorder_free(&r1);
  recorder_free(&r2);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

/* A sink that spends real time while a mocked call is pending: on an exact clock (seeded, virtual
 * time) a mock's answer takes no execution time, so the run ends at its start instant however
 * slow the machine is (found by tools/alloc-sweep: the stopDate of a mocked run moved by a
 * millisecond under load). */
static void on_slow_event(void *data, const asl_event *ev)
{
  (void)data;
  if (ev->type == ASL_EVENT_LAMBDA_FUNCTION_STARTED)
    uv_sleep(20);
}

static void test_mocks_take_no_exact_time(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
                        "\"Resource\":\"arn:aws:lambda:us-east-1:123456789012:function:F\","
                        "\"End\":true}}}");
  asl_json *config = J("{\"mocks\":{\"T\":{\"Return\":1}}}");
  asl_handlers_opts ho = {.loop = &loop, .config = config};
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *h = asl_handlers_new(&ho, &err);
  CHECK(h != NULL);
  asl_event_sink sink = {.on_event = on_slow_event};
  asl_exec_opts o = {.loop = &loop, .virtual_time = true, .has_seed = true, .seed = 1,
                     .exact_time = true, .start_time_ms = 1700000000000, .sinks = &sink,
                     .sink_count = 1, .handlers = h};
  recorder rec = {0};
  asl_json *in = J("{}");
  asl_exec *e = NULL;
  CHECK(asl_exec_start(m, in, &o, on_done, &rec, &e, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(rec.done_calls == 1);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_SUCCEEDED);
  CHECK(asl_exec_start_ms(e) == 1700000000000);
  CHECK(asl_exec_stop_ms(e) == 1700000000000);
  asl_exec_free(e);
  asl_json_decref(in);
  asl_handlers_free(h);
  asl_json_decref(config);
  asl_machine_free(m);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_task_without_registry(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
                        "\"Resource\":\"arn:aws:states:::lambda:invoke\",\"End\":true}}}");
  recorder rec = {0};
  asl_event_sink sink;
  asl_exec *e = start_with(&loop, m, "{}", NULL, &rec, &sink);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_FAILED);
  CHECK_STR(asl_exec_error(e), "States.Runtime");
  CHECK_STR(asl_exec_cause(e), "The Task state 'T' cannot run invocation 0: the execution was "
                               "started without a handler registry");
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_stop_during_map(void)
{
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_machine *m = load_machine("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":true,"
                        "\"MaxConcurrency\":2,\"ItemProcessor\":{\"StartAt\":\"W\",\"States\":{"
                        "\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}}}}");
  recorder rec = {0};
  asl_event_sink sink;
  asl_exec *e = start(&loop, m, "[1,2,3]", false, &rec, &sink);
  uv_timer_t t;
  stop_after(&loop, &t, e, 20);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(asl_exec_status_of(e) == ASL_EXEC_ABORTED);
  int aborted = 0;
  for (int i = 0; i < rec.count; i++)
    aborted += rec.types[i] == ASL_EVENT_MAP_ITERATION_ABORTED;
  CHECK(aborted == 2); /* the third iteration never started */
  CHECK(rec.types[rec.count - 2] == ASL_EVENT_MAP_STATE_ABORTED);
  asl_exec_free(e);
  asl_machine_free(m);
  recorder_free(&rec);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(asl_json_live() == live);
}

static void test_names_and_status_words(void)
{
  CHECK_STR(asl_exec_status_name(ASL_EXEC_RUNNING), "RUNNING");
  CHECK_STR(asl_exec_status_name(ASL_EXEC_SUCCEEDED), "SUCCEEDED");
  CHECK_STR(asl_exec_status_name(ASL_EXEC_FAILED), "FAILED");
  CHECK_STR(asl_exec_status_name(ASL_EXEC_TIMED_OUT), "TIMED_OUT");
  CHECK_STR(asl_exec_status_name(ASL_EXEC_ABORTED), "ABORTED");
  asl_exec_free(NULL);
}

int main(void)
{
  test_names_and_status_words();
  test_success_and_events();
  test_stop_during_wait();
  test_endless_loop_still_stops();
  test_endless_loop_times_out(false);
  test_endless_loop_times_out(true);
  test_stop_from_inside_a_sink();
  test_refused_starts();
  test_two_executions_on_one_loop();
  test_tasks_with_one_registry();
  test_task_without_registry();
  test_mocks_take_no_exact_time();
  test_stop_during_map();
  return CHECK_DONE();
}
