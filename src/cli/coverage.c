/* Coverage of `aslrun test --coverage`: per machine file, which states ran, which Choice rules
 * and Defaults were taken, which retriers and catchers acted, which Parallel branches and Map
 * item processors ran, over every case that used the machine. It is computed from the event
 * stream (states entered, hence branches) and aslrun's notes (the Choice rule, the retrier and
 * the catcher that acted, which the history does not record). Reports: a table (text), JSON
 * (which `aslrun graph --coverage FILE` reads back), and --coverage-min's check. */
#include "coverage.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define uthash_malloc(sz) asl_alloc(sz)
#define uthash_free(ptr, sz) asl_free(ptr)
#include <uthash.h>

typedef struct cov_state {
  const asl_state *st;
  int64_t runs;
  int64_t *rules;         /* Choice: times each rule decided */
  int64_t default_taken;  /* Choice with Default */
  int64_t *retriers;      /* retries each retrier made */
  int64_t *catchers;      /* errors each catcher caught */
  int64_t *branches;      /* Parallel: runs of each branch; Map: [0] iterations */
  UT_hash_handle hh;      /* by name */
} cov_state;

struct cli_coverage {
  char *key;  /* the machine file's real path */
  char *path; /* as the first test file named it */
  const asl_machine *machine; /* the first test file's: outlives the set (see coverage.h) */
  cov_state *by_name;
  ASL_VEC(cov_state *) order; /* definition order, depth first */
};

struct cli_coverage_set {
  ASL_VEC(cli_coverage *) items;
};

/* ------------------------------------------------------------------ building ---- */

static void add_states(cli_coverage *c, const asl_states *states)
{
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    cov_state *s = asl_calloc(1, sizeof *s);
    s->st = st;
    if (st->type == ASL_STATE_CHOICE && st->u.choice.count)
      s->rules = asl_calloc(st->u.choice.count, sizeof *s->rules);
    if (st->retrier_count)
      s->retriers = asl_calloc(st->retrier_count, sizeof *s->retriers);
    if (st->catcher_count)
      s->catchers = asl_calloc(st->catcher_count, sizeof *s->catchers);
    HASH_ADD_KEYPTR(hh, c->by_name, st->name, st->name_len, s);
    ASL_VEC_PUSH(c->order, s);
    if (st->type == ASL_STATE_PARALLEL) {
      s->branches = asl_calloc(st->u.parallel.count ? st->u.parallel.count : 1,
                               sizeof *s->branches);
      for (size_t b = 0; b < st->u.parallel.count; b++)
        add_states(c, &st->u.parallel.branches[b]);
    } else if (st->type == ASL_STATE_MAP) {
      s->branches = asl_calloc(1, sizeof *s->branches);
      add_states(c, &st->u.map.processor);
    }
  }
}

static cli_coverage *coverage_new(const asl_machine *m, const char *path, const char *key)
{
  cli_coverage *c = asl_calloc(1, sizeof *c);
  c->key = asl_strdup(key);
  c->path = asl_strdup(path);
  c->machine = m;
  add_states(c, &m->top);
  return c;
}

static void coverage_free(cli_coverage *c)
{
  cov_state *s, *tmp;
  HASH_ITER(hh, c->by_name, s, tmp)
  {
    HASH_DEL(c->by_name, s);
    asl_free(s->rules);
    asl_free(s->retriers);
    asl_free(s->catchers);
    asl_free(s->branches);
    asl_free(s);
  }
  ASL_VEC_FREE(c->order);
  asl_free(c->key);
  asl_free(c->path);
  asl_free(c);
}

cli_coverage_set *cli_coverage_set_new(void)
{
  return asl_calloc(1, sizeof(cli_coverage_set));
}

void cli_coverage_set_free(cli_coverage_set *set)
{
  if (!set)
    return;
  for (size_t i = 0; i < set->items.len; i++)
    coverage_free(set->items.items[i]);
  ASL_VEC_FREE(set->items);
  asl_free(set);
}

cli_coverage *cli_coverage_for(cli_coverage_set *set, const asl_machine *m, const char *path)
{
  char buf[PATH_MAX];
  const char *key = realpath(path, buf) ? buf : path;
  for (size_t i = 0; i < set->items.len; i++)
    if (strcmp(set->items.items[i]->key, key) == 0)
      return set->items.items[i];
  cli_coverage *c = coverage_new(m, path, key);
  ASL_VEC_PUSH(set->items, c);
  return c;
}

