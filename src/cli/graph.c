/* The graph of a loaded machine, independent of any drawing format: a node a state (a fork and a
 * join node for Parallel and Map, whose branches and item processor are clusters), start and end
 * markers, and an edge a transition (Next, End, each Choice rule with a short rendering of it,
 * Default, each retrier as a self-loop, each catcher). A history is laid over it by following
 * each event's previousEventId: how often each state ran and was retried, which edges were
 * taken, where errors happened and where the execution failed. */
#include "graph.h"

#include "coverage.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LABEL 48

static size_t add_node(cli_gmodel *g, cli_gnode_kind kind, const asl_state *st, int cluster)
{
  cli_gnode n = {kind, st, cluster, 0, 0, NULL, false, false};
  ASL_VEC_PUSH(g->nodes, n);
  return g->nodes.len - 1;
}

static cli_gedge *add_edge(cli_gmodel *g, size_t from, size_t to, cli_gedge_kind kind,
                           char *label)
{
  cli_gedge e = {from, to, kind, label, NULL, 0, NULL, 0, false};
  ASL_VEC_PUSH(g->edges, e);
  return &g->edges.items[g->edges.len - 1];
}

/* ------------------------------------------------------------ Choice rules ---- */

static void cut(asl_buf *b, size_t max)
{
  if (b->len <= max)
    return;
  b->len = asl_utf8_floor(b->data, max - 3);
  asl_buf_adds(b, "...");
}

static const struct {
  const char *suffix;
  const char *op;
} comparisons[] = {
    /* longest suffix first: "NumericLessThanEquals" also ends in "Equals" */
    {"LessThanEquals", "<="}, {"GreaterThanEquals", ">="}, {"LessThan", "<"},
    {"GreaterThan", ">"},     {"Equals", "=="},            {"Matches", "matches"},
};

static void rule_text(const asl_json *rule, asl_buf *b, int depth)
{
  if (!asl_json_is_object(rule) || depth > 8) {
    asl_buf_adds(b, "?");
    return;
  }
  const asl_json *cond = asl_json_get_cstr(rule, "Condition");
  if (cond) {
    if (asl_json_is_string(cond))
      asl_buf_adds(b, asl_json_str(cond));
    else
      asl_json_dump_buf(cond, ASL_JSON_COMPACT, b);
    return;
  }
  for (int w = 0; w < 2; w++) {
    const asl_json *list = asl_json_get_cstr(rule, w ? "Or" : "And");
    if (!list || !asl_json_is_array(list))
      continue;
    asl_buf_addc(b, '(');
    for (size_t i = 0; i < asl_json_len(list); i++) {
      if (i)
        asl_buf_adds(b, w ? " or " : " and ");
      rule_text(asl_json_at(list, i), b, depth + 1);
    }
    asl_buf_addc(b, ')');
    return;
  }
  const asl_json *not = asl_json_get_cstr(rule, "Not");
  if (not) {
    asl_buf_adds(b, "not ");
    rule_text(not, b, depth + 1);
    return;
  }
  const asl_json *var = asl_json_get_cstr(rule, "Variable");
  const char *v = var && asl_json_is_string(var) ? asl_json_str(var) : "?";
  for (size_t i = 0; i < asl_json_len(rule); i++) {
    size_t kl;
    const char *k = asl_json_key_at(rule, i, &kl);
    const asl_json *val = asl_json_value_at(rule, i);
    if (kl > 2 && memcmp(k, "Is", 2) == 0 && asl_json_is_bool(val)) {
      /* IsPresent, IsNull, IsString, ...: "$.x is present" / "$.x is not null" */
      asl_buf_printf(b, "%s is %s", v, asl_json_bool_val(val) ? "" : "not ");
      for (size_t j = 2; j < kl; j++) {
        char c = k[j];
        asl_buf_addc(b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
      }
      return;
    }
    bool is_path = kl > 4 && memcmp(k + kl - 4, "Path", 4) == 0;
    size_t base = is_path ? kl - 4 : kl;
    for (size_t c = 0; c < sizeof comparisons / sizeof *comparisons; c++) {
      size_t sl = strlen(comparisons[c].suffix);
      if (base <= sl || memcmp(k + base - sl, comparisons[c].suffix, sl) != 0)
        continue;
      asl_buf_printf(b, "%s %s ", v, comparisons[c].op);
      if (is_path && asl_json_is_string(val))
        asl_buf_adds(b, asl_json_str(val));
      else
        asl_json_dump_buf(val, ASL_JSON_COMPACT, b);
      return;
    }
  }
  asl_buf_adds(b, v);
}

char *cli_graph_choice_label(const asl_state *st, size_t i)
{
  const asl_json *choices = asl_json_get_cstr(st->definition, "Choices");
  const asl_json *rule = choices ? asl_json_at(choices, i) : NULL;
  asl_buf b = ASL_BUF_INIT;
  rule_text(rule, &b, 0);
  cut(&b, MAX_LABEL);
  return asl_buf_steal(&b, NULL);
}

static char *errors_label(const char *prefix, const asl_error_match *m, const char *suffix)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, prefix);
  for (size_t i = 0; i < m->count; i++)
    asl_buf_printf(&b, "%s%s", i ? ", " : " ", m->names[i]);
  cut(&b, MAX_LABEL);
  if (suffix)
    asl_buf_adds(&b, suffix);
  return asl_buf_steal(&b, NULL);
}

