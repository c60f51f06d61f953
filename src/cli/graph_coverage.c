/* `aslrun graph --coverage FILE`: a coverage report of `aslrun test --coverage=json` laid over a
 * machine's graph, so that what no test exercised stands out: states never entered, Choice
 * rules and Defaults never taken, retriers and catchers that never acted, branches and item
 * processors that never ran. Drawing is graph_dot.c's and graph_mermaid.c's. */
#include "graph.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *str_of(const asl_json *o, const char *k)
{
  const asl_json *v = o ? asl_json_get_cstr(o, k) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

static int64_t int_of(const asl_json *o, const char *k)
{
  const asl_json *v = o ? asl_json_get_cstr(o, k) : NULL;
  return v && asl_json_kind_of(v) == ASL_JSON_INT ? asl_json_int_val(v) : -1;
}

/* Every state the entry lists is a state of [m]: the report is this machine's. */
static bool names_fit(const asl_json *entry, const cli_gmodel *g)
{
  const asl_json *states = asl_json_get_cstr(entry, "states");
  if (!states || !asl_json_is_array(states) || asl_json_len(states) == 0)
    return false;
  for (size_t i = 0; i < asl_json_len(states); i++) {
    const char *name = str_of(asl_json_at(states, i), "name");
    bool found = false;
    for (size_t n = 0; name && n < g->nodes.len && !found; n++)
      found = g->nodes.items[n].state && strcmp(g->nodes.items[n].state->name, name) == 0;
    if (!found)
      return false;
  }
  return true;
}

/* The report's entry for [machine_path]: the one naming the same file, else the only one whose
 * states are all this machine's. */
static const asl_json *find_entry(const asl_json *machines, const cli_gmodel *g,
                                  const char *machine_path)
{
  char want[PATH_MAX];
  bool have_want = realpath(machine_path, want) != NULL;
  for (size_t i = 0; have_want && i < asl_json_len(machines); i++) {
    const char *p = str_of(asl_json_at(machines, i), "machine");
    char got[PATH_MAX];
    if (p && realpath(p, got) && strcmp(got, want) == 0)
      return asl_json_at(machines, i);
  }
  const asl_json *fit = NULL;
  for (size_t i = 0; i < asl_json_len(machines); i++) {
    const asl_json *e = asl_json_at(machines, i);
    if (asl_json_is_object(e) && names_fit(e, g)) {
      if (fit)
        return NULL; /* two could be it: say so rather than guess */
      fit = e;
    }
  }
  return fit;
}

static int64_t count_in(const asl_json *list, const char *state, const char *index_key,
                        int64_t index, const char *count_key)
{
  for (size_t i = 0; list && i < asl_json_len(list); i++) {
    const asl_json *o = asl_json_at(list, i);
    const char *s = str_of(o, "state");
    if (!s || strcmp(s, state) != 0)
      continue;
    const asl_json *idx = asl_json_get_cstr(o, index_key);
    bool match = index < 0 ? idx && (asl_json_is_string(idx))
                           : idx && asl_json_kind_of(idx) == ASL_JSON_INT &&
                                 asl_json_int_val(idx) == index;
    if (match)
      return int_of(o, count_key) > 0 ? int_of(o, count_key) : 0;
  }
  return 0;
}

bool cli_graph_coverage(cli_gmodel *g, const asl_json *doc, const char *machine_path,
                        char **why)
{
  const asl_json *machines = asl_json_is_object(doc) ? asl_json_get_cstr(doc, "machines") : NULL;
  if (!machines || !asl_json_is_array(machines)) {
    *why = asl_strdup("not a coverage report: expected {\"machines\": [...]} as `aslrun test "
                      "--coverage=json` writes it");
    return false;
  }
  const asl_json *entry = find_entry(machines, g, machine_path);
  if (!entry) {
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "the report has no coverage of %s", machine_path);
    for (size_t i = 0; i < asl_json_len(machines); i++) {
      const char *p = str_of(asl_json_at(machines, i), "machine");
      asl_buf_printf(&b, "%s%s", i ? ", " : "; it covers: ", p ? p : "?");
    }
    *why = asl_buf_steal(&b, NULL);
    return false;
  }
  const asl_json *states = asl_json_get_cstr(entry, "states");
  const asl_json *rules = asl_json_get_cstr(entry, "choiceRules");
  const asl_json *retriers = asl_json_get_cstr(entry, "retriers");
  const asl_json *catchers = asl_json_get_cstr(entry, "catchers");
  const asl_json *branches = asl_json_get_cstr(entry, "branches");
  for (size_t n = 0; n < g->nodes.len; n++) {
    cli_gnode *node = &g->nodes.items[n];
    if (node->kind != CLI_GNODE_STATE && node->kind != CLI_GNODE_FORK)
      continue;
    node->runs = 0;
    for (size_t i = 0; states && i < asl_json_len(states); i++) {
      const asl_json *o = asl_json_at(states, i);
      const char *name = str_of(o, "name");
      if (name && strcmp(name, node->state->name) == 0 && int_of(o, "runs") > 0)
        node->runs = int_of(o, "runs");
    }
    node->untested = node->runs == 0;
  }
  for (size_t i = 0; i < g->edges.len; i++) {
    cli_gedge *e = &g->edges.items[i];
    if (!e->owner)
      continue;
    const char *st = e->owner->name;
    switch (e->kind) {
    case CLI_GEDGE_CHOICE:
      e->taken = count_in(rules, st, "rule", (int64_t)e->index, "taken");
      break;
    case CLI_GEDGE_DEFAULT:
      e->taken = count_in(rules, st, "rule", -1, "taken");
      break;
    case CLI_GEDGE_RETRY:
      e->taken = count_in(retriers, st, "index", (int64_t)e->index, "retries");
      break;
    case CLI_GEDGE_CATCH:
      e->taken = count_in(catchers, st, "index", (int64_t)e->index, "caught");
      break;
    case CLI_GEDGE_START:
      e->taken = e->owner->type == ASL_STATE_MAP
                     ? count_in(branches, st, "branch", -1, "runs")
                     : count_in(branches, st, "branch", (int64_t)e->index, "runs");
      break;
    case CLI_GEDGE_NEXT:
    case CLI_GEDGE_END:
      continue;
    }
    e->untested = e->taken == 0;
  }
  const asl_json *total = asl_json_get_cstr(asl_json_get_cstr(entry, "summary"), "total");
  g->coverage_covered = int_of(total, "covered");
  g->coverage_total = int_of(total, "total");
  const asl_json *pct = asl_json_get_cstr(entry, "percent");
  g->coverage_percent = pct && asl_json_is_number(pct) ? asl_json_num_val(pct) : 0;
  g->coverage = true;
  return true;
}
