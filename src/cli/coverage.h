/* Private to src/cli: coverage of machines by test runs (coverage.c), reported by
 * `aslrun test --coverage` and laid over `aslrun graph --coverage FILE` (graph.c). */
#ifndef ASLRUN_CLI_COVERAGE_H
#define ASLRUN_CLI_COVERAGE_H

#include "cli.h"

typedef struct cli_coverage cli_coverage;         /* one machine file's */
typedef struct cli_coverage_set cli_coverage_set; /* every machine's, by real path */

cli_coverage_set *cli_coverage_set_new(void);
/* Frees the set; the machines it was built from may be freed before (they are not read). */
void cli_coverage_set_free(cli_coverage_set *set);
/* The coverage of machine file [path] (one entry per real path); [m] is kept for the reports
 * and must outlive every call below but the free. */
cli_coverage *cli_coverage_for(cli_coverage_set *set, const asl_machine *m, const char *path);
/* What an execution of the machine did: its events and its notes. */
void cli_coverage_event(cli_coverage *c, const asl_event *ev);
void cli_coverage_note(cli_coverage *c, const asl_note *n);

/* A table (states, rules, retriers, catchers, branches, total %) and what is not covered. */
void cli_coverage_text(const cli_coverage_set *set, asl_buf *out);
/* {"machines": [{"machine", "percent", "summary", "states", "choiceRules", "retriers",
 * "catchers", "branches"}], "total"} */
asl_json *cli_coverage_json(const cli_coverage_set *set);
/* False (one line a machine in [msgs]) when a machine's coverage is below [min] percent. */
bool cli_coverage_check_min(const cli_coverage_set *set, double min, asl_buf *msgs);

/* A short form of Choice rule [i] of [st] ("$.x == 1"), as graphs label it (graph.c). */
char *cli_graph_choice_label(const asl_state *st, size_t i);

#endif
