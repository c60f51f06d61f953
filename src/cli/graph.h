/* Private to src/cli: `aslrun graph`. graph.c builds a drawing-neutral model of a machine (nodes,
 * edges, clusters) and lays an execution history over it; graph_dot.c and graph_mermaid.c write
 * it as Graphviz DOT and as a Mermaid flowchart. */
#ifndef ASLRUN_CLI_GRAPH_H
#define ASLRUN_CLI_GRAPH_H

#include "cli.h"

typedef enum cli_gnode_kind {
  CLI_GNODE_STATE,
  CLI_GNODE_START, /* the machine's start marker */
  CLI_GNODE_END,   /* the machine's end marker */
  CLI_GNODE_FORK,  /* where a Parallel or Map state starts: carries the state's name */
  CLI_GNODE_JOIN,  /* where it ends: its Next, Retry and Catch edges leave from here */
} cli_gnode_kind;

typedef struct cli_gnode {
  cli_gnode_kind kind;
  const asl_state *state; /* STATE, FORK, JOIN */
  int cluster;            /* index of the innermost cluster holding it, -1 at the top */
  /* the history's overlay */
  int64_t runs;        /* times entered */
  int64_t retries;
  const char *error;   /* the last error the state failed with (borrowed from the history) */
  bool failed_here;    /* the execution failed in this state */
  bool untested;       /* coverage: no test entered it */
} cli_gnode;

typedef enum cli_gedge_kind {
  CLI_GEDGE_NEXT,
  CLI_GEDGE_CHOICE,  /* a Choice rule; label: its short form */
  CLI_GEDGE_DEFAULT, /* a Choice's Default */
  CLI_GEDGE_RETRY,   /* a self-loop; label: errors and MaxAttempts */
  CLI_GEDGE_CATCH,   /* label: errors */
  CLI_GEDGE_START,   /* start marker or fork -> first state */
  CLI_GEDGE_END,     /* a final state -> end marker or join */
} cli_gedge_kind;

typedef struct cli_gedge {
  size_t from;
  size_t to;
  cli_gedge_kind kind;
  char *label; /* owned, or NULL */
  const asl_retrier *retrier; /* RETRY: the retrier it stands for */
  int64_t taken; /* overlay: times the execution went this way (RETRY: retries it made) */
  /* the coverage item it stands for: CHOICE rule, RETRY retrier, CATCH catcher [index] of
   * [owner]; DEFAULT of [owner]; START into branch [index] of Parallel or Map [owner] */
  const asl_state *owner;
  size_t index;
  bool untested; /* coverage: an item no test took */
} cli_gedge;

typedef struct cli_gcluster {
  int parent; /* -1 at the top */
  char *label; /* owned */
  bool is_state; /* the box of a Parallel or Map state (else a branch or item processor) */
  const asl_state *state;
} cli_gcluster;

typedef struct cli_gmodel {
  const asl_machine *machine;
  ASL_VEC(cli_gnode) nodes;
  ASL_VEC(cli_gedge) edges;
  ASL_VEC(cli_gcluster) clusters;
  bool overlay;           /* a history was laid over it */
  bool coverage;          /* a coverage report was laid over it (instead) */
  double coverage_percent;
  int64_t coverage_covered, coverage_total;
  const char *exec_status; /* overlay: SUCCEEDED, FAILED, ... or NULL when unfinished */
  asl_json *history;      /* kept for the strings the overlay borrows */
} cli_gmodel;

cli_gmodel *cli_graph_build(const asl_machine *m);
/* Lays history [doc] ({"events": [...]}, taken) over [g]; false and *why (new string) when it is
 * not a history of this machine. */
bool cli_graph_overlay(cli_gmodel *g, asl_json *doc, char **why);
/* Lays coverage report [doc] (`aslrun test --coverage=json`, borrowed) over [g]: the entry of
 * machine file [machine_path]; false and *why when the report has none for it. */
bool cli_graph_coverage(cli_gmodel *g, const asl_json *doc, const char *machine_path,
                        char **why);
void cli_graph_free(cli_gmodel *g);

void cli_graph_dot(const cli_gmodel *g, asl_buf *out);
void cli_graph_mermaid(const cli_gmodel *g, asl_buf *out);

#endif
