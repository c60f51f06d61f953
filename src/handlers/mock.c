/* Mocked responses: Step Functions Local's MockConfigFile (StateMachines -> TestCases -> state ->
 * response name; MockedResponses -> invocation keys "N" / "A-B" -> Return | Throw) and aslrun.json's
 * inline mocks. The whole file is validated when loaded, so a typo fails before the execution
 * starts; an invocation that no key covers fails the execution when it happens (registry.c), as in
 * Step Functions Local. Which response a call gets is decided by the registry. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* "12" or "3-7": digits only, no signs or spaces, as Step Functions Local reads them. */
static bool parse_number(const char *s, size_t n, uint64_t *out)
{
  if (n == 0 || n > 18)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return true;
}

static bool parse_key(const char *k, size_t n, uint64_t *lo, uint64_t *hi)
{
  const char *dash = memchr(k, '-', n);
  if (!dash) {
    if (!parse_number(k, n, lo))
      return false;
    *hi = *lo;
    return true;
  }
  size_t a = (size_t)(dash - k);
  return parse_number(k, a, lo) && parse_number(dash + 1, n - a - 1, hi);
}

static int cmp_entry(const void *a, const void *b)
{
  const asl__mock_entry *x = a;
  const asl__mock_entry *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static void entry_clear(asl__mock_entry *e)
{
  asl_json_decref(e->ret);
  asl_free(e->error);
  asl_free(e->cause);
}

/* One {"Return": V} or {"Throw": {"Error", "Cause"}} at [pointer]. */
static asl_status parse_entry(const asl_json *v, const char *pointer, bool inline_form,
                              asl__mock_entry *e, asl_error *err)
{
  static const char *const keys[] = {"Return", "Throw"};
  if (!asl_json_is_object(v))
    return asl__doc_error(err, v, pointer,
                          "a mocked response must be an object with \"Return\" or \"Throw\", "
                          "found %s",
                          asl_json_kind_name(asl_json_kind_of(v)));
  for (size_t i = 0; i < asl_json_len(v); i++) {
    size_t kl;
    const char *k = asl_json_key_at(v, i, &kl);
    if (strcmp(k, "Return") == 0 || strcmp(k, "Throw") == 0)
      continue;
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "unknown field \"%s\" in a mocked response; it takes \"Return\" or \"Throw\"",
                   k);
    asl__suggest_append(&b, k, keys, 2);
    char *p = asl_pointer_join(pointer, k, kl);
    asl__doc_error(err, asl_json_value_at(v, i), p, "%s", b.data);
    asl_free(p);
    asl_buf_free(&b);
    return ASL_E_DEFINITION;
  }
  const asl_json *ret = asl_json_get_cstr(v, "Return");
  const asl_json *thr = asl_json_get_cstr(v, "Throw");
  if (ret && thr)
    return asl__doc_error(err, v, pointer,
                          "a mocked response has both \"Return\" and \"Throw\"; give exactly one");
  if (!ret && !thr)
    return asl__doc_error(err, v, pointer,
                          "a mocked response has neither \"Return\" nor \"Throw\"; give exactly one");
  if (ret) {
    e->ret = asl_json_incref(ret);
    return ASL_OK;
  }
  char *tp = asl_pointer_join(pointer, "Throw", 5);
  asl_status st = ASL_OK;
  if (!asl_json_is_object(thr)) {
    st = asl__doc_error(err, thr, tp, "\"Throw\" must be an object {\"Error\": ..., \"Cause\": ...}");
    goto out;
  }
  for (size_t i = 0; i < asl_json_len(thr); i++) {
    static const char *const tkeys[] = {"Error", "Cause"};
    size_t kl;
    const char *k = asl_json_key_at(thr, i, &kl);
    if (strcmp(k, "Error") == 0 || strcmp(k, "Cause") == 0)
      continue;
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "unknown field \"%s\" in \"Throw\"; it takes \"Error\" and \"Cause\"", k);
    asl__suggest_append(&b, k, tkeys, 2);
    char *p = asl_pointer_join(tp, k, kl);
    st = asl__doc_error(err, asl_json_value_at(thr, i), p, "%s", b.data);
    asl_free(p);
    asl_buf_free(&b);
    goto out;
  }
  const asl_json *error = asl_json_get_cstr(thr, "Error");
  const asl_json *cause = asl_json_get_cstr(thr, "Cause");
  if (!error || !asl_json_is_string(error)) {
    st = asl__doc_error(err, error ? error : thr, tp, "\"Throw\" needs \"Error\", a string");
    goto out;
  }
  if (cause && !asl_json_is_string(cause)) {
    st = asl__doc_error(err, cause, tp, "\"Cause\" in \"Throw\" must be a string");
    goto out;
  }
  if (!cause && !inline_form) {
    /* Step Functions Local requires both members (mock-config.md, section 1) */
    st = asl__doc_error(err, thr, tp, "\"Throw\" needs \"Cause\", a string");
    goto out;
  }
  e->error = asl_strndup(asl_json_str(error), asl_json_str_len(error));
  e->cause = cause ? asl_strndup(asl_json_str(cause), asl_json_str_len(cause)) : NULL;
