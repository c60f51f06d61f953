/* Fault injection without mocks: `--fault STATE[#N]=SPEC` and a test case's "faults". A fault
 * names a Task state (and the 0-based invocation N, MockConfigFile's numbering, or every one) and
 * what it gets: an error (ERROR[:CAUSE]), a value (return:JSON), a timeout that the Task's own
 * TimeoutSeconds makes fire (timeout), or a fault acted out by the real handler (crash, hang, oom
 * for Python and command functions, http:429 and http:500 for Lambda functions over HTTP). The
 * execution asks through its answer callback (exec.h); the handler-level ones go on to the
 * registry (handler.h). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void fault_clear(cli_fault *f)
{
  asl_free(f->target);
  asl_free(f->state);
  asl_free(f->error);
  asl_free(f->cause);
  asl_free(f->spec);
  asl_json_decref(f->value);
}

void cli_faults_free(cli_faults *fs)
{
  for (size_t i = 0; i < fs->items.len; i++)
    fault_clear(&fs->items.items[i]);
  ASL_VEC_FREE(fs->items);
  fs->items.len = 0;
}

/* The part after '=': what the invocation gets. */
static bool parse_spec(const char *spec, cli_fault *f, char **why)
{
  static const struct {
    const char *word;
    asl_task_fault fault;
  } handler_faults[] = {
      {"crash", ASL_TASK_FAULT_CRASH},       {"hang", ASL_TASK_FAULT_HANG},
      {"oom", ASL_TASK_FAULT_OOM},           {"http:429", ASL_TASK_FAULT_HTTP_429},
      {"http:500", ASL_TASK_FAULT_HTTP_500},
  };
  if (strcmp(spec, "timeout") == 0) {
    f->kind = ASL_ANSWER_TIMEOUT;
    return true;
  }
  for (size_t i = 0; i < sizeof handler_faults / sizeof *handler_faults; i++) {
    if (strcmp(spec, handler_faults[i].word) == 0) {
      f->kind = ASL_ANSWER_HANDLER;
      f->fault = handler_faults[i].fault;
      return true;
    }
  }
  if (strncmp(spec, "http:", 5) == 0) {
    *why = asl_strfmt("'%s': an HTTP fault is http:429 (Lambda throttles) or http:500 (Lambda's "
                      "own failure)",
                      spec);
    return false;
  }
  if (strncmp(spec, "return:", 7) == 0) {
    const char *text = spec + 7;
    asl_error err = ASL_ERROR_INIT;
    asl_json *v = asl_json_parse(text, strlen(text), NULL, &err);
    if (!v) {
      *why = asl_strfmt("'%s': return: takes a JSON value: %s", spec,
                        err.cause ? err.cause : "not valid JSON");
      asl_error_clear(&err);
      return false;
    }
    f->kind = ASL_ANSWER_RETURN;
    f->value = v;
    return true;
  }
  const char *colon = strchr(spec, ':');
  size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
  if (n == 0) {
    *why = asl_strfmt("'%s': give an error name (ERROR or ERROR:CAUSE), timeout, return:JSON, "
                      "crash, hang, oom, http:429 or http:500",
                      spec);
    return false;
  }
  f->kind = ASL_ANSWER_ERROR;
  f->error = asl_strndup(spec, n);
  f->cause = colon ? asl_strdup(colon + 1) : NULL;
  return true;
}

bool cli_fault_parse(const char *text, cli_faults *out, char **why)
{
  const char *eq = strchr(text, '=');
  if (!eq || eq == text) {
    *why = asl_strfmt("'%s' is not a fault: write STATE=ERROR[:CAUSE], STATE#N=..., "
                      "STATE=timeout, STATE=return:JSON, STATE=crash|hang|oom or "
                      "STATE=http:429|http:500",
                      text);
    return false;
  }
  cli_fault f = {0};
  f.invocation = -1;
  f.target = asl_strndup(text, (size_t)(eq - text));
  f.spec = asl_strdup(text);
  if (!parse_spec(eq + 1, &f, why)) {
    fault_clear(&f);
    return false;
  }
  ASL_VEC_PUSH(out->items, f);
  return true;
}

/* ------------------------------------------------------------ test files ---- */

static char *member_ptr(const char *pointer, const char *key)
{
  return asl_pointer_join(pointer, key, strlen(key));
}

