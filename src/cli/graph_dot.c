/* The graph as Graphviz DOT: a box a state (shaped and coloured by type), Parallel and Map states
 * as clusters holding their branches or item processor, labelled Choice, Retry and Catch edges.
 * With a history laid over it, the states and edges taken are green with their counts, failed
 * states red with their error, and what was not taken grey. With a coverage report, what no test
 * exercised is red and dashed ("not tested"), the rest green with its counts. */
#include "graph.h"

#include <string.h>

static void dot_str(asl_buf *b, const char *s)
{
  asl_buf_addc(b, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"' || *p == '\\')
      asl_buf_addc(b, '\\');
    if (*p == '\n') {
      asl_buf_adds(b, "\\n");
      continue;
    }
    if ((unsigned char)*p < 0x20)
      continue;
    asl_buf_addc(b, *p);
  }
  asl_buf_addc(b, '"');
}

static void node_label(const cli_gmodel *g, const cli_gnode *n, asl_buf *l)
{
  asl_buf_printf(l, "%s\n%s", n->state->name, asl_state_type_name(n->state->type));
  if (g->coverage) {
    if (n->untested)
      asl_buf_adds(l, "\nnot tested");
    else
      asl_buf_printf(l, " \xC3\x97%lld", (long long)n->runs);
    return;
  }
  if (!g->overlay)
    return;
  if (n->runs)
    asl_buf_printf(l, " \xC3\x97%lld", (long long)n->runs); /* × */
  if (n->retries)
    asl_buf_printf(l, ", %lld retr%s", (long long)n->retries, n->retries == 1 ? "y" : "ies");
  if (n->error)
    asl_buf_printf(l, "\n%s%s", n->failed_here ? "failed: " : "error: ", n->error);
}

static const char *type_fill(asl_state_type t)
{
  switch (t) {
  case ASL_STATE_TASK:
    return "#e3ecfa";
  case ASL_STATE_CHOICE:
    return "#fff5d6";
  case ASL_STATE_SUCCEED:
    return "#dff2df";
  case ASL_STATE_FAIL:
    return "#fbe3e3";
  case ASL_STATE_PASS:
  case ASL_STATE_WAIT:
  case ASL_STATE_PARALLEL:
  case ASL_STATE_MAP:
    return "#f2f2f2";
  }
  return "#ffffff";
}

static void write_node(const cli_gmodel *g, size_t i, const char *indent, asl_buf *b)
{
  const cli_gnode *n = &g->nodes.items[i];
  asl_buf_printf(b, "%sn%zu [", indent, i);
  asl_buf l = ASL_BUF_INIT;
  bool taken = n->runs > 0;
  switch (n->kind) {
  case CLI_GNODE_START:
    asl_buf_adds(b, "label=\"Start\" shape=circle style=filled fillcolor=\"#333333\" "
                    "fontcolor=white width=0.6 fixedsize=true");
    break;
  case CLI_GNODE_END:
    asl_buf_adds(b, "label=\"End\" shape=doublecircle style=filled fillcolor=\"#333333\" "
                    "fontcolor=white width=0.5 fixedsize=true");
    if (g->overlay && g->exec_status)
      asl_buf_printf(b, " xlabel=\"%s\"", g->exec_status);
    break;
  case CLI_GNODE_JOIN:
    asl_buf_adds(b, "label=\"\" shape=point width=0.12");
    break;
  case CLI_GNODE_FORK:
  case CLI_GNODE_STATE: {
    node_label(g, n, &l);
    asl_buf_adds(b, "label=");
    dot_str(b, l.data);
    asl_state_type t = n->state->type;
    bool dashed = g->coverage && n->untested;
    asl_buf_printf(b, " shape=%s style=\"%s%s\"",
                   t == ASL_STATE_CHOICE                                   ? "diamond"
                   : t == ASL_STATE_SUCCEED || t == ASL_STATE_FAIL          ? "box"
                   : t == ASL_STATE_PARALLEL || t == ASL_STATE_MAP          ? "box3d"
                                                                            : "box",
                   t == ASL_STATE_CHOICE ? "filled" : "rounded,filled", dashed ? ",dashed" : "");
    const char *fill = type_fill(t);
    const char *pen = t == ASL_STATE_FAIL ? "#c62828" : "#555555";
    if (g->coverage) {
      /* what no test entered stands out; what the tests went through is green */
      if (n->untested) {
        fill = "#fff0f0";
        pen = "#c62828";
        asl_buf_adds(b, " penwidth=2 fontcolor=\"#c62828\"");
      } else {
        fill = "#c8e6c9";
        pen = "#2e7d32";
      }
    } else if (g->overlay) {
      if (n->failed_here) {
        fill = "#ffcdd2";
        pen = "#c62828";
      } else if (n->error) {
        /* it failed at least once, and the run went on (a retry or a catch) */
        fill = "#ffe0b2";
        pen = "#e08a00";
      } else if (taken) {
        fill = "#c8e6c9";
        pen = "#2e7d32";
      } else {
        fill = "#fafafa";
        pen = "#bbbbbb";
        asl_buf_adds(b, " fontcolor=\"#999999\"");
      }
      if (taken || n->error)
        asl_buf_printf(b, " penwidth=%s", n->failed_here ? "3" : "2");
    }
    asl_buf_printf(b, " fillcolor=\"%s\" color=\"%s\"", fill, pen);
    break;
  }
  }
  asl_buf_adds(b, "];\n");
  asl_buf_free(&l);
}

