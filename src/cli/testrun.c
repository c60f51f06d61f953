/* The test runner: every selected case of every test file runs on ONE libuv loop in this
 * process, up to [jobs] executions at once (virtual time unless asked otherwise). A file's
 * handler registry is built once and shared by its cases (mocks count invocations per
 * execution); a case with mocks or a MockConfigFile test case of its own gets a registry
 * derived from it, freed as soon as the case ends. Each execution feeds a collector (the states
 * taken, counts, events when the expectations read them) and a trace kept in memory, so that a
 * failing case shows its trace. Results are handed to the reporter in file and case order. */
#include "test.h"

#include <signal.h>
#include <string.h>

typedef struct slot slot;

typedef struct runner {
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  int signal;
  const cli_test_run_opts *o;
  cli_test_file **files;
  size_t nfiles;
  cli_handlers **file_handlers; /* per file; NULL until its first case, or when it failed */
  bool *file_handlers_tried;
  char **file_handlers_error; /* per file: why its registry could not be built */
  slot *running; /* every execution under way */
  slot *done;    /* finished, not yet collected */
  size_t live;
  /* reporting in order */
  size_t report_file;
  size_t report_case;
} runner;

struct slot {
  runner *rn;
  cli_test_case *c;
  cli_coverage *coverage; /* the machine's, when coverage is recorded */
  cli_handlers *own; /* a registry of the case's own, or NULL */
  asl_exec *exec;
  cli_trace *trace;
  uint64_t started_ns;
  bool finished;
  slot *next;
  slot *prev;
};

/* ---------------------------------------------------------------- collector ---- */

static cli_state_count *count_for(cli_case_result *r, const char *name)
{
  /* names come from the machine: equal names are usually the same pointer */
  for (size_t i = 0; i < r->states.len; i++)
    if (r->states.items[i].name == name || strcmp(r->states.items[i].name, name) == 0)
      return &r->states.items[i];
  cli_state_count z = {name, 0, 0, 0};
  ASL_VEC_PUSH(r->states, z);
  return &r->states.items[r->states.len - 1];
}

static bool is_entered(asl_event_type t)
{
  return t == ASL_EVENT_PASS_STATE_ENTERED || t == ASL_EVENT_CHOICE_STATE_ENTERED ||
         t == ASL_EVENT_WAIT_STATE_ENTERED || t == ASL_EVENT_SUCCEED_STATE_ENTERED ||
         t == ASL_EVENT_FAIL_STATE_ENTERED || t == ASL_EVENT_TASK_STATE_ENTERED ||
         t == ASL_EVENT_PARALLEL_STATE_ENTERED || t == ASL_EVENT_MAP_STATE_ENTERED;
}

static bool is_scheduled(asl_event_type t)
{
  return t == ASL_EVENT_TASK_SCHEDULED || t == ASL_EVENT_LAMBDA_FUNCTION_SCHEDULED ||
         t == ASL_EVENT_ACTIVITY_SCHEDULED;
}

static void on_event(void *data, const asl_event *ev)
{
  slot *s = data;
  cli_case_result *r = &s->c->res;
  /* a Distributed Map's child executions keep histories of their own, as on AWS */
  if (ev->child_execution)
    return;
  if (ev->state && is_entered(ev->type)) {
    count_for(r, ev->state)->runs++;
    if (ev->depth == 0)
      ASL_VEC_PUSH(r->path, ev->state);
  } else if (ev->state && is_scheduled(ev->type)) {
    count_for(r, ev->state)->invocations++;
  }
  if (s->c->wants_events) {
    cli_event_rec rec = {ev->type, ev->state, asl_json_incref(ev->details)};
    ASL_VEC_PUSH(r->events, rec);
  }
}

static void on_event_all(void *data, const asl_event *ev)
{
  slot *s = data;
  /* coverage counts what a Distributed Map's child executions did too */
  if (s->coverage)
    cli_coverage_event(s->coverage, ev);
  on_event(data, ev);
}