bool cli_faults_from_json(const asl_json *list, const char *pointer, cli_faults *out,
                          cli_fault_problem_cb problem, void *data)
{
  bool ok = true;
  for (size_t i = 0; i < asl_json_len(list); i++) {
    const asl_json *v = asl_json_at(list, i);
    char *p = asl_strfmt("%s/%zu", pointer, i);
    if (asl_json_is_string(v)) {
      char *why = NULL;
      if (strlen(asl_json_str(v)) != asl_json_str_len(v)) {
        problem(data, NULL, p, "a fault must not contain a NUL character");
        ok = false;
      } else if (!cli_fault_parse(asl_json_str(v), out, &why)) {
        problem(data, NULL, p, why);
        asl_free(why);
        ok = false;
      } else {
        out->items.items[out->items.len - 1].pointer_index = i;
      }
      asl_free(p);
      continue;
    }
    if (!asl_json_is_object(v)) {
      problem(data, NULL, p,
              "a fault is \"STATE[#N]=SPEC\" or {\"state\", \"invocation\", and one of \"error\" "
              "(with \"cause\"), \"return\", \"timeout\": true, \"fault\"}");
      asl_free(p);
      ok = false;
      continue;
    }
    static const char *const keys[] = {"state", "invocation", "error", "cause",
                                       "return", "timeout", "fault", NULL};
    bool bad = false;
    for (size_t k = 0; k < asl_json_len(v); k++) {
      size_t kl;
      const char *key = asl_json_key_at(v, k, &kl);
      bool known = false;
      for (const char *const *n = keys; *n && !known; n++)
        known = strlen(*n) == kl && memcmp(*n, key, kl) == 0;
      if (!known) {
        char *kp = asl_pointer_join(p, key, kl);
        char *msg = asl_strfmt("unknown member \"%.*s\" of a fault; a fault has \"state\", "
                               "\"invocation\", \"error\", \"cause\", \"return\", \"timeout\", "
                               "\"fault\"",
                               (int)kl, key);
        problem(data, NULL, kp, msg);
        asl_free(msg);
        asl_free(kp);
        bad = true;
      }
    }
    const asl_json *state = asl_json_get_cstr(v, "state");
    const asl_json *inv = asl_json_get_cstr(v, "invocation");
    const asl_json *error = asl_json_get_cstr(v, "error");
    const asl_json *cause = asl_json_get_cstr(v, "cause");
    const asl_json *ret = asl_json_get_cstr(v, "return");
    const asl_json *timeout = asl_json_get_cstr(v, "timeout");
    const asl_json *fault = asl_json_get_cstr(v, "fault");
    if (!state || !asl_json_is_string(state) || asl_json_str_len(state) == 0) {
      char *sp = state ? member_ptr(p, "state") : asl_strdup(p);
      problem(data, NULL, sp, "a fault names its Task state: \"state\": \"NAME\"");
      asl_free(sp);
      bad = true;
    }
    if (inv && (asl_json_kind_of(inv) != ASL_JSON_INT || asl_json_int_val(inv) < 0)) {
      char *ip = member_ptr(p, "invocation");
      problem(data, NULL, ip, "\"invocation\" is the 0-based number of the state's invocation "
                        "(retries included): a whole number, 0 or more");
      asl_free(ip);
      bad = true;
    }
    int kinds = (error != NULL) + (ret != NULL) + (timeout != NULL) + (fault != NULL);
    if (kinds != 1) {
      problem(data, NULL, p, "a fault has exactly one of \"error\" (with an optional \"cause\"), "
                       "\"return\", \"timeout\": true, \"fault\": \"crash|hang|oom|http:429|"
                       "http:500\"");
      bad = true;
    }
    if (error && (!asl_json_is_string(error) || asl_json_str_len(error) == 0)) {
      char *ep = member_ptr(p, "error");
      problem(data, NULL, ep, "\"error\" is the error name (a string)");
      asl_free(ep);
      bad = true;
    }
    if (cause && (!asl_json_is_string(cause) || !error)) {
      char *cp = member_ptr(p, "cause");
      problem(data, NULL, cp, "\"cause\" is a string, beside \"error\"");
      asl_free(cp);
      bad = true;
    }
    if (timeout && !(asl_json_is_bool(timeout) && asl_json_bool_val(timeout))) {
      char *tp = member_ptr(p, "timeout");
      problem(data, NULL, tp, "\"timeout\" is true");
      asl_free(tp);
      bad = true;
    }
    cli_fault f = {0};
    f.invocation = inv && asl_json_kind_of(inv) == ASL_JSON_INT ? asl_json_int_val(inv) : -1;
    f.pointer_index = i;
    if (fault && !bad) {
      char *why = NULL;
      bool good = asl_json_is_string(fault) && parse_spec(asl_json_str(fault), &f, &why) &&
                  f.kind == ASL_ANSWER_HANDLER;
      if (!good) {
        char *fp = member_ptr(p, "fault");
        problem(data, NULL, fp, "\"fault\" is one of crash, hang, oom, http:429, http:500");
        asl_free(fp);
        asl_free(why);
        bad = true;
      }
    } else if (error && !bad) {
      f.kind = ASL_ANSWER_ERROR;
      f.error = asl_strdup(asl_json_str(error));
      f.cause = cause ? asl_strdup(asl_json_str(cause)) : NULL;
    } else if (ret && !bad) {
      f.kind = ASL_ANSWER_RETURN;
      f.value = asl_json_incref(ret);
    } else if (timeout && !bad) {
      f.kind = ASL_ANSWER_TIMEOUT;
    }
    if (bad) {
      fault_clear(&f);
      ok = false;
    } else {
      /* the state is given whole: no "#N" to split off */
      f.state = asl_strdup(asl_json_str(state));
      f.spec = asl_strfmt("fault %zu", i);
      ASL_VEC_PUSH(out->items, f);
    }
    asl_free(p);
  }
  return ok;
}

