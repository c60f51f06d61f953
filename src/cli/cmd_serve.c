/* aslrun serve: the Step Functions API on localhost (asl_serve_start, include/aslrun/serve.h), a
 * drop-in for Step Functions Local: its environment variables are read as it reads them
 * (AWS_ACCOUNT_ID, AWS_DEFAULT_REGION, LAMBDA_ENDPOINT, SFN_MOCK_CONFIG, WAIT_TIME_SCALE), and
 * its other service endpoints, which aslrun has no integration for, are named in a warning.
 * Serves until Ctrl-C or SIGTERM; each request goes to stderr unless --quiet. */
#include "cli.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "aslrun/serve.h"

#define DEFAULT_PORT 8083 /* Step Functions Local's */

const char cli_help_serve[] =
    "usage: aslrun serve [options]\n"
    "\n"
    "Serves the AWS Step Functions API on localhost, as Step Functions Local does: point an AWS\n"
    "SDK, the AWS CLI or Terraform at it (--endpoint-url http://127.0.0.1:8083). State machines\n"
    "run with aslrun's semantics; Task states are served by aslrun.json's functions, or by a\n"
    "MockConfigFile test case chosen as Step Functions Local chooses it, by starting the\n"
    "execution with the state machine ARN followed by #TestCase. Ctrl-C stops it.\n"
    "\n"
    "options:\n"
    "  --port N             the port to listen on (default: 8083; 0: any free port)\n"
    "  --host ADDRESS       the address to listen on (default: 127.0.0.1)\n"
    "  --state-dir DIR      keep state machines and finished executions (with their history)\n"
    "                       in DIR across restarts (default: memory only)\n"
    "  --config FILE        the handlers of Task states (default: ./aslrun.json if present)\n"
    "  --mock-config FILE   a Step Functions Local MockConfigFile (default: $SFN_MOCK_CONFIG)\n"
    "  --virtual-time       waits and retry back-offs take no real time (timestamps still\n"
    "                       advance); also WAIT_TIME_SCALE=0\n"
    "  --check-auth         refuse requests without a valid SigV4 signature by the key pair in\n"
    "                       AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (default: accept any)\n"
    "  --cold               a fresh worker for every Python invocation\n"
    "  --quiet              do not log each request\n"
    "  -h, --help           show this help\n"
    "\n"
    "Environment (as Step Functions Local): AWS_ACCOUNT_ID (default 123456789012),\n"
    "AWS_DEFAULT_REGION (default us-east-1), LAMBDA_ENDPOINT (Lambda functions aslrun.json does\n"
    "not map are invoked there), SFN_MOCK_CONFIG, WAIT_TIME_SCALE (0 or 1).\n"
    "\n"
    "It prints \"listening on http://HOST:PORT\" on stdout once it accepts requests.\n"
    "Exit status: 0 stopped by Ctrl-C or SIGTERM; 2 bad usage, unreadable configuration,\n"
    "damaged state directory, or the port cannot be used.\n";

enum {
  OPT_PORT = 1,
  OPT_HOST,
  OPT_STATE_DIR,
  OPT_CONFIG,
  OPT_MOCK_CONFIG,
  OPT_VIRTUAL_TIME,
  OPT_CHECK_AUTH,
  OPT_COLD,
  OPT_QUIET,
  OPT_HELP,
};

static const cli_opt serve_opts[] = {
    {"--port", NULL, CLI_VALUE_REQUIRED, OPT_PORT},
    {"--host", NULL, CLI_VALUE_REQUIRED, OPT_HOST},
    {"--state-dir", NULL, CLI_VALUE_REQUIRED, OPT_STATE_DIR},
    {"--config", NULL, CLI_VALUE_REQUIRED, OPT_CONFIG},
    {"--mock-config", NULL, CLI_VALUE_REQUIRED, OPT_MOCK_CONFIG},
    {"--virtual-time", NULL, CLI_VALUE_NONE, OPT_VIRTUAL_TIME},
    {"--check-auth", NULL, CLI_VALUE_NONE, OPT_CHECK_AUTH},
    {"--cold", NULL, CLI_VALUE_NONE, OPT_COLD},
    {"--quiet", NULL, CLI_VALUE_NONE, OPT_QUIET},
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

/* Step Functions Local's endpoints of services aslrun has no integration for. */
static const char *const other_endpoints[] = {
    "BATCH_ENDPOINT", "DYNAMODB_ENDPOINT", "ECS_ENDPOINT", "GLUE_ENDPOINT", "SAGE_MAKER_ENDPOINT",
    "SQS_ENDPOINT",   "SNS_ENDPOINT",      "STEP_FUNCTIONS_ENDPOINT", "EKS_ENDPOINT", NULL};

typedef struct serve_options {
  const char *host;
  int port;
  const char *state_dir;
  const char *config;
  const char *mock_config;
  bool virtual_time, check_auth, cold, quiet;
} serve_options;

static void on_log(void *data, const char *line)
{
  (void)data;
  fprintf(stderr, "%s\n", line);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
  (void)signum;
  asl_serve_stop(h->data);
}

static char *folder_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  char *dir = slash ? asl_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                    : asl_strdup(".");
  char buf[PATH_MAX];
  if (realpath(dir, buf)) {
    asl_free(dir);
    return asl_strdup(buf);
  }
  return dir;
}

static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

