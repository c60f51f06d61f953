/* The handler registry of `aslrun run` and `aslrun test`: aslrun.json (--config FILE, or the one
 * beside the machine) and a Step Functions Local MockConfigFile (--mock-config FILE --test-case
 * NAME) are read and handed to the registry (src/handlers), every Task state is checked before
 * the execution starts, and the registry is freed before the loop closes, so no worker outlives
 * aslrun. A test case with mocks of its own gets a registry derived from the file's, sharing the
 * files already read. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_handlers {
  asl_handlers *reg;
  bool borrowed; /* derived: the files below belong to another cli_handlers */
  asl_json *merged;  /* derived with mocks: aslrun.json with the case's mocks over its own */
  const asl_json *case_mocks;
  char *case_source;
  asl_json *config;
  asl_json *mock_config;
  char *config_path;
  char *config_text;
  size_t config_len;
  char *mock_path;
  char *mock_text;
  size_t mock_len;
};

static void free_files(cli_handlers *h)
{
  asl_json_decref(h->merged);
  asl_free(h->case_source);
  if (h->borrowed) {
    asl_free(h);
    return;
  }
  asl_json_decref(h->config);
  asl_json_decref(h->mock_config);
  asl_free(h->config_path);
  asl_free(h->config_text);
  asl_free(h->mock_path);
  asl_free(h->mock_text);
  asl_free(h);
}

/* The folder of [path] ("." for a bare name), absolute when it can be resolved. */
static char *folder_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  char *dir = slash ? asl_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                    : asl_strdup(".");
  char buf[PATH_MAX];
  if (realpath(dir, buf)) {
    asl_free(dir);
    return asl_strdup(buf);
  }
  return dir;
}

static bool load_json(const char *path, char **text, size_t *len, asl_json **out)
{
  if (!cli_read_file(path, text, len))
    return false;
  *out = cli_parse_json(path, *text, *len);
  return *out != NULL;
}

/* "FILE:LINE:COL: POINTER: " for an error located in one of the two files, else "". The error
 * does not say which file: the one whose node at the pointer sits at the error's offset. */
static void locate(const cli_handlers *h, const asl_error *err, asl_buf *out)
{
  if (err->offset == ASL_NOPOS || !err->pointer)
    return;
  const char *paths[2] = {h->mock_path, h->config_path};
  const asl_json *docs[2] = {h->mock_config, h->config};
  const char *texts[2] = {h->mock_text, h->config_text};
  size_t lens[2] = {h->mock_len, h->config_len};
  for (int i = 0; i < 2; i++) {
    if (!docs[i])
      continue;
    if (asl_json_pointer_pos(docs[i], err->pointer, false) != err->offset &&
        asl_json_pointer_pos(docs[i], err->pointer, true) != err->offset)
      continue;
    int line;
    int col;
    asl_text_linecol(texts[i], lens[i], err->offset, &line, &col);
    asl_buf_printf(out, "%s:%d:%d: %s: ", paths[i], line, col,
                   err->pointer[0] ? err->pointer : "/");
    return;
  }
}

/* aslrun.json with [mocks] over its "mocks" member (a new value). */
static asl_json *merge_mocks(const asl_json *config, const asl_json *mocks)
{
  asl_json *out = asl_json_object(config ? asl_json_len(config) + 1 : 1);
  const asl_json *own = NULL;
  for (size_t i = 0; config && i < asl_json_len(config); i++) {
    size_t kl;
    const char *k = asl_json_key_at(config, i, &kl);
    if (kl == 5 && memcmp(k, "mocks", 5) == 0) {
      own = asl_json_value_at(config, i);
      continue;
    }
    asl_json_obj_put(out, k, kl, asl_json_incref(asl_json_value_at(config, i)));
  }
  asl_json *m = asl_json_object(4);
  for (size_t i = 0; own && asl_json_is_object(own) && i < asl_json_len(own); i++) {
    size_t kl;
    const char *k = asl_json_key_at(own, i, &kl);
    asl_json_obj_put(m, k, kl, asl_json_incref(asl_json_value_at(own, i)));
  }
  for (size_t i = 0; i < asl_json_len(mocks); i++) {
    size_t kl;
    const char *k = asl_json_key_at(mocks, i, &kl);
    asl_json_obj_put(m, k, kl, asl_json_incref(asl_json_value_at(mocks, i)));
  }
  asl_json_obj_put_cstr(out, "mocks", m);
  return out;
}

static void report(const cli_handlers_opts *o, const char *text)
{
  if (o->messages) {
    asl_buf_adds(o->messages, text);
    asl_buf_addc(o->messages, '\n');
  } else {
    fprintf(stderr, "%s\n", text);
  }
}

