/* Reading and placing an execution history for replay. AWS interleaves the events of Parallel
 * branches and Map iterations as they happened, so two correct runs may order them differently;
 * what must match is each sequential thread: the events of one state list (the top level, a
 * branch, an item processor) in one Map iteration, in order. Each event is given its state (its
 * details name it, or it follows its state's events through previousEventId), the Map
 * iterations that hold it, and so its thread. The same placing serves AWS's history and the
 * local run's, so both are cut the same way. */
#include "replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define uthash_malloc(sz) asl_alloc(sz)
#define uthash_free(ptr, sz) asl_free(ptr)
#include <uthash.h>

typedef struct rm_state {
  const asl_state *st;
  UT_hash_handle hh;
} rm_state;

typedef struct rm_list {
  const asl_states *list;
  const asl_state *owner; /* the Parallel or Map state, NULL for the top level */
} rm_list;

struct replay_machine {
  const asl_machine *m;
  rm_state *by_name;
  ASL_VEC(rm_list) lists;
};

static void index_states(replay_machine *rm, const asl_states *states, const asl_state *owner)
{
  rm_list l = {states, owner};
  ASL_VEC_PUSH(rm->lists, l);
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    rm_state *e = asl_calloc(1, sizeof *e);
    e->st = st;
    HASH_ADD_KEYPTR(hh, rm->by_name, st->name, st->name_len, e);
    if (st->type == ASL_STATE_PARALLEL)
      for (size_t b = 0; b < st->u.parallel.count; b++)
        index_states(rm, &st->u.parallel.branches[b], st);
    else if (st->type == ASL_STATE_MAP)
      index_states(rm, &st->u.map.processor, st);
  }
}

replay_machine *replay_machine_new(const asl_machine *m)
{
  replay_machine *rm = asl_calloc(1, sizeof *rm);
  rm->m = m;
  index_states(rm, &m->top, NULL);
  return rm;
}

void replay_machine_free(replay_machine *rm)
{
  if (!rm)
    return;
  rm_state *e, *tmp;
  HASH_ITER(hh, rm->by_name, e, tmp)
  {
    HASH_DEL(rm->by_name, e);
    asl_free(e);
  }
  ASL_VEC_FREE(rm->lists);
  asl_free(rm);
}

static const asl_state *state_named(const replay_machine *rm, const char *name)
{
  rm_state *e = NULL;
  if (name)
    HASH_FIND(hh, rm->by_name, name, strlen(name), e);
  return e ? e->st : NULL;
}

/* The Parallel or Map state whose branch or item processor holds [st], or NULL. */
static const asl_state *enclosing(const replay_machine *rm, const asl_state *st)
{
  for (size_t i = 0; st && i < rm->lists.len; i++)
    if (rm->lists.items[i].list == st->list)
      return rm->lists.items[i].owner;
  return NULL;
}

/* [outer] holds [st] (at any depth). */
static bool holds(const replay_machine *rm, const asl_state *outer, const asl_state *st)
{
  for (const asl_state *x = enclosing(rm, st); x; x = enclosing(rm, x))
    if (x == outer)
      return true;
  return false;
}

/* ------------------------------------------------------------------ reading ---- */

bool replay_timestamp_ms(const asl_json *v, int64_t *ms)
{
  if (v && asl_json_is_number(v)) {
    double s = asl_json_num_val(v);
    if (!(s >= 0 && s < 253402300800.0))
      return false;
    *ms = (int64_t)llround(s * 1000.0);
    return true;
  }
  if (!v || !asl_json_is_string(v))
    return false;
  asl_timestamp ts;
  if (!asl_timestamp_parse(asl_json_str(v), asl_json_str_len(v), &ts))
    return false;
  *ms = ts.seconds * 1000 + ts.nanos / 1000000;
  return true;
}

