/* Test files (*.test.json, schemas/aslrun-test.schema.json): finding them under folders, reading
 * and checking them (every problem at once, located as FILE:LINE:COL: /pointer), loading the
 * machine they name, and the cases of a Step Functions Local MockConfigFile as a file of their
 * own. Running the cases and checking expectations are left to testrun.c and testexpect.c. */
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ finding ---- */

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t k = strlen(suffix);
  return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Depth-first, names sorted at each level, hidden entries skipped. [depth] bounds symlink loops. */
static bool find_in(const char *dir, cli_path_list *out, int depth)
{
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "aslrun: cannot read '%s': %s\n", dir, strerror(errno));
    return false;
  }
  cli_path_list names = {0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    ASL_VEC_PUSH(names, asl_strdup(e->d_name));
  }
  closedir(d);
  if (names.len)
    qsort(names.items, names.len, sizeof *names.items, cmp_str);
  bool ok = true;
  size_t dl = strlen(dir);
  for (size_t i = 0; i < names.len; i++) {
    char *p = asl_strfmt("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names.items[i]);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      if (depth < 32)
        ok = find_in(p, out, depth + 1) && ok;
      asl_free(p);
    } else if (has_suffix(names.items[i], ".test.json")) {
      ASL_VEC_PUSH(*out, p);
    } else {
      asl_free(p);
    }
    asl_free(names.items[i]);
  }
  ASL_VEC_FREE(names);
  return ok;
}

