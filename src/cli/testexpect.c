/* The expectations of a test case, checked against what its execution did: status, output
 * (whole, or at JSONPaths), error and cause, the path of top-level states, per-state counts,
 * history events (all of them in order, or a subsequence) and a bound on the duration in the
 * execution's clock. Expected values may hold matchers ({"$any": true}, {"$regex": RE},
 * {"$json": V}); each failure says where the first difference is and what differs. */
#include "test.h"

#include <regex.h>
#include <string.h>

#define SHORT 120

/* ------------------------------------------------------------------ matching ---- */

typedef enum matcher { M_NONE, M_ANY, M_REGEX, M_JSON } matcher;

static matcher matcher_of(const asl_json *exp, const asl_json **arg)
{
  if (!asl_json_is_object(exp) || asl_json_len(exp) != 1)
    return M_NONE;
  size_t kl;
  const char *k = asl_json_key_at(exp, 0, &kl);
  *arg = asl_json_value_at(exp, 0);
  if (kl == 4 && memcmp(k, "$any", 4) == 0)
    return M_ANY;
  if (kl == 6 && memcmp(k, "$regex", 6) == 0)
    return M_REGEX;
  if (kl == 5 && memcmp(k, "$json", 5) == 0)
    return M_JSON;
  return M_NONE;
}

static void say(asl_buf *why, const char *what, const asl_json *exp, const asl_json *act)
{
  if (!why)
    return;
  asl_buf_printf(why, "%s", what);
  if (exp) {
    asl_buf_adds(why, "expected ");
    cli_json_short(exp, SHORT, why);
  }
  if (act) {
    asl_buf_adds(why, exp ? ", got " : "got ");
    cli_json_short(act, SHORT, why);
  }
}

static bool regex_match(const asl_json *re, const asl_json *act, asl_buf *why)
{
  if (!asl_json_is_string(re)) {
    if (why)
      asl_buf_adds(why, "\"$regex\" takes a string (a POSIX extended regular expression)");
    return false;
  }
  if (!asl_json_is_string(act)) {
    say(why, "", NULL, act);
    if (why)
      asl_buf_printf(why, ", expected a string matching /%s/", asl_json_str(re));
    return false;
  }
  /* the whole string must match, as a test means it */
  char *anchored = asl_strfmt("^(%s)$", asl_json_str(re));
  regex_t rx;
  int rc = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB);
  asl_free(anchored);
  if (rc != 0) {
    char msg[128];
    regerror(rc, &rx, msg, sizeof msg);
    if (why)
      asl_buf_printf(why, "bad \"$regex\" /%s/: %s", asl_json_str(re), msg);
    return false;
  }
  bool ok = strlen(asl_json_str(act)) == asl_json_str_len(act) &&
            regexec(&rx, asl_json_str(act), 0, NULL, 0) == 0;
  regfree(&rx);
  if (!ok && why) {
    say(why, "", NULL, act);
    asl_buf_printf(why, ", which does not match /%s/", asl_json_str(re));
  }
  return ok;
}

