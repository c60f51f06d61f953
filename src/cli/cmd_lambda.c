/* aslrun lambda serve: the functions of an aslrun.json served over the Lambda Invoke API on
 * 127.0.0.1 (asl_lambda_serve_start, include/aslrun/lambda_serve.h), as `sam local
 * start-lambda` serves a template, until Ctrl-C; each request and what its function logged go to
 * stderr. */
#include "cli.h"

#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/lambda_serve.h"

#define DEFAULT_PORT 3001 /* sam local start-lambda's */

const char cli_help_lambda[] =
    "usage: aslrun lambda serve [options]\n"
    "\n"
    "Serves the functions of an aslrun.json (python and command functions) over the Lambda\n"
    "Invoke API, as `sam local start-lambda` does: POST /2015-03-31/functions/NAME/invocations.\n"
    "Point an AWS SDK or the CLI at it (--endpoint-url http://127.0.0.1:3001), or aslrun itself\n"
    "(--lambda-endpoint). Ctrl-C stops it.\n"
    "\n"
    "options:\n"
    "  --config FILE   the aslrun.json to serve (default: ./aslrun.json)\n"
    "  --port N        the port to listen on (default: 3001; 0: any free port)\n"
    "  --host ADDRESS  the address to listen on (default: 127.0.0.1)\n"
    "  --quiet         do not log each request and its function's output\n"
    "  -h, --help      show this help\n"
    "\n"
    "It prints \"listening on http://HOST:PORT\" on stdout once it accepts requests.\n"
    "Exit status: 0 stopped by Ctrl-C or SIGTERM; 2 bad usage, unreadable or invalid\n"
    "aslrun.json, or the port cannot be used.\n";

enum { OPT_CONFIG = 1, OPT_PORT, OPT_HOST, OPT_QUIET, OPT_HELP };

static const cli_opt serve_opts[] = {
    {"--config", NULL, true, OPT_CONFIG}, {"--port", NULL, true, OPT_PORT},
    {"--host", NULL, true, OPT_HOST},     {"--quiet", NULL, false, OPT_QUIET},
    {"--help", "-h", false, OPT_HELP},    {NULL, NULL, false, 0},
};

static void on_request_log(void *data, const char *line, const char *function_log)
{
  (void)data;
  fprintf(stderr, "%s\n", line);
  if (function_log && function_log[0]) {
    size_t n = strlen(function_log);
    fprintf(stderr, "%s%s", function_log, function_log[n - 1] == '\n' ? "" : "\n");
  }
}

static void on_stop_signal(uv_signal_t *s, int signum)
{
  (void)signum;
  uv_stop(s->loop);
}

/* "aslrun: FILE:LINE:COL: /pointer: message" for a problem in aslrun.json. */
static void print_config_error(const char *path, const char *text, size_t len,
                               const asl_error *err)
{
  if (err->offset != ASL_NOPOS) {
    int line = 1;
    int col = 1;
    asl_text_linecol(text, len, err->offset, &line, &col);
    fprintf(stderr, "aslrun: %s:%d:%d: ", path, line, col);
  } else {
    fprintf(stderr, "aslrun: %s: ", path);
  }
  if (err->pointer && err->pointer[0])
    fprintf(stderr, "%s: ", err->pointer);
  fprintf(stderr, "%s\n", err->cause ? err->cause : "invalid configuration");
}

static int serve(const char *config_path, const char *host, int port, bool quiet)
{
  char *text = NULL;
  size_t len = 0;
  if (!cli_read_file(config_path, &text, &len))
    return CLI_USAGE;
  asl_json *config = cli_parse_json(config_path, text, len);
  if (!config) {
    asl_free(text);
    return CLI_USAGE;
  }
  char *dir_copy = asl_strdup(config_path);
  uv_loop_t loop;
  int rc = uv_loop_init(&loop);
  if (rc != 0) {
    fprintf(stderr, "aslrun: cannot start the event loop: %s\n", uv_strerror(rc));
    asl_free(dir_copy);
    asl_json_decref(config);
    asl_free(text);
    return CLI_USAGE;
  }
  int code = CLI_OK;
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts ho = {.loop = &loop, .config = config, .config_dir = dirname(dir_copy)};
  asl_handlers *h = asl_handlers_new(&ho, &err);
  asl_lambda_server *srv = NULL;
  if (!h) {
    print_config_error(config_path, text, len, &err);
    code = CLI_USAGE;
    goto out;
  }
  asl_lambda_serve_opts so = {.loop = &loop, .handlers = h, .host = host, .port = port,
                              .log = quiet ? NULL : on_request_log};
  srv = asl_lambda_serve_start(&so, &err);
  if (!srv) {
    fprintf(stderr, "aslrun: %s\n", err.cause);
    code = CLI_USAGE;
    goto out;
  }
  /* a client that hangs up before its answer is written must not end the server */
  signal(SIGPIPE, SIG_IGN);
  uv_signal_t sigint, sigterm;
  uv_signal_init(&loop, &sigint);
  uv_signal_init(&loop, &sigterm);
  uv_signal_start(&sigint, on_stop_signal, SIGINT);
  uv_signal_start(&sigterm, on_stop_signal, SIGTERM);
  const asl_json *fns = asl_json_get_cstr(config, "functions");
  size_t n = fns ? asl_json_len(fns) : 0;
  fprintf(stderr, "aslrun: serving %zu function%s from %s:", n, n == 1 ? "" : "s", config_path);
  for (size_t i = 0; i < n && i < 20; i++) {
    size_t kl;
    fprintf(stderr, " %s", asl_json_key_at(fns, i, &kl));
  }
  fprintf(stderr, "%s\n", n > 20 ? " ..." : "");
  bool v6 = strchr(host, ':') != NULL;
  printf("listening on http://%s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "",
         asl_lambda_serve_port(srv));
  fflush(stdout);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&sigint, NULL);
  uv_close((uv_handle_t *)&sigterm, NULL);
out:
  asl_lambda_serve_free(srv);
  asl_handlers_free(h);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  asl_error_clear(&err);
  asl_free(dir_copy);
  asl_json_decref(config);
  asl_free(text);
  return code;
}

int cli_lambda(int argc, char **argv, int first)
{
  if (first >= argc)
    return cli_usage_error("lambda", "missing a subcommand: aslrun lambda serve");
  if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
    fputs(cli_help_lambda, stdout);
    return CLI_OK;
  }
  if (strcmp(argv[first], "serve") != 0)
    return cli_usage_error("lambda", "no subcommand 'lambda %s' (there is 'lambda serve')",
                           argv[first]);
  cli_args a = {"lambda", argv, argc, first + 1, false};
  const char *value;
  const char *config = "aslrun.json";
  const char *host = "127.0.0.1";
  int port = DEFAULT_PORT;
  bool quiet = false;
  int id;
  while ((id = cli_next(&a, serve_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case OPT_HELP:
      fputs(cli_help_lambda, stdout);
      return CLI_OK;
    case OPT_CONFIG:
      config = value;
      break;
    case OPT_HOST:
      host = value;
      break;
    case OPT_QUIET:
      quiet = true;
      break;
    case OPT_PORT: {
      char *end;
      long p = strtol(value, &end, 10);
      if (!value[0] || *end || p < 0 || p > 65535)
        return cli_usage_error("lambda", "--port takes a number from 0 to 65535, not '%s'",
                               value);
      port = (int)p;
      break;
    }
    default:
      return cli_usage_error("lambda", "unexpected argument '%s'", value);
    }
  }
  return serve(config, host, port, quiet);
}