/* ----------------------------------------------------------------- recording ---- */

static cov_state *find(const cli_coverage *c, const char *name)
{
  cov_state *s = NULL;
  if (name)
    HASH_FIND(hh, c->by_name, name, strlen(name), s);
  return s;
}

static bool is_entered(asl_event_type t)
{
  return t == ASL_EVENT_PASS_STATE_ENTERED || t == ASL_EVENT_CHOICE_STATE_ENTERED ||
         t == ASL_EVENT_WAIT_STATE_ENTERED || t == ASL_EVENT_SUCCEED_STATE_ENTERED ||
         t == ASL_EVENT_FAIL_STATE_ENTERED || t == ASL_EVENT_TASK_STATE_ENTERED ||
         t == ASL_EVENT_PARALLEL_STATE_ENTERED || t == ASL_EVENT_MAP_STATE_ENTERED;
}

/* The Parallel or Map state whose branch or item processor [list] is, and which branch. */
static const asl_state *owner_of(const cli_coverage *c, const asl_states *list, size_t *branch)
{
  for (size_t i = 0; i < c->order.len; i++) {
    const asl_state *st = c->order.items[i]->st;
    if (st->type == ASL_STATE_PARALLEL) {
      for (size_t b = 0; b < st->u.parallel.count; b++) {
        if (&st->u.parallel.branches[b] == list) {
          *branch = b;
          return st;
        }
      }
    } else if (st->type == ASL_STATE_MAP && &st->u.map.processor == list) {
      *branch = 0;
      return st;
    }
  }
  return NULL;
}

void cli_coverage_event(cli_coverage *c, const asl_event *ev)
{
  if (!is_entered(ev->type))
    return;
  cov_state *s = find(c, ev->state);
  if (!s)
    return;
  s->runs++;
  /* a branch or an item processor ran when its first state was entered from outside it */
  if (s->st->list->start == s->st && s->st->list != &c->machine->top) {
    size_t b = 0;
    const asl_state *owner = owner_of(c, s->st->list, &b);
    cov_state *o = owner ? find(c, owner->name) : NULL;
    if (o && o->branches && ev->depth > 0)
      o->branches[b]++;
  }
}

void cli_coverage_note(cli_coverage *c, const asl_note *n)
{
  cov_state *s = find(c, n->state);
  if (!s)
    return;
  switch (n->kind) {
  case ASL_NOTE_CHOICE:
    if (n->index < 0)
      s->default_taken++;
    else if (s->rules && s->st->type == ASL_STATE_CHOICE && (size_t)n->index < s->st->u.choice.count)
      s->rules[n->index]++;
    break;
  case ASL_NOTE_RETRY:
    if (s->retriers && n->index >= 0 && (size_t)n->index < s->st->retrier_count)
      s->retriers[n->index]++;
    break;
  case ASL_NOTE_CATCH:
    if (s->catchers && n->index >= 0 && (size_t)n->index < s->st->catcher_count)
      s->catchers[n->index]++;
    break;
  case ASL_NOTE_HANDLER:
    break;
  }
}

/* ------------------------------------------------------------------- figures ---- */

typedef struct cov_count {
  size_t covered, total;
} cov_count;

typedef struct cov_summary {
  cov_count states, rules, retriers, catchers, branches, all;
} cov_summary;

static void count(cov_count *c, int64_t n)
{
  c->total++;
  if (n > 0)
    c->covered++;
}

