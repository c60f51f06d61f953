/* Loading a definition: the public entry points, the top-level fields, state lists, and each
 * state's common part (name, Type, QueryLanguage, which fields it may have) before handing it to
 * its type's loader through the table of state_types.def. Transitions are resolved and
 * reachability is checked once everything is loaded (graph.c). */
#include "internal.h"

#include <string.h>

typedef struct type_row {
  const char *name;
  uint64_t fields;
  void (*load)(state_ctx *c);
} type_row;

static const type_row types[] = {
#define ASL_STATE_TYPE(id, name, fields, fn) [ASL_STATE_##id] = {name, fields, fn},
#include "state_types.def"
#undef ASL_STATE_TYPE
};
#define TYPE_COUNT (sizeof types / sizeof types[0])

const char *asl_state_type_name(asl_state_type t)
{
  return (size_t)t < TYPE_COUNT ? types[t].name : "?";
}

static int field_lookup(const char *k, size_t klen)
{
  for (int i = 0; i < F_COUNT; i++) {
    const char *n = asl__field_names[i];
    if (n[0] == k[0] && strlen(n) == klen && memcmp(n, k, klen) == 0)
      return i;
  }
  return -1;
}

static char *quoted(const char *s, size_t len)
{
  asl_json *v = asl_json_string(s, len);
  char *q = asl__describe(v);
  asl_json_decref(v);
  return q;
}

/* ---- fields a state may not have ---- */

/* What to use instead of a field of the other query language. */
static const char *ql_replacement(field_id f)
{
  static const struct {
    field_id f;
    const char *use;
  } hints[] = {
      {F_PARAMETERS, "use Arguments"},
      {F_INPUT_PATH, "use Arguments with $states.input"},
      {F_OUTPUT_PATH, "use Output (and Assign)"},
      {F_RESULT_SELECTOR, "use Output (and Assign)"},
      {F_RESULT_PATH, "use Output (and Assign)"},
      {F_RESULT, "use Output"},
      {F_ITEMS_PATH, "use Items"},
      {F_TIMEOUT_SECONDS_PATH, "use TimeoutSeconds with a {% ... %} expression"},
      {F_HEARTBEAT_SECONDS_PATH, "use HeartbeatSeconds with a {% ... %} expression"},
      {F_SECONDS_PATH, "use Seconds with a {% ... %} expression"},
      {F_TIMESTAMP_PATH, "use Timestamp with a {% ... %} expression"},
      {F_ERROR_PATH, "use Error with a {% ... %} expression"},
      {F_CAUSE_PATH, "use Cause with a {% ... %} expression"},
      {F_MAX_CONCURRENCY_PATH, "use MaxConcurrency with a {% ... %} expression"},
      {F_TOLERATED_FAILURE_COUNT_PATH, "use ToleratedFailureCount with a {% ... %} expression"},
      {F_TOLERATED_FAILURE_PERCENTAGE_PATH,
       "use ToleratedFailurePercentage with a {% ... %} expression"},
      {F_ARGUMENTS, "use Parameters, or set \"QueryLanguage\": \"JSONata\""},
      {F_OUTPUT, "use OutputPath or ResultSelector, or set \"QueryLanguage\": \"JSONata\""},
      {F_ITEMS, "use ItemsPath, or set \"QueryLanguage\": \"JSONata\""},
  };
  for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
    if (hints[i].f == f)
      return hints[i].use;
  return "remove it";
}