/* ------------------------------------------------------------- resolving ---- */

static const asl_state *task_named(const cli_state_list *tasks, const char *name, size_t len)
{
  for (size_t i = 0; i < tasks->len; i++)
    if (tasks->items[i]->name_len == len && memcmp(tasks->items[i]->name, name, len) == 0)
      return tasks->items[i];
  return NULL;
}

bool cli_faults_resolve(cli_faults *fs, const asl_machine *m, cli_fault_problem_cb problem,
                        void *data)
{
  cli_state_list tasks = {0};
  cli_task_states(&m->top, &tasks);
  bool ok = true;
  for (size_t i = 0; i < fs->items.len; i++) {
    cli_fault *f = &fs->items.items[i];
    const char *name = f->state ? f->state : f->target;
    size_t len = strlen(name);
    const asl_state *st = task_named(&tasks, name, len);
    if (!st && !f->state) {
      /* "STATE#N": the invocation number is split off only when STATE is a Task state whole */
      const char *hash = strrchr(name, '#');
      if (hash && hash[1]) {
        char *end;
        unsigned long long n = strtoull(hash + 1, &end, 10);
        bool digits = *end == '\0' && hash[1] >= '0' && hash[1] <= '9' && n < (1ull << 62);
        const asl_state *base = digits ? task_named(&tasks, name, (size_t)(hash - name)) : NULL;
        if (base) {
          st = base;
          f->invocation = (int64_t)n;
          len = (size_t)(hash - name);
        }
      }
    }
    if (!st) {
      asl_buf b = ASL_BUF_INIT;
      asl_buf_printf(&b, "%s: the fault names \"%s\", which is not a Task state of the machine",
                     f->spec, name);
      for (size_t t = 0; t < tasks.len; t++)
        asl_buf_printf(&b, "%s\"%s\"", t ? ", " : "; its Task states: ", tasks.items[t]->name);
      if (tasks.len == 0)
        asl_buf_adds(&b, ", which has no Task state");
      problem(data, f, NULL, b.data);
      asl_buf_free(&b);
      ok = false;
      continue;
    }
    if (!f->state)
      f->state = asl_strndup(name, len);
  }
  ASL_VEC_FREE(tasks);
  return ok;
}

bool cli_faults_serve_all(const cli_faults *fs, const char *state)
{
  for (size_t i = 0; i < fs->items.len; i++) {
    const cli_fault *f = &fs->items.items[i];
    if (f->state && f->invocation < 0 && f->kind != ASL_ANSWER_HANDLER &&
        strcmp(f->state, state) == 0)
      return true;
  }
  return false;
}

void cli_faults_answer(void *data, const asl_task_query *q, asl_task_answer *out)
{
  const cli_faults *fs = data;
  const cli_fault *every = NULL;
  const cli_fault *hit = NULL;
  for (size_t i = 0; i < fs->items.len && !hit; i++) {
    const cli_fault *f = &fs->items.items[i];
    if (!f->state || strcmp(f->state, q->state) != 0)
      continue;
    if (f->invocation == (int64_t)q->invocation)
      hit = f;
    else if (f->invocation < 0 && !every)
      every = f;
  }
  if (!hit)
    hit = every;
  if (!hit)
    return;
  out->kind = hit->kind;
  out->value = hit->value;
  out->error = hit->error;
  out->cause = hit->cause;
  out->fault = hit->fault;
  out->label = "fault";
}