out:
  asl_free(tp);
  return st;
}

static void push_entry(asl__mock_response *r, size_t *cap, asl__mock_entry e)
{
  if (r->len == *cap) {
    *cap = *cap ? *cap * 2 : 4;
    r->entries = asl_realloc(r->entries, *cap * sizeof *r->entries);
  }
  r->entries[r->len++] = e;
}

static void fmt_range(asl_buf *b, const asl__mock_entry *e)
{
  if (e->lo == e->hi)
    asl_buf_printf(b, "\"%llu\"", (unsigned long long)e->lo);
  else
    asl_buf_printf(b, "\"%llu-%llu\"", (unsigned long long)e->lo, (unsigned long long)e->hi);
}

asl_status asl__mock_response_parse(const asl_json *v, const char *pointer, bool inline_forms,
                                    asl__mock_response *out, asl_error *err)
{
  size_t cap = 0;
  asl_status st = ASL_OK;
  out->entries = NULL;
  out->len = 0;
  if (inline_forms && asl_json_is_array(v)) { /* one entry per invocation, in order */
    for (size_t i = 0; i < asl_json_len(v); i++) {
      asl__mock_entry e = {i, i, NULL, NULL, NULL};
      asl_buf p = ASL_BUF_INIT;
      asl_buf_printf(&p, "%s/%zu", pointer, i);
      st = parse_entry(asl_json_at(v, i), p.data, true, &e, err);
      asl_buf_free(&p);
      if (st != ASL_OK)
        goto fail;
      push_entry(out, &cap, e);
    }
    if (out->len == 0) {
      st = asl__doc_error(err, v, pointer, "an inline mock list needs at least one response");
      goto fail;
    }
    return ASL_OK;
  }
  if (inline_forms && asl_json_is_object(v) &&
      (asl_json_get_cstr(v, "Return") || asl_json_get_cstr(v, "Throw"))) {
    /* a single response serves every invocation */
    asl__mock_entry e = {0, UINT64_MAX, NULL, NULL, NULL};
    st = parse_entry(v, pointer, true, &e, err);
    if (st != ASL_OK)
      goto fail;
    push_entry(out, &cap, e);
    return ASL_OK;
  }
  if (!asl_json_is_object(v)) {
    st = asl__doc_error(err, v, pointer,
                        "mocked responses must be an object of invocation numbers (\"0\", \"1-2\") "
                        "to {\"Return\"} or {\"Throw\"}, found %s",
                        asl_json_kind_name(asl_json_kind_of(v)));
    goto fail;
  }
  for (size_t i = 0; i < asl_json_len(v); i++) {
    size_t kl;
    const char *k = asl_json_key_at(v, i, &kl);
    char *p = asl_pointer_join(pointer, k, kl);
    asl__mock_entry e = {0, 0, NULL, NULL, NULL};
    if (!parse_key(k, kl, &e.lo, &e.hi)) {
      st = asl__doc_error(err, asl_json_value_at(v, i), p,
                          "invocation key \"%s\" is neither a number (\"3\") nor a range (\"0-2\")",
                          k);
      asl_free(p);
      goto fail;
    }
    if (e.lo > e.hi) {
      st = asl__doc_error(err, asl_json_value_at(v, i), p,
                          "invocation range \"%s\" runs backwards; write it \"%llu-%llu\"", k,
                          (unsigned long long)e.hi, (unsigned long long)e.lo);
      asl_free(p);
      goto fail;
    }
    st = parse_entry(asl_json_value_at(v, i), p, inline_forms, &e, err);
    asl_free(p);
    if (st != ASL_OK) {
      entry_clear(&e);
      goto fail;
    }
    push_entry(out, &cap, e);
  }
  if (out->len == 0) {
    /* as an empty inline list: a response that serves no invocation is a mistake */
    st = asl__doc_error(err, v, pointer,
                        "mocked responses need at least one invocation number (\"0\": "
                        "{\"Return\": ...}), or Return or Throw for every invocation");
    goto fail;
  }
  qsort(out->entries, out->len, sizeof *out->entries, cmp_entry);
  for (size_t i = 1; i < out->len; i++) {
    if (out->entries[i].lo <= out->entries[i - 1].hi) {
      asl_buf b = ASL_BUF_INIT;
      asl_buf_adds(&b, "invocation keys ");
      fmt_range(&b, &out->entries[i - 1]);
      asl_buf_adds(&b, " and ");
      fmt_range(&b, &out->entries[i]);
      asl_buf_adds(&b, " overlap; each invocation must have one response");
      st = asl__doc_error(err, v, pointer, "%s", b.data);
      asl_buf_free(&b);
      goto fail;
    }
  }
  return ASL_OK;
fail:
  asl__mock_response_clear(out);
  return st;
}

