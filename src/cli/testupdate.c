/* --update: a test file rewritten with each run case's expectations made true by its actual
 * result (golden tests). Expected values that still match are kept as written (matchers
 * included); the others get the actual value; a case without "expect" gets status and output
 * (or error and cause). Everything else in the file, and the order of members, stays; the file
 * is written with two-space indentation, through a temporary file renamed over it. */
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A shallow copy of object [o] with member [key] set to [v] (taken), or removed when NULL. */
static asl_json *with(const asl_json *o, const char *key, asl_json *v)
{
  asl_json *out = asl_json_object(asl_json_len(o) + 1);
  bool placed = false;
  for (size_t i = 0; i < asl_json_len(o); i++) {
    size_t kl;
    const char *k = asl_json_key_at(o, i, &kl);
    if (strlen(key) == kl && memcmp(k, key, kl) == 0) {
      placed = true;
      if (v)
        asl_json_obj_add(out, k, kl, v);
      continue;
    }
    asl_json_obj_add(out, k, kl, asl_json_incref(asl_json_value_at(o, i)));
  }
  if (!placed && v)
    asl_json_obj_add(out, key, strlen(key), v);
  return out;
}

static void set(asl_json **o, const char *key, asl_json *v)
{
  asl_json *n = with(*o, key, v);
  asl_json_decref(*o);
  *o = n;
}

/* Keeps [key]'s expected value when it matches [actual], else sets it. */
static void keep_or_set(asl_json **e, const char *key, asl_json *actual)
{
  const asl_json *want = asl_json_get_cstr(*e, key);
  if (want && cli_json_match(want, actual, NULL, NULL))
    asl_json_decref(actual);
  else
    set(e, key, actual);
}

static asl_json *event_json(const cli_event_rec *ev)
{
  asl_json *o = asl_json_object(2);
  asl_json_obj_put_cstr(o, "type", asl_json_cstr(asl_event_type_name(ev->type)));
  if (ev->state)
    asl_json_obj_put_cstr(o, "state", asl_json_cstr(ev->state));
  return o;
}