static cov_summary summarise(const cli_coverage *c)
{
  cov_summary s = {0};
  for (size_t i = 0; i < c->order.len; i++) {
    const cov_state *x = c->order.items[i];
    const asl_state *st = x->st;
    count(&s.states, x->runs);
    if (st->type == ASL_STATE_CHOICE) {
      for (size_t r = 0; r < st->u.choice.count; r++)
        count(&s.rules, x->rules[r]);
      if (st->u.choice.default_next)
        count(&s.rules, x->default_taken);
    }
    for (size_t r = 0; r < st->retrier_count; r++)
      count(&s.retriers, x->retriers[r]);
    for (size_t k = 0; k < st->catcher_count; k++)
      count(&s.catchers, x->catchers[k]);
    if (st->type == ASL_STATE_PARALLEL)
      for (size_t b = 0; b < st->u.parallel.count; b++)
        count(&s.branches, x->branches[b]);
    if (st->type == ASL_STATE_MAP)
      count(&s.branches, x->branches[0]);
  }
  const cov_count *parts[] = {&s.states, &s.rules, &s.retriers, &s.catchers, &s.branches};
  for (size_t i = 0; i < 5; i++) {
    s.all.covered += parts[i]->covered;
    s.all.total += parts[i]->total;
  }
  return s;
}

static double percent(cov_count c)
{
  return c.total ? 100.0 * (double)c.covered / (double)c.total : 100.0;
}

/* -------------------------------------------------------------------- text ---- */

static void cell(asl_buf *b, cov_count c)
{
  char t[48];
  snprintf(t, sizeof t, "%zu/%zu", c.covered, c.total);
  asl_buf_printf(b, "  %9s", t);
}

static void list_errors(asl_buf *b, const asl_error_match *m)
{
  for (size_t i = 0; i < m->count; i++)
    asl_buf_printf(b, "%s%s", i ? ", " : "", m->names[i]);
}

/* One line an item nothing covered, in definition order. */
static void uncovered(const cli_coverage *c, asl_buf *b)
{
  for (size_t i = 0; i < c->order.len; i++) {
    const cov_state *x = c->order.items[i];
    const asl_state *st = x->st;
    if (x->runs == 0)
      asl_buf_printf(b, "    state \"%s\" (%s)\n", st->name, asl_state_type_name(st->type));
    if (st->type == ASL_STATE_CHOICE) {
      for (size_t r = 0; r < st->u.choice.count; r++) {
        if (x->rules[r])
          continue;
        char *label = cli_graph_choice_label(st, r);
        const asl_state *next = st->u.choice.branches[r].next;
        asl_buf_printf(b, "    \"%s\" Choices[%zu] (%s) -> \"%s\"\n", st->name, r, label,
                       next ? next->name : "?");
        asl_free(label);
      }
      if (st->u.choice.default_next && !x->default_taken)
        asl_buf_printf(b, "    \"%s\" Default -> \"%s\"\n", st->name,
                       st->u.choice.default_next->name);
    }
    for (size_t r = 0; r < st->retrier_count; r++) {
      if (x->retriers[r])
        continue;
      asl_buf_printf(b, "    \"%s\" Retry[%zu] (", st->name, r);
      list_errors(b, &st->retriers[r].errors);
      asl_buf_adds(b, ")\n");
    }
    for (size_t k = 0; k < st->catcher_count; k++) {
      if (x->catchers[k])
        continue;
      asl_buf_printf(b, "    \"%s\" Catch[%zu] (", st->name, k);
      list_errors(b, &st->catchers[k].errors);
      asl_buf_printf(b, ") -> \"%s\"\n", st->catchers[k].next ? st->catchers[k].next->name : "?");
    }
    if (st->type == ASL_STATE_PARALLEL)
      for (size_t br = 0; br < st->u.parallel.count; br++)
        if (!x->branches[br])
          asl_buf_printf(b, "    \"%s\" Branches[%zu]\n", st->name, br);
    if (st->type == ASL_STATE_MAP && !x->branches[0])
      asl_buf_printf(b, "    \"%s\" item processor\n", st->name);
  }
}

void cli_coverage_text(const cli_coverage_set *set, asl_buf *b)
{
  size_t w = strlen("coverage");
  for (size_t i = 0; i < set->items.len; i++) {
    size_t n = strlen(set->items.items[i]->path);
    if (n > w)
      w = n;
  }
  asl_buf_printf(b, "%-*s  %9s  %9s  %9s  %9s  %9s  %7s\n", (int)w, "coverage", "states",
                 "rules", "retriers", "catchers", "branches", "total");
  for (size_t i = 0; i < set->items.len; i++) {
    const cli_coverage *c = set->items.items[i];
    cov_summary s = summarise(c);
    asl_buf_printf(b, "%-*s", (int)w, c->path);
    cell(b, s.states);
    cell(b, s.rules);
    cell(b, s.retriers);
    cell(b, s.catchers);
    cell(b, s.branches);
    asl_buf_printf(b, "  %6.1f%%\n", percent(s.all));
  }
  for (size_t i = 0; i < set->items.len; i++) {
    const cli_coverage *c = set->items.items[i];
    cov_summary s = summarise(c);
    if (s.all.covered == s.all.total)
      continue;
    asl_buf_printf(b, "  not covered in %s:\n", c->path);
    uncovered(c, b);
  }
}

