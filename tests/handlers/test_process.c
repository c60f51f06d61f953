/* The process handler with shell scripts (tests/handlers/bin): stdin/stdout, both error forms,
 * the timeout, the output cap, cancellation, and no process left behind, not even one the script
 * started in the background. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static uv_loop_t loop;
static asl_handlers *h;

#define ARN(fn) "arn:aws:lambda:eu-west-1:123456789012:function:" fn

static void run(const char *fn_arn, const char *input, outcome *o)
{
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = "S", .resource = fn_arn, .style = ASL_TASK_LAMBDA_ARN,
                        .input = in};
  CHECK(run_one(&loop, h, &r, o, &err) == ASL_OK);
  if (err.cause)
    fprintf(stderr, "invoke failed: %s\n", err.cause);
  asl_error_clear(&err);
  CHECK(!o->reentered);
  asl_json_decref(in);
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  if (argc < 2)
    return 2;
  size_t live = asl_json_live();
  uv_loop_init(&loop);
  char pidfile[] = "/tmp/aslrun-test-bg-XXXXXX";
  int fd = mkstemp(pidfile);
  close(fd);
  char cfgtext[2048];
  snprintf(cfgtext, sizeof cfgtext,
           "{\"functions\": {"
           " \"Echo\": {\"command\": [\"bin/echo.sh\"]},"
           " \"FailJson\": {\"command\": [\"bin/fail_json.sh\"]},"
           " \"FailPlain\": {\"command\": [\"bin/fail_plain.sh\"]},"
           " \"Slow\": {\"command\": [\"bin/slow.sh\"], \"timeout\": 0.3},"
           " \"SlowLong\": {\"command\": [\"bin/slow.sh\"], \"timeout\": 60},"
           " \"Bg\": {\"command\": [\"bin/background.sh\", \"%s\"]},"
           " \"Big\": {\"command\": [\"bin/big.sh\"]},"
           " \"Env\": {\"command\": [\"bin/env.sh\"], \"environment\": {\"STAGE\": \"qa\"}},"
           " \"Nope\": {\"command\": [\"bin/no_such_program\"]}}}",
           pidfile);
  asl_json *cfg = J(cfgtext);
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts opts = {.loop = &loop, .config = cfg, .config_dir = argv[1]};
  h = asl_handlers_new(&opts, &err);
  CHECK(h != NULL);
  outcome o = {0};

  run(ARN("Echo"), "{\"a\": [1, \"\\u00e9\"]}", &o);
  CHECK(o.status == ASL_OK);
  CHECK_JSON(o.value, "{\"a\":[1,\"\xc3\xa9\"]}");

  run(ARN("Env"), "{}", &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "fn"), "\"Env\"");
  CHECK_JSON(asl_json_get_cstr(o.value, "stage"), "\"qa\"");

  run(ARN("FailJson"), "{}", &o);
  CHECK(o.status == ASL_E_HANDLER);
  CHECK_STR(o.name, "BadInput");
  CHECK_STR(o.cause, "{\"errorType\": \"BadInput\", \"errorMessage\": \"nope\"}\n");

  run(ARN("FailPlain"), "{}", &o);
  CHECK_STR(o.name, "States.TaskFailed");
  CHECK_STR(o.cause, "line one\nsomething broke");

  uint64_t t0 = uv_hrtime();
  run(ARN("Slow"), "{}", &o);
  CHECK((double)(uv_hrtime() - t0) / 1e9 < 3.0);
  CHECK_STR(o.name, "Sandbox.Timedout");
  CHECK_CONTAINS(o.cause, " Error: Task timed out after 0.30 seconds\"}");

  /* the script's background child holds stdout open: the answer still comes, the child dies */
  t0 = uv_hrtime();
  run(ARN("Bg"), "{}", &o);
  CHECK((double)(uv_hrtime() - t0) / 1e9 < 3.0);
  CHECK_JSON(o.value, "{\"ok\":true}");
  FILE *pf = fopen(pidfile, "r");
  int bg = 0;
  CHECK(pf && fscanf(pf, "%d", &bg) == 1);
  if (pf)
    fclose(pf);
  unlink(pidfile);
  /* gone, or a zombie waiting for init (not our child: the script was its parent) */
  bool dead = false;
  for (int i = 0; i < 100 && bg > 0 && !dead; i++) {
    char path[64], state = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", bg);
    FILE *st = fopen(path, "r");
    dead = !st || (fscanf(st, "%*d (%*[^)]) %c", &state) == 1 && state == 'Z');
    if (st)
      fclose(st);
    if (!dead)
      uv_sleep(10);
  }
  CHECK(bg > 0 && dead);

  run(ARN("Big"), "{}", &o);
  CHECK_STR(o.name, "Function.ResponseSizeTooLarge");

  asl_json *in = J("{}");
  asl_task_request r = {.state_name = "S", .resource = ARN("Nope"), .style = ASL_TASK_LAMBDA_ARN,
                        .input = in};
  asl_task_call *c = NULL;
  outcome_clear(&o);
  CHECK(invoke(h, &r, &o, &c, &err) == ASL_E_IO);
  CHECK_PREFIX(err.cause, "cannot run ");
  CHECK_CONTAINS(err.cause, "bin/no_such_program for function \"Nope\": no such file or directory");
  asl_error_clear(&err);

  r.resource = ARN("SlowLong");
  CHECK(invoke(h, &r, &o, &c, &err) == ASL_OK);
  t0 = uv_hrtime();
  while (uv_hrtime() - t0 < 100000000ull)
    uv_run(&loop, UV_RUN_NOWAIT);
  cancel(c);
  while (o.calls == 0)
    uv_run(&loop, UV_RUN_ONCE);
  CHECK(o.status == ASL_E_CANCELED);
  CHECK(!o.reentered);
  /* a call still running when the registry goes: killed, reaped, callback never runs */
  outcome last = {0};
  CHECK(invoke(h, &r, &last, &c, &err) == ASL_OK);
  asl_json_decref(in);
  outcome_clear(&o);
  asl_handlers_free(h);
  CHECK(last.calls == 0);
  asl_json_decref(cfg);
  CHECK(uv_loop_close(&loop) == 0);
  int status;
  CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