static asl_json *new_expect(const cli_test_case *c)
{
  const cli_case_result *r = &c->res;
  asl_json *e = c->expect ? with(c->expect, "", NULL) : asl_json_object(4);
  set(&e, "status", asl_json_cstr(asl_exec_status_name(r->status)));
  if (r->status == ASL_EXEC_SUCCEEDED) {
    set(&e, "error", NULL);
    set(&e, "cause", NULL);
    if (!asl_json_get_cstr(e, "outputPaths") || asl_json_get_cstr(e, "output"))
      keep_or_set(&e, "output", asl_json_incref(r->output));
    const asl_json *paths = asl_json_get_cstr(e, "outputPaths");
    if (paths) {
      asl_json *np = asl_json_object(asl_json_len(paths));
      for (size_t i = 0; i < asl_json_len(paths); i++) {
        size_t kl;
        const char *k = asl_json_key_at(paths, i, &kl);
        asl_error err = ASL_ERROR_INIT;
        asl_json *v = cli_expect_output_at(c, k, &err);
        asl_error_clear(&err);
        if (!v)
          continue; /* nothing there any more */
        if (cli_json_match(asl_json_value_at(paths, i), v, NULL, NULL)) {
          asl_json_decref(v);
          v = asl_json_incref(asl_json_value_at(paths, i));
        }
        asl_json_obj_add(np, k, kl, v);
      }
      set(&e, "outputPaths", np);
    }
  } else {
    set(&e, "output", NULL);
    set(&e, "outputPaths", NULL);
    if (r->error)
      keep_or_set(&e, "error", asl_json_cstr(r->error));
    else
      set(&e, "error", NULL);
    if (r->cause)
      keep_or_set(&e, "cause", asl_json_cstr(r->cause));
    else
      set(&e, "cause", NULL);
  }
  if (asl_json_get_cstr(e, "path")) {
    asl_json *p = asl_json_array(r->path.len);
    for (size_t i = 0; i < r->path.len; i++)
      asl_json_arr_push(p, asl_json_cstr(r->path.items[i]));
    set(&e, "path", p);
  }
  const asl_json *states = asl_json_get_cstr(e, "states");
  if (states) {
    static const char *const counts[] = {"runs", "retries", "invocations"};
    asl_json *ns = asl_json_object(asl_json_len(states));
    for (size_t i = 0; i < asl_json_len(states); i++) {
      size_t kl;
      const char *name = asl_json_key_at(states, i, &kl);
      const asl_json *want = asl_json_value_at(states, i);
      const cli_state_count *got = NULL;
      for (size_t j = 0; j < r->states.len && !got; j++)
        if (strlen(r->states.items[j].name) == kl &&
            memcmp(r->states.items[j].name, name, kl) == 0)
          got = &r->states.items[j];
      asl_json *o = asl_json_object(3);
      for (size_t k = 0; k < asl_json_len(want); k++) {
        const char *cn = asl_json_key_at(want, k, NULL);
        int64_t v = 0;
        for (int w = 0; w < 3; w++)
          if (got && strcmp(cn, counts[w]) == 0)
            v = w == 0 ? got->runs : w == 1 ? got->retries : got->invocations;
        asl_json_obj_put_cstr(o, cn, asl_json_int(v));
      }
      asl_json_obj_add(ns, name, kl, o);
    }
    set(&e, "states", ns);
  }
  for (int w = 0; w < 2; w++) {
    const char *key = w ? "eventsInclude" : "events";
    if (!asl_json_get_cstr(e, key))
      continue;
    /* the expectation holds unless a failure names it: keep what the author wrote */
    bool failed = false;
    for (size_t i = 0; i < r->failures.len; i++)
      failed = failed || strncmp(r->failures.items[i].message, key, strlen(key)) == 0;
    if (!failed)
      continue;
    asl_json *list = asl_json_array(r->events.len);
    for (size_t i = 0; i < r->events.len; i++)
      asl_json_arr_push(list, event_json(&r->events.items[i]));
    set(&e, key, list);
  }
  return e;
}

static bool write_file(const char *path, const asl_buf *b, char **why)
{
  char *tmp = asl_strfmt("%s.aslrun-update", path);
  FILE *f = fopen(tmp, "wb");
  bool ok = f != NULL;
  int e = errno;
  if (ok) {
    ok = fwrite(b->data, 1, b->len, f) == b->len;
    e = errno;
    if (fclose(f) != 0 && ok) {
      ok = false;
      e = errno;
    }
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    remove(tmp);
    *why = asl_strfmt("cannot write '%s': %s", path, strerror(e));
  }
  asl_free(tmp);
  return ok;
}

bool cli_test_update(cli_test_file *f, char **why)
{
  if (!f->doc)
    return true; /* a MockConfigFile has no expectations to write */
  const asl_json *cases = asl_json_get_cstr(f->doc, "cases");
  asl_json *nc = asl_json_array(asl_json_len(cases));
  bool changed = false;
  for (size_t i = 0; i < asl_json_len(cases); i++) {
    const cli_test_case *c = &f->cases[i];
    const asl_json *old = asl_json_at(cases, i);
    bool run = c->selected && (c->res.outcome == CLI_CASE_PASSED ||
                               c->res.outcome == CLI_CASE_UPDATED);
    if (!run) {
      asl_json_arr_push(nc, asl_json_incref(old));
      continue;
    }
    asl_json *e = new_expect(c);
    changed = changed || !c->expect || !asl_json_equal(e, c->expect);
    asl_json_arr_push(nc, with(old, "expect", e));
  }
  asl_json *doc = with(f->doc, "cases", nc);
  bool ok = true;
  if (changed) {
    asl_buf b = ASL_BUF_INIT;
    cli_json_pretty(doc, &b);
    asl_buf_addc(&b, '\n');
    ok = write_file(f->path, &b, why);
    asl_buf_free(&b);
  }
  asl_json_decref(doc);
  return ok;
}