/* -------------------------------------------------------------------- JSON ---- */

static asl_json *count_json(cov_count c)
{
  asl_json *o = asl_json_object(3);
  asl_json_obj_put_cstr(o, "covered", asl_json_int((int64_t)c.covered));
  asl_json_obj_put_cstr(o, "total", asl_json_int((int64_t)c.total));
  asl_json_obj_put_cstr(o, "percent", asl_json_double(percent(c)));
  return o;
}

static asl_json *pointer_json(const char *base, const char *a, size_t i, bool with_index)
{
  char *p = with_index ? asl_strfmt("%s/%s/%zu", base, a, i) : asl_strfmt("%s/%s", base, a);
  asl_json *v = asl_json_cstr(p);
  asl_free(p);
  return v;
}

static asl_json *errors_json(const asl_error_match *m)
{
  asl_json *a = asl_json_array(m->count);
  for (size_t i = 0; i < m->count; i++)
    asl_json_arr_push(a, asl_json_cstr(m->names[i]));
  return a;
}

static asl_json *machine_json(const cli_coverage *c)
{
  cov_summary s = summarise(c);
  asl_json *states = asl_json_array(c->order.len);
  asl_json *rules = asl_json_array(4);
  asl_json *retriers = asl_json_array(4);
  asl_json *catchers = asl_json_array(4);
  asl_json *branches = asl_json_array(4);
  for (size_t i = 0; i < c->order.len; i++) {
    const cov_state *x = c->order.items[i];
    const asl_state *st = x->st;
    asl_json *o = asl_json_object(4);
    asl_json_obj_put_cstr(o, "name", asl_json_string(st->name, st->name_len));
    asl_json_obj_put_cstr(o, "type", asl_json_cstr(asl_state_type_name(st->type)));
    asl_json_obj_put_cstr(o, "pointer", asl_json_cstr(st->pointer));
    asl_json_obj_put_cstr(o, "runs", asl_json_int(x->runs));
    asl_json_arr_push(states, o);
    if (st->type == ASL_STATE_CHOICE) {
      for (size_t r = 0; r <= st->u.choice.count; r++) {
        bool dflt = r == st->u.choice.count;
        const asl_state *next = dflt ? st->u.choice.default_next : st->u.choice.branches[r].next;
        if (dflt && !next)
          break;
        asl_json *ro = asl_json_object(5);
        asl_json_obj_put_cstr(ro, "state", asl_json_string(st->name, st->name_len));
        asl_json_obj_put_cstr(ro, "rule", dflt ? asl_json_cstr("Default")
                                               : asl_json_int((int64_t)r));
        asl_json_obj_put_cstr(ro, "pointer", dflt ? pointer_json(st->pointer, "Default", 0, false)
                                                  : pointer_json(st->pointer, "Choices", r, true));
        asl_json_obj_put_cstr(ro, "next", next ? asl_json_cstr(next->name) : asl_json_null());
        asl_json_obj_put_cstr(ro, "taken", asl_json_int(dflt ? x->default_taken : x->rules[r]));
        asl_json_arr_push(rules, ro);
      }
    }
    for (size_t r = 0; r < st->retrier_count; r++) {
      asl_json *ro = asl_json_object(5);
      asl_json_obj_put_cstr(ro, "state", asl_json_string(st->name, st->name_len));
      asl_json_obj_put_cstr(ro, "index", asl_json_int((int64_t)r));
      asl_json_obj_put_cstr(ro, "pointer", pointer_json(st->pointer, "Retry", r, true));
      asl_json_obj_put_cstr(ro, "errors", errors_json(&st->retriers[r].errors));
      asl_json_obj_put_cstr(ro, "retries", asl_json_int(x->retriers[r]));
      asl_json_arr_push(retriers, ro);
    }
    for (size_t k = 0; k < st->catcher_count; k++) {
      asl_json *co = asl_json_object(6);
      asl_json_obj_put_cstr(co, "state", asl_json_string(st->name, st->name_len));
      asl_json_obj_put_cstr(co, "index", asl_json_int((int64_t)k));
      asl_json_obj_put_cstr(co, "pointer", pointer_json(st->pointer, "Catch", k, true));
      asl_json_obj_put_cstr(co, "errors", errors_json(&st->catchers[k].errors));
      asl_json_obj_put_cstr(co, "next", st->catchers[k].next
                                            ? asl_json_cstr(st->catchers[k].next->name)
                                            : asl_json_null());
      asl_json_obj_put_cstr(co, "caught", asl_json_int(x->catchers[k]));
      asl_json_arr_push(catchers, co);
    }
    size_t nb = st->type == ASL_STATE_PARALLEL ? st->u.parallel.count
                : st->type == ASL_STATE_MAP    ? 1
                                               : 0;
    for (size_t br = 0; br < nb; br++) {
      asl_json *bo = asl_json_object(4);
      asl_json_obj_put_cstr(bo, "state", asl_json_string(st->name, st->name_len));
      asl_json_obj_put_cstr(bo, "branch", st->type == ASL_STATE_MAP
                                              ? asl_json_cstr("ItemProcessor")
                                              : asl_json_int((int64_t)br));
      const asl_states *list =
          st->type == ASL_STATE_MAP ? &st->u.map.processor : &st->u.parallel.branches[br];
      asl_json_obj_put_cstr(bo, "pointer", asl_json_cstr(list->pointer));
      asl_json_obj_put_cstr(bo, "runs", asl_json_int(x->branches[br]));
      asl_json_arr_push(branches, bo);
    }
  }
  asl_json *sum = asl_json_object(6);
  asl_json_obj_put_cstr(sum, "states", count_json(s.states));
  asl_json_obj_put_cstr(sum, "choiceRules", count_json(s.rules));
  asl_json_obj_put_cstr(sum, "retriers", count_json(s.retriers));
  asl_json_obj_put_cstr(sum, "catchers", count_json(s.catchers));
  asl_json_obj_put_cstr(sum, "branches", count_json(s.branches));
  asl_json_obj_put_cstr(sum, "total", count_json(s.all));
  asl_json *m = asl_json_object(8);
  asl_json_obj_put_cstr(m, "machine", asl_json_cstr(c->path));
  asl_json_obj_put_cstr(m, "percent", asl_json_double(percent(s.all)));
  asl_json_obj_put_cstr(m, "summary", sum);
  asl_json_obj_put_cstr(m, "states", states);
  asl_json_obj_put_cstr(m, "choiceRules", rules);
  asl_json_obj_put_cstr(m, "retriers", retriers);
  asl_json_obj_put_cstr(m, "catchers", catchers);
  asl_json_obj_put_cstr(m, "branches", branches);
  return m;
}