static bool match_at(const asl_json *exp, const asl_json *act, asl_buf *where, asl_buf *why)
{
  const asl_json *arg = NULL;
  switch (matcher_of(exp, &arg)) {
  case M_ANY:
    if (!act) {
      if (why)
        asl_buf_adds(why, "missing, expected a value");
      return false;
    }
    return true;
  case M_REGEX:
    if (!act) {
      if (why)
        asl_buf_adds(why, "missing, expected a string");
      return false;
    }
    return regex_match(arg, act, why);
  case M_JSON: {
    if (!act || !asl_json_is_string(act)) {
      say(why, act ? "" : "missing, ", arg, act);
      if (why && act)
        asl_buf_adds(why, " (expected JSON text)");
      return false;
    }
    asl_error err = ASL_ERROR_INIT;
    asl_json *parsed = asl_json_parse(asl_json_str(act), asl_json_str_len(act), NULL, &err);
    if (!parsed) {
      say(why, "", arg, act);
      if (why)
        asl_buf_adds(why, ", which is not JSON text");
      asl_error_clear(&err);
      return false;
    }
    /* the pointer goes on into the JSON text the string holds */
    bool ok = match_at(arg, parsed, where, why);
    asl_json_decref(parsed);
    return ok;
  }
  case M_NONE:
    break;
  }
  if (!act) {
    say(why, "missing, ", exp, NULL);
    return false;
  }
  asl_json_kind ek = asl_json_kind_of(exp);
  asl_json_kind ak = asl_json_kind_of(act);
  if (ek == ASL_JSON_OBJECT && ak == ASL_JSON_OBJECT) {
    for (size_t i = 0; i < asl_json_len(exp); i++) {
      size_t kl;
      const char *k = asl_json_key_at(exp, i, &kl);
      size_t mark = where ? where->len : 0;
      if (where)
        asl_pointer_append(where, k, kl);
      if (!match_at(asl_json_value_at(exp, i), asl_json_get(act, k, kl), where, why))
        return false;
      if (where) {
        where->len = mark;
        where->data[mark] = '\0';
      }
    }
    for (size_t i = 0; i < asl_json_len(act); i++) {
      size_t kl;
      const char *k = asl_json_key_at(act, i, &kl);
      if (asl_json_get(exp, k, kl))
        continue;
      if (where)
        asl_pointer_append(where, k, kl);
      say(why, "unexpected member, ", NULL, asl_json_value_at(act, i));
      return false;
    }
    return true;
  }
  if (ek == ASL_JSON_ARRAY && ak == ASL_JSON_ARRAY) {
    size_t n = asl_json_len(exp) < asl_json_len(act) ? asl_json_len(exp) : asl_json_len(act);
    for (size_t i = 0; i < n; i++) {
      size_t mark = where ? where->len : 0;
      if (where)
        asl_buf_printf(where, "/%zu", i);
      if (!match_at(asl_json_at(exp, i), asl_json_at(act, i), where, why))
        return false;
      if (where) {
        where->len = mark;
        where->data[mark] = '\0';
      }
    }
    if (asl_json_len(exp) != asl_json_len(act)) {
      if (why)
        asl_buf_printf(why, "expected %zu elements, got %zu", asl_json_len(exp),
                       asl_json_len(act));
      return false;
    }
    return true;
  }
  if (asl_json_equal(exp, act))
    return true;
  say(why, "", exp, act);
  if (why && ek != ak && !(asl_json_is_number(exp) && asl_json_is_number(act)))
    asl_buf_printf(why, " (%s, not %s)", asl_json_kind_name(ak), asl_json_kind_name(ek));
  else if (why && ek != ak)
    asl_buf_adds(why, " (an integer and a decimal number differ, as on AWS)");
  return false;
}

bool cli_json_match(const asl_json *exp, const asl_json *act, asl_buf *where, asl_buf *why)
{
  return match_at(exp, act, where, why);
}

/* [exp] with every matcher that matches its part of [act] replaced by that part, so that a diff
 * shows only real differences (a new value). */
static asl_json *resolve(const asl_json *exp, const asl_json *act)
{
  const asl_json *arg;
  if (act && matcher_of(exp, &arg) != M_NONE && match_at(exp, act, NULL, NULL))
    return asl_json_incref(act);
  if (act && asl_json_is_object(exp) && asl_json_is_object(act)) {
    asl_json *o = asl_json_object(asl_json_len(exp));
    for (size_t i = 0; i < asl_json_len(exp); i++) {
      size_t kl;
      const char *k = asl_json_key_at(exp, i, &kl);
      asl_json_obj_add(o, k, kl, resolve(asl_json_value_at(exp, i), asl_json_get(act, k, kl)));
    }
    return o;
  }
  if (act && asl_json_is_array(exp) && asl_json_is_array(act)) {
    asl_json *a = asl_json_array(asl_json_len(exp));
    for (size_t i = 0; i < asl_json_len(exp); i++)
      asl_json_arr_push(a, resolve(asl_json_at(exp, i), asl_json_at(act, i)));
    return a;
  }
  return asl_json_incref(exp);
}

/* ------------------------------------------------------------------ failures ---- */