static void report_misplaced(state_ctx *c, asl_state_type t, field_id f, size_t kpos)
{
  loader *L = c->L;
  const char *fname = asl__field_names[f];
  const char *tname = types[t].name;
  if ((f == F_NEXT || f == F_END) && t == ASL_STATE_CHOICE) {
    asl__diag(L, kpos, c->st->pointer, fname,
              "a Choice state has no %s: each rule of Choices names its Next, and Default the "
              "state to go to when no rule matches",
              fname);
    return;
  }
  if ((f == F_NEXT || f == F_END) && (t == ASL_STATE_SUCCEED || t == ASL_STATE_FAIL)) {
    asl__diag(L, kpos, c->st->pointer, fname,
              "a %s state ends the execution by itself and has no %s; remove it", tname, fname);
    return;
  }
  asl_buf owners = ASL_BUF_INIT;
  size_t n = 0;
  for (size_t i = 0; i < TYPE_COUNT; i++)
    if (types[i].fields & (UINT64_C(1) << f))
      n++;
  size_t k = 0;
  for (size_t i = 0; i < TYPE_COUNT; i++) {
    if (!(types[i].fields & (UINT64_C(1) << f)))
      continue;
    asl_buf_printf(&owners, "%s%s", k == 0 ? "" : k + 1 == n ? " and " : ", ", types[i].name);
    k++;
  }
  asl__diag(L, kpos, c->st->pointer, fname,
            "a %s state may not have %s (only %s states have it); remove it or change the Type",
            tname, fname, owners.data);
  asl_buf_free(&owners);
}

static void report_unknown(state_ctx *c, asl_state_type t, const char *k, size_t klen, size_t kpos)
{
  suggest sg;
  asl__suggest_init(&sg, k, klen);
  unsigned ql = c->jsonata ? QL_ATA : QL_PATH;
  for (int i = 0; i < F_COUNT; i++)
    if ((types[t].fields & (UINT64_C(1) << i)) && (asl__field_ql[i] & ql))
      asl__suggest_try(&sg, asl__field_names[i], strlen(asl__field_names[i]));
  if (!sg.best)
    for (int i = 0; i < F_COUNT; i++)
      asl__suggest_try(&sg, asl__field_names[i], strlen(asl__field_names[i]));
  char buf[1024];
  char *q = quoted(k, klen);
  char *field = asl_strndup(k, klen);
  if (sg.best) {
    int id = field_lookup(sg.best, sg.best_len);
    if (id >= 0)
      c->reported |= UINT64_C(1) << id;
  }
  if (sg.best)
    asl__diag(c->L, kpos, c->st->pointer, field, "unknown field %s in a %s state%s", q,
              types[t].name, asl__suggest_text(&sg, buf, sizeof buf));
  else
    asl__diag(c->L, kpos, c->st->pointer, field,
              "unknown field %s in a %s state; remove it (field names are case-sensitive)", q,
              types[t].name);
  asl_free(field);
  asl_free(q);
}

/* Sorts the state's members into c->f, reporting those its type or language does not allow. */
static void scan_fields(state_ctx *c, asl_state_type t)
{
  const asl_json *obj = c->obj;
  size_t n = asl_json_len(obj);
  unsigned ql = c->jsonata ? QL_ATA : QL_PATH;
  for (size_t i = 0; i < n; i++) {
    size_t klen;
    const char *k = asl_json_key_at(obj, i, &klen);
    size_t kpos = asl_json_key_pos_at(obj, i);
    int id = klen ? field_lookup(k, klen) : -1;
    if (id < 0) {
      report_unknown(c, t, k, klen, kpos);
    } else if (!(types[t].fields & (UINT64_C(1) << id))) {
      report_misplaced(c, t, (field_id)id, kpos);
    } else if (!(asl__field_ql[id] & ql)) {
      c->reported |= UINT64_C(1) << id;
      asl__diag(c->L, kpos, c->st->pointer, asl__field_names[id],
                "%s is a %s field and this state uses %s; %s", asl__field_names[id],
                c->jsonata ? "JSONPath" : "JSONata", c->jsonata ? "JSONata" : "JSONPath",
                ql_replacement((field_id)id));
    } else {
      c->f[id] = (slot){asl_json_value_at(obj, i), kpos};
    }
  }
}

bool asl__missing(const state_ctx *c, field_id f)
{
  return !(c->reported & (UINT64_C(1) << f));
}

/* ---- one state ---- */