static void on_note(void *data, const asl_note *n)
{
  slot *s = data;
  if (s->coverage)
    cli_coverage_note(s->coverage, n);
  if (n->kind == ASL_NOTE_RETRY && n->state && !n->child_execution)
    count_for(&s->c->res, n->state)->retries++;
}

/* The seed of one case: the run's, mixed with the test file's base name and the case's name, so
 * that a case draws the same numbers whatever else runs (--filter) and wherever the files are. */
static uint64_t case_seed(uint64_t seed, const cli_test_case *c)
{
  const char *path = c->file->path;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (const char *p = base; *p; p++)
    h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
  h = (h ^ 0) * 0x100000001b3ull;
  for (const char *p = c->name; *p; p++)
    h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
  uint64_t x = seed ^ h;
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/* ------------------------------------------------------------------ running ---- */

static void list_remove(slot **head, slot *s)
{
  if (s->prev)
    s->prev->next = s->next;
  else
    *head = s->next;
  if (s->next)
    s->next->prev = s->prev;
  s->next = s->prev = NULL;
}

static void list_push(slot **head, slot *s)
{
  s->prev = NULL;
  s->next = *head;
  if (*head)
    (*head)->prev = s;
  *head = s;
}

static void on_done(asl_exec *e, void *data)
{
  (void)e;
  slot *s = data;
  runner *rn = s->rn;
  s->finished = true;
  list_remove(&rn->running, s);
  list_push(&rn->done, s);
}

static void case_error(cli_test_case *c, const char *text)
{
  cli_failure f = {asl_strdup(text), NULL};
  /* one line a message: drop the trailing newline of printed diagnostics */
  size_t n = strlen(f.message);
  while (n && f.message[n - 1] == '\n')
    f.message[--n] = '\0';
  ASL_VEC_PUSH(c->res.failures, f);
  c->res.outcome = CLI_CASE_ERROR;
}

/* The registry of [f], built on first use; NULL (and every case of the file in error) when it
 * cannot be. */
static cli_handlers *file_registry(runner *rn, size_t fi, asl_buf *msgs)
{
  if (rn->file_handlers_tried[fi]) {
    if (!rn->file_handlers[fi] && rn->file_handlers_error[fi])
      asl_buf_adds(msgs, rn->file_handlers_error[fi]);
    return rn->file_handlers[fi];
  }
  rn->file_handlers_tried[fi] = true;
  cli_test_file *f = rn->files[fi];
  cli_handlers_opts ho = {
      .config = f->config_path,
      .mock_config = f->mock_config_path,
      .machine = f->machine_path,
      .sm_name = f->sm_name,
      .cold = rn->o->cold,
      .payload_limit = rn->o->payload_limit,
      .lambda_endpoint = rn->o->lambda_endpoint,
      .messages = msgs,
  };
  rn->file_handlers[fi] = cli_handlers_open(&rn->loop, &ho);
  if (!rn->file_handlers[fi] && msgs->len)
    rn->file_handlers_error[fi] = asl_strdup(msgs->data);
  return rn->file_handlers[fi];
}

static void start_case(runner *rn, size_t fi, cli_test_case *c)
{
  cli_test_file *f = rn->files[fi];
  asl_buf msgs = ASL_BUF_INIT;
  cli_handlers *base = file_registry(rn, fi, &msgs);
  if (!base) {
    case_error(c, msgs.len ? msgs.data : "aslrun: cannot set up the Task handlers");
    asl_buf_free(&msgs);
    return;
  }
  cli_handlers *own = NULL;
  if (c->mocks || c->test_case) {
    char *source = asl_strfmt("%s: case \"%s\": mocks", f->path, c->name);
    cli_handlers_opts ho = {
        .machine = f->machine_path,
        .sm_name = f->sm_name,
        .test_case = c->test_case,
        .cold = rn->o->cold,
        .payload_limit = rn->o->payload_limit,
        .lambda_endpoint = rn->o->lambda_endpoint,
        .mocks = c->mocks,
        .mocks_source = source,
        .messages = &msgs,
    };
    own = cli_handlers_derive(base, &rn->loop, &ho);
    asl_free(source);
    if (!own) {
      case_error(c, msgs.len ? msgs.data : "aslrun: cannot set up the Task handlers");
      asl_buf_free(&msgs);
      return;
    }
  }
  cli_handlers *h = own ? own : base;
  if (!cli_handlers_check_faults(h, f->machine, f->machine_path, f->sm_name, c->test_case,
                                 &c->faults, &msgs)) {
    case_error(c, msgs.data);
    asl_buf_free(&msgs);
    cli_handlers_close(own);
    return;
  }
  asl_buf_free(&msgs);

  slot *s = asl_calloc(1, sizeof *s);
  s->rn = rn;
  s->c = c;
  s->own = own;
  s->trace = cli_trace_open_buf(&c->res.trace, rn->o->trace_json, rn->o->colour);
  if (rn->o->coverage)
    s->coverage = cli_coverage_for(rn->o->coverage, f->machine, f->machine_path);
  asl_event_sink sinks[2] = {
      {.on_event = on_event_all, .data = s, .on_note = on_note},
      cli_trace_sink(s->trace),
  };
  char *sm_name = cli_machine_name(f->machine_path);
  asl_exec_opts opts = {
      .loop = &rn->loop,
      .virtual_time = !rn->o->real_time,
      .name = c->execution_name,
      .state_machine_name = sm_name,
      .payload_limit = rn->o->payload_limit,
      .sinks = sinks,
      .sink_count = 2,
      .handlers = cli_handlers_registry(h),
      .answer = c->faults.items.len ? cli_faults_answer : NULL,
      .answer_data = &c->faults,
  };
  cli_exec_settings es = rn->o->exec;
  es.has_seed = true;
  es.seed = case_seed(rn->o->seed, c);
  cli_exec_apply(&es, &opts);
  asl_json *empty = c->input ? NULL : asl_json_object(0);
  asl_error err = ASL_ERROR_INIT;
  s->started_ns = uv_hrtime();
  asl_status st =
      asl_exec_start(f->machine, c->input ? c->input : empty, &opts, on_done, s, &s->exec, &err);
  asl_json_decref(empty);
  asl_free(sm_name);
  if (st != ASL_OK) {
    char *text = st == ASL_E_LIMIT
                     ? asl_strfmt("aslrun: %s; raise the limit with --payload-limit BYTES",
                                  err.cause ? err.cause : "the input is over the payload limit")
                     : asl_strfmt("aslrun: %s", err.cause ? err.cause : "cannot start");
    case_error(c, text);
    asl_free(text);
    asl_error_clear(&err);
    cli_trace_close(s->trace);
    cli_handlers_close(own);
    asl_free(s);
    return;
  }
  list_push(&rn->running, s);
  rn->live++;
}

/* Reads what the finished execution of [s] did and frees it (outside any loop callback). */
static void collect(runner *rn, slot *s)
{
  cli_test_case *c = s->c;
  cli_case_result *r = &c->res;
  r->real_ms = (double)(uv_hrtime() - s->started_ns) / 1e6;
  r->status = asl_exec_status_of(s->exec);
  r->output = asl_json_incref(asl_exec_output(s->exec));
  r->error = asl_exec_error(s->exec) ? asl_strdup(asl_exec_error(s->exec)) : NULL;
  r->cause = asl_exec_cause(s->exec) ? asl_strdup(asl_exec_cause(s->exec)) : NULL;
  r->duration_ms = asl_exec_stop_ms(s->exec) - asl_exec_start_ms(s->exec);
  r->execution_name = asl_strdup(asl_exec_name(s->exec));
  asl_exec_free(s->exec);
  cli_trace_close(s->trace);
  /* a registry of the case's own stops its workers now, running the loop a little */
  cli_handlers_close(s->own);
  rn->live--;
  if (rn->signal)
    case_error(c, "interrupted");
  else
    cli_expect_check(c);
  asl_free(s);
}

static void report_ready(runner *rn)
{
  while (rn->report_file < rn->nfiles) {
    cli_test_file *f = rn->files[rn->report_file];
    if (f->error) {
      if (rn->report_case == 0 && rn->o->on_file_error)
        rn->o->on_file_error(rn->o->data, f);
      rn->report_file++;
      rn->report_case = 0;
      continue;
    }
    while (rn->report_case < f->case_count) {
      cli_test_case *c = &f->cases[rn->report_case];
      if (c->selected && c->res.outcome == CLI_CASE_NOT_RUN && !rn->signal)
        return; /* not finished yet */
      if (c->selected && rn->o->on_case)
        rn->o->on_case(rn->o->data, c);
      rn->report_case++;
    }
    rn->report_file++;
    rn->report_case = 0;
  }
}

static void on_signal(uv_signal_t *h, int signum)
{
  runner *rn = h->data;
  if (rn->signal)
    return;
  rn->signal = signum;
  for (slot *s = rn->running; s; s = s->next)
    asl_exec_stop(s->exec, NULL, NULL);
  uv_signal_stop(&rn->sigint);
  uv_signal_stop(&rn->sigterm);
}

bool cli_test_run(cli_test_file **files, size_t nfiles, const cli_test_run_opts *o,
                  int *signal_out)
{
  runner rn = {0};
  rn.o = o;
  rn.files = files;
  rn.nfiles = nfiles;
  int rc = uv_loop_init(&rn.loop);
  if (rc != 0) {
    fprintf(stderr, "aslrun: cannot start the event loop: %s\n", uv_strerror(rc));
    return false;
  }
  uv_signal_init(&rn.loop, &rn.sigint);
  uv_signal_init(&rn.loop, &rn.sigterm);
  rn.sigint.data = rn.sigterm.data = &rn;
  uv_signal_start(&rn.sigint, on_signal, SIGINT);
  uv_signal_start(&rn.sigterm, on_signal, SIGTERM);
  /* signal handles would keep a loop alive: they are not counted, the runner decides */
  uv_unref((uv_handle_t *)&rn.sigint);
  uv_unref((uv_handle_t *)&rn.sigterm);
  rn.file_handlers = asl_calloc(nfiles ? nfiles : 1, sizeof *rn.file_handlers);
  rn.file_handlers_tried = asl_calloc(nfiles ? nfiles : 1, sizeof *rn.file_handlers_tried);
  rn.file_handlers_error = asl_calloc(nfiles ? nfiles : 1, sizeof *rn.file_handlers_error);
  int jobs = o->jobs > 0 ? o->jobs : 1;

  size_t fi = 0;
  size_t ci = 0;
  for (;;) {
    /* start cases up to the bound */
    while (!rn.signal && rn.live < (size_t)jobs && fi < nfiles) {
      cli_test_file *f = files[fi];
      if (f->error || ci >= f->case_count) {
        fi++;
        ci = 0;
        continue;
      }
      cli_test_case *c = &f->cases[ci++];
      if (!c->selected)
        continue;
      if (c->skip) {
        c->res.outcome = CLI_CASE_SKIPPED;
        continue;
      }
      start_case(&rn, fi, c);
      if (c->res.outcome != CLI_CASE_NOT_RUN)
        report_ready(&rn);
    }
    while (rn.done) {
      slot *s = rn.done;
      list_remove(&rn.done, s);
      collect(&rn, s);
    }
    report_ready(&rn);
    if (rn.live == 0 && (rn.signal || fi >= nfiles))
      break;
    if (rn.live > 0 && !rn.done)
      uv_run(&rn.loop, UV_RUN_ONCE);
  }
  report_ready(&rn);
  for (size_t i = 0; i < nfiles; i++) {
    cli_handlers_close(rn.file_handlers[i]);
    asl_free(rn.file_handlers_error[i]);
  }
  asl_free(rn.file_handlers_error);
  asl_free(rn.file_handlers);
  asl_free(rn.file_handlers_tried);
  uv_close((uv_handle_t *)&rn.sigint, NULL);
  uv_close((uv_handle_t *)&rn.sigterm, NULL);
  uv_run(&rn.loop, UV_RUN_DEFAULT);
  uv_loop_close(&rn.loop);
  *signal_out = rn.signal;
  return rn.signal == 0;
}