static void write_cluster(const cli_gmodel *g, int c, int depth, asl_buf *b)
{
  char indent[64];
  int w = depth * 2 + 2 < 62 ? depth * 2 + 2 : 62;
  memset(indent, ' ', (size_t)w);
  indent[w] = '\0';
  if (c >= 0) {
    const cli_gcluster *cl = &g->clusters.items[c];
    asl_buf_printf(b, "%ssubgraph cluster_%d {\n%s  label=", indent + 2, c, indent + 2);
    dot_str(b, cl->label);
    asl_buf_printf(b, ";\n%s  style=\"rounded%s\"; color=\"%s\";\n", indent + 2,
                   cl->is_state ? ",bold" : ",dashed", cl->is_state ? "#555555" : "#999999");
  }
  for (size_t i = 0; i < g->nodes.len; i++)
    if (g->nodes.items[i].cluster == c)
      write_node(g, i, indent, b);
  for (size_t k = 0; k < g->clusters.len; k++)
    if (g->clusters.items[k].parent == c)
      write_cluster(g, (int)k, depth + 1, b);
  if (c >= 0)
    asl_buf_printf(b, "%s}\n", indent + 2);
}

/* Coverage: an item edge no test took is red and dashed, one taken green with its count; the
 * plain transitions keep their colours. */
static void write_coverage_edge(const cli_gedge *e, asl_buf *b)
{
  bool item = e->owner && e->kind != CLI_GEDGE_NEXT && e->kind != CLI_GEDGE_END;
  asl_buf l = ASL_BUF_INIT;
  if (e->label)
    asl_buf_adds(&l, e->label);
  if (item && e->untested)
    asl_buf_printf(&l, "%snot tested", l.len ? "\n" : "");
  else if (item)
    asl_buf_printf(&l, "%s\xC3\x97%lld", l.len ? " " : "", (long long)e->taken);
  asl_buf_printf(b, "  n%zu -> n%zu [", e->from, e->to);
  if (l.len) {
    asl_buf_adds(b, "label=");
    dot_str(b, l.data);
    asl_buf_addc(b, ' ');
  }
  const char *colour = !item ? "#555555" : e->untested ? "#c62828" : "#2e7d32";
  const char *style = item && e->untested ? "dashed"
                      : e->kind == CLI_GEDGE_RETRY || e->kind == CLI_GEDGE_CATCH ||
                              e->kind == CLI_GEDGE_DEFAULT
                          ? "dashed"
                          : "solid";
  if (item)
    asl_buf_adds(b, "penwidth=2 ");
  asl_buf_printf(b, "color=\"%s\" fontcolor=\"%s\" style=%s];\n", colour, colour, style);
  asl_buf_free(&l);
}

static void write_edge(const cli_gmodel *g, const cli_gedge *e, asl_buf *b)
{
  if (g->coverage) {
    write_coverage_edge(e, b);
    return;
  }
  int64_t count = e->taken;
  asl_buf l = ASL_BUF_INIT;
  if (e->label)
    asl_buf_adds(&l, e->label);
  if (g->overlay && count)
    asl_buf_printf(&l, "%s\xC3\x97%lld", l.len ? " " : "", (long long)count);
  const char *colour = "#555555";
  const char *style = "solid";
  switch (e->kind) {
  case CLI_GEDGE_RETRY:
    colour = "#e08a00";
    style = "dashed";
    break;
  case CLI_GEDGE_CATCH:
    colour = "#c62828";
    style = "dashed";
    break;
  case CLI_GEDGE_DEFAULT:
    style = "dashed";
    break;
  case CLI_GEDGE_NEXT:
  case CLI_GEDGE_CHOICE:
  case CLI_GEDGE_START:
  case CLI_GEDGE_END:
    break;
  }
  if (g->overlay && !count)
    colour = "#cccccc";
  else if (g->overlay && e->kind != CLI_GEDGE_CATCH && e->kind != CLI_GEDGE_RETRY)
    colour = "#2e7d32";
  asl_buf_printf(b, "  n%zu -> n%zu [", e->from, e->to);
  if (l.len) {
    asl_buf_adds(b, "label=");
    dot_str(b, l.data);
    asl_buf_addc(b, ' ');
  }
  if (g->overlay && count)
    asl_buf_adds(b, "penwidth=2.5 ");
  asl_buf_printf(b, "color=\"%s\" fontcolor=\"%s\" style=%s];\n", colour, colour, style);
  asl_buf_free(&l);
}

void cli_graph_dot(const cli_gmodel *g, asl_buf *b)
{
  asl_buf_adds(b, "digraph StateMachine {\n");
  asl_buf_adds(b, "  rankdir=TB;\n  compound=true;\n  newrank=true;\n");
  asl_buf_adds(b, "  node [fontname=\"Helvetica\" fontsize=11 margin=\"0.15,0.05\"];\n");
  asl_buf_adds(b, "  edge [fontname=\"Helvetica\" fontsize=9];\n");
  if (g->machine->comment || g->coverage) {
    asl_buf t = ASL_BUF_INIT;
    if (g->machine->comment)
      asl_buf_adds(&t, g->machine->comment);
    if (g->coverage)
      asl_buf_printf(&t, "%stest coverage %.1f%% (%lld of %lld)", t.len ? "\n" : "",
                     g->coverage_percent, (long long)g->coverage_covered,
                     (long long)g->coverage_total);
    asl_buf_adds(b, "  label=");
    dot_str(b, t.data);
    asl_buf_adds(b, ";\n  labelloc=t;\n");
    asl_buf_free(&t);
  }
  write_cluster(g, -1, 0, b);
  for (size_t i = 0; i < g->edges.len; i++)
    write_edge(g, &g->edges.items[i], b);
  asl_buf_adds(b, "}\n");
}
