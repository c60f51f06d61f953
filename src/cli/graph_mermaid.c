/* The graph as a Mermaid flowchart (GitHub and GitLab render it in Markdown): a node a state,
 * Parallel and Map states as subgraphs, labelled Choice, Retry (dotted) and Catch (dotted)
 * edges; with a history, classes colour what was taken and what failed, and linkStyle the
 * edges taken. Labels are quoted, with Mermaid's entity codes for quotes and angle brackets. */
#include "graph.h"

#include <string.h>

static void mm_str(asl_buf *b, const char *s)
{
  asl_buf_addc(b, '"');
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '"':
      asl_buf_adds(b, "#quot;");
      break;
    case '<':
      asl_buf_adds(b, "#lt;");
      break;
    case '>':
      asl_buf_adds(b, "#gt;");
      break;
    case '#':
      asl_buf_adds(b, "#35;");
      break;
    case '\n':
      asl_buf_adds(b, "<br/>");
      break;
    default:
      if ((unsigned char)*p >= 0x20)
        asl_buf_addc(b, *p);
    }
  }
  asl_buf_addc(b, '"');
}

static void write_node(const cli_gmodel *g, size_t i, const char *indent, asl_buf *b)
{
  const cli_gnode *n = &g->nodes.items[i];
  asl_buf_printf(b, "%sn%zu", indent, i);
  switch (n->kind) {
  case CLI_GNODE_START:
    asl_buf_adds(b, "((Start))\n");
    return;
  case CLI_GNODE_END:
    asl_buf_adds(b, "(((End)))\n");
    return;
  case CLI_GNODE_JOIN:
    asl_buf_adds(b, "((\" \"))\n");
    return;
  case CLI_GNODE_FORK:
  case CLI_GNODE_STATE:
    break;
  }
  asl_buf l = ASL_BUF_INIT;
  asl_buf_printf(&l, "%s\n%s", n->state->name, asl_state_type_name(n->state->type));
  if (g->coverage) {
    if (n->untested)
      asl_buf_adds(&l, "\nnot tested");
    else
      asl_buf_printf(&l, " \xC3\x97%lld", (long long)n->runs);
  } else if (g->overlay) {
    if (n->runs)
      asl_buf_printf(&l, " \xC3\x97%lld", (long long)n->runs);
    if (n->retries)
      asl_buf_printf(&l, ", %lld retr%s", (long long)n->retries, n->retries == 1 ? "y" : "ies");
    if (n->error)
      asl_buf_printf(&l, "\n%s%s", n->failed_here ? "failed: " : "error: ", n->error);
  }
  bool choice = n->state->type == ASL_STATE_CHOICE;
  asl_buf_adds(b, choice ? "{" : n->kind == CLI_GNODE_FORK ? "[[" : "(");
  mm_str(b, l.data);
  asl_buf_adds(b, choice ? "}\n" : n->kind == CLI_GNODE_FORK ? "]]\n" : ")\n");
  asl_buf_free(&l);
}

static void write_cluster(const cli_gmodel *g, int c, int depth, asl_buf *b)
{
  char indent[64];
  int w = depth * 2 + 2 < 62 ? depth * 2 + 2 : 62;
  memset(indent, ' ', (size_t)w);
  indent[w] = '\0';
  if (c >= 0) {
    asl_buf_printf(b, "%ssubgraph c%d [", indent + 2, c);
    mm_str(b, g->clusters.items[c].label);
    asl_buf_adds(b, "]\n");
  }
  for (size_t i = 0; i < g->nodes.len; i++)
    if (g->nodes.items[i].cluster == c)
      write_node(g, i, indent, b);
  for (size_t k = 0; k < g->clusters.len; k++)
    if (g->clusters.items[k].parent == c)
      write_cluster(g, (int)k, depth + 1, b);
  if (c >= 0)
    asl_buf_printf(b, "%send\n", indent + 2);
}

static void class_list(const cli_gmodel *g, asl_buf *b, const char *cls, int which)
{
  bool any = false;
  for (size_t i = 0; i < g->nodes.len; i++) {
    const cli_gnode *n = &g->nodes.items[i];
    if (n->kind != CLI_GNODE_STATE && n->kind != CLI_GNODE_FORK)
      continue;
    bool hit = which == 0   ? n->failed_here
               : which == 3 ? n->error && !n->failed_here
               : which == 1 ? !n->error && n->runs > 0
                            : !n->error && n->runs == 0;
    if (!hit)
      continue;
    asl_buf_printf(b, "%sn%zu", any ? "," : "  class ", i);
    any = true;
  }
  if (any)
    asl_buf_printf(b, " %s\n", cls);
}

/* Coverage: classes for what no test exercised and what the tests went through, and a red
 * dashed stroke for the item edges no test took. */
