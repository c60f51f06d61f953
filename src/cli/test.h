/* Private to src/cli: `aslrun test`. Test files (testfile.c) are read into files and cases; the
 * runner (testrun.c) runs the cases on one loop, several at once, and fills each case's result;
 * expectations are checked in testexpect.c (with JSON diffs from testdiff.c), rewritten by
 * --update in testupdate.c; reporters (report_*.c) turn results into text, TAP or JUnit XML. */
#ifndef ASLRUN_CLI_TEST_H
#define ASLRUN_CLI_TEST_H

#include "cli.h"
#include "coverage.h"

typedef struct cli_test_file cli_test_file;
typedef struct cli_test_case cli_test_case;

/* One failed expectation: a one-line [message] ("output differs at /name: expected "Ada", got
 * "Bob"") and an optional multi-line [detail] (a diff), both owned. */
typedef struct cli_failure {
  char *message;
  char *detail;
} cli_failure;

typedef enum cli_outcome {
  CLI_CASE_NOT_RUN, /* filtered out, or the run was interrupted first */
  CLI_CASE_PASSED,
  CLI_CASE_FAILED,  /* an expectation did not hold */
  CLI_CASE_ERROR,   /* the case could not run (handlers, input over the limit) */
  CLI_CASE_SKIPPED, /* "skip" in the file */
  CLI_CASE_UPDATED, /* --update rewrote its expectations */
} cli_outcome;

/* What an execution did, as the expectations read it. */
typedef struct cli_state_count {
  const char *name; /* borrowed from the machine */
  int64_t runs;     /* *StateEntered events, at every depth */
  int64_t retries;  /* retries (aslrun's notes) */
  int64_t invocations; /* handler calls (*Scheduled events) */
} cli_state_count;

typedef struct cli_event_rec {
  asl_event_type type;
  const char *state; /* borrowed from the machine; NULL for execution events */
  asl_json *details; /* owned, or NULL */
} cli_event_rec;

typedef struct cli_case_result {
  cli_outcome outcome;
  double real_ms; /* wall-clock time of the case */
  asl_exec_status status;
  asl_json *output; /* SUCCEEDED: owned */
  char *error;
  char *cause;
  int64_t duration_ms; /* on the execution's clock (virtual time included) */
  char *execution_name;
  ASL_VEC(const char *) path;   /* states entered at the top level, in order */
  ASL_VEC(cli_state_count) states;
  ASL_VEC(cli_event_rec) events; /* only when the case's expectations look at events */
  ASL_VEC(cli_failure) failures;
  asl_buf trace; /* the case's trace (always captured; printed for failures or --trace) */
} cli_case_result;

struct cli_test_case {
  cli_test_file *file;
  size_t index;       /* in the file's "cases" (for --update) */
  const char *name;   /* borrowed from the file's document, or owned by the file */
  const asl_json *input;
  const asl_json *mocks;     /* inline mocks, or NULL */
  const char *test_case;     /* a MockConfigFile test case, or NULL */
  const asl_json *expect;    /* NULL: the case must succeed */
  const char *skip;          /* the reason, or NULL */
  const char *execution_name;
  cli_faults faults;         /* "faults", resolved against the machine */
  bool wants_events;
  bool selected;
  cli_case_result res;
};

struct cli_test_file {
  char *path;         /* as found or given */
  char *text;
  size_t len;
  asl_json *doc;      /* the parsed file (NULL in --mock-config mode) */
  char *machine_path; /* relative to the working directory */
  char *config_path;  /* or NULL: aslrun.json beside the machine when there is one */
  char *mock_config_path;
  char *sm_name;      /* the machine's key in the mock config */
  asl_machine *machine;
  char *error;        /* the file cannot be used: why (lines, each "aslrun: ..."), or NULL */
  cli_test_case *cases;
  size_t case_count;
  ASL_VEC(char *) owned; /* strings the cases borrow in --mock-config mode */
  asl_json *owned_input;
};

/* ---- test files (testfile.c) ---- */
/* Adds the test files found at [path] (a file, or a folder searched for *.test.json, sorted by
 * name) to [out]; false (after printing why) when [path] cannot be read or holds none. */
typedef ASL_VEC(char *) cli_path_list;
bool cli_test_find(const char *path, cli_path_list *out);
/* Reads and checks test file [path]: on a problem, file->error says why (the file is still
 * returned, with no cases). [config] (--config) wins over the file's "config"; [load] (may be
 * NULL) are the machine's load options. */
cli_test_file *cli_test_file_load(const char *path, const char *config,
                                  const asl_load_opts *load);
/* A file of the cases of a Step Functions Local MockConfigFile [mock_config] that apply to
 * [machine] (by its name [sm_name]), each run on [input] (borrowed) and expected to succeed. */