ASL_PRINTF(3, 4)
static void fail(cli_test_case *c, char *detail, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cli_failure f = {asl_vstrfmt(fmt, ap), detail};
  va_end(ap);
  ASL_VEC_PUSH(c->res.failures, f);
}

/* A failure of value [what] (e.g. "output"): the first difference and a line diff. */
static void check_value(cli_test_case *c, const char *what, const asl_json *exp,
                        const asl_json *act)
{
  asl_buf where = ASL_BUF_INIT;
  asl_buf why = ASL_BUF_INIT;
  asl_buf_adds(&where, "");
  if (match_at(exp, act, &where, &why)) {
    asl_buf_free(&where);
    asl_buf_free(&why);
    return;
  }
  char *detail = NULL;
  const asl_json *arg;
  /* a diff helps only for structures; a scalar's message says it all */
  if (act && (asl_json_is_object(exp) || asl_json_is_array(exp)) &&
      matcher_of(exp, &arg) == M_NONE) {
    asl_buf d = ASL_BUF_INIT;
    asl_json *shown = resolve(exp, act);
    asl_buf_adds(&d, "--- expected\n+++ actual\n");
    cli_diff_json(shown, act, "", &d);
    asl_json_decref(shown);
    detail = asl_buf_steal(&d, NULL);
  }
  if (where.len)
    fail(c, detail, "%s differs at %s: %s", what, where.data, why.data);
  else
    fail(c, detail, "%s differs: %s", what, why.data);
  asl_buf_free(&where);
  asl_buf_free(&why);
}

asl_json *cli_expect_output_at(const cli_test_case *c, const char *path, asl_error *err)
{
  asl_arena *a = asl_arena_new();
  asl_path *p;
  asl_json *v = NULL;
  if (asl_path_compile(a, path, strlen(path), &p, err) == ASL_OK) {
    asl_env env = {.input = c->res.output, .context = NULL, .rng = NULL};
    if (asl_path_is_context(p))
      asl_error_set(err, ASL_E_USAGE, NULL, "a path of the output starts with $, not $$");
    else
      v = asl_path_eval(p, &env, err);
  }
  asl_arena_free(a);
  return v;
}

static const cli_state_count *count_of(const cli_case_result *r, const char *name, size_t len)
{
  for (size_t i = 0; i < r->states.len; i++)
    if (strlen(r->states.items[i].name) == len && memcmp(r->states.items[i].name, name, len) == 0)
      return &r->states.items[i];
  return NULL;
}

static void path_text(const cli_case_result *r, asl_buf *out)
{
  for (size_t i = 0; i < r->path.len; i++)
    asl_buf_printf(out, "%s%s", i ? " -> " : "", r->path.items[i]);
  if (!r->path.len)
    asl_buf_adds(out, "(no state)");
}

static void check_path(cli_test_case *c, const asl_json *exp)
{
  const cli_case_result *r = &c->res;
  size_t n = asl_json_len(exp);
  size_t i = 0;
  while (i < n && i < r->path.len && strcmp(asl_json_str(asl_json_at(exp, i)), r->path.items[i]) == 0)
    i++;
  if (i == n && i == r->path.len)
    return;
  asl_buf d = ASL_BUF_INIT;
  asl_buf_adds(&d, "expected: ");
  for (size_t k = 0; k < n; k++)
    asl_buf_printf(&d, "%s%s", k ? " -> " : "", asl_json_str(asl_json_at(exp, k)));
  if (n == 0)
    asl_buf_adds(&d, "(no state)");
  asl_buf_adds(&d, "\nactual:   ");
  path_text(r, &d);
  asl_buf_addc(&d, '\n');
  char *detail = asl_buf_steal(&d, NULL);
  if (i < n && i < r->path.len)
    fail(c, detail, "path differs at step %zu: expected \"%s\", got \"%s\"", i + 1,
         asl_json_str(asl_json_at(exp, i)), r->path.items[i]);
  else if (i < n)
    fail(c, detail, "path ends after %zu states; expected \"%s\" next", i,
         asl_json_str(asl_json_at(exp, i)));
  else
    fail(c, detail, "path goes on after %zu states, to \"%s\"", i, r->path.items[i]);
}

