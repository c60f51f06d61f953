/* aslrun graph MACHINE [--format dot|mermaid] [--history FILE | --coverage FILE]: the state
 * graph on stdout, optionally with an execution's history or a test coverage report laid over it
 * (graph.c builds, graph_coverage.c reads coverage, graph_dot.c and graph_mermaid.c write). */
#include "graph.h"

#include <string.h>

enum { OPT_FORMAT = 1, OPT_HISTORY, OPT_COVERAGE, OPT_HELP };

static const cli_opt graph_opts[] = {
    {"--format", NULL, CLI_VALUE_REQUIRED, OPT_FORMAT},
    {"--history", NULL, CLI_VALUE_REQUIRED, OPT_HISTORY},
    {"--coverage", NULL, CLI_VALUE_REQUIRED, OPT_COVERAGE},
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

int cli_graph(int argc, char **argv, int first)
{
  cli_args a = {"graph", argv, argc, first, false};
  const char *value;
  const char *machine = NULL;
  const char *history = NULL;
  const char *coverage = NULL;
  bool mermaid = false;
  int id;
  while ((id = cli_next(&a, graph_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case CLI_ARG_POSITIONAL:
      if (machine)
        return cli_usage_error("graph", "unexpected argument '%s': give one state machine file",
                               value);
      machine = value;
      break;
    case OPT_FORMAT:
      if (strcmp(value, "dot") == 0)
        mermaid = false;
      else if (strcmp(value, "mermaid") == 0)
        mermaid = true;
      else
        return cli_usage_error("graph", "--format takes 'dot' or 'mermaid', not '%s'", value);
      break;
    case OPT_HISTORY:
      history = value;
      break;
    case OPT_COVERAGE:
      coverage = value;
      break;
    case OPT_HELP:
      fputs(cli_help_graph, stdout);
      return CLI_OK;
    default:
      break;
    }
  }
  if (!machine)
    return cli_usage_error("graph", "missing the state machine file to draw");
  if (history && coverage)
    return cli_usage_error("graph", "give --history (one execution) or --coverage (what the tests "
                                    "exercised), not both");
  asl_machine *m = cli_load_machine(machine, NULL);
  if (!m)
    return CLI_USAGE;
  cli_gmodel *g = cli_graph_build(m);
  int code = CLI_OK;
  if (history || coverage) {
    const char *path = history ? history : coverage;
    asl_json *doc = cli_read_json(path);
    char *why = NULL;
    if (!doc) {
      code = CLI_USAGE;
    } else if (history ? !cli_graph_overlay(g, doc, &why)
                       : !cli_graph_coverage(g, doc, machine, &why)) {
      fprintf(stderr, "aslrun: %s: %s\n", path, why);
      asl_free(why);
      code = CLI_USAGE;
    }
    if (coverage)
      asl_json_decref(doc); /* cli_graph_overlay keeps the history */
  }
  if (code == CLI_OK) {
    asl_buf out = ASL_BUF_INIT;
    if (mermaid)
      cli_graph_mermaid(g, &out);
    else
      cli_graph_dot(g, &out);
    fwrite(out.data, 1, out.len, stdout);
    asl_buf_free(&out);
  }
  cli_graph_free(g);
  asl_machine_free(m);
  return code;
}