static const asl_json *details_of(const asl_json *ev)
{
  for (size_t i = 0; i < asl_json_len(ev); i++) {
    size_t kl;
    const char *k = asl_json_key_at(ev, i, &kl);
    if (kl > 12 && memcmp(k + kl - 12, "EventDetails", 12) == 0 &&
        asl_json_is_object(asl_json_value_at(ev, i)))
      return asl_json_value_at(ev, i);
  }
  return NULL;
}

static int by_id(const void *a, const void *b)
{
  const replay_event *x = a;
  const replay_event *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

bool replay_read_history(const asl_json *doc, const replay_machine *rm, replay_events *out,
                         char **why)
{
  const asl_json *events = asl_json_is_array(doc)    ? doc
                           : asl_json_is_object(doc) ? asl_json_get_cstr(doc, "events")
                                                     : NULL;
  if (!events || !asl_json_is_array(events) || asl_json_len(events) == 0) {
    *why = asl_strdup("not an execution history: expected {\"events\": [...]} as `aws "
                      "stepfunctions get-execution-history --output json` writes it");
    return false;
  }
  for (size_t i = 0; i < asl_json_len(events); i++) {
    const asl_json *ev = asl_json_at(events, i);
    const asl_json *type = asl_json_is_object(ev) ? asl_json_get_cstr(ev, "type") : NULL;
    const asl_json *id = asl_json_is_object(ev) ? asl_json_get_cstr(ev, "id") : NULL;
    const asl_json *prev = asl_json_is_object(ev) ? asl_json_get_cstr(ev, "previousEventId")
                                                  : NULL;
    if (!type || !asl_json_is_string(type) || !id || asl_json_kind_of(id) != ASL_JSON_INT ||
        asl_json_int_val(id) < 1 || (prev && asl_json_kind_of(prev) != ASL_JSON_INT)) {
      *why = asl_strfmt("event %zu has no string \"type\" or no positive integer \"id\"", i + 1);
      return false;
    }
    replay_event e = {
        .id = asl_json_int_val(id),
        .prev = prev ? asl_json_int_val(prev) : 0,
        .type = asl_json_str(type),
        .details = details_of(ev),
    };
    e.ts_ok = replay_timestamp_ms(asl_json_get_cstr(ev, "timestamp"), &e.ts_ms);
    ASL_VEC_PUSH(*out, e);
  }
  qsort(out->items, out->len, sizeof *out->items, by_id);
  for (size_t i = 1; i < out->len; i++) {
    if (out->items[i].id == out->items[i - 1].id) {
      *why = asl_strfmt("two events have the id %lld", (long long)out->items[i].id);
      return false;
    }
  }
  if (strcmp(out->items[0].type, "ExecutionStarted") != 0) {
    *why = asl_strfmt("the history starts with %s, not ExecutionStarted: give the whole history "
                      "(every page, in any order)",
                      out->items[0].type);
    return false;
  }
  replay_place(rm, out, true);
  return true;
}

void replay_events_free(replay_events *ev)
{
  for (size_t i = 0; i < ev->len; i++) {
    asl_free(ev->items[i].path);
    asl_free(ev->items[i].thread);
  }
  ASL_VEC_FREE(*ev);
}

/* ------------------------------------------------------------------ placing ---- */

static bool starts(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *detail_str(const asl_json *d, const char *k)
{
  const asl_json *v = d ? asl_json_get_cstr(d, k) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

static int64_t detail_int(const asl_json *d, const char *k)
{
  const asl_json *v = d ? asl_json_get_cstr(d, k) : NULL;
  return v && asl_json_kind_of(v) == ASL_JSON_INT ? asl_json_int_val(v) : -1;
}

/* The event numbered [id] among the first [n] of [ev] (sorted by id), or NULL. */
static const replay_event *find(const replay_events *ev, size_t n, int64_t id)
{
  size_t lo = 0;
  size_t hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ev->items[mid].id < id)
      lo = mid + 1;
    else if (ev->items[mid].id > id)
      hi = mid;
    else
      return &ev->items[mid];
  }
  return NULL;
}

/* The Parallel (or Map) state a Parallel* (Map*) event of AWS's belongs to: from the state of
 * the event it follows, the nearest such state holding it (or that state itself, unless the
 * event it follows is that state's exit). */
static const char *owner_of(const replay_machine *rm, const replay_event *prev,
                            asl_state_type family)
{
  const asl_state *s = prev ? state_named(rm, prev->state) : NULL;
  if (!s)
    return NULL;
  const asl_state *x = ends(prev->type, "StateExited") ? enclosing(rm, s) : s;
  while (x && x->type != family)
    x = enclosing(rm, x);
  return x ? x->name : NULL;
}

static void attribute(const replay_machine *rm, replay_event *e, const replay_event *prev)
{
  const char *t = e->type;
  if (starts(t, "Execution")) {
    e->state = NULL;
  } else if (ends(t, "StateEntered") || ends(t, "StateExited") || starts(t, "MapIteration")) {
    e->state = detail_str(e->details, "name");
  } else if (starts(t, "ParallelState")) {
    e->state = owner_of(rm, prev, ASL_STATE_PARALLEL);
  } else if (starts(t, "MapState") || starts(t, "MapRun")) {
    e->state = owner_of(rm, prev, ASL_STATE_MAP);
  } else {
    e->state = prev ? prev->state : NULL;
  }
}

/* Path elements are "\x1f" MAP "\x1e" INDEX; [path] is cut to those whose Map holds [st]. */
static size_t keep_holding(const replay_machine *rm, const char *path, const asl_state *st)
{
  size_t keep = 0;
  const char *p = path;
  while (p && *p == '\x1f') {
    const char *sep = strchr(p + 1, '\x1e');
    if (!sep)
      break;
    char *name = asl_strndup(p + 1, (size_t)(sep - p - 1));
    const asl_state *map = state_named(rm, name);
    asl_free(name);
    if (!map || !st || !holds(rm, map, st))
      break;
    const char *next = strchr(sep, '\x1f');
    p = next;
    keep = next ? (size_t)(next - path) : strlen(path);
  }
  return keep;
}

void replay_place(const replay_machine *rm, replay_events *ev, bool attribute_states)
{
  for (size_t i = 0; i < ev->len; i++) {
    replay_event *e = &ev->items[i];
    const replay_event *prev = e->prev > 0 ? find(ev, i, e->prev) : NULL;
    if (attribute_states)
      attribute(rm, e, prev);
    const asl_state *st = state_named(rm, e->state);
    const char *base = prev && prev->path ? prev->path : "";
    asl_buf p = ASL_BUF_INIT;
    asl_buf_adds(&p, "");
    if (starts(e->type, "MapIteration") && st) {
      /* the iteration's own thread: the paths holding the Map, and this iteration */
      asl_buf_add(&p, base, keep_holding(rm, base, st));
      asl_buf_printf(&p, "\x1f%s\x1e%lld", st->name, (long long)detail_int(e->details, "index"));
    } else if (st) {
      asl_buf_add(&p, base, keep_holding(rm, base, st));
    }
    e->path = asl_buf_steal(&p, NULL);
    /* the thread: the state list (the Map's processor for its iterations) and the path */
    const asl_states *list = &rm->m->top;
    if (st)
      list = starts(e->type, "MapIteration") && st->type == ASL_STATE_MAP ? &st->u.map.processor
                                                                          : st->list;
    e->thread = asl_strfmt("%s%s", list->pointer, e->path);
  }
}

/* ------------------------------------------------------------------- keys ---- */

char *replay_task_key(const char *state, const char *path)
{
  return asl_strfmt("%s%s", state, path ? path : "");
}

char *replay_query_key(const asl_task_query *q)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, q->state);
  for (size_t i = 0; i < q->map_depth; i++)
    asl_buf_printf(&b, "\x1f%s\x1e%lld", q->map_states[i], (long long)q->map_indexes[i]);
  return asl_buf_steal(&b, NULL);
}