/* ------------------------------------------------------------------ building ---- */

typedef struct state_nodes {
  size_t in;  /* where edges into the state go */
  size_t out; /* where its edges leave from */
} state_nodes;

/* Node indexes of each state, found by the state's address. */
typedef struct index_entry {
  const asl_state *st;
  state_nodes n;
} index_entry;

typedef struct builder {
  cli_gmodel *g;
  ASL_VEC(index_entry) index;
} builder;

static state_nodes nodes_of(const builder *b, const asl_state *st)
{
  for (size_t i = b->index.len; i-- > 0;)
    if (b->index.items[i].st == st)
      return b->index.items[i].n;
  state_nodes none = {0, 0};
  return none;
}

static void build_list(builder *b, const asl_states *states, size_t entry, size_t exit,
                       const asl_state *owner, size_t branch);

static void create_nodes(builder *b, const asl_states *states, int cluster)
{
  cli_gmodel *g = b->g;
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    index_entry e = {st, {0, 0}};
    if (st->type == ASL_STATE_PARALLEL || st->type == ASL_STATE_MAP) {
      cli_gcluster c = {cluster, asl_strfmt("%s %s", asl_state_type_name(st->type), st->name),
                        true, st};
      ASL_VEC_PUSH(g->clusters, c);
      int box = (int)g->clusters.len - 1;
      e.n.in = add_node(g, CLI_GNODE_FORK, st, box);
      e.n.out = add_node(g, CLI_GNODE_JOIN, st, box);
      ASL_VEC_PUSH(b->index, e);
      if (st->type == ASL_STATE_PARALLEL) {
        for (size_t k = 0; k < st->u.parallel.count; k++) {
          cli_gcluster bc = {box, asl_strfmt("Branch %zu", k + 1), false, st};
          ASL_VEC_PUSH(g->clusters, bc);
          int bi = (int)g->clusters.len - 1;
          create_nodes(b, &st->u.parallel.branches[k], bi);
          build_list(b, &st->u.parallel.branches[k], e.n.in, e.n.out, st, k);
        }
      } else {
        cli_gcluster pc = {box, asl_strdup("Item processor"), false, st};
        ASL_VEC_PUSH(g->clusters, pc);
        int pi = (int)g->clusters.len - 1;
        create_nodes(b, &st->u.map.processor, pi);
        build_list(b, &st->u.map.processor, e.n.in, e.n.out, st, 0);
      }
    } else {
      e.n.in = e.n.out = add_node(g, CLI_GNODE_STATE, st, cluster);
      ASL_VEC_PUSH(b->index, e);
    }
  }
}