static bool build_registry(cli_handlers *h, uv_loop_t *loop, const cli_handlers_opts *o)
{
  const asl_json *config = h->config;
  if (o->mocks) {
    h->merged = merge_mocks(h->config, o->mocks);
    h->case_mocks = o->mocks;
    h->case_source = asl_strdup(o->mocks_source ? o->mocks_source : "the test case's mocks");
    config = h->merged;
  }
  char *config_dir = h->config_path ? folder_of(h->config_path) : NULL;
  asl_handlers_opts opts = {
      .loop = loop,
      .config = config,
      .config_dir = config_dir,
      /* a registry without a test case (a test file's, shared by its cases) has no use for
       * the mock config: the registry would ask for the test case */
      .mock_config = o->test_case ? h->mock_config : NULL,
      .test_case = o->test_case,
      .state_machine_name = o->sm_name,
      .cold = o->cold,
      .lambda_endpoint = o->lambda_endpoint,
      .payload_limit = o->payload_limit,
  };
  asl_error err = ASL_ERROR_INIT;
  h->reg = asl_handlers_new(&opts, &err);
  asl_free(config_dir);
  if (h->reg)
    return true;
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "aslrun: ");
  size_t before = b.len;
  locate(h, &err, &b);
  if (b.len == before && h->case_mocks && err.pointer && strncmp(err.pointer, "/mocks", 6) == 0)
    asl_buf_printf(&b, "%s: %s: ", h->case_source, err.pointer);
  asl_buf_adds(&b, err.cause ? err.cause : "cannot set up the Task handlers");
  report(o, b.data);
  asl_buf_free(&b);
  asl_error_clear(&err);
  return false;
}

cli_handlers *cli_handlers_open(uv_loop_t *loop, const cli_handlers_opts *o)
{
  cli_handlers *h = asl_calloc(1, sizeof *h);
  if (o->config) {
    h->config_path = asl_strdup(o->config);
  } else {
    /* aslrun.json beside the machine, when there is one (named as the user would) */
    const char *slash = strrchr(o->machine, '/');
    char *path = slash ? asl_strfmt("%.*saslrun.json", (int)(slash - o->machine + 1), o->machine)
                       : asl_strdup("aslrun.json");
    if (access(path, F_OK) == 0)
      h->config_path = path;
    else
      asl_free(path);
  }
  if (h->config_path &&
      !load_json(h->config_path, &h->config_text, &h->config_len, &h->config)) {
    free_files(h);
    return NULL;
  }
  if (o->mock_config) {
    h->mock_path = asl_strdup(o->mock_config);
    if (!load_json(h->mock_path, &h->mock_text, &h->mock_len, &h->mock_config)) {
      free_files(h);
      return NULL;
    }
  }
  if (!build_registry(h, loop, o)) {
    free_files(h);
    return NULL;
  }
  return h;
}

cli_handlers *cli_handlers_derive(const cli_handlers *base, uv_loop_t *loop,
                                  const cli_handlers_opts *o)
{
  cli_handlers *h = asl_calloc(1, sizeof *h);
  h->borrowed = true;
  h->config = base->config;
  h->mock_config = base->mock_config;
  h->config_path = base->config_path;
  h->config_text = base->config_text;
  h->config_len = base->config_len;
  h->mock_path = base->mock_path;
  h->mock_text = base->mock_text;
  h->mock_len = base->mock_len;
  if (!build_registry(h, loop, o)) {
    free_files(h);
    return NULL;
  }
  return h;
}

asl_handlers *cli_handlers_registry(cli_handlers *h)
{
  return h->reg;
}

static bool check_states(cli_handlers *h, const asl_states *states, const char *machine_file,
                         const cli_faults *faults, asl_buf *out)
{
  bool ok = true;
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    switch (st->type) {
    case ASL_STATE_TASK: {
      if (faults && cli_faults_serve_all(faults, st->name))
        break; /* every invocation is answered without a handler */
      asl_error err = ASL_ERROR_INIT;
      if (asl_handlers_check(h->reg, st->name, st->u.task.resource,
                             asl_exec_resource_style(st->u.task.resource), &err) != ASL_OK) {
        asl_buf_printf(out, "aslrun: %s: %s\n", machine_file,
                       err.cause ? err.cause : "a Task state cannot be served");
        ok = false;
      }
      asl_error_clear(&err);
      break;
    }
    case ASL_STATE_PARALLEL:
      for (size_t b = 0; b < st->u.parallel.count; b++)
        ok = check_states(h, &st->u.parallel.branches[b], machine_file, faults, out) && ok;
      break;
    case ASL_STATE_MAP:
      ok = check_states(h, &st->u.map.processor, machine_file, faults, out) && ok;
      break;
    case ASL_STATE_PASS:
    case ASL_STATE_CHOICE:
    case ASL_STATE_WAIT:
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
      break;
    }
  }
  return ok;
}