bool cli_test_find(const char *path, cli_path_list *out)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "aslrun: cannot read '%s': %s\n", path, strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    ASL_VEC_PUSH(*out, asl_strdup(path));
    return true;
  }
  size_t before = out->len;
  if (!find_in(path, out, 0))
    return false;
  if (out->len == before) {
    fprintf(stderr, "aslrun: no test file (*.test.json) under '%s'\n", path);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ checking ---- */

typedef struct checker {
  cli_test_file *f;
  asl_buf errors;
} checker;

ASL_PRINTF(4, 5)
static void problem(checker *k, const char *pointer, bool key, const char *fmt, ...)
{
  asl_buf_adds(&k->errors, "aslrun: ");
  cli_test_locate(k->f, pointer, key, &k->errors);
  asl_buf_printf(&k->errors, "%s: ", pointer[0] ? pointer : "/");
  va_list ap;
  va_start(ap, fmt);
  asl_buf_vprintf(&k->errors, fmt, ap);
  va_end(ap);
  asl_buf_addc(&k->errors, '\n');
}

void cli_test_locate(const cli_test_file *f, const char *pointer, bool key, asl_buf *out)
{
  size_t off = f->doc ? asl_json_pointer_pos(f->doc, pointer, key) : ASL_NOPOS;
  if (off == ASL_NOPOS) {
    asl_buf_printf(out, "%s: ", f->path);
    return;
  }
  int line = 1;
  int col = 1;
  asl_text_linecol(f->text, f->len, off, &line, &col);
  asl_buf_printf(out, "%s:%d:%d: ", f->path, line, col);
}

static char *ptr(const char *base, const char *key)
{
  return asl_pointer_join(base, key, strlen(key));
}

static char *ptr_index(const char *base, size_t i)
{
  return asl_strfmt("%s/%zu", base, i);
}

/* Every member of [o] must be one of [allowed] (NULL-terminated). */
static void only_keys(checker *k, const asl_json *o, const char *pointer,
                      const char *const *allowed)
{
  for (size_t i = 0; i < asl_json_len(o); i++) {
    size_t kl;
    const char *key = asl_json_key_at(o, i, &kl);
    bool known = false;
    for (const char *const *a = allowed; *a && !known; a++)
      known = strlen(*a) == kl && memcmp(*a, key, kl) == 0;
    if (known)
      continue;
    char *p = asl_pointer_join(pointer, key, kl);
    asl_buf list = ASL_BUF_INIT;
    for (const char *const *a = allowed; *a; a++)
      asl_buf_printf(&list, "%s\"%s\"", a == allowed ? "" : ", ", *a);
    problem(k, p, true, "unknown member \"%.*s\"; the members here are %s", (int)kl, key,
            list.data);
    asl_buf_free(&list);
    asl_free(p);
  }
}

static const asl_json *member(checker *k, const asl_json *o, const char *pointer,
                              const char *key, asl_json_kind kind, bool required)
{
  const asl_json *v = asl_json_get_cstr(o, key);
  char *p = ptr(pointer, key);
  if (!v) {
    if (required)
      problem(k, pointer, false, "missing \"%s\"", key);
  } else if (asl_json_kind_of(v) != kind &&
             !(kind == ASL_JSON_INT && asl_json_kind_of(v) == ASL_JSON_DOUBLE)) {
    problem(k, p, false, "\"%s\" must be %s %s, not %s", key,
            kind == ASL_JSON_ARRAY || kind == ASL_JSON_OBJECT ? "an" : "a",
            kind == ASL_JSON_INT ? "integer" : asl_json_kind_name(kind),
            asl_json_kind_name(asl_json_kind_of(v)));
    v = NULL;
  }
  asl_free(p);
  return v;
}

static const asl_state *find_state(const asl_states *states, const char *name, size_t len)
{
  const asl_state *st = asl_states_find(states, name, len);
  for (size_t i = 0; !st && i < states->count; i++) {
    const asl_state *s = states->items[i];
    if (s->type == ASL_STATE_PARALLEL) {
      for (size_t b = 0; !st && b < s->u.parallel.count; b++)
        st = find_state(&s->u.parallel.branches[b], name, len);
    } else if (s->type == ASL_STATE_MAP) {
      st = find_state(&s->u.map.processor, name, len);
    }
  }
  return st;
}

static void check_state_name(checker *k, const char *name, size_t len, const char *pointer,
                             bool key)
{
  if (!k->f->machine || find_state(&k->f->machine->top, name, len))
    return;
  problem(k, pointer, key, "no state named \"%.*s\" in %s", (int)len, name, k->f->machine_path);
}

static bool event_type_known(const char *name, size_t len)
{
#define ASL_EVENT_KNOWN(id, tname, details)                                                        \
  if (strlen(tname) == len && memcmp(tname, name, len) == 0)                                      \
    return true;
  ASL_EVENT_TYPES(ASL_EVENT_KNOWN)
#undef ASL_EVENT_KNOWN
  return false;
}

static void check_events(checker *k, const asl_json *events, const char *pointer)
{
  static const char *const keys[] = {"type", "state", "details", NULL};
  for (size_t i = 0; i < asl_json_len(events); i++) {
    const asl_json *ev = asl_json_at(events, i);
    char *p = ptr_index(pointer, i);
    const asl_json *type = ev;
    if (asl_json_is_object(ev)) {
      only_keys(k, ev, p, keys);
      type = member(k, ev, p, "type", ASL_JSON_STRING, true);
      const asl_json *state = member(k, ev, p, "state", ASL_JSON_STRING, false);
      if (state) {
        char *sp = ptr(p, "state");
        check_state_name(k, asl_json_str(state), asl_json_str_len(state), sp, false);
        asl_free(sp);
      }
      member(k, ev, p, "details", ASL_JSON_OBJECT, false);
    } else if (!asl_json_is_string(ev)) {
      problem(k, p, false, "an event is a type name (\"TaskStateEntered\") or an object "
                           "{\"type\", \"state\", \"details\"}");
      type = NULL;
    }
    if (type && !event_type_known(asl_json_str(type), asl_json_str_len(type))) {
      char *tp = asl_json_is_object(ev) ? ptr(p, "type") : asl_strdup(p);
      problem(k, tp, false, "\"%s\" is not a Step Functions history event type",
              asl_json_str(type));
      asl_free(tp);
    }
    asl_free(p);
  }
}

static void check_count(checker *k, const asl_json *o, const char *pointer, const char *key)
{
  const asl_json *v = member(k, o, pointer, key, ASL_JSON_INT, false);
  if (v && (asl_json_kind_of(v) != ASL_JSON_INT || asl_json_int_val(v) < 0)) {
    char *p = ptr(pointer, key);
    problem(k, p, false, "\"%s\" must be a whole number, 0 or more", key);
    asl_free(p);
  }
}

static const char *const statuses[] = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", NULL};

static void check_expect(checker *k, cli_test_case *c, const asl_json *e, const char *pointer)
{
  static const char *const keys[] = {"status", "output",        "outputPaths", "error",
                                     "cause",  "path",          "states",      "events",
                                     "eventsInclude", "durationMs", NULL};
  only_keys(k, e, pointer, keys);
  const asl_json *status = member(k, e, pointer, "status", ASL_JSON_STRING, false);
  if (status) {
    bool known = false;
    for (const char *const *s = statuses; *s && !known; s++)
      known = strcmp(*s, asl_json_str(status)) == 0;
    if (!known) {
      char *p = ptr(pointer, "status");
      problem(k, p, false, "\"status\" is one of SUCCEEDED, FAILED, TIMED_OUT, ABORTED, not \"%s\"",
              asl_json_str(status));
      asl_free(p);
    }
  }
  const asl_json *paths = member(k, e, pointer, "outputPaths", ASL_JSON_OBJECT, false);
  for (size_t i = 0; paths && i < asl_json_len(paths); i++) {
    size_t kl;
    const char *key = asl_json_key_at(paths, i, &kl);
    asl_arena *a = asl_arena_new();
    asl_path *path;
    asl_error err = ASL_ERROR_INIT;
    if (asl_path_compile(a, key, kl, &path, &err) != ASL_OK) {
      char *pp = ptr(pointer, "outputPaths");
      char *p = asl_pointer_join(pp, key, kl);
      problem(k, p, true, "not a JSONPath: %s", err.cause ? err.cause : "invalid");
      asl_free(p);
      asl_free(pp);
    }
    asl_error_clear(&err);
    asl_arena_free(a);
  }
  const asl_json *path = member(k, e, pointer, "path", ASL_JSON_ARRAY, false);
  if (path) {
    char *pp = ptr(pointer, "path");
    for (size_t i = 0; i < asl_json_len(path); i++) {
      const asl_json *n = asl_json_at(path, i);
      char *p = ptr_index(pp, i);
      if (!asl_json_is_string(n))
        problem(k, p, false, "a path is a list of state names");
      else
        check_state_name(k, asl_json_str(n), asl_json_str_len(n), p, false);
      asl_free(p);
    }
    asl_free(pp);
  }
  const asl_json *states = member(k, e, pointer, "states", ASL_JSON_OBJECT, false);
  if (states) {
    static const char *const counts[] = {"runs", "retries", "invocations", NULL};
    char *sp = ptr(pointer, "states");
    for (size_t i = 0; i < asl_json_len(states); i++) {
      size_t kl;
      const char *name = asl_json_key_at(states, i, &kl);
      const asl_json *v = asl_json_value_at(states, i);
      char *p = asl_pointer_join(sp, name, kl);
      check_state_name(k, name, kl, p, true);
      if (!asl_json_is_object(v)) {
        problem(k, p, false, "give {\"runs\", \"retries\", \"invocations\"} counts of the state");
      } else {
        only_keys(k, v, p, counts);
        for (const char *const *cn = counts; *cn; cn++)
          check_count(k, v, p, *cn);
      }
      asl_free(p);
    }
    asl_free(sp);
  }
  for (int w = 0; w < 2; w++) {
    const char *key = w ? "eventsInclude" : "events";
    const asl_json *events = member(k, e, pointer, key, ASL_JSON_ARRAY, false);
    if (events) {
      char *p = ptr(pointer, key);
      check_events(k, events, p);
      asl_free(p);
      c->wants_events = true;
    }
  }
  const asl_json *duration = member(k, e, pointer, "durationMs", ASL_JSON_OBJECT, false);
  if (duration) {
    static const char *const bounds[] = {"atMost", "atLeast", NULL};
    char *p = ptr(pointer, "durationMs");
    only_keys(k, duration, p, bounds);
    check_count(k, duration, p, "atMost");
    check_count(k, duration, p, "atLeast");
    if (!asl_json_len(duration))
      problem(k, p, false, "give \"atMost\" and/or \"atLeast\" (milliseconds of virtual time)");
    asl_free(p);
  }
}

typedef struct fault_ctx {
  checker *k;
  const char *pointer; /* of the case's "faults" */
} fault_ctx;

static void fault_problem(void *data, const cli_fault *f, const char *pointer,
                          const char *message)
{
  fault_ctx *fc = data;
  if (pointer) {
    problem(fc->k, pointer, false, "%s", message);
    return;
  }
  char *p = ptr_index(fc->pointer, f->pointer_index);
  problem(fc->k, p, false, "%s", message);
  asl_free(p);
}

static void check_case(checker *k, cli_test_case *c, const asl_json *o, const char *pointer,
                       bool have_mock_config)
{
  static const char *const keys[] = {"name",          "description", "input", "mocks",
                                     "testCase",      "skip",        "faults",
                                     "executionName", "expect",      NULL};
  only_keys(k, o, pointer, keys);
  const asl_json *name = member(k, o, pointer, "name", ASL_JSON_STRING, true);
  if (name && asl_json_str_len(name) == 0) {
    char *p = ptr(pointer, "name");
    problem(k, p, false, "a case's name must not be empty");
    asl_free(p);
  }
  c->name = name ? asl_json_str(name) : "";
  member(k, o, pointer, "description", ASL_JSON_STRING, false);
  c->input = asl_json_get_cstr(o, "input");
  c->mocks = member(k, o, pointer, "mocks", ASL_JSON_OBJECT, false);
  if (c->mocks && k->f->machine && k->f->doc) {
    char *p = ptr(pointer, "mocks");
    asl_buf out = ASL_BUF_INIT;
    if (!cli_check_mocked_names(c->mocks, k->f->path, k->f->text, k->f->len, p, k->f->machine,
                                k->f->machine_path, &out))
      asl_buf_add(&k->errors, out.data, out.len);
    asl_buf_free(&out);
    asl_free(p);
  }
  const asl_json *faults = member(k, o, pointer, "faults", ASL_JSON_ARRAY, false);
  if (faults) {
    char *fp = ptr(pointer, "faults");
    fault_ctx fc = {k, fp};
    if (cli_faults_from_json(faults, fp, &c->faults, fault_problem, &fc) && k->f->machine)
      cli_faults_resolve(&c->faults, k->f->machine, fault_problem, &fc);
    asl_free(fp);
  }
  const asl_json *tc = member(k, o, pointer, "testCase", ASL_JSON_STRING, false);
  if (tc && !have_mock_config) {
    char *p = ptr(pointer, "testCase");
    problem(k, p, false, "\"testCase\" names a test case of a MockConfigFile: give the file as "
                         "\"mockConfig\" at the top of the test file");
    asl_free(p);
  }
  c->test_case = tc ? asl_json_str(tc) : NULL;
  const asl_json *skip = asl_json_get_cstr(o, "skip");
  if (skip && asl_json_is_string(skip)) {
    c->skip = asl_json_str(skip);
  } else if (skip && asl_json_is_bool(skip)) {
    c->skip = asl_json_bool_val(skip) ? "skipped in the test file" : NULL;
  } else if (skip) {
    char *p = ptr(pointer, "skip");
    problem(k, p, false, "\"skip\" is true or the reason (a string)");
    asl_free(p);
  }
  const asl_json *exec_name = member(k, o, pointer, "executionName", ASL_JSON_STRING, false);
  c->execution_name = exec_name ? asl_json_str(exec_name) : NULL;
  c->expect = member(k, o, pointer, "expect", ASL_JSON_OBJECT, false);
  if (c->expect) {
    char *p = ptr(pointer, "expect");
    check_expect(k, c, c->expect, p);
    asl_free(p);
  }
}

/* [rel] relative to the folder of [file]. */
static char *beside(const char *file, const char *rel)
{
  const char *slash = strrchr(file, '/');
  if (rel[0] == '/' || !slash)
    return asl_strdup(rel);
  return asl_strfmt("%.*s%s", (int)(slash - file + 1), file, rel);
}

static cli_test_file *file_new(const char *path)
{
  cli_test_file *f = asl_calloc(1, sizeof *f);
  f->path = asl_strdup(path);
  return f;
}

static void fail_file(cli_test_file *f, const char *text)
{
  asl_free(f->error);
  f->error = asl_strdup(text);
}

/* The machine of [f]; its diagnostics become the file's error. */
static bool load_machine(cli_test_file *f, const asl_load_opts *load)
{
  asl_buf msgs = ASL_BUF_INIT;
  f->machine = cli_load_machine_with(f->machine_path, load, &msgs);
  if (!f->machine) {
    if (!msgs.len)
      asl_buf_printf(&msgs, "aslrun: cannot read '%s'\n", f->machine_path);
    fail_file(f, msgs.data);
  }
  asl_buf_free(&msgs);
  return f->machine != NULL;
}

cli_test_file *cli_test_file_load(const char *path, const char *config,
                                  const asl_load_opts *load)
{
  cli_test_file *f = file_new(path);
  if (!cli_read_file(path, &f->text, &f->len)) {
    f->error = asl_strfmt("aslrun: cannot read '%s'\n", path);
    return f;
  }
  asl_error err = ASL_ERROR_INIT;
  f->doc = asl_json_parse(f->text, f->len, NULL, &err);
  if (!f->doc) {
    int line = 1;
    int col = 1;
    if (err.offset != ASL_NOPOS)
      asl_text_linecol(f->text, f->len, err.offset, &line, &col);
    f->error = asl_strfmt("aslrun: %s:%d:%d: %s\n", path, line, col,
                          err.cause ? err.cause : "invalid JSON");
    asl_error_clear(&err);
    return f;
  }
  checker k = {f, ASL_BUF_INIT};
  if (!asl_json_is_object(f->doc)) {
    problem(&k, "", false, "a test file is an object {\"machine\", \"cases\": [...]}");
    fail_file(f, k.errors.data);
    asl_buf_free(&k.errors);
    return f;
  }
  static const char *const keys[] = {"$schema",    "description",      "machine", "config",
                                     "mockConfig", "stateMachineName", "cases",   NULL};
  only_keys(&k, f->doc, "", keys);
  member(&k, f->doc, "", "$schema", ASL_JSON_STRING, false);
  member(&k, f->doc, "", "description", ASL_JSON_STRING, false);
  const asl_json *machine = member(&k, f->doc, "", "machine", ASL_JSON_STRING, true);
  const asl_json *cfg = member(&k, f->doc, "", "config", ASL_JSON_STRING, false);
  const asl_json *mock = member(&k, f->doc, "", "mockConfig", ASL_JSON_STRING, false);
  const asl_json *smn = member(&k, f->doc, "", "stateMachineName", ASL_JSON_STRING, false);
  const asl_json *cases = member(&k, f->doc, "", "cases", ASL_JSON_ARRAY, true);
  if (machine) {
    f->machine_path = beside(path, asl_json_str(machine));
    if (!load_machine(f, load)) {
      /* the machine's own diagnostics say it all; the cases cannot be checked against it */
      asl_buf_adds(&k.errors, f->error);
    }
  }
  if (config)
    f->config_path = asl_strdup(config);
  else if (cfg)
    f->config_path = beside(path, asl_json_str(cfg));
  if (mock)
    f->mock_config_path = beside(path, asl_json_str(mock));
  if (smn)
    f->sm_name = asl_strdup(asl_json_str(smn));
  else if (f->machine_path)
    f->sm_name = cli_machine_name(f->machine_path);
  if (cases && asl_json_len(cases) == 0)
    problem(&k, "/cases", false, "no cases: add at least one {\"name\", \"input\", \"expect\"}");
  if (cases) {
    f->case_count = asl_json_len(cases);
    f->cases = asl_calloc(f->case_count, sizeof *f->cases);
    for (size_t i = 0; i < f->case_count; i++) {
      cli_test_case *c = &f->cases[i];
      c->file = f;
      c->index = i;
      c->selected = true;
      char *p = asl_strfmt("/cases/%zu", i);
      const asl_json *o = asl_json_at(cases, i);
      if (!asl_json_is_object(o))
        problem(&k, p, false, "a case is an object {\"name\", \"input\", \"expect\", ...}");
      else
        check_case(&k, c, o, p, mock != NULL);
      for (size_t j = 0; j < i && asl_json_is_object(o); j++) {
        if (f->cases[j].name && c->name && c->name[0] && strcmp(f->cases[j].name, c->name) == 0) {
          char *np = ptr(p, "name");
          problem(&k, np, false, "a second case named \"%s\" (case %zu has that name)", c->name,
                  j);
          asl_free(np);
          break;
        }
      }
      asl_free(p);
    }
  }
  if (k.errors.len) {
    fail_file(f, k.errors.data);
    for (size_t i = 0; i < f->case_count; i++)
      cli_faults_free(&f->cases[i].faults);
    asl_free(f->cases);
    f->cases = NULL;
    f->case_count = 0;
  }
  asl_buf_free(&k.errors);
  return f;
}

cli_test_file *cli_test_file_from_mock_config(const char *machine, const char *mock_config,
                                              const char *sm_name, const char *config,
                                              const asl_json *input, const asl_load_opts *load)
{
  cli_test_file *f = file_new(machine);
  f->machine_path = asl_strdup(machine);
  f->mock_config_path = asl_strdup(mock_config);
  f->sm_name = sm_name ? asl_strdup(sm_name) : cli_machine_name(machine);
  if (config)
    f->config_path = asl_strdup(config);
  if (!load_machine(f, load))
    return f;
  char *text = NULL;
  size_t len = 0;
  if (!cli_read_file(mock_config, &text, &len)) {
    f->error = asl_strfmt("aslrun: cannot read '%s'\n", mock_config);
    return f;
  }
  asl_json *doc = cli_parse_json(mock_config, text, len);
  asl_free(text);
  if (!doc) {
    f->error = asl_strfmt("aslrun: %s is not valid JSON\n", mock_config);
    return f;
  }
  const asl_json *sms = asl_json_get_cstr(doc, "StateMachines");
  const asl_json *sm = sms && asl_json_is_object(sms) ? asl_json_get_cstr(sms, f->sm_name) : NULL;
  const asl_json *tcs = sm && asl_json_is_object(sm) ? asl_json_get_cstr(sm, "TestCases") : NULL;
  if (!tcs || !asl_json_is_object(tcs) || asl_json_len(tcs) == 0) {
    asl_buf b = ASL_BUF_INIT;
    asl_buf_printf(&b, "aslrun: %s: no test case for the state machine \"%s\" (%s)", mock_config,
                   f->sm_name, machine);
    for (size_t i = 0; sms && asl_json_is_object(sms) && i < asl_json_len(sms); i++) {
      size_t kl;
      const char *k = asl_json_key_at(sms, i, &kl);
      asl_buf_printf(&b, "%s\"%.*s\"", i ? ", " : "; its StateMachines: ", (int)kl, k);
    }
    asl_buf_adds(&b, "; name the machine with --state-machine-name NAME\n");
    f->error = asl_buf_steal(&b, NULL);
    asl_json_decref(doc);
    return f;
  }
  f->owned_input = asl_json_incref(input);
  f->case_count = asl_json_len(tcs);
  f->cases = asl_calloc(f->case_count, sizeof *f->cases);
  for (size_t i = 0; i < f->case_count; i++) {
    size_t kl;
    const char *k = asl_json_key_at(tcs, i, &kl);
    char *name = asl_strndup(k, kl);
    ASL_VEC_PUSH(f->owned, name);
    cli_test_case *c = &f->cases[i];
    c->file = f;
    c->index = i;
    c->selected = true;
    c->name = name;
    c->test_case = name;
    c->input = f->owned_input;
  }
  asl_json_decref(doc);
  return f;
}

void cli_case_result_clear(cli_case_result *r)
{
  asl_json_decref(r->output);
  asl_free(r->error);
  asl_free(r->cause);
  asl_free(r->execution_name);
  ASL_VEC_FREE(r->path);
  ASL_VEC_FREE(r->states);
  for (size_t i = 0; i < r->events.len; i++)
    asl_json_decref(r->events.items[i].details);
  ASL_VEC_FREE(r->events);
  for (size_t i = 0; i < r->failures.len; i++) {
    asl_free(r->failures.items[i].message);
    asl_free(r->failures.items[i].detail);
  }
  ASL_VEC_FREE(r->failures);
  asl_buf_free(&r->trace);
  memset(r, 0, sizeof *r);
}

void cli_test_file_free(cli_test_file *f)
{
  if (!f)
    return;
  for (size_t i = 0; i < f->case_count; i++) {
    cli_case_result_clear(&f->cases[i].res);
    cli_faults_free(&f->cases[i].faults);
  }
  asl_free(f->cases);
  for (size_t i = 0; i < f->owned.len; i++)
    asl_free(f->owned.items[i]);
  ASL_VEC_FREE(f->owned);
  asl_json_decref(f->owned_input);
  asl_machine_free(f->machine);
  asl_json_decref(f->doc);
  asl_free(f->text);
  asl_free(f->path);
  asl_free(f->machine_path);
  asl_free(f->config_path);
  asl_free(f->mock_config_path);
  asl_free(f->sm_name);
  asl_free(f->error);
  asl_free(f);
}