static void check_states(cli_test_case *c, const asl_json *exp)
{
  static const char *const counts[] = {"runs", "retries", "invocations"};
  for (size_t i = 0; i < asl_json_len(exp); i++) {
    size_t kl;
    const char *name = asl_json_key_at(exp, i, &kl);
    const asl_json *want = asl_json_value_at(exp, i);
    const cli_state_count *got = count_of(&c->res, name, kl);
    for (int k = 0; k < 3; k++) {
      const asl_json *v = asl_json_get_cstr(want, counts[k]);
      if (!v)
        continue;
      int64_t actual = !got ? 0 : k == 0 ? got->runs : k == 1 ? got->retries : got->invocations;
      if (asl_json_int_val(v) != actual)
        fail(c, NULL, "state \"%.*s\": expected %lld %s, got %lld", (int)kl, name,
             (long long)asl_json_int_val(v), counts[k], (long long)actual);
    }
  }
}

/* ------------------------------------------------------------------- events ---- */

static bool event_matches(const asl_json *exp, const cli_event_rec *ev, asl_buf *why)
{
  const asl_json *type = asl_json_is_string(exp) ? exp : asl_json_get_cstr(exp, "type");
  if (strcmp(asl_json_str(type), asl_event_type_name(ev->type)) != 0) {
    if (why)
      asl_buf_printf(why, "expected %s, got %s", asl_json_str(type), asl_event_type_name(ev->type));
    return false;
  }
  if (!asl_json_is_object(exp))
    return true;
  const asl_json *state = asl_json_get_cstr(exp, "state");
  if (state && (!ev->state || strcmp(ev->state, asl_json_str(state)) != 0)) {
    if (why)
      asl_buf_printf(why, "expected %s of \"%s\", got %s of %s%s%s", asl_json_str(type),
                     asl_json_str(state), asl_event_type_name(ev->type), ev->state ? "\"" : "",
                     ev->state ? ev->state : "the execution", ev->state ? "\"" : "");
    return false;
  }
  const asl_json *details = asl_json_get_cstr(exp, "details");
  for (size_t i = 0; details && i < asl_json_len(details); i++) {
    size_t kl;
    const char *k = asl_json_key_at(details, i, &kl);
    const asl_json *act = ev->details ? asl_json_get(ev->details, k, kl) : NULL;
    asl_buf w = ASL_BUF_INIT;
    asl_buf y = ASL_BUF_INIT;
    asl_buf_adds(&w, "");
    bool ok = match_at(asl_json_value_at(details, i), act, &w, &y);
    if (!ok && why)
      asl_buf_printf(why, "%s details: %.*s%s: %s", asl_event_type_name(ev->type), (int)kl, k,
                     w.data, y.data);
    asl_buf_free(&w);
    asl_buf_free(&y);
    if (!ok)
      return false;
  }
  return true;
}

static void event_line(const cli_event_rec *ev, asl_buf *out)
{
  asl_buf_adds(out, asl_event_type_name(ev->type));
  if (ev->state)
    asl_buf_printf(out, " \"%s\"", ev->state);
  const asl_json *err = ev->details ? asl_json_get_cstr(ev->details, "error") : NULL;
  if (err && asl_json_is_string(err))
    asl_buf_printf(out, " %s", asl_json_str(err));
}

static void exp_event_line(const asl_json *exp, asl_buf *out)
{
  if (asl_json_is_string(exp)) {
    asl_buf_adds(out, asl_json_str(exp));
    return;
  }
  asl_buf_adds(out, asl_json_str(asl_json_get_cstr(exp, "type")));
  const asl_json *state = asl_json_get_cstr(exp, "state");
  if (state)
    asl_buf_printf(out, " \"%s\"", asl_json_str(state));
  const asl_json *details = asl_json_get_cstr(exp, "details");
  if (details) {
    asl_buf_addc(out, ' ');
    cli_json_short(details, 80, out);
  }
}

