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
enum { CLI_VALUE_NONE = 0, CLI_VALUE_REQUIRED = 1, CLI_VALUE_OPTIONAL = 2 };

typedef struct cli_opt {
  const char *name; /* "--input" */
  const char *alias; /* "-h", or NULL */
  int takes_value;  /* CLI_VALUE_*: an optional value is only ever given as --name=value */
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
/* cli_read_file then cli_parse_json ("-" is named <stdin> in messages): NULL when either failed,
 * the problem printed. */
asl_json *cli_read_json(const char *path);
/* Writes [v] and a newline on [f]: pretty when [f] is a terminal, compact otherwise. */
void cli_print_json(FILE *f, const asl_json *v);
/* "2024-01-02T03:04:05.678Z" as a new JSON string. */
asl_json *cli_timestamp(int64_t ms);

/* ---- shared set-up of run, test and graph (setup.c) ---- */
/* Reads and loads the definition [path]; on failure its diagnostics (FILE:LINE:COL: ...) go to
 * [messages], or stderr when NULL, and it returns NULL. */
asl_machine *cli_load_machine(const char *path, asl_buf *messages);
/* The same with load options ([opts] may be NULL). */
asl_machine *cli_load_machine_with(const char *path, const asl_load_opts *opts,
                                   asl_buf *messages);

/* What run, test and replay share about an execution: determinism (--seed, --start-time),
 * AWS's quotas, each raisable (--max-history-events, --max-duration, --inline-map-concurrency,
 * --distributed-map-concurrency, --max-state-name, --payload-limit) and --trace. Each command
 * puts CLI_EXEC_OPTS in its option table and hands the ids from CLI_OPT_SEED on to
 * cli_exec_setting. */
enum {
  CLI_OPT_SEED = 1000,
  CLI_OPT_START_TIME,
  CLI_OPT_MAX_HISTORY,
  CLI_OPT_MAX_DURATION,
  CLI_OPT_INLINE_MAP,
  CLI_OPT_DISTRIBUTED_MAP,
  CLI_OPT_MAX_STATE_NAME,
  CLI_OPT_PAYLOAD_LIMIT,
  CLI_OPT_TRACE,
};
#define CLI_EXEC_OPTS                                                                              \
  {"--seed", NULL, CLI_VALUE_REQUIRED, CLI_OPT_SEED},                                             \
      {"--start-time", NULL, CLI_VALUE_REQUIRED, CLI_OPT_START_TIME},                             \
      {"--max-history-events", NULL, CLI_VALUE_REQUIRED, CLI_OPT_MAX_HISTORY},                    \
      {"--max-duration", NULL, CLI_VALUE_REQUIRED, CLI_OPT_MAX_DURATION},                         \
      {"--inline-map-concurrency", NULL, CLI_VALUE_REQUIRED, CLI_OPT_INLINE_MAP},                 \
      {"--distributed-map-concurrency", NULL, CLI_VALUE_REQUIRED, CLI_OPT_DISTRIBUTED_MAP},       \
      {"--max-state-name", NULL, CLI_VALUE_REQUIRED, CLI_OPT_MAX_STATE_NAME},                     \
      {"--payload-limit", NULL, CLI_VALUE_REQUIRED, CLI_OPT_PAYLOAD_LIMIT},                       \
      {"--trace", NULL, CLI_VALUE_OPTIONAL, CLI_OPT_TRACE}

/* 2024-01-01T00:00:00Z: where a seeded run in virtual time starts, unless --start-time says */
#define CLI_SEEDED_START_MS INT64_C(1704067200000)

typedef struct cli_exec_settings {
  bool has_seed;
  uint64_t seed;
  bool has_start_time;
  int64_t start_time_ms;
  asl_exec_quotas quotas;  /* zeroes: AWS's */
  asl_load_opts load;      /* max_state_name */
  size_t payload_limit;    /* 0: AWS's */
  bool trace;
  bool trace_json;
} cli_exec_settings;

/* Takes the shared option [id] with [value] into [s]; CLI_OK or a usage error of [command]. */
int cli_exec_setting(const char *command, int id, const char *value, cli_exec_settings *s);
/* Sets the seed, start instant, exact time and quotas of [o] (whose virtual_time is set already)
 * from [s]: a seeded run in virtual time starts at --start-time or CLI_SEEDED_START_MS and never
 * reads real time. */
void cli_exec_apply(const cli_exec_settings *s, asl_exec_opts *o);
/* A random seed for a run that was given none. */
uint64_t cli_random_seed(void);
/* The machine's name: the file's base name without ".json", as Step Functions Local names it;
 * characters AWS does not allow in names become '_' and it is cut at 80 bytes. */
char *cli_machine_name(const char *path);
/* A payload limit: a number of bytes (at least 1) or "none" (SIZE_MAX). */
bool cli_parse_limit(const char *text, size_t *out);
/* Sets [s]'s payload limit from ASLRUN_PAYLOAD_LIMIT and its history quota from
 * ASLRUN_MAX_HISTORY_EVENTS, each unless its option set it already (non-zero): for harnesses that
 * cannot pass options. A bad value is a usage error of [command] (returned, CLI_OK otherwise). */
int cli_limits_env(const char *command, cli_exec_settings *s);

/* ---- history ---- */
typedef struct cli_history cli_history;
/* Opens [path] for writing the history; prints why and returns NULL when it cannot. */
cli_history *cli_history_open(const char *path);
asl_event_sink cli_history_sink(cli_history *h);
/* Ends the file; false (after printing why) when writing failed. Frees [h]. */
bool cli_history_close(cli_history *h);

/* ---- trace ---- */
typedef struct cli_trace cli_trace;
/* A trace on [f]: readable lines (coloured when [f] is a terminal) or, with [json], JSON lines. */
cli_trace *cli_trace_open(FILE *f, bool json);
/* The same trace appended to [out] (which must outlive it), coloured when [colour]. */
cli_trace *cli_trace_open_buf(asl_buf *out, bool json, bool colour);
asl_event_sink cli_trace_sink(cli_trace *t);
void cli_trace_close(cli_trace *t); /* NULL is a no-op */

/* ---- handlers ---- */
typedef struct cli_faults cli_faults; /* faults.c */
typedef struct cli_handlers_opts {
  const char *config;      /* --config FILE, or NULL: aslrun.json beside the machine if any */
  const char *mock_config; /* --mock-config FILE, or NULL */
  const char *test_case;   /* --test-case NAME (with mock_config) */
  const char *machine;     /* the machine file */
  const char *sm_name;     /* the machine's key in the mock config's StateMachines */
  bool cold;
  size_t payload_limit;
  const char *lambda_endpoint; /* --lambda-endpoint URL, or NULL */
  /* A test case's inline mocks, put over aslrun.json's "mocks" (they win), or NULL; named
   * [mocks_source] in messages. */
  const asl_json *mocks;
  const char *mocks_source;
  /* Where the problems go (one line each): stderr when NULL. */
  asl_buf *messages;
} cli_handlers_opts;

typedef struct cli_handlers cli_handlers;
/* Reads the configuration files and builds the handler registry on [loop]; prints why and
 * returns NULL when it cannot (a file that cannot be read or parsed, an unknown test case). */
cli_handlers *cli_handlers_open(uv_loop_t *loop, const cli_handlers_opts *o);
asl_handlers *cli_handlers_registry(cli_handlers *h);
/* Checks that every state a mock names ([sm_name]'s [test_case] in the mock config, "mocks" in
 * aslrun.json) is a Task state of [m], and that every Task state, at every level, can be served;
 * prints one line a problem and returns false when there was any. */
bool cli_handlers_check(cli_handlers *h, const asl_machine *m, const char *machine_file,
                        const char *sm_name, const char *test_case);
/* The same, with the problems appended to [out] (one line each) instead of printed. */
bool cli_handlers_check_into(cli_handlers *h, const asl_machine *m, const char *machine_file,
                             const char *sm_name, const char *test_case, asl_buf *out);
/* The same, leaving out the Task states whose every invocation [faults] answers (may be NULL). */
bool cli_handlers_check_faults(cli_handlers *h, const asl_machine *m, const char *machine_file,
                               const char *sm_name, const char *test_case,
                               const cli_faults *faults, asl_buf *out);
/* [v] compact, cut to [max] bytes with "..." (at a character boundary; testdiff.c). */
void cli_json_short(const asl_json *v, size_t max, asl_buf *out);
typedef ASL_VEC(const asl_state *) cli_state_list;
/* Appends the Task states of [states], at every level (Parallel branches, Map processors), in
 * the order of the definition. */
void cli_task_states(const asl_states *states, cli_state_list *out);
/* Is [name] a Task state of [m], at any level? */
bool cli_is_task_state(const asl_machine *m, const char *name);
/* Each state [mocked] names (a test case's mocks, aslrun.json's "mocks") must be a Task state of
 * [m]: a misspelt name would otherwise mock nothing. One line a problem goes to [out], located in
 * [file] ([text] of [len] bytes, the object at JSON pointer [pointer]). */
bool cli_check_mocked_names(const asl_json *mocked, const char *file, const char *text,
                            size_t len, const char *pointer, const asl_machine *m,
                            const char *machine_file, asl_buf *out);
/* A registry on [loop] for one test case: [base]'s files (not read again; [base] must outlive
 * it) with the case's own [o]->mocks and [o]->test_case; [o]->config and mock_config are
 * ignored. NULL (and the problem in o->messages or on stderr) when it cannot be built. */
cli_handlers *cli_handlers_derive(const cli_handlers *base, uv_loop_t *loop,
                                  const cli_handlers_opts *o);
/* Stops every worker and frees the registry (runs the loop until their handles are closed). */
void cli_handlers_close(cli_handlers *h);

/* ---- fault injection (faults.c) ---- */
typedef struct cli_fault {
  char *target;     /* "STATE" or "STATE#N" as written on the command line, or NULL */
  char *state;      /* the Task state, once resolved (given whole in a test file's object) */
  int64_t invocation; /* 0-based, or -1: every invocation */
  asl_answer_kind kind;
  asl_json *value;  /* RETURN */
  char *error;      /* ERROR */
  char *cause;      /* ERROR, or NULL */
  asl_task_fault fault; /* HANDLER */
  char *spec;       /* as written, for messages */
  size_t pointer_index; /* its index in a test case's "faults" */
} cli_fault;

struct cli_faults {
  ASL_VEC(cli_fault) items;
};

/* A problem found in faults: located at JSON [pointer] (a test file's), or about fault [f]. */
typedef void (*cli_fault_problem_cb)(void *data, const cli_fault *f, const char *pointer,
                                     const char *message);
/* Parses "STATE[#N]=SPEC" (--fault) into [fs]; false and *why (a new string) when malformed. */
bool cli_fault_parse(const char *text, cli_faults *fs, char **why);
/* A test case's "faults" ([list], at [pointer]): strings as --fault takes them, or objects
 * {"state", "invocation", "error" (+ "cause") | "return" | "timeout": true | "fault"}. */
bool cli_faults_from_json(const asl_json *list, const char *pointer, cli_faults *fs,
                          cli_fault_problem_cb problem, void *data);
/* Each fault must name a Task state of [m] ("STATE#N" splits N off only when STATE is one). */
bool cli_faults_resolve(cli_faults *fs, const asl_machine *m, cli_fault_problem_cb problem,
                        void *data);
/* True when every invocation of [state] is answered by a fault, so no handler is needed. */
bool cli_faults_serve_all(const cli_faults *fs, const char *state);
/* The execution's answer callback (exec.h); [data] is the cli_faults. */
void cli_faults_answer(void *data, const asl_task_query *q, asl_task_answer *out);
void cli_faults_free(cli_faults *fs);

/* ---- commands ---- */
int cli_run(int argc, char **argv, int first);
int cli_validate(int argc, char **argv, int first);
int cli_help(const char *command);
int cli_lambda(int argc, char **argv, int first); /* cmd_lambda.c: lambda serve */
int cli_serve(int argc, char **argv, int first);  /* cmd_serve.c: the Step Functions API */
int cli_test(int argc, char **argv, int first);   /* cmd_test.c */
int cli_graph(int argc, char **argv, int first);  /* cmd_graph.c */
int cli_replay(int argc, char **argv, int first); /* cmd_replay.c */

extern const char cli_help_main[];
extern const char cli_help_run[];
extern const char cli_help_validate[];
extern const char cli_help_help[];
extern const char cli_help_lambda[];
extern const char cli_help_serve[];
extern const char cli_help_test[];
extern const char cli_help_graph[];
extern const char cli_help_replay[];

#endif