void asl__mock_response_clear(asl__mock_response *r)
{
  for (size_t i = 0; i < r->len; i++)
    entry_clear(&r->entries[i]);
  asl_free(r->entries);
  r->entries = NULL;
  r->len = 0;
}

const asl__mock_entry *asl__mock_find(const asl__mock_response *r, uint64_t invocation)
{
  size_t lo = 0;
  size_t hi = r->len;
  while (lo < hi) { /* entries are sorted and disjoint: binary search on the start */
    size_t mid = lo + (hi - lo) / 2;
    if (r->entries[mid].hi < invocation)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < r->len && r->entries[lo].lo <= invocation)
    return &r->entries[lo];
  return NULL;
}

/* ---- the MockConfigFile ---- */

typedef ASL_VEC(const char *) name_vec;

static void names_of(const asl_json *o, name_vec *out)
{
  for (size_t i = 0; i < asl_json_len(o); i++) {
    size_t kl;
    ASL_VEC_PUSH(*out, asl_json_key_at(o, i, &kl));
  }
}

static asl_status check_keys(const asl_json *o, const char *pointer, const char *what,
                             const char *const *allowed, size_t n, asl_error *err)
{
  for (size_t i = 0; i < asl_json_len(o); i++) {
    size_t kl;
    const char *k = asl_json_key_at(o, i, &kl);
    bool ok = false;
    for (size_t j = 0; j < n; j++)
      ok = ok || strcmp(k, allowed[j]) == 0;
    if (ok)
      continue;
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "unknown field \"%s\" in %s", k, what);
    asl__suggest_append(&b, k, allowed, n);
    char *p = asl_pointer_join(pointer, k, kl);
    asl__doc_error(err, asl_json_value_at(o, i), p, "%s", b.data);
    asl_free(p);
    asl_buf_free(&b);
    return ASL_E_DEFINITION;
  }
  return ASL_OK;
}

static void list_names(asl_buf *b, const asl_json *o)
{
  for (size_t i = 0; i < asl_json_len(o) && i < 20; i++) {
    size_t kl;
    asl_buf_printf(b, "%s\"%s\"", i ? ", " : "", asl_json_key_at(o, i, &kl));
  }
  if (asl_json_len(o) > 20)
    asl_buf_adds(b, ", ...");
}