static void build_list(builder *b, const asl_states *states, size_t entry, size_t exit,
                       const asl_state *owner, size_t branch)
{
  cli_gmodel *g = b->g;
  if (states->start) {
    cli_gedge *e = add_edge(g, entry, nodes_of(b, states->start).in, CLI_GEDGE_START, NULL);
    e->owner = owner;
    e->index = branch;
  }
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    state_nodes n = nodes_of(b, st);
    switch (st->type) {
    case ASL_STATE_CHOICE:
      for (size_t k = 0; k < st->u.choice.count; k++) {
        if (!st->u.choice.branches[k].next)
          continue;
        cli_gedge *e = add_edge(g, n.out, nodes_of(b, st->u.choice.branches[k].next).in,
                                CLI_GEDGE_CHOICE, cli_graph_choice_label(st, k));
        e->owner = st;
        e->index = k;
      }
      if (st->u.choice.default_next)
        add_edge(g, n.out, nodes_of(b, st->u.choice.default_next).in, CLI_GEDGE_DEFAULT,
                 asl_strdup("Default"))
            ->owner = st;
      break;
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
      add_edge(g, n.out, exit, CLI_GEDGE_END, NULL);
      break;
    case ASL_STATE_TASK:
    case ASL_STATE_PASS:
    case ASL_STATE_WAIT:
    case ASL_STATE_PARALLEL:
    case ASL_STATE_MAP:
      if (st->next)
        add_edge(g, n.out, nodes_of(b, st->next).in, CLI_GEDGE_NEXT, NULL);
      if (st->end)
        add_edge(g, n.out, exit, CLI_GEDGE_END, NULL);
      break;
    }
    for (size_t r = 0; r < st->retrier_count; r++) {
      const asl_retrier *rt = &st->retriers[r];
      char *suffix = asl_strfmt(" (max %lld)", (long long)rt->max_attempts);
      cli_gedge *e =
          add_edge(g, n.out, n.in, CLI_GEDGE_RETRY, errors_label("retry", &rt->errors, suffix));
      e->retrier = rt;
      e->owner = st;
      e->index = r;
      asl_free(suffix);
    }
    for (size_t c = 0; c < st->catcher_count; c++) {
      if (!st->catchers[c].next)
        continue;
      cli_gedge *e = add_edge(g, n.out, nodes_of(b, st->catchers[c].next).in, CLI_GEDGE_CATCH,
                              errors_label("catch", &st->catchers[c].errors, NULL));
      e->owner = st;
      e->index = c;
    }
  }
}

cli_gmodel *cli_graph_build(const asl_machine *m)
{
  cli_gmodel *g = asl_calloc(1, sizeof *g);
  g->machine = m;
  builder b = {g, {0}};
  size_t start = add_node(g, CLI_GNODE_START, NULL, -1);
  size_t end = add_node(g, CLI_GNODE_END, NULL, -1);
  create_nodes(&b, &m->top, -1);
  build_list(&b, &m->top, start, end, NULL, 0);
  ASL_VEC_FREE(b.index);
  return g;
}

void cli_graph_free(cli_gmodel *g)
{
  if (!g)
    return;
  for (size_t i = 0; i < g->edges.len; i++)
    asl_free(g->edges.items[i].label);
  for (size_t i = 0; i < g->clusters.len; i++)
    asl_free(g->clusters.items[i].label);
  ASL_VEC_FREE(g->nodes);
  ASL_VEC_FREE(g->edges);
  ASL_VEC_FREE(g->clusters);
  asl_json_decref(g->history);
  asl_free(g);
}

/* ------------------------------------------------------------------- overlay ---- */

typedef struct hev {
  const char *type;
  int64_t id;
  int64_t prev;
  const asl_json *details;
  const char *name; /* the state it belongs to, once known */
} hev;