static char *events_detail(const cli_case_result *r, const asl_json *exp, size_t at_exp,
                           size_t at_act)
{
  asl_buf d = ASL_BUF_INIT;
  asl_buf_adds(&d, "expected events:\n");
  for (size_t i = 0; i < asl_json_len(exp); i++) {
    asl_buf_printf(&d, "%s %3zu ", i == at_exp ? ">" : " ", i + 1);
    exp_event_line(asl_json_at(exp, i), &d);
    asl_buf_addc(&d, '\n');
  }
  asl_buf_adds(&d, "actual events:\n");
  for (size_t i = 0; i < r->events.len; i++) {
    asl_buf_printf(&d, "%s %3zu ", i == at_act ? ">" : " ", i + 1);
    event_line(&r->events.items[i], &d);
    asl_buf_addc(&d, '\n');
  }
  return asl_buf_steal(&d, NULL);
}

static void check_events_exact(cli_test_case *c, const asl_json *exp)
{
  const cli_case_result *r = &c->res;
  size_t n = asl_json_len(exp);
  for (size_t i = 0; i < n || i < r->events.len; i++) {
    if (i >= n) {
      fail(c, events_detail(r, exp, (size_t)-1, i), "events: event %zu (%s) is not expected",
           i + 1, asl_event_type_name(r->events.items[i].type));
      return;
    }
    if (i >= r->events.len) {
      fail(c, events_detail(r, exp, i, (size_t)-1),
           "events: the history ends after %zu events; expected more", r->events.len);
      return;
    }
    asl_buf why = ASL_BUF_INIT;
    if (!event_matches(asl_json_at(exp, i), &r->events.items[i], &why)) {
      fail(c, events_detail(r, exp, i, i), "events differ at event %zu: %s", i + 1, why.data);
      asl_buf_free(&why);
      return;
    }
    asl_buf_free(&why);
  }
}

static void check_events_include(cli_test_case *c, const asl_json *exp)
{
  const cli_case_result *r = &c->res;
  size_t j = 0;
  for (size_t i = 0; i < asl_json_len(exp); i++) {
    while (j < r->events.len && !event_matches(asl_json_at(exp, i), &r->events.items[j], NULL))
      j++;
    if (j == r->events.len) {
      asl_buf line = ASL_BUF_INIT;
      exp_event_line(asl_json_at(exp, i), &line);
      fail(c, events_detail(r, exp, i, (size_t)-1),
           "eventsInclude: no %s after the events matched before it (expected event %zu of "
           "%zu)",
           line.data, i + 1, asl_json_len(exp));
      asl_buf_free(&line);
      return;
    }
    j++;
  }
}

/* -------------------------------------------------------------------- check ---- */

