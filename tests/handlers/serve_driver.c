/* A stand-alone `lambda serve` for tests until the CLI has the command: serves the functions of
 * an aslrun.json over the Invoke API on 127.0.0.1 and prints "PORT <n>" on stdout once it
 * listens; request lines and function logs go to stderr (unless --quiet). Ends on SIGINT or
 * SIGTERM. Usage: serve_driver CONFIG [--port N] [--quiet] */
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/lambda_serve.h"

static bool quiet;

static void on_log(void *data, const char *line, const char *function_log)
{
  (void)data;
  if (quiet)
    return;
  fprintf(stderr, "%s\n", line);
  if (function_log && function_log[0])
    fprintf(stderr, "%s%s", function_log,
            function_log[strlen(function_log) - 1] == '\n' ? "" : "\n");
}

static void on_signal(uv_signal_t *s, int signum)
{
  (void)signum;
  uv_stop(s->loop);
}

int main(int argc, char **argv)
{
  signal(SIGPIPE, SIG_IGN); /* a client or server that hangs up is no reason to die */
  const char *config_path = NULL;
  int port = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = (int)strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--quiet") == 0)
      quiet = true;
    else
      config_path = argv[i];
  }
  if (!config_path) {
    fprintf(stderr, "usage: serve_driver CONFIG [--port N] [--quiet]\n");
    return 2;
  }
  FILE *f = fopen(config_path, "rb");
  if (!f) {
    perror(config_path);
    return 2;
  }
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text, f);
  fclose(f);
  asl_error err = ASL_ERROR_INIT;
  asl_json *config = asl_json_parse(text, n, NULL, &err);
  if (!config) {
    fprintf(stderr, "%s: %s\n", config_path, err.cause);
    return 2;
  }
  char *dir_copy = strdup(config_path);
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_handlers_opts ho = {.loop = &loop, .config = config, .config_dir = dirname(dir_copy)};
  asl_handlers *h = asl_handlers_new(&ho, &err);
  if (!h) {
    fprintf(stderr, "%s: %s\n", config_path, err.cause);
    return 2;
  }
  asl_lambda_serve_opts so = {.loop = &loop, .handlers = h, .port = port, .log = on_log};
  asl_lambda_server *srv = asl_lambda_serve_start(&so, &err);
  int status = 0;
  if (!srv) {
    fprintf(stderr, "serve_driver: %s\n", err.cause);
    status = 1;
  } else {
    uv_signal_t sigint, sigterm;
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    printf("PORT %d\n", asl_lambda_serve_port(srv));
    fflush(stdout);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    asl_lambda_serve_free(srv);
  }
  asl_handlers_free(h);
  uv_run(&loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&loop);
  asl_error_clear(&err);
  asl_json_decref(config);
  free(dir_copy);
  return status ? status : rc != 0;
}