static bool read_query_language(loader *L, const slot *s, const char *base, const char *field,
                                asl_query_language *out)
{
  if (!asl__want_string(L, s, base, field))
    return false;
  const char *v = asl_json_str(s->v);
  if (strcmp(v, "JSONPath") == 0 && asl_json_str_len(s->v) == 8) {
    *out = ASL_QL_JSONPATH;
    return true;
  }
  if (strcmp(v, "JSONata") == 0 && asl_json_str_len(s->v) == 7) {
    *out = ASL_QL_JSONATA;
    return true;
  }
  char *got = asl__describe(s->v);
  asl__diag(L, asl__vpos(s), base, field,
            "QueryLanguage must be \"JSONPath\" or \"JSONata\", not %s", got);
  asl_free(got);
  return false;
}

static bool read_type(state_ctx *c, asl_state_type *out)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot s = asl__member(c->obj, "Type");
  if (!s.v) {
    asl__diag(L, st->offset, st->pointer, NULL,
              "missing \"Type\": say which kind of state this is (Task, Pass, Choice, Wait, "
              "Succeed, Fail, Parallel or Map)");
    return false;
  }
  if (!asl__want_string(L, &s, st->pointer, "Type"))
    return false;
  const char *v = asl_json_str(s.v);
  size_t len = asl_json_str_len(s.v);
  for (size_t i = 0; i < TYPE_COUNT; i++) {
    if (strlen(types[i].name) == len && memcmp(types[i].name, v, len) == 0) {
      *out = (asl_state_type)i;
      return true;
    }
  }
  suggest sg;
  asl__suggest_init(&sg, v, len);
  for (size_t i = 0; i < TYPE_COUNT; i++)
    asl__suggest_try(&sg, types[i].name, strlen(types[i].name));
  char buf[1024];
  char *got = asl__describe(s.v);
  if (sg.best)
    asl__diag(L, asl__vpos(&s), st->pointer, "Type", "unknown state type %s%s", got,
              asl__suggest_text(&sg, buf, sizeof buf));
  else
    asl__diag(L, asl__vpos(&s), st->pointer, "Type",
              "unknown state type %s; use one of Task, Pass, Choice, Wait, Succeed, Fail, "
              "Parallel, Map",
              got);
  asl_free(got);
  return false;
}

static void check_name(loader *L, asl_state *st)
{
  if (st->name_len == 0) {
    asl__diag(L, st->offset, st->pointer, NULL, "a state name must not be empty");
    return;
  }
  if (memchr(st->name, '\0', st->name_len)) {
    asl__diag(L, st->offset, st->pointer, NULL,
              "a state name must not contain a NUL character (\\u0000)");
    return;
  }
  size_t units = asl_utf16_len(st->name, st->name_len);
  if ((uint64_t)units > (uint64_t)L->max_state_name)
    asl__diag(L, st->offset, st->pointer, NULL,
              "state name is %zu characters long; the limit is %lld: shorten it", units,
              (long long)L->max_state_name);
}

static void load_state(loader *L, asl_states *list, const char *states_ptr, size_t i,
                       const asl_json *states)
{
  size_t klen;
  const char *k = asl_json_key_at(states, i, &klen);
  const asl_json *v = asl_json_value_at(states, i);
  slot key = {v, asl_json_key_pos_at(states, i)};

  asl_state *st = asl_arena_alloc(L->a, sizeof *st);
  st->name = asl_arena_strndup(L->a, k, klen);
  st->name_len = klen;
  st->pointer = asl__arena_ptr(L, states_ptr, k, klen);
  st->offset = key.kpos;
  st->list = list;
  st->index = i;
  st->definition = v;
  st->query_language = L->m->query_language;
  list->items[i] = st;
  L->m->state_count++;
  check_name(L, st);
  asl__names_add(L, st, &key);

  if (!asl_json_is_object(v)) {
    char *got = asl__describe(v);
    asl__diag(L, asl__vpos(&key), st->pointer, NULL,
              "a state must be an object with at least a \"Type\", not %s", got);
    asl_free(got);
    asl__mark_broken(L, list);
    return;
  }
  state_ctx c = {.L = L, .st = st, .obj = v};
  slot ql = asl__member(v, "QueryLanguage");
  if (ql.v) {
    asl_query_language q;
    if (read_query_language(L, &ql, st->pointer, "QueryLanguage", &q)) {
      if (q == ASL_QL_JSONPATH && L->m->query_language == ASL_QL_JSONATA)
        asl__diag(L, asl__vpos(&ql), st->pointer, "QueryLanguage",
                  "a state cannot use JSONPath when the machine's QueryLanguage is JSONata; "
                  "remove the state's QueryLanguage, or set the machine's to JSONPath and "
                  "choose JSONata state by state");
      else
        st->query_language = q;
    }
  }
  c.jsonata = st->query_language == ASL_QL_JSONATA;
  asl_state_type t;
  if (!read_type(&c, &t)) {
    asl__mark_broken(L, list);
    return;
  }
  st->type = t;
  scan_fields(&c, t);
  if (c.f[F_COMMENT].v && asl__want_string(L, &c.f[F_COMMENT], st->pointer, "Comment"))
    st->comment = asl__arena_str(L, c.f[F_COMMENT].v);
  if (types[t].fields & FB(NEXT))
    asl__load_transition(&c);
  asl__load_io(&c);
  if (types[t].fields & FB(RETRY)) {
    asl__load_retry(&c);
    asl__load_catch(&c);
  }
  types[t].load(&c);
  if (c.jsonata)
    st->uses_context = true; /* $states.context may appear in any expression */
}