static void mermaid_coverage(const cli_gmodel *g, asl_buf *b)
{
  asl_buf_adds(b, "  classDef untested fill:#fff0f0,stroke:#c62828,stroke-width:2px,"
                  "stroke-dasharray:4 3,color:#c62828\n");
  asl_buf_adds(b, "  classDef tested fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px\n");
  for (int w = 0; w < 2; w++) {
    bool any = false;
    for (size_t i = 0; i < g->nodes.len; i++) {
      const cli_gnode *n = &g->nodes.items[i];
      if ((n->kind != CLI_GNODE_STATE && n->kind != CLI_GNODE_FORK) || n->untested != (w == 0))
        continue;
      asl_buf_printf(b, "%sn%zu", any ? "," : "  class ", i);
      any = true;
    }
    if (any)
      asl_buf_adds(b, w == 0 ? " untested\n" : " tested\n");
  }
  for (int w = 0; w < 2; w++) {
    bool any = false;
    for (size_t i = 0; i < g->edges.len; i++) {
      const cli_gedge *e = &g->edges.items[i];
      bool item = e->owner && e->kind != CLI_GEDGE_NEXT && e->kind != CLI_GEDGE_END;
      if (!item || e->untested != (w == 0))
        continue;
      asl_buf_printf(b, "%s%zu", any ? "," : "  linkStyle ", i);
      any = true;
    }
    if (any)
      asl_buf_adds(b, w == 0 ? " stroke:#c62828,stroke-width:2px,stroke-dasharray:4 3\n"
                             : " stroke:#2e7d32,stroke-width:2px\n");
  }
}

void cli_graph_mermaid(const cli_gmodel *g, asl_buf *b)
{
  if (g->coverage)
    asl_buf_printf(b, "%%%% test coverage %.1f%% (%lld of %lld)\n", g->coverage_percent,
                   (long long)g->coverage_covered, (long long)g->coverage_total);
  asl_buf_adds(b, "flowchart TD\n");
  write_cluster(g, -1, 0, b);
  ASL_VEC(size_t) taken = {0};
  ASL_VEC(size_t) dim = {0};
  for (size_t i = 0; i < g->edges.len; i++) {
    const cli_gedge *e = &g->edges.items[i];
    int64_t count = e->taken;
    asl_buf l = ASL_BUF_INIT;
    bool item = e->owner && e->kind != CLI_GEDGE_NEXT && e->kind != CLI_GEDGE_END;
    if (e->label)
      asl_buf_adds(&l, e->label);
    if (g->coverage && item && e->untested)
      asl_buf_printf(&l, "%snot tested", l.len ? "\n" : "");
    else if ((g->overlay || (g->coverage && item)) && count)
      asl_buf_printf(&l, "%s\xC3\x97%lld", l.len ? " " : "", (long long)count);
    bool dotted = e->kind == CLI_GEDGE_RETRY || e->kind == CLI_GEDGE_CATCH ||
                  e->kind == CLI_GEDGE_DEFAULT;
    asl_buf_printf(b, "  n%zu %s", e->from, dotted ? "-.->" : "-->");
    if (l.len) {
      asl_buf_addc(b, '|');
      mm_str(b, l.data);
      asl_buf_addc(b, '|');
    }
    asl_buf_printf(b, " n%zu\n", e->to);
    asl_buf_free(&l);
    if (g->overlay) {
      if (count)
        ASL_VEC_PUSH(taken, i);
      else
        ASL_VEC_PUSH(dim, i);
    }
  }
  asl_buf_adds(b, "  classDef start fill:#333,color:#fff,stroke:#333\n");
  asl_buf_adds(b, "  class n0,n1 start\n");
  if (g->coverage)
    mermaid_coverage(g, b);
  if (g->overlay) {
    asl_buf_adds(b, "  classDef failed fill:#ffcdd2,stroke:#c62828,stroke-width:2px\n");
    asl_buf_adds(b, "  classDef taken fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px\n");
    asl_buf_adds(b, "  classDef untaken fill:#fafafa,stroke:#bbb,color:#999\n");
    asl_buf_adds(b, "  classDef recovered fill:#ffe0b2,stroke:#e08a00,stroke-width:2px\n");
    class_list(g, b, "failed", 0);
    class_list(g, b, "recovered", 3);
    class_list(g, b, "taken", 1);
    class_list(g, b, "untaken", 2);
    for (int w = 0; w < 2; w++) {
      const size_t *items = w ? dim.items : taken.items;
      size_t len = w ? dim.len : taken.len;
      if (!len)
        continue;
      asl_buf_adds(b, "  linkStyle ");
      for (size_t i = 0; i < len; i++)
        asl_buf_printf(b, "%s%zu", i ? "," : "", items[i]);
      asl_buf_adds(b, w ? " stroke:#ccc\n" : " stroke:#2e7d32,stroke-width:3px\n");
    }
  }
  ASL_VEC_FREE(taken);
  ASL_VEC_FREE(dim);
}