static int serve(serve_options *o)
{
  const char *scale = env("WAIT_TIME_SCALE");
  if (scale && strcmp(scale, "0") != 0 && strcmp(scale, "1") != 0) {
    fprintf(stderr, "aslrun: WAIT_TIME_SCALE=%s: aslrun serve runs waits in real time (1) or in "
                    "virtual time (0), nothing between\n",
            scale);
    return CLI_USAGE;
  }
  if (scale && strcmp(scale, "0") == 0)
    o->virtual_time = true;
  for (const char *const *e = other_endpoints; *e; e++)
    if (env(*e))
      fprintf(stderr, "aslrun: %s is set, but aslrun serve has no integration with that service: "
                      "Tasks calling it need a mock (a MockConfigFile test case)\n",
              *e);
  const char *key_id = NULL;
  const char *secret = NULL;
  if (o->check_auth) {
    key_id = env("AWS_ACCESS_KEY_ID");
    secret = env("AWS_SECRET_ACCESS_KEY");
    if (!key_id || !secret) {
      fprintf(stderr, "aslrun: --check-auth checks signatures by the key pair in "
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both\n");
      return CLI_USAGE;
    }
  }
  if (!o->config && access("aslrun.json", F_OK) == 0)
    o->config = "aslrun.json";
  if (!o->mock_config)
    o->mock_config = env("SFN_MOCK_CONFIG");
  asl_json *config = o->config ? cli_read_json(o->config) : NULL;
  asl_json *mock = o->mock_config ? cli_read_json(o->mock_config) : NULL;
  if ((o->config && !config) || (o->mock_config && !mock)) {
    asl_json_decref(config);
    asl_json_decref(mock);
    return CLI_USAGE;
  }
  char *config_dir = o->config ? folder_of(o->config) : NULL;
  uv_loop_t loop;
  int rc = uv_loop_init(&loop);
  if (rc != 0) {
    fprintf(stderr, "aslrun: cannot start the event loop: %s\n", uv_strerror(rc));
    asl_free(config_dir);
    asl_json_decref(config);
    asl_json_decref(mock);
    return CLI_USAGE;
  }
  asl_serve_opts so = {.loop = &loop, .host = o->host, .port = o->port,
                       .region = env("AWS_DEFAULT_REGION"), .account = env("AWS_ACCOUNT_ID"),
                       .state_dir = o->state_dir, .config = config, .config_dir = config_dir,
                       .mock_config = mock, .lambda_endpoint = env("LAMBDA_ENDPOINT"),
                       .virtual_time = o->virtual_time, .cold = o->cold, .access_key = key_id,
                       .secret_key = secret, .log = o->quiet ? NULL : on_log};
  asl_error err = ASL_ERROR_INIT;
  asl_sfn_server *srv = asl_serve_start(&so, &err);
  int code = CLI_OK;
  if (!srv) {
    fprintf(stderr, "aslrun: %s\n", err.cause ? err.cause : "cannot start the server");
    asl_error_clear(&err);
    code = CLI_USAGE;
  } else {
    /* a client that hangs up before its answer is written must not end the server */
    signal(SIGPIPE, SIG_IGN);
    /* a connection is a descriptor: allow as many as the hard limit does (test suites open
     * hundreds at once), which also covers the workers' pipes */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    uv_signal_t sigint, sigterm;
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    sigint.data = sigterm.data = srv;
    uv_signal_start(&sigint, on_stop_signal, SIGINT);
    uv_signal_start(&sigterm, on_stop_signal, SIGTERM);
    bool loopback = strncmp(o->host, "127.", 4) == 0 || strcmp(o->host, "::1") == 0;
    if (!loopback && !o->check_auth)
      fprintf(stderr, "aslrun: serving on %s without --check-auth: whoever reaches this port can "
                      "run state machines and the functions they call\n",
              o->host);
    bool v6 = strchr(o->host, ':') != NULL;
    printf("listening on http://%s%s%s:%d\n", v6 ? "[" : "", o->host, v6 ? "]" : "",
           asl_serve_port(srv));
    fflush(stdout);
    asl_serve_run(srv);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    asl_serve_free(srv);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  asl_free(config_dir);
  asl_json_decref(config);
  asl_json_decref(mock);
  return code;
}

int cli_serve(int argc, char **argv, int first)
{
  serve_options o = {.host = "127.0.0.1", .port = DEFAULT_PORT};
  cli_args a = {"serve", argv, argc, first, false};
  const char *value;
  int id;
  while ((id = cli_next(&a, serve_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case OPT_HELP:
      fputs(cli_help_serve, stdout);
      return CLI_OK;
    case OPT_PORT: {
      char *end;
      long p = strtol(value, &end, 10);
      if (!value[0] || *end || p < 0 || p > 65535)
        return cli_usage_error("serve", "--port takes a number from 0 to 65535, not '%s'", value);
      o.port = (int)p;
      break;
    }
    case OPT_HOST:
      o.host = value;
      break;
    case OPT_STATE_DIR:
      o.state_dir = value;
      break;
    case OPT_CONFIG:
      o.config = value;
      break;
    case OPT_MOCK_CONFIG:
      o.mock_config = value;
      break;
    case OPT_VIRTUAL_TIME:
      o.virtual_time = true;
      break;
    case OPT_CHECK_AUTH:
      o.check_auth = true;
      break;
    case OPT_COLD:
      o.cold = true;
      break;
    case OPT_QUIET:
      o.quiet = true;
      break;
    default:
      return cli_usage_error("serve", "unexpected argument '%s'", value);
    }
  }
  return serve(&o);
}
