/* Shared helpers of the handler tests: JSON from literals, a registry on a fresh loop, and a
 * callback that records each result (and proves it never runs inside invoke or cancel). */
#ifndef ASLRUN_TESTS_HANDLERS_HARNESS_H
#define ASLRUN_TESTS_HANDLERS_HARNESS_H

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "../unit/literals.h"
#include "aslrun/handler.h"

/* Writing to a pipe or socket whose reader is gone (a function that exits without reading its
 * event, a client that hangs up) must fail with EPIPE, not kill the process: programs using the
 * handlers ignore SIGPIPE, as the aslrun CLI must. */
static inline void ignore_sigpipe(void)
{
  signal(SIGPIPE, SIG_IGN);
}


typedef struct outcome {
  int calls; /* how many times the callback ran */
  asl_status status;
  asl_json *value;
  char *name, *cause, *log;
  bool reentered; /* the callback ran inside invoke or cancel */
  double duration_ms;
} outcome;

static bool in_api; /* set around asl_task_invoke / asl_task_cancel */

static inline void on_done(void *data, const asl_task_result *r)
{
  outcome *o = data;
  o->calls++;
  o->reentered = o->reentered || in_api;
  o->status = r->status;
  asl_json_decref(o->value);
  o->value = asl_json_incref(r->value);
  free(o->name);
  free(o->cause);
  free(o->log);
  o->name = r->error.name ? strdup(r->error.name) : NULL;
  o->cause = r->error.cause ? strdup(r->error.cause) : NULL;
  o->log = r->log ? strdup(r->log) : NULL;
  o->duration_ms = r->duration_ms;
}

static inline void outcome_clear(outcome *o)
{
  asl_json_decref(o->value);
  free(o->name);
  free(o->cause);
  free(o->log);
  memset(o, 0, sizeof *o);
}

static inline asl_status invoke(asl_handlers *h, const asl_task_request *req, outcome *o,
                                asl_task_call **call, asl_error *err)
{
  in_api = true;
  asl_status st = asl_task_invoke(h, req, on_done, o, call, err);
  in_api = false;
  return st;
}

static inline void cancel(asl_task_call *c)
{
  in_api = true;
  asl_task_cancel(c);
  in_api = false;
}

/* Runs one invocation to its end on [loop] and returns its outcome in [o]. */
static inline asl_status run_one(uv_loop_t *loop, asl_handlers *h, const asl_task_request *req,
                                 outcome *o, asl_error *err)
{
  asl_task_call *c = NULL;
  outcome_clear(o);
  asl_status st = invoke(h, req, o, &c, err);
  if (st != ASL_OK)
    return st;
  while (o->calls == 0)
    uv_run(loop, UV_RUN_ONCE);
  return ASL_OK;
}

static inline char *dump(const asl_json *v)
{
  return v ? asl_json_dump(v, ASL_JSON_COMPACT, NULL) : NULL;
}

#define CHECK_JSON(v, text)                                                                        \
  do {                                                                                             \
    char *d_ = dump(v);                                                                            \
    CHECK_STR(d_, text);                                                                           \
    asl_free(d_);                                                                                  \
  } while (0)

#define CHECK_PREFIX(got, prefix)                                                                  \
  do {                                                                                             \
    const char *g_ = (got);                                                                        \
    if (!g_ || strncmp(g_, prefix, strlen(prefix)) != 0) {                                         \
      fprintf(stderr, "%s:%d: CHECK_PREFIX failed: %s\n  got:  %s\n  want: %s...\n", __FILE__,    \
              __LINE__, #got, g_ ? g_ : "(null)", prefix);                                         \
      check_failures++;                                                                            \
    }                                                                                              \
  } while (0)

#define CHECK_CONTAINS(got, part)                                                                  \
  do {                                                                                             \
    const char *g_ = (got);                                                                        \
    if (!g_ || !strstr(g_, part)) {                                                                \
      fprintf(stderr, "%s:%d: CHECK_CONTAINS failed: %s\n  got:  %s\n  want: ...%s...\n",         \
              __FILE__, __LINE__, #got, g_ ? g_ : "(null)", part);                                 \
      check_failures++;                                                                            \
    }                                                                                              \
  } while (0)

#endif
