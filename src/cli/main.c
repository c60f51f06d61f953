/* aslrun's entry point: picks the command (run is the default), the version and the help, and
 * installs the out-of-memory handler; the commands are in cmd_*.c. */
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#ifndef ASLRUN_VERSION
#define ASLRUN_VERSION "unknown"
#endif

static void on_out_of_memory(void)
{
  static const char msg[] = "aslrun: out of memory\n";
  ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)n;
  _exit(CLI_NO_MEMORY);
}

int cli_help(const char *command)
{
  if (!command) {
    fputs(cli_help_main, stdout);
  } else if (strcmp(command, "run") == 0) {
    fputs(cli_help_run, stdout);
  } else if (strcmp(command, "validate") == 0) {
    fputs(cli_help_validate, stdout);
  } else if (strcmp(command, "help") == 0) {
    fputs(cli_help_help, stdout);
  } else if (strcmp(command, "lambda") == 0) {
    fputs(cli_help_lambda, stdout);
  } else if (strcmp(command, "serve") == 0) {
    fputs(cli_help_serve, stdout);
  } else if (strcmp(command, "test") == 0) {
    fputs(cli_help_test, stdout);
  } else if (strcmp(command, "graph") == 0) {
    fputs(cli_help_graph, stdout);
  } else if (strcmp(command, "replay") == 0) {
    fputs(cli_help_replay, stdout);
  } else {
    return cli_usage_error(NULL, "no command named '%s'", command);
  }
  return CLI_OK;
}

static int help_command(int argc, char **argv)
{
  static const cli_opt opts[] = {{"--help", "-h", false, 1}, {NULL, NULL, false, 0}};
  cli_args a = {"help", argv, argc, 2, false};
  const char *value;
  const char *command = NULL;
  int id;
  while ((id = cli_next(&a, opts, &value)) != CLI_ARG_END) {
    if (id == CLI_ARG_ERROR)
      return CLI_USAGE;
    if (id == 1)
      return cli_help("help");
    if (command)
      return cli_usage_error("help", "unexpected argument '%s': name one command", value);
    command = value;
  }
  return cli_help(command);
}

int main(int argc, char **argv)
{
  asl_set_oom_handler(on_out_of_memory);
  /* a command handler or a reader of our output that goes away without reading must not end
   * aslrun: writes to it fail with EPIPE instead, and each is reported where it happens */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2)
    return cli_usage_error(NULL, "missing a state machine file or a command");
  const char *first = argv[1];
  int code;
  if (strcmp(first, "run") == 0)
    code = cli_run(argc, argv, 2);
  else if (strcmp(first, "validate") == 0)
    code = cli_validate(argc, argv, 2);
  else if (strcmp(first, "help") == 0)
    code = help_command(argc, argv);
  else if (strcmp(first, "lambda") == 0)
    code = cli_lambda(argc, argv, 2);
  else if (strcmp(first, "serve") == 0)
    code = cli_serve(argc, argv, 2);
  else if (strcmp(first, "test") == 0)
    code = cli_test(argc, argv, 2);
  else if (strcmp(first, "graph") == 0)
    code = cli_graph(argc, argv, 2);
  else if (strcmp(first, "replay") == 0)
    code = cli_replay(argc, argv, 2);
  else if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
    code = cli_help(NULL);
  else if (strcmp(first, "--version") == 0)
    code = fputs("aslrun " ASLRUN_VERSION "\n", stdout) < 0 ? CLI_USAGE : CLI_OK;
  else
    code = cli_run(argc, argv, 1);
  if (fflush(stdout) != 0 && code == CLI_OK) {
    fputs("aslrun: cannot write the output\n", stderr);
    code = CLI_USAGE;
  }
  return code;
}