asl_json *cli_coverage_json(const cli_coverage_set *set)
{
  asl_json *machines = asl_json_array(set->items.len);
  cov_count all = {0};
  for (size_t i = 0; i < set->items.len; i++) {
    cov_summary s = summarise(set->items.items[i]);
    all.covered += s.all.covered;
    all.total += s.all.total;
    asl_json_arr_push(machines, machine_json(set->items.items[i]));
  }
  asl_json *o = asl_json_object(2);
  asl_json_obj_put_cstr(o, "machines", machines);
  asl_json_obj_put_cstr(o, "total", count_json(all));
  return o;
}

bool cli_coverage_check_min(const cli_coverage_set *set, double min, asl_buf *msgs)
{
  bool ok = true;
  for (size_t i = 0; i < set->items.len; i++) {
    const cli_coverage *c = set->items.items[i];
    cov_summary s = summarise(c);
    double p = percent(s.all);
    /* compared on the printed figure, so that 99.95 does not pass as 100.0 */
    if (p + 1e-9 < min) {
      asl_buf_printf(msgs, "aslrun: coverage of %s is %.1f%% (%zu of %zu), below --coverage-min "
                           "%g%%\n",
                     c->path, p, s.all.covered, s.all.total, min);
      ok = false;
    }
  }
  return ok;
}