/* ---- state lists ---- */

void asl__load_states(loader *L, const slot *start_at, const slot *states, size_t container_pos,
                      const char *ptr, asl_states *out)
{
  out->pointer = asl_arena_strdup(L->a, ptr);
  out->priv = asl_arena_alloc(L->a, sizeof *out->priv);
  out->priv->names = asl__names_of(L);
  ASL_VEC_PUSH(L->lists, out);
  if (L->depth >= ASL_MAX_DEPTH) {
    asl__diag(L, container_pos, ptr, NULL,
              "Parallel and Map states are nested more than %d levels deep here; flatten the "
              "machine",
              ASL_MAX_DEPTH);
    asl__mark_broken(L, out);
    return;
  }
  bool states_ok = false;
  if (!states->v) {
    asl__diag(L, container_pos, ptr, NULL,
              "missing \"States\": an object holding the states by name, e.g. \"States\": "
              "{\"Hello\": {\"Type\": \"Pass\", \"End\": true}}");
  } else if (asl__want_object(L, states, ptr, "States")) {
    if (asl_json_len(states->v) == 0)
      asl__diag(L, asl__vpos(states), ptr, "States", "States is empty; add at least one state");
    else
      states_ok = true;
  }
  if (!start_at->v) {
    asl__diag(L, container_pos, ptr, NULL,
              "missing \"StartAt\": the name of the state to run first");
  } else if (states_ok) {
    asl__add_ref(L, out, &out->start, start_at, ptr, "StartAt");
  } else {
    asl__want_string(L, start_at, ptr, "StartAt");
  }
  if (!states_ok) {
    asl__mark_broken(L, out);
    return;
  }
  size_t n = asl_json_len(states->v);
  out->items = asl_arena_alloc(L->a, n * sizeof(asl_state *));
  out->count = n;
  char *states_ptr = asl__ptr(ptr, "States");
  L->depth++;
  for (size_t i = 0; i < n; i++)
    load_state(L, out, states_ptr, i, states->v);
  L->depth--;
  asl_free(states_ptr);
}

/* ---- the machine ---- */

enum { TOP_START_AT, TOP_STATES, TOP_COMMENT, TOP_VERSION, TOP_TIMEOUT, TOP_QL, TOP_COUNT };
static const char *const top_names[TOP_COUNT] = {
    "StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage",
};

