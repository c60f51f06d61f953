/* Private to src/cli: the commands, option parsing, reading files and inputs, and the exit
 * codes. Only this folder prints, reads argv or picks exit codes (STYLE.md, section 1). */
#ifndef ASLRUN_CLI_CLI_H
#define ASLRUN_CLI_CLI_H

#include <stdio.h>

#include "aslrun/exec.h"

/* exit statuses */
enum {
  CLI_OK = 0,
  CLI_FAILED = 1,      /* the execution failed, timed out or was aborted; validate: problems */
  CLI_USAGE = 2,       /* bad usage, unreadable file, invalid input, invalid definition */
  CLI_NO_MEMORY = 70,  /* EX_SOFTWARE: memory exhausted */
  CLI_INTERRUPTED = 130,
};

/* ---- options ---- */
typedef struct cli_opt {
  const char *name; /* "--input" */
  const char *alias; /* "-h", or NULL */
  bool takes_value;
  int id;
} cli_opt;

typedef struct cli_args {
  const char *command; /* "run", "validate": for messages */
  char **argv;
  int argc;
  int i;            /* next argument */
  bool only_positional; /* after "--" */
} cli_args;

enum { CLI_ARG_END = -1, CLI_ARG_POSITIONAL = -2, CLI_ARG_ERROR = -3 };

/* The next argument: an option's id (with *value set when it takes one), CLI_ARG_POSITIONAL
 * (*value is the argument), CLI_ARG_END, or CLI_ARG_ERROR after printing a usage error. */
int cli_next(cli_args *a, const cli_opt *opts, const char **value);
/* Prints "aslrun: MESSAGE" and the hint to --help of the command on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) ASL_PRINTF(2, 3);

/* ---- files and inputs ---- */
/* Reads the whole file [path] ("-": standard input) into *text; on failure prints
 * "aslrun: cannot read 'PATH': why" and returns false. */
bool cli_read_file(const char *path, char **text, size_t *len);
/* Parses JSON [text] from [source] (a file name, or "--input"); on failure prints
 * "aslrun: SOURCE:LINE:COL: what is wrong" and returns NULL. */
asl_json *cli_parse_json(const char *source, const char *text, size_t len);
/* Writes [v] and a newline on [f]: pretty when [f] is a terminal, compact otherwise. */
void cli_print_json(FILE *f, const asl_json *v);
/* "2024-01-02T03:04:05.678Z" as a new JSON string. */
asl_json *cli_timestamp(int64_t ms);

/* ---- history ---- */
typedef struct cli_history cli_history;
/* Opens [path] for writing the history; prints why and returns NULL when it cannot. */
cli_history *cli_history_open(const char *path);
asl_event_sink cli_history_sink(cli_history *h);
/* Ends the file; false (after printing why) when writing failed. Frees [h]. */
bool cli_history_close(cli_history *h);

/* ---- commands ---- */
int cli_run(int argc, char **argv, int first);
int cli_validate(int argc, char **argv, int first);
int cli_help(const char *command);
int cli_lambda(int argc, char **argv, int first); /* cmd_lambda.c: lambda serve */

extern const char cli_help_main[];
extern const char cli_help_run[];
extern const char cli_help_validate[];
extern const char cli_help_help[];
extern const char cli_help_lambda[];

#endif
