/* The harness of the callback-task tests (test_callback.c, test_callback_function.c): one
 * execution on its own loop with an event recorder and a task-token sink that keeps every token
 * a Task waits for, optionally a handler registry built from aslrun.json text, and helpers that
 * run the loop until Tasks wait or the execution ends, answer tokens and look events up. */
#ifndef ASLRUN_TESTS_EXEC_CALLBACK_HARNESS_H
#define ASLRUN_TESTS_EXEC_CALLBACK_HARNESS_H

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../unit/check.h"
#include "../unit/literals.h"
#include "aslrun/exec.h"
#include "aslrun/handler.h"

#define MAX_SEEN 128

typedef struct harness {
  uv_loop_t loop;
  asl_machine *m;
  asl_exec *e;
  asl_event_sink sink;
  asl_task_token_sink tokens;
  int done_calls;
  int count;
  asl_event_type types[MAX_SEEN];
  char *states[MAX_SEEN];
  char *params[MAX_SEEN]; /* TaskScheduled's parameters */
  char *outputs[MAX_SEEN]; /* the output of events that have one (TaskSubmitted's, ...) */
  int64_t prev[MAX_SEEN];
  int64_t ids[MAX_SEEN];
  int64_t redrive_count; /* ExecutionRedriven's */
  char *token[MAX_SEEN];     /* in the order the Tasks began to wait */
  char *token_state[MAX_SEEN];
  int waits;
  int ends;
  asl_handlers *handlers; /* serves the Tasks (freed by teardown), or NULL */
} harness;


static inline void on_event(void *data, const asl_event *ev)
{
  harness *h = data;
  if (h->count >= MAX_SEEN)
    return;
  int i = h->count++;
  h->types[i] = ev->type;
  h->ids[i] = ev->id;
  h->prev[i] = ev->previous_id;
  h->states[i] = ev->state ? strdup(ev->state) : NULL;
  const asl_json *p = ev->details ? asl_json_get_cstr(ev->details, "parameters") : NULL;
  h->params[i] = p ? strdup(asl_json_str(p)) : NULL;
  const asl_json *out = ev->details ? asl_json_get_cstr(ev->details, "output") : NULL;
  h->outputs[i] = out ? strdup(asl_json_str(out)) : NULL;
  if (ev->type == ASL_EVENT_EXECUTION_REDRIVEN) {
    const asl_json *n = asl_json_get_cstr(ev->details, "redriveCount");
    h->redrive_count = n ? asl_json_int_val(n) : -1;
  }
}

static inline void on_wait(void *data, asl_exec *e, const char *token, const char *state)
{
  harness *h = data;
  CHECK(e == h->e || h->e == NULL);
  if (h->waits < MAX_SEEN) {
    h->token[h->waits] = strdup(token);
    h->token_state[h->waits] = strdup(state);
  }
  h->waits++;
}

static inline void on_end(void *data, asl_exec *e, const char *token)
{
  harness *h = data;
  (void)e;
  (void)token;
  h->ends++;
}

static inline void on_done(asl_exec *e, void *data)
{
  (void)e;
  harness *h = data;
  h->done_calls++;
}

/* Starts [definition] on [input]; with [config] (aslrun.json's text, paths relative to
 * [config_dir]), a handler registry serves its Tasks. */
static inline void setup_with(harness *h, const char *definition, const char *input,
                              bool virtual_time, const char *config, const char *config_dir)
{
  memset(h, 0, sizeof *h);
  uv_loop_init(&h->loop);
  if (config) {
    asl_json *cfg = J(config);
    asl_handlers_opts ho = {.loop = &h->loop, .config = cfg, .config_dir = config_dir};
    asl_error herr = ASL_ERROR_INIT;
    h->handlers = asl_handlers_new(&ho, &herr);
    if (!h->handlers) {
      fprintf(stderr, "bad test config: %s\n", herr.cause);
      exit(2);
    }
    asl_json_decref(cfg);
  }
  h->m = load_machine(definition);
  h->sink = (asl_event_sink){.on_event = on_event, .data = h};
  h->tokens = (asl_task_token_sink){.on_wait = on_wait, .on_end = on_end, .data = h};
  asl_exec_opts o = {.loop = &h->loop, .virtual_time = virtual_time, .sinks = &h->sink,
                     .sink_count = 1, .task_tokens = &h->tokens, .name = "run1",
                     .state_machine_name = "Machine", .handlers = h->handlers};
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_start(h->m, in, &o, on_done, h, &h->e, &err) == ASL_OK);
  asl_json_decref(in);
}

static inline void setup(harness *h, const char *definition, const char *input,
                         bool virtual_time)
{
  setup_with(h, definition, input, virtual_time, NULL, NULL);
}

static inline void teardown(harness *h)
{
  asl_exec_free(h->e);
  asl_handlers_free(h->handlers);
  asl_machine_free(h->m);
  for (int i = 0; i < h->count; i++) {
    free(h->states[i]);
    free(h->params[i]);
    free(h->outputs[i]);
  }
  for (int i = 0; i < h->waits && i < MAX_SEEN; i++) {
    free(h->token[i]);
    free(h->token_state[i]);
  }
  CHECK(uv_loop_close(&h->loop) == 0);
}

/* Runs the loop until [n] Tasks have begun to wait or the execution has ended. */
static inline void run_until_waits(harness *h, int n)
{
  int done = h->done_calls;
  for (int i = 0; i < 100000 && h->waits < n && h->done_calls == done; i++)
    uv_run(&h->loop, UV_RUN_NOWAIT);
  CHECK(h->waits >= n);
  if (h->waits < n)
    for (int i = 0; i < h->count; i++)
      fprintf(stderr, "   %lld %s %s\n", (long long)h->ids[i], asl_event_type_name(h->types[i]),
              h->states[i] ? h->states[i] : "");
}

static inline void run_to_end(harness *h, int done_calls)
{
  while (h->done_calls < done_calls && uv_run(&h->loop, UV_RUN_ONCE))
    ;
  uv_run(&h->loop, UV_RUN_DEFAULT);
  CHECK(h->done_calls == done_calls);
}

static inline void succeed(harness *h, int which, const char *output)
{
  asl_json *v = J(output);
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_success(h->e, h->token[which], v, &err) == ASL_OK);
  asl_json_decref(v);
  asl_error_clear(&err);
}

static inline void fail(harness *h, int which, const char *error, const char *cause)
{
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_exec_task_failure(h->e, h->token[which], error, cause, &err) == ASL_OK);
  asl_error_clear(&err);
}

/* The index of the [nth] (from 0) event of [type] after event index [from], or -1. */
static inline int find(const harness *h, asl_event_type type, int from)
{
  for (int i = from; i < h->count; i++)
    if (h->types[i] == type)
      return i;
  return -1;
}

static inline int count_of(const harness *h, asl_event_type type, const char *state, int from)
{
  int n = 0;
  for (int i = from; i < h->count; i++)
    n += h->types[i] == type && (!state || (h->states[i] && strcmp(h->states[i], state) == 0));
  return n;
}

static inline void check_output(const harness *h, const char *want)
{
  asl_json *w = J(want);
  const asl_json *got = asl_exec_output(h->e);
  bool ok = got && asl_json_equal(got, w);
  if (!ok) {
    char *g = got ? asl_json_dump(got, ASL_JSON_COMPACT, NULL) : NULL;
    fprintf(stderr, "  output: %s\n  want:   %s\n", g ? g : "(none)", want);
    asl_free(g);
  }
  CHECK(ok);
  asl_json_decref(w);
}

#endif