static void load_top(loader *L, const asl_json *def)
{
  asl_machine *m = L->m;
  size_t pos = asl_json_pos(def);
  if (!asl_json_is_object(def)) {
    char *got = asl__describe(def);
    asl__diag(L, pos, "", NULL,
              "a state machine definition must be a JSON object with \"StartAt\" and "
              "\"States\", not %s",
              got);
    asl_free(got);
    return;
  }
  slot f[TOP_COUNT];
  asl__scan_object(L, def, pos, "", "a state machine definition", top_names, TOP_COUNT, f);
  if (f[TOP_COMMENT].v && asl__want_string(L, &f[TOP_COMMENT], "", "Comment"))
    m->comment = asl__arena_str(L, f[TOP_COMMENT].v);
  if (f[TOP_VERSION].v && asl__want_string(L, &f[TOP_VERSION], "", "Version")) {
    if (strcmp(asl_json_str(f[TOP_VERSION].v), "1.0") != 0 ||
        asl_json_str_len(f[TOP_VERSION].v) != 3) {
      char *got = asl__describe(f[TOP_VERSION].v);
      asl__diag(L, asl__vpos(&f[TOP_VERSION]), "", "Version",
                "Version must be \"1.0\" (the only version of the language), not %s", got);
      asl_free(got);
    } else {
      m->version = "1.0";
    }
  }
  if (f[TOP_TIMEOUT].v)
    asl__want_int(L, &f[TOP_TIMEOUT], "", "TimeoutSeconds", 1, 99999999,
                  "a positive integer (at most 99999999)", &m->timeout_seconds);
  if (f[TOP_QL].v)
    read_query_language(L, &f[TOP_QL], "", "QueryLanguage", &m->query_language);
  asl__load_states(L, &f[TOP_START_AT], &f[TOP_STATES], pos, "", &m->top);
}

/* Sorts the diagnostics this load added (not the caller's earlier ones) by offset. */
static void sort_new(asl_diags *d, size_t d0)
{
  asl_diags view = {d->items + d0, d->len - d0, d->len - d0};
  asl_diags_sort(&view);
}

asl_machine *asl_machine_load(const asl_json *definition, const asl_load_opts *opts, asl_diags *d)
{
  asl_machine *m = asl_calloc(1, sizeof *m);
  m->arena = asl_arena_new();
  m->definition = asl_json_incref(definition);
  loader L = {.m = m, .a = m->arena, .d = d, .d0 = d->len};
  L.max_state_name = opts && opts->max_state_name > 0 ? opts->max_state_name : ASL_MAX_STATE_NAME;
  load_top(&L, definition);
  asl__resolve_refs(&L);
  for (size_t i = 0; i < L.lists.len; i++)
    asl__check_reachable(&L, L.lists.items[i]);
  if (!opts || !opts->unchecked_variables)
    asl__check_variables(&L);
  for (size_t i = 0; i < L.refs.len; i++)
    asl_free(L.refs.items[i].pointer);
  ASL_VEC_FREE(L.refs);
  ASL_VEC_FREE(L.lists);
  if (d->len > L.d0) {
    sort_new(d, L.d0);
    asl_machine_free(m);
    return NULL;
  }
  return m;
}

asl_machine *asl_machine_load_text(const char *text, size_t len, const asl_load_opts *opts,
                                   asl_diags *d)
{
  if (len > ASL_MAX_DEFINITION_BYTES) {
    /* AWS's limit on the definition (bytes here, characters there: a longer text in bytes may
     * still fit in characters, so only what is over in both is refused) */
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
      chars += ((unsigned char)text[i] & 0xC0) == 0x80 ? 0 : (unsigned char)text[i] >= 0xF0 ? 2 : 1;
    if (chars > ASL_MAX_DEFINITION_BYTES) {
      asl_diags_add(d, 0, "",
                    "the definition is %zu characters long, more than the %d that Step "
                    "Functions accepts; move parts into other state machines (a Distributed "
                    "Map's child workflow, or a Task that starts another execution)",
                    chars, ASL_MAX_DEFINITION_BYTES);
      return NULL;
    }
  }
  asl_error err = ASL_ERROR_INIT;
  asl_json *def = asl_json_parse(text, len, NULL, &err);
  if (!def) {
    asl_diags_add(d, err.offset, "", "%s", err.cause ? err.cause : "not valid JSON");
    asl_error_clear(&err);
    return NULL;
  }
  asl_machine *m = asl_machine_load(def, opts, d);
  asl_json_decref(def);
  return m;
}

void asl_machine_free(asl_machine *m)
{
  if (!m)
    return;
  asl_arena_free(m->arena);
  asl_json_decref(m->definition);
  asl_free(m);
}