cli_test_file *cli_test_file_from_mock_config(const char *machine, const char *mock_config,
                                              const char *sm_name, const char *config,
                                              const asl_json *input, const asl_load_opts *load);
void cli_test_file_free(cli_test_file *f);
void cli_case_result_clear(cli_case_result *r);
/* "FILE:LINE:COL: " of the node at [pointer] in [f] (its key with [key]), into [out]. */
void cli_test_locate(const cli_test_file *f, const char *pointer, bool key, asl_buf *out);

/* ---- expectations (testexpect.c) ---- */
/* Checks [c]'s result against its expectations; fills c->res.failures and the outcome. */
void cli_expect_check(cli_test_case *c);
/* True when [exp] (an expected value with matchers: {"$any": true}, {"$regex": RE},
 * {"$json": V}) matches [act]; else false and, when [where] is given, the JSON pointer of the
 * first difference (below [where]'s content) and a short [why] ("expected 1, got 2"). */
bool cli_json_match(const asl_json *exp, const asl_json *act, asl_buf *where, asl_buf *why);
/* A path of the case's result as the expectations name them ("$.a.b" on the output). */
asl_json *cli_expect_output_at(const cli_test_case *c, const char *path, asl_error *err);

/* ---- diffs (testdiff.c) ---- */
/* Appends a line diff of the pretty forms of [exp] and [act] ("- expected", "+ actual", with
 * context), each line prefixed by [indent]; long equal stretches are cut. */
void cli_diff_json(const asl_json *exp, const asl_json *act, const char *indent, asl_buf *out);
/* Writes [v] with two-space indentation, empty containers as {} and [], members in their order:
 * the form --update writes test files in. */
void cli_json_pretty(const asl_json *v, asl_buf *out);

/* ---- --update (testupdate.c) ---- */
/* Rewrites [f] with the expectations of its cases replaced by their actual results (only the
 * cases run); false (and *why) when the file cannot be written. */
bool cli_test_update(cli_test_file *f, char **why);

/* ---- running (testrun.c) ---- */
typedef struct cli_test_run_opts {
  int jobs;
  bool real_time;
  bool cold;
  bool colour;     /* the traces are for a terminal */
  bool trace_json;
  size_t payload_limit;
  const char *lambda_endpoint;
  /* every case runs with a seed made from [seed] and its own name (so that --seed and --filter
   * rerun one exactly), from --start-time or 2024-01-01 on an exact clock in virtual time, and
   * within [exec]'s quotas */
  uint64_t seed;
  cli_exec_settings exec;
  cli_coverage_set *coverage; /* record coverage here, or NULL */
  /* called in order (file order, then case order) as soon as each case and those before it
   * are done */
  void (*on_case)(void *data, cli_test_case *c);
  void (*on_file_error)(void *data, cli_test_file *f);
  void *data;
} cli_test_run_opts;

/* Runs every selected case of [files] (their cases' results are filled); returns false when
 * the run was interrupted (Ctrl-C) or the loop could not start (after printing why). */
bool cli_test_run(cli_test_file **files, size_t nfiles, const cli_test_run_opts *o,
                  int *signal_out);

/* ---- reports (report_*.c) ---- */
typedef struct cli_report_totals {
  size_t passed, failed, errors, skipped, updated, bad_files;
  double real_ms;
  uint64_t seed; /* the run's: reports show it when something failed, for an exact rerun */
} cli_report_totals;

typedef struct cli_text_report cli_text_report;
cli_text_report *cli_text_report_new(FILE *f, bool colour, bool verbose_trace);
void cli_text_report_case(void *self, cli_test_case *c);
void cli_text_report_file_error(void *self, cli_test_file *f);
void cli_text_report_end(cli_text_report *r, const cli_report_totals *t);

typedef struct cli_tap_report cli_tap_report;
cli_tap_report *cli_tap_report_new(FILE *f, size_t planned, bool with_trace);
void cli_tap_report_case(void *self, cli_test_case *c);
void cli_tap_report_file_error(void *self, cli_test_file *f);
void cli_tap_report_end(cli_tap_report *r, const cli_report_totals *t);

/* Writes JUnit XML of every file and case to [path]; false (after printing why) on failure. */
bool cli_junit_write(const char *path, cli_test_file **files, size_t nfiles,
                     const cli_report_totals *t);

/* The case's outcome as one word for reports: "ok", "FAIL", "ERROR", "skip", "updated". */
const char *cli_outcome_word(cli_outcome o);
/* One line describing the case's actual result: "SUCCEEDED {"a":1}" or
 * "FAILED States.TaskFailed: cause", cut to [max] bytes. */
void cli_result_summary(const cli_test_case *c, size_t max, asl_buf *out);

#endif