static int64_t int_member(const asl_json *o, const char *k)
{
  const asl_json *v = asl_json_get_cstr(o, k);
  return v && asl_json_kind_of(v) == ASL_JSON_INT ? asl_json_int_val(v) : -1;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const asl_json *details_of(const asl_json *ev)
{
  for (size_t i = 0; i < asl_json_len(ev); i++) {
    size_t kl;
    const char *k = asl_json_key_at(ev, i, &kl);
    if (kl > 12 && memcmp(k + kl - 12, "EventDetails", 12) == 0)
      return asl_json_value_at(ev, i);
  }
  return NULL;
}

static const char *str_member(const asl_json *o, const char *k)
{
  const asl_json *v = o ? asl_json_get_cstr(o, k) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

/* The state node (its "in" node for Parallel and Map) of the state named [name]. */
static long node_named(const cli_gmodel *g, const char *name)
{
  for (size_t i = 0; i < g->nodes.len; i++) {
    const cli_gnode *n = &g->nodes.items[i];
    if ((n->kind == CLI_GNODE_STATE || n->kind == CLI_GNODE_FORK) &&
        strcmp(n->state->name, name) == 0)
      return (long)i;
  }
  return -1;
}

static long join_of(const cli_gmodel *g, long in)
{
  if (in >= 0 && g->nodes.items[in].kind == CLI_GNODE_FORK)
    return in + 1; /* created together */
  return in;
}

static void take_edge(cli_gmodel *g, long from, long to, bool catch_edge, bool start)
{
  if (from < 0 || to < 0)
    return;
  for (size_t i = 0; i < g->edges.len; i++) {
    cli_gedge *e = &g->edges.items[i];
    if ((long)e->from != from || (long)e->to != to || e->kind == CLI_GEDGE_RETRY)
      continue;
    if (!start && (e->kind == CLI_GEDGE_CATCH) != catch_edge)
      continue;
    e->taken++;
  }
}

static bool is_failure(const char *type)
{
  return ends_with(type, "Failed") || ends_with(type, "TimedOut");
}

bool cli_graph_overlay(cli_gmodel *g, asl_json *doc, char **why)
{
  g->history = doc;
  const asl_json *events = asl_json_is_object(doc) ? asl_json_get_cstr(doc, "events") : NULL;
  if (!events || !asl_json_is_array(events)) {
    *why = asl_strdup("not an execution history: expected {\"events\": [...]} as `aslrun run "
                      "--history` or `aws stepfunctions get-execution-history` writes it");
    return false;
  }
  size_t n = asl_json_len(events);
  hev *h = asl_calloc(n ? n : 1, sizeof *h);
  /* ids are 1..n in order in both writers; find each by id all the same */
  int64_t max_id = 0;
  for (size_t i = 0; i < n; i++) {
    const asl_json *ev = asl_json_at(events, i);
    h[i].type = str_member(ev, "type");
    h[i].id = int_member(ev, "id");
    h[i].prev = int_member(ev, "previousEventId");
    if (!asl_json_is_object(ev) || !h[i].type || h[i].id < 1) {
      *why = asl_strfmt("event %zu has no \"type\" or \"id\"", i + 1);
      asl_free(h);
      return false;
    }
    h[i].details = details_of(ev);
    if (h[i].id > max_id)
      max_id = h[i].id;
  }
  long *by_id = asl_calloc((size_t)(max_id > (int64_t)n * 4 ? 0 : max_id) + 1, sizeof *by_id);
  bool dense = max_id <= (int64_t)n * 4;
  for (size_t i = 0; dense && i < n; i++)
    by_id[h[i].id] = (long)i + 1;
#define EV(id) (dense && (id) > 0 && (id) <= max_id && by_id[id] ? &h[by_id[id] - 1] : NULL)

  /* the state of each event: entered and exited events (and Map iterations) name it, the
   * others belong to the state of the event they follow, unless that one left its state */
  for (size_t i = 0; i < n; i++) {
    const char *t = h[i].type;
    if (strncmp(t, "Execution", 9) == 0)
      continue;
    const char *name = str_member(h[i].details, "name");
    if (name && (ends_with(t, "StateEntered") || ends_with(t, "StateExited") ||
                 strncmp(t, "MapIteration", 12) == 0)) {
      h[i].name = name;
      continue;
    }
    hev *p = EV(h[i].prev);
    if (p && p->name && !ends_with(p->type, "StateExited"))
      h[i].name = p->name;
  }
  bool unknown = false;
  const char *unknown_name = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *t = h[i].type;
    if (!h[i].name && strncmp(t, "Execution", 9) != 0)
      continue;
    long node = h[i].name ? node_named(g, h[i].name) : -1;
    if (h[i].name && node < 0) {
      unknown = true;
      unknown_name = h[i].name;
      continue;
    }
    if (ends_with(t, "StateEntered")) {
      g->nodes.items[node].runs++;
      if (strcmp(t, "FailStateEntered") == 0) {
        const asl_state *st = g->nodes.items[node].state;
        g->nodes.items[node].error = st->u.fail.error ? st->u.fail.error : "Fail";
      }
      hev *p = EV(h[i].prev);
      if (!p || strcmp(p->type, "ExecutionStarted") == 0) {
        take_edge(g, 0, node, false, true); /* from the start marker */
      } else if (ends_with(p->type, "StateExited") && p->name) {
        long from = join_of(g, node_named(g, p->name));
        /* a catch when the state's last attempt failed (the event before its exit) */
        hev *last = EV(p->prev);
        bool caught = last && is_failure(last->type);
        take_edge(g, from, node, caught, false);
      } else if ((strcmp(p->type, "ParallelStateStarted") == 0 ||
                  strcmp(p->type, "MapIterationStarted") == 0) &&
                 p->name) {
        take_edge(g, node_named(g, p->name), node, false, true); /* fork -> first state */
      }
    } else if (strcmp(t, "TaskScheduled") == 0 || strcmp(t, "LambdaFunctionScheduled") == 0 ||
               strcmp(t, "ActivityScheduled") == 0 || strcmp(t, "ParallelStateStarted") == 0 ||
               strcmp(t, "MapStateStarted") == 0) {
      /* a second attempt within one entry is a retry */
      hev *p = EV(h[i].prev);
      if (p && is_failure(p->type)) {
        g->nodes.items[node].retries++;
        /* the retrier that acted: the first whose ErrorEquals matches the error */
        const char *err = str_member(p->details, "error");
        long from = join_of(g, node);
        for (size_t e = 0; err && e < g->edges.len; e++) {
          cli_gedge *ed = &g->edges.items[e];
          if ((long)ed->from == from && ed->kind == CLI_GEDGE_RETRY &&
              asl_error_match_test(&ed->retrier->errors, err)) {
            ed->taken++;
            break;
          }
        }
      }
    } else if (is_failure(t) && node >= 0) {
      /* MapStateFailed and ParallelStateFailed carry no error: the branch's own said it */
      const char *err = str_member(h[i].details, "error");
      if (err || !g->nodes.items[node].error)
        g->nodes.items[node].error = err ? err : "failed";
    } else if (ends_with(t, "StateExited") && node >= 0) {
      /* the state ended its branch, iteration or execution when nothing entered after it */
      bool followed = false;
      for (size_t j = i + 1; j < n && !followed; j++)
        followed = h[j].prev == h[i].id && ends_with(h[j].type, "StateEntered");
      if (!followed) {
        long from = join_of(g, node);
        for (size_t e = 0; e < g->edges.len; e++)
          if ((long)g->edges.items[e].from == from && g->edges.items[e].kind == CLI_GEDGE_END)
            g->edges.items[e].taken++;
      }
    } else if (strncmp(t, "Execution", 9) == 0 && strcmp(t, "ExecutionStarted") != 0) {
      g->exec_status = strcmp(t, "ExecutionSucceeded") == 0 ? "SUCCEEDED"
                       : strcmp(t, "ExecutionFailed") == 0  ? "FAILED"
                       : strcmp(t, "ExecutionTimedOut") == 0 ? "TIMED_OUT"
                                                            : "ABORTED";
      hev *p = EV(h[i].prev);
      long where = p && p->name ? node_named(g, p->name) : -1;
      if (where >= 0 && strcmp(t, "ExecutionSucceeded") != 0) {
        g->nodes.items[where].failed_here = true;
        if (!g->nodes.items[where].error)
          g->nodes.items[where].error = str_member(h[i].details, "error");
      }
      if (strcmp(t, "ExecutionFailed") == 0 && p && strcmp(p->type, "FailStateEntered") == 0 &&
          where >= 0)
        take_edge(g, where, 1, false, true); /* a Fail state ends the execution */
    }
  }
  asl_free(by_id);
  asl_free(h);
#undef EV
  if (unknown) {
    *why = asl_strfmt("the history names a state \"%s\" that this machine does not have: is it "
                      "the history of another machine?",
                      unknown_name);
    return false;
  }
  g->overlay = true;
  return true;
}