void cli_expect_check(cli_test_case *c)
{
  cli_case_result *r = &c->res;
  const asl_json *e = c->expect;
  const char *status = asl_exec_status_name(r->status);
  const asl_json *want_status = e ? asl_json_get_cstr(e, "status") : NULL;
  const char *expected_status = want_status ? asl_json_str(want_status) : NULL;
  if (!expected_status) {
    /* the status the other expectations imply: an output means success, an error failure */
    bool failure = e && (asl_json_get_cstr(e, "error") || asl_json_get_cstr(e, "cause"));
    expected_status = failure ? "FAILED" : "SUCCEEDED";
  }
  if (strcmp(expected_status, status) != 0) {
    asl_buf got = ASL_BUF_INIT;
    cli_result_summary(c, 300, &got);
    fail(c, NULL, "status: expected %s, got %s", expected_status, got.data);
    asl_buf_free(&got);
  }
  if (e) {
    const asl_json *output = asl_json_get_cstr(e, "output");
    if (output && r->output)
      check_value(c, "output", output, r->output);
    else if (output && strcmp(expected_status, status) == 0)
      fail(c, NULL, "output: the execution has none (%s)", status);
    const asl_json *paths = asl_json_get_cstr(e, "outputPaths");
    for (size_t i = 0; paths && i < asl_json_len(paths); i++) {
      const char *path = asl_json_key_at(paths, i, NULL);
      if (!r->output) {
        fail(c, NULL, "output at %s: the execution has no output (%s)", path, status);
        break;
      }
      asl_error err = ASL_ERROR_INIT;
      asl_json *v = cli_expect_output_at(c, path, &err);
      char *what = asl_strfmt("output at %s", path);
      if (!v)
        fail(c, NULL, "%s: %s", what, err.cause ? err.cause : "no value");
      else
        check_value(c, what, asl_json_value_at(paths, i), v);
      asl_free(what);
      asl_json_decref(v);
      asl_error_clear(&err);
    }
    for (int k = 0; k < 2; k++) {
      const char *key = k ? "cause" : "error";
      const asl_json *want = asl_json_get_cstr(e, key);
      if (!want)
        continue;
      const char *got_text = k ? r->cause : r->error;
      if (!got_text) {
        asl_buf w = ASL_BUF_INIT;
        say(&w, "", want, NULL);
        fail(c, NULL, "%s: %s, but the execution has none (%s)", key, w.data, status);
        asl_buf_free(&w);
        continue;
      }
      asl_json *got = asl_json_cstr(got_text);
      check_value(c, key, want, got);
      asl_json_decref(got);
    }
    const asl_json *path = asl_json_get_cstr(e, "path");
    if (path)
      check_path(c, path);
    const asl_json *states = asl_json_get_cstr(e, "states");
    if (states)
      check_states(c, states);
    const asl_json *events = asl_json_get_cstr(e, "events");
    if (events)
      check_events_exact(c, events);
    const asl_json *include = asl_json_get_cstr(e, "eventsInclude");
    if (include)
      check_events_include(c, include);
    const asl_json *duration = asl_json_get_cstr(e, "durationMs");
    const asl_json *at_most = duration ? asl_json_get_cstr(duration, "atMost") : NULL;
    const asl_json *at_least = duration ? asl_json_get_cstr(duration, "atLeast") : NULL;
    if (at_most && r->duration_ms > asl_json_int_val(at_most))
      fail(c, NULL, "duration: %lld ms, expected at most %lld ms", (long long)r->duration_ms,
           (long long)asl_json_int_val(at_most));
    if (at_least && r->duration_ms < asl_json_int_val(at_least))
      fail(c, NULL, "duration: %lld ms, expected at least %lld ms", (long long)r->duration_ms,
           (long long)asl_json_int_val(at_least));
  }
  r->outcome = r->failures.len ? CLI_CASE_FAILED : CLI_CASE_PASSED;
}

/* ------------------------------------------------------------- for reports ---- */

const char *cli_outcome_word(cli_outcome o)
{
  switch (o) {
  case CLI_CASE_PASSED:
    return "ok";
  case CLI_CASE_FAILED:
    return "FAIL";
  case CLI_CASE_ERROR:
    return "ERROR";
  case CLI_CASE_SKIPPED:
    return "skip";
  case CLI_CASE_UPDATED:
    return "updated";
  case CLI_CASE_NOT_RUN:
    return "not run";
  }
  return "?";
}

void cli_result_summary(const cli_test_case *c, size_t max, asl_buf *out)
{
  const cli_case_result *r = &c->res;
  asl_buf_adds(out, asl_exec_status_name(r->status));
  if (r->status == ASL_EXEC_SUCCEEDED && r->output) {
    asl_buf_addc(out, ' ');
    cli_json_short(r->output, max, out);
  } else if (r->error || r->cause) {
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "%s%s%s", r->error ? r->error : "(no error)", r->cause ? ": " : "",
                   r->cause ? r->cause : "");
    /* one line: line breaks of a cause (a stack trace) shown as \n, cut at a character */
    asl_buf_addc(out, ' ');
    size_t n = 0;
    for (size_t i = 0; i < b.len && n < max; i++, n++) {
      unsigned char ch = (unsigned char)b.data[i];
      if (n + 3 >= max && i + 3 < b.len && (ch & 0xC0) != 0x80) {
        asl_buf_adds(out, "...");
        break;
      }
      if (ch == '\n')
        asl_buf_adds(out, "\\n");
      else if (ch == '\r')
        asl_buf_adds(out, "\\r");
      else
        asl_buf_addc(out, (char)ch);
    }
    asl_buf_free(&b);
  }
}
