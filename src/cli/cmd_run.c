/* aslrun [run] MACHINE: load the definition, read the input, set up the Task handlers
 * (run_handlers.c), run the execution on a libuv loop and report: the output on stdout, or
 * "Error: Cause" on stderr, or with --describe one DescribeExecution-like object; --history and
 * --trace are event sinks; --fault answers Task invocations (faults.c); --seed, --start-time
 * and the quota options are setup.c's. Ctrl-C stops the execution cleanly (ABORTED, handler
 * calls cancelled, history written, no worker left). */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum {
  OPT_INPUT = 1,
  OPT_INPUT_FILE,
  OPT_DESCRIBE,
  OPT_VIRTUAL_TIME,
  OPT_HISTORY,
  OPT_NAME,
  OPT_SM_ARN,
  OPT_ROLE_ARN,
  OPT_CONFIG,
  OPT_MOCK_CONFIG,
  OPT_TEST_CASE,
  OPT_COLD,
  OPT_LAMBDA_ENDPOINT,
  OPT_FAULT,
  OPT_EXPRESS,
  OPT_HELP,
};

static const cli_opt run_opts[] = {
    {"--input", NULL, CLI_VALUE_REQUIRED, OPT_INPUT},
    {"--input-file", NULL, CLI_VALUE_REQUIRED, OPT_INPUT_FILE},
    {"--describe", NULL, CLI_VALUE_NONE, OPT_DESCRIBE},
    {"--virtual-time", NULL, CLI_VALUE_NONE, OPT_VIRTUAL_TIME},
    {"--history", NULL, CLI_VALUE_REQUIRED, OPT_HISTORY},
    {"--name", NULL, CLI_VALUE_REQUIRED, OPT_NAME},
    {"--state-machine-arn", NULL, CLI_VALUE_REQUIRED, OPT_SM_ARN},
    {"--role-arn", NULL, CLI_VALUE_REQUIRED, OPT_ROLE_ARN},
    {"--config", NULL, CLI_VALUE_REQUIRED, OPT_CONFIG},
    {"--mock-config", NULL, CLI_VALUE_REQUIRED, OPT_MOCK_CONFIG},
    {"--test-case", NULL, CLI_VALUE_REQUIRED, OPT_TEST_CASE},
    {"--cold", NULL, CLI_VALUE_NONE, OPT_COLD},
    {"--lambda-endpoint", NULL, CLI_VALUE_REQUIRED, OPT_LAMBDA_ENDPOINT},
    {"--fault", NULL, CLI_VALUE_REQUIRED, OPT_FAULT},
    {"--express", NULL, CLI_VALUE_NONE, OPT_EXPRESS},
    CLI_EXEC_OPTS,
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

typedef struct run_options {
  const char *machine;
  const char *input;
  const char *input_file;
  bool describe;
  bool virtual_time;
  const char *history;
  const char *name;
  const char *sm_arn;
  const char *role_arn;
  const char *config;
  const char *mock_config;
  const char *test_case;
  bool cold;
  const char *lambda_endpoint;
  cli_faults faults;
  bool express;
  cli_exec_settings exec;
} run_options;

typedef struct run_ctx {
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  asl_exec *exec;
  int signal; /* the signal that stopped the execution, or 0 */
} run_ctx;

static int parse_args(int argc, char **argv, int first, run_options *o, bool *help)
{
  cli_args a = {"run", argv, argc, first, false};
  const char *value;
  int id;
  while ((id = cli_next(&a, run_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case CLI_ARG_POSITIONAL:
      if (o->machine)
        return cli_usage_error("run", "unexpected argument '%s': give one state machine file",
                               value);
      o->machine = value;
      break;
    case OPT_INPUT:
    case OPT_INPUT_FILE:
      if (o->input || o->input_file)
        return cli_usage_error("run", "give the input once, with --input or --input-file");
      if (id == OPT_INPUT)
        o->input = value;
      else
        o->input_file = value;
      break;
    case OPT_DESCRIBE:
      o->describe = true;
      break;
    case OPT_VIRTUAL_TIME:
      o->virtual_time = true;
      break;
    case OPT_HISTORY:
      o->history = value;
      break;
    case OPT_NAME:
      o->name = value;
      break;
    case OPT_SM_ARN:
      o->sm_arn = value;
      break;
    case OPT_ROLE_ARN:
      o->role_arn = value;
      break;
    case OPT_CONFIG:
      o->config = value;
      break;
    case OPT_MOCK_CONFIG:
      o->mock_config = value;
      break;
    case OPT_TEST_CASE:
      o->test_case = value;
      break;
    case OPT_COLD:
      o->cold = true;
      break;
    case OPT_LAMBDA_ENDPOINT:
      o->lambda_endpoint = value;
      break;
    case OPT_FAULT: {
      char *why = NULL;
      if (!cli_fault_parse(value, &o->faults, &why)) {
        int code = cli_usage_error("run", "--fault %s", why);
        asl_free(why);
        return code;
      }
      break;
    }
    case OPT_EXPRESS:
      o->express = true;
      break;
    case OPT_HELP:
      *help = true;
      return CLI_OK;
    default:
      if (id >= CLI_OPT_SEED) {
        int code = cli_exec_setting("run", id, value, &o->exec);
        if (code != CLI_OK)
          return code;
      }
      break;
    }
  }
  if (!o->machine)
    return cli_usage_error("run", "missing the state machine file to run");
  if (o->exec.has_start_time && !o->virtual_time)
    return cli_usage_error("run", "--start-time needs --virtual-time: in real time an execution "
                                  "starts now");
  int code = cli_limits_env("run", &o->exec);
  if (code != CLI_OK)
    return code;
  if (o->test_case && !o->mock_config)
    return cli_usage_error("run", "--test-case names a test case of a mock config: give the file "
                                  "with --mock-config FILE");
  if (o->mock_config && !o->test_case)
    return cli_usage_error("run", "--mock-config needs --test-case NAME: the test case of the "
                                  "file to run");
  return CLI_OK;
}

/* The machine's key in a mock config: the name in --state-machine-arn when given, else the
 * file's base name ("the machine name ... unless --state-machine-arn names it"). */
static char *mock_machine_name(const run_options *o)
{
  if (o->sm_arn) {
    const char *colon = strrchr(o->sm_arn, ':');
    return asl_strdup(colon ? colon + 1 : o->sm_arn);
  }
  return cli_machine_name(o->machine);
}

static void on_signal(uv_signal_t *h, int signum)
{
  run_ctx *ctx = h->data;
  if (ctx->signal)
    return;
  ctx->signal = signum;
  asl_exec_stop(ctx->exec, NULL, NULL);
  /* a second Ctrl-C ends the process at once, as it would without aslrun */
  uv_signal_stop(&ctx->sigint);
  uv_signal_stop(&ctx->sigterm);
}

static void on_done(asl_exec *e, void *data)
{
  (void)e;
  run_ctx *ctx = data;
  uv_close((uv_handle_t *)&ctx->sigint, NULL);
  uv_close((uv_handle_t *)&ctx->sigterm, NULL);
}

static asl_json *describe(const asl_exec *e)
{
  const asl_json *out = asl_exec_output(e);
  const char *error = asl_exec_error(e);
  const char *cause = asl_exec_cause(e);
  asl_json *o = asl_json_object(8);
  asl_json_obj_put_cstr(o, "status", asl_json_cstr(asl_exec_status_name(asl_exec_status_of(e))));
  asl_json_obj_put_cstr(o, "output", out ? asl_json_incref(out) : asl_json_null());
  asl_json_obj_put_cstr(o, "error", error ? asl_json_cstr(error) : asl_json_null());
  asl_json_obj_put_cstr(o, "cause", cause ? asl_json_cstr(cause) : asl_json_null());
  asl_json_obj_put_cstr(o, "name", asl_json_cstr(asl_exec_name(e)));
  asl_json_obj_put_cstr(o, "executionArn", asl_json_cstr(asl_exec_arn(e)));
  asl_json_obj_put_cstr(o, "startDate", cli_timestamp(asl_exec_start_ms(e)));
  asl_json_obj_put_cstr(o, "stopDate", cli_timestamp(asl_exec_stop_ms(e)));
  return o;
}

/* What a person reads when the execution did not succeed. */
static void report_failure(const asl_exec *e, int64_t timeout_seconds, const asl_exec_quotas *q)
{
  const char *error = asl_exec_error(e);
  const char *cause = asl_exec_cause(e);
  switch (asl_exec_status_of(e)) {
  case ASL_EXEC_FAILED:
    if (error && cause)
      fprintf(stderr, "%s: %s\n", error, cause);
    else if (error)
      fprintf(stderr, "%s (no cause given)\n", error);
    else if (cause)
      fprintf(stderr, "execution failed with no error name: %s\n", cause);
    else
      fputs("execution failed with no error name and no cause (a Fail state without Error or "
            "Cause)\n",
            stderr);
    break;
  case ASL_EXEC_TIMED_OUT:
    if (error)
      fprintf(stderr,
              "execution timed out (%s): it reached the maximum execution time, %lld s (AWS's "
              "quota is one year; --max-duration SECONDS|none raises it)\n",
              error,
              (long long)(q->max_duration_seconds ? q->max_duration_seconds
                                                  : ASL_MAX_DURATION_SECONDS_AWS));
    else
      fprintf(stderr,
              "execution timed out: it ran longer than the state machine's TimeoutSeconds (%lld "
              "s)\n",
              (long long)timeout_seconds);
    break;
  case ASL_EXEC_ABORTED:
    fputs("execution aborted: interrupted before it finished\n", stderr);
    break;
  case ASL_EXEC_SUCCEEDED:
  case ASL_EXEC_RUNNING:
    break;
  }
}

static bool start_signals(run_ctx *ctx)
{
  int rc = uv_signal_init(&ctx->loop, &ctx->sigint);
  if (rc == 0)
    rc = uv_signal_init(&ctx->loop, &ctx->sigterm);
  ctx->sigint.data = ctx->sigterm.data = ctx;
  if (rc == 0)
    rc = uv_signal_start(&ctx->sigint, on_signal, SIGINT);
  if (rc == 0)
    rc = uv_signal_start(&ctx->sigterm, on_signal, SIGTERM);
  if (rc != 0)
    fprintf(stderr, "aslrun: cannot watch for Ctrl-C: %s\n", uv_strerror(rc));
  return rc == 0;
}

/* Closes the signal handles and the loop of a run that never started an execution. */
static void close_loop(run_ctx *ctx, cli_handlers *h)
{
  uv_close((uv_handle_t *)&ctx->sigint, NULL);
  uv_close((uv_handle_t *)&ctx->sigterm, NULL);
  uv_run(&ctx->loop, UV_RUN_DEFAULT);
  cli_handlers_close(h);
  uv_loop_close(&ctx->loop);
}

static void print_problem(void *data, const cli_fault *f, const char *pointer,
                          const char *message)
{
  (void)data;
  (void)f;
  (void)pointer;
  fprintf(stderr, "aslrun: --fault %s\n", message);
}

static int execute(run_options *o, const asl_machine *m, const asl_json *input,
                   cli_history *history, cli_trace *trace)
{
  run_ctx ctx = {0};
  int rc = uv_loop_init(&ctx.loop);
  if (rc != 0) {
    fprintf(stderr, "aslrun: cannot start the event loop: %s\n", uv_strerror(rc));
    return CLI_USAGE;
  }
  if (!start_signals(&ctx)) {
    close_loop(&ctx, NULL);
    return CLI_USAGE;
  }
  char *mock_name = mock_machine_name(o);
  cli_handlers_opts hopts = {
      .config = o->config,
      .mock_config = o->mock_config,
      .test_case = o->test_case,
      .machine = o->machine,
      .sm_name = mock_name,
      .cold = o->cold,
      .payload_limit = o->exec.payload_limit,
      .lambda_endpoint = o->lambda_endpoint,
  };
  cli_handlers *handlers = cli_handlers_open(&ctx.loop, &hopts);
  if (!handlers) {
    asl_free(mock_name);
    close_loop(&ctx, NULL);
    return CLI_USAGE;
  }
  asl_buf problems = ASL_BUF_INIT;
  bool served = cli_handlers_check_faults(handlers, m, o->machine, mock_name, o->test_case,
                                          &o->faults, &problems);
  if (problems.len)
    fwrite(problems.data, 1, problems.len, stderr);
  asl_buf_free(&problems);
  asl_free(mock_name);
  if (!served) {
    close_loop(&ctx, handlers);
    return CLI_USAGE;
  }
  char *sm_name = cli_machine_name(o->machine);
  asl_event_sink sinks[2];
  size_t sink_count = 0;
  if (history)
    sinks[sink_count++] = cli_history_sink(history);
  if (trace)
    sinks[sink_count++] = cli_trace_sink(trace);
  asl_exec_opts opts = {
      .loop = &ctx.loop,
      .virtual_time = o->virtual_time,
      .name = o->name,
      .state_machine_arn = o->sm_arn,
      .state_machine_name = sm_name,
      .role_arn = o->role_arn,
      .payload_limit = o->exec.payload_limit,
      .sinks = sinks,
      .sink_count = sink_count,
      .handlers = cli_handlers_registry(handlers),
      .answer = o->faults.items.len ? cli_faults_answer : NULL,
      .answer_data = &o->faults,
      .express = o->express,
  };
  cli_exec_apply(&o->exec, &opts);
  asl_error err = ASL_ERROR_INIT;
  asl_status st = asl_exec_start(m, input, &opts, on_done, &ctx, &ctx.exec, &err);
  asl_free(sm_name);
  if (st != ASL_OK) {
    if (st == ASL_E_LIMIT)
      fprintf(stderr, "aslrun: %s; raise the limit with --payload-limit BYTES (or 'none')\n",
              err.cause);
    else
      fprintf(stderr, "aslrun: %s\n", err.cause ? err.cause : "cannot start the execution");
    asl_error_clear(&err);
    close_loop(&ctx, handlers);
    return CLI_USAGE;
  }
  uv_run(&ctx.loop, UV_RUN_DEFAULT);
  /* the registry stops its warm workers and waits for them: nothing outlives aslrun */
  cli_handlers_close(handlers);
  uv_loop_close(&ctx.loop);

  asl_exec *e = ctx.exec;
  asl_exec_status status = asl_exec_status_of(e);
  if (o->describe) {
    asl_json *d = describe(e);
    cli_print_json(stdout, d);
    asl_json_decref(d);
  } else if (status == ASL_EXEC_SUCCEEDED) {
    cli_print_json(stdout, asl_exec_output(e));
  } else {
    report_failure(e, m->timeout_seconds, &o->exec.quotas);
  }
  asl_exec_free(e);
  if (ctx.signal)
    return 128 + ctx.signal;
  return status == ASL_EXEC_SUCCEEDED ? CLI_OK : CLI_FAILED;
}

int cli_run(int argc, char **argv, int first)
{
  run_options o = {0};
  bool help = false;
  int code = parse_args(argc, argv, first, &o, &help);
  if (code != CLI_OK || help) {
    cli_faults_free(&o.faults);
    if (help)
      fputs(cli_help_run, stdout);
    return code;
  }

  asl_machine *m = cli_load_machine_with(o.machine, &o.exec.load, NULL);
  if (!m) {
    cli_faults_free(&o.faults);
    return CLI_USAGE;
  }
  if (!cli_faults_resolve(&o.faults, m, print_problem, NULL)) {
    cli_faults_free(&o.faults);
    asl_machine_free(m);
    return CLI_USAGE;
  }

  asl_json *input = NULL;
  if (o.input) {
    input = cli_parse_json("--input", o.input, strlen(o.input));
  } else if (o.input_file) {
    input = cli_read_json(o.input_file);
  } else {
    input = asl_json_object(0);
  }
  if (!input) {
    cli_faults_free(&o.faults);
    asl_machine_free(m);
    return CLI_USAGE;
  }

  cli_history *history = NULL;
  if (o.history) {
    history = cli_history_open(o.history);
    if (!history) {
      cli_faults_free(&o.faults);
      asl_json_decref(input);
      asl_machine_free(m);
      return CLI_USAGE;
    }
  }
  cli_trace *trace = o.exec.trace ? cli_trace_open(stderr, o.exec.trace_json) : NULL;
  code = execute(&o, m, input, history, trace);
  cli_trace_close(trace);
  if (history && !cli_history_close(history) && code < 128)
    code = CLI_USAGE;
  cli_faults_free(&o.faults);
  asl_json_decref(input);
  asl_machine_free(m);
  return code;
}