void cli_task_states(const asl_states *states, cli_state_list *out)
{
  for (size_t i = 0; i < states->count; i++) {
    const asl_state *st = states->items[i];
    switch (st->type) {
    case ASL_STATE_TASK:
      ASL_VEC_PUSH(*out, st);
      break;
    case ASL_STATE_PARALLEL:
      for (size_t b = 0; b < st->u.parallel.count; b++)
        cli_task_states(&st->u.parallel.branches[b], out);
      break;
    case ASL_STATE_MAP:
      cli_task_states(&st->u.map.processor, out);
      break;
    case ASL_STATE_PASS:
    case ASL_STATE_CHOICE:
    case ASL_STATE_WAIT:
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
      break;
    }
  }
}

bool cli_is_task_state(const asl_machine *m, const char *name)
{
  cli_state_list tasks = {0};
  cli_task_states(&m->top, &tasks);
  bool found = false;
  for (size_t t = 0; t < tasks.len && !found; t++)
    found = strcmp(tasks.items[t]->name, name) == 0;
  ASL_VEC_FREE(tasks);
  return found;
}

bool cli_check_mocked_names(const asl_json *mocked, const char *file, const char *text,
                            size_t len, const char *pointer, const asl_machine *m,
                            const char *machine_file, asl_buf *out)
{
  if (!mocked || !asl_json_is_object(mocked))
    return true;
  cli_state_list tasks = {0};
  cli_task_states(&m->top, &tasks);
  bool ok = true;
  for (size_t i = 0; i < asl_json_len(mocked); i++) {
    size_t klen;
    const char *k = asl_json_key_at(mocked, i, &klen);
    bool found = false;
    for (size_t t = 0; t < tasks.len && !found; t++)
      found = tasks.items[t]->name_len == klen && memcmp(tasks.items[t]->name, k, klen) == 0;
    if (found)
      continue;
    int line = 1;
    int col = 1;
    asl_text_linecol(text, len, asl_json_key_pos_at(mocked, i), &line, &col);
    asl_buf_printf(out, "aslrun: %s:%d:%d: %s", file, line, col, pointer);
    asl_pointer_append(out, k, klen);
    asl_buf_printf(out, ": \"%.*s\" is not a Task state of %s", (int)klen, k, machine_file);
    for (size_t t = 0; t < tasks.len; t++)
      asl_buf_printf(out, "%s\"%s\"", t ? ", " : "; its Task states: ", tasks.items[t]->name);
    if (tasks.len == 0)
      asl_buf_adds(out, ", which has no Task state");
    asl_buf_addc(out, '\n');
    ok = false;
  }
  ASL_VEC_FREE(tasks);
  return ok;
}

bool cli_handlers_check(cli_handlers *h, const asl_machine *m, const char *machine_file,
                        const char *sm_name, const char *test_case)
{
  asl_buf out = ASL_BUF_INIT;
  bool ok = cli_handlers_check_into(h, m, machine_file, sm_name, test_case, &out);
  if (out.len)
    fwrite(out.data, 1, out.len, stderr);
  asl_buf_free(&out);
  return ok;
}

bool cli_handlers_check_into(cli_handlers *h, const asl_machine *m, const char *machine_file,
                             const char *sm_name, const char *test_case, asl_buf *out)
{
  return cli_handlers_check_faults(h, m, machine_file, sm_name, test_case, NULL, out);
}

bool cli_handlers_check_faults(cli_handlers *h, const asl_machine *m, const char *machine_file,
                               const char *sm_name, const char *test_case,
                               const cli_faults *faults, asl_buf *out)
{
  bool ok = true;
  if (h->config) {
    ok = cli_check_mocked_names(asl_json_get_cstr(h->config, "mocks"), h->config_path,
                                h->config_text, h->config_len, "/mocks", m, machine_file, out) &&
         ok;
  }
  if (h->mock_config && test_case) {
    /* the registry has checked that the machine and the test case exist */
    const asl_json *sms = asl_json_get_cstr(h->mock_config, "StateMachines");
    const asl_json *sm = sms ? asl_json_get_cstr(sms, sm_name) : NULL;
    const asl_json *tcs = sm ? asl_json_get_cstr(sm, "TestCases") : NULL;
    const asl_json *tc = tcs ? asl_json_get_cstr(tcs, test_case) : NULL;
    asl_buf p = ASL_BUF_INIT;
    asl_buf_adds(&p, "/StateMachines");
    asl_pointer_append(&p, sm_name, strlen(sm_name));
    asl_buf_adds(&p, "/TestCases");
    asl_pointer_append(&p, test_case, strlen(test_case));
    ok = cli_check_mocked_names(tc, h->mock_path, h->mock_text, h->mock_len, p.data, m,
                                machine_file, out) &&
         ok;
    asl_buf_free(&p);
  }
  return check_states(h, &m->top, machine_file, faults, out) && ok;
}

void cli_handlers_close(cli_handlers *h)
{
  if (!h)
    return;
  asl_handlers_free(h->reg);
  free_files(h);
}