/* The named member of [o]; else an error listing the names there and the closest one. */
static const asl_json *find_named(const asl_json *o, const char *pointer, const char *name,
                                  const char *what, const char *where, asl_error *err)
{
  const asl_json *v = asl_json_get_cstr(o, name);
  if (v)
    return v;
  name_vec names = {0};
  names_of(o, &names);
  asl_buf b = ASL_BUF_INIT;
  asl_buf_printf(&b, "the mock config has no %s \"%s\" %s", what, name, where);
  asl__suggest_append(&b, name, names.items, names.len);
  if (asl_json_len(o) == 0)
    asl_buf_adds(&b, "; there are none");
  else {
    asl_buf_adds(&b, "; known: ");
    list_names(&b, o);
  }
  asl__doc_error(err, o, pointer, "%s", b.data);
  err->code = ASL_E_USAGE; /* a wrong command-line choice more than a bad file */
  asl_buf_free(&b);
  ASL_VEC_FREE(names);
  return NULL;
}

asl_status asl__mockfile_load(const asl_json *doc, const char *machine, const char *test_case,
                              asl__mockfile *out, asl_error *err)
{
  static const char *const top_keys[] = {"StateMachines", "MockedResponses"};
  static const char *const sm_keys[] = {"TestCases"};
  memset(out, 0, sizeof *out);
  if (!asl_json_is_object(doc))
    return asl__doc_error(err, doc, "",
                          "a mock config must be an object with \"StateMachines\" and "
                          "\"MockedResponses\"");
  asl_status st = check_keys(doc, "", "the mock config", top_keys, 2, err);
  if (st != ASL_OK)
    return st;
  const asl_json *sms = asl_json_get_cstr(doc, "StateMachines");
  const asl_json *mrs = asl_json_get_cstr(doc, "MockedResponses");
  if (!sms || !asl_json_is_object(sms))
    return asl__doc_error(err, sms ? sms : doc, "/StateMachines",
                          "the mock config needs \"StateMachines\", an object");
  if (!mrs || !asl_json_is_object(mrs))
    return asl__doc_error(err, mrs ? mrs : doc, "/MockedResponses",
                          "the mock config needs \"MockedResponses\", an object");

  /* every response is checked, used or not, so that a broken one shows at once */
  for (size_t i = 0; i < asl_json_len(mrs); i++) {
    size_t kl;
    const char *k = asl_json_key_at(mrs, i, &kl);
    char *p = asl_pointer_join("/MockedResponses", k, kl);
    asl__mock_response *r = asl_calloc(1, sizeof *r);
    r->name = asl_strndup(k, kl);
    st = asl__mock_response_parse(asl_json_value_at(mrs, i), p, false, r, err);
    asl_free(p);
    if (st != ASL_OK) {
      asl_free(r->name);
      asl_free(r);
      goto fail;
    }
    HASH_ADD_KEYPTR(hh, out->responses, r->name, strlen(r->name), r);
  }

  /* every test case of every machine: structure and response names */
  for (size_t i = 0; i < asl_json_len(sms); i++) {
    size_t kl;
    const char *mname = asl_json_key_at(sms, i, &kl);
    const asl_json *sm = asl_json_value_at(sms, i);
    char *mp = asl_pointer_join("/StateMachines", mname, kl);
    const asl_json *tcs = NULL;
    if (!asl_json_is_object(sm))
      st = asl__doc_error(err, sm, mp, "a state machine entry must be an object {\"TestCases\": ...}");
    else if ((st = check_keys(sm, mp, "a state machine entry", sm_keys, 1, err)) == ASL_OK) {
      tcs = asl_json_get_cstr(sm, "TestCases");
      if (!tcs || !asl_json_is_object(tcs))
        st = asl__doc_error(err, tcs ? tcs : sm, mp,
                            "a state machine entry needs \"TestCases\", an object");
    }
    for (size_t j = 0; st == ASL_OK && j < asl_json_len(tcs); j++) {
      size_t tl;
      const char *tname = asl_json_key_at(tcs, j, &tl);
      const asl_json *tc = asl_json_value_at(tcs, j);
      char *tcp = asl_pointer_join(mp, "TestCases", 9);
      char *tp = asl_pointer_join(tcp, tname, tl);
      asl_free(tcp);
      if (!asl_json_is_object(tc))
        st = asl__doc_error(err, tc, tp,
                            "a test case must be an object of state names to mocked response names");
      for (size_t s = 0; st == ASL_OK && s < asl_json_len(tc); s++) {
        size_t sl;
        const char *sname = asl_json_key_at(tc, s, &sl);
        const asl_json *rn = asl_json_value_at(tc, s);
        char *sp = asl_pointer_join(tp, sname, sl);
        asl__mock_response *r = NULL;
        if (!asl_json_is_string(rn)) {
          st = asl__doc_error(err, rn, sp, "a test case maps a state to a mocked response name, "
                                           "a string");
        } else {
          HASH_FIND(hh, out->responses, asl_json_str(rn), asl_json_str_len(rn), r);
          if (!r) {
            name_vec names = {0};
            names_of(mrs, &names);
            asl_buf b = ASL_BUF_INIT;
            asl_buf_printf(&b, "state \"%s\" uses the mocked response \"%s\", which "
                               "\"MockedResponses\" does not define",
                           sname, asl_json_str(rn));
            asl__suggest_append(&b, asl_json_str(rn), names.items, names.len);
            st = asl__doc_error(err, rn, sp, "%s", b.data);
            asl_buf_free(&b);
            ASL_VEC_FREE(names);
          }
        }
        if (st == ASL_OK && machine && test_case && strcmp(mname, machine) == 0 &&
            strcmp(tname, test_case) == 0) {
          asl__state_mock *m = asl_calloc(1, sizeof *m);
          m->state = asl_strndup(sname, sl);
          m->resp = r;
          HASH_ADD_KEYPTR(hh, out->states, m->state, sl, m);
        }
        asl_free(sp);
      }
      asl_free(tp);
    }
    asl_free(mp);
    if (st != ASL_OK)
      goto fail;
  }

  if (!machine) {
    st = asl_error_set(err, ASL_E_USAGE, NULL,
                       "a mock config needs the state machine's name to pick its test cases");
    goto fail;
  }
  if (!test_case) {
    st = asl_error_set(err, ASL_E_USAGE, NULL, "a mock config needs a test case (--test-case NAME)");
    goto fail;
  }
  const asl_json *sm = find_named(sms, "/StateMachines", machine, "state machine",
                                  "under \"StateMachines\" (the machine's name is its file name "
                                  "without .json, or the name in --state-machine-arn)",
                                  err);
  if (!sm) {
    st = err->code;
    goto fail;
  }
  char *mp = asl_pointer_join("/StateMachines", machine, strlen(machine));
  char *tcp = asl_pointer_join(mp, "TestCases", 9);
  asl_buf where = ASL_BUF_INIT;
  asl_buf_printf(&where, "for state machine \"%s\"", machine);
  const asl_json *tc =
      find_named(asl_json_get_cstr(sm, "TestCases"), tcp, test_case, "test case", where.data, err);
  asl_buf_free(&where);
  asl_free(tcp);
  asl_free(mp);
  if (!tc) {
    st = err->code;
    goto fail;
  }
  out->machine = asl_strdup(machine);
  out->test_case = asl_strdup(test_case);
  return ASL_OK;
fail:
  asl__mockfile_free(out);
  return st;
}

void asl__mockfile_free(asl__mockfile *mf)
{
  asl__state_mock *m, *mt;
  HASH_ITER(hh, mf->states, m, mt)
  {
    HASH_DEL(mf->states, m);
    asl_free(m->state);
    asl_free(m);
  }
  asl__mock_response *r, *rt;
  HASH_ITER(hh, mf->responses, r, rt)
  {
    HASH_DEL(mf->responses, r);
    asl__mock_response_clear(r);
    asl_free(r->name);
    asl_free(r);
  }
  asl_free(mf->test_case);
  asl_free(mf->machine);
  memset(mf, 0, sizeof *mf);
}
