/* aslrun replay HISTORY MACHINE: an execution as AWS recorded it (`aws stepfunctions
 * get-execution-history --output json`, or `aslrun run --history`) run again locally. The
 * recorded input starts it; each Task invocation gets the result AWS recorded for it (output,
 * error and cause, or a timeout), in the order its state recorded them (per Map iteration);
 * the local history is then compared with AWS's, thread by thread (replay_history.c), and the
 * first difference is printed: the event, its type and state, the field, expected and actual.
 * Exit 0 when there is none, 1 when there is one, 2 on bad usage or an unusable file. */
#include "replay.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define uthash_malloc(sz) asl_alloc(sz)
#define uthash_free(ptr, sz) asl_free(ptr)
#include <uthash.h>

#define SHOW 200 /* bytes of a value shown in a difference */

enum {
  OPT_NAME = 1,
  OPT_SM_ARN,
  OPT_HISTORY,
  OPT_LIVE,
  OPT_CONFIG,
  OPT_HELP,
};

static const cli_opt replay_opts[] = {
    {"--name", NULL, CLI_VALUE_REQUIRED, OPT_NAME},
    {"--state-machine-arn", NULL, CLI_VALUE_REQUIRED, OPT_SM_ARN},
    {"--history", NULL, CLI_VALUE_REQUIRED, OPT_HISTORY},
    {"--live", NULL, CLI_VALUE_REQUIRED, OPT_LIVE},
    {"--config", NULL, CLI_VALUE_REQUIRED, OPT_CONFIG},
    CLI_EXEC_OPTS,
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

const char cli_help_replay[] =
    "usage: aslrun replay HISTORY MACHINE [options]\n"
    "\n"
    "Runs an execution again from its history, as AWS exports it (aws stepfunctions\n"
    "get-execution-history --execution-arn ARN --output json > HISTORY) or as `aslrun run\n"
    "--history` writes it: the recorded input starts it, and every Task invocation gets the\n"
    "result the history recorded for it (TaskSucceeded / LambdaFunctionSucceeded output,\n"
    "*Failed error and cause, *TimedOut), in the order its state recorded them (in each Map\n"
    "iteration). Then prints where the local run's events, inputs or outputs first differ from\n"
    "the history's: the event id, type and state, the field, expected and actual. Events of\n"
    "Parallel branches and Map iterations are compared branch by branch and iteration by\n"
    "iteration, as their interleaving may differ. Runs in virtual time from the history's start.\n"
    "\n"
    "options:\n"
    "  --name NAME              the execution name ($$.Execution.Name; the history does not\n"
    "                           record it; default: a UUID from the seed)\n"
    "  --state-machine-arn ARN  the state machine's ARN (default: the history's region and\n"
    "                           account, named after MACHINE without .json)\n"
    "  --history FILE           also write the local run's history to FILE\n"
    "  --live STATE             the Task state STATE calls its handler (aslrun.json) instead of\n"
    "                           getting the recorded results, so that a changed function shows\n"
    "                           where it now differs from production (repeatable)\n"
    "  --config FILE            the aslrun.json of --live states (default: the one beside\n"
    "                           MACHINE)\n"
    "  --trace[=text|json]      print each step of the local run on stderr\n"
    "  --payload-limit BYTES    largest input, result or output of a state, or 'none'\n"
    "  --seed N                 the seed of the local run's random source (default: 0)\n"
    "  --max-history-events N|none, --max-duration SECONDS|none,\n"
    "  --inline-map-concurrency N|none, --distributed-map-concurrency N|none,\n"
    "  --max-state-name N|none  AWS's quotas, as `aslrun run --help` describes them\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit status: 0 no difference; 1 a difference; 2 unreadable or invalid history or machine,\n"
    "or bad usage.\n";

typedef struct replay_options {
  const char *history_path;
  const char *machine_path;
  const char *name;
  const char *sm_arn;
  const char *local_history;
  ASL_VEC(const char *) live; /* --live states: served by their handlers */
  const char *config;
  cli_exec_settings exec;
} replay_options;

static int parse_args(int argc, char **argv, int first, replay_options *o, bool *help)
{
  cli_args a = {"replay", argv, argc, first, false};
  const char *value;
  int id;
  while ((id = cli_next(&a, replay_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case CLI_ARG_POSITIONAL:
      if (!o->history_path)
        o->history_path = value;
      else if (!o->machine_path)
        o->machine_path = value;
      else
        return cli_usage_error("replay", "unexpected argument '%s': give the history, then the "
                                         "state machine",
                               value);
      break;
    case OPT_NAME:
      o->name = value;
      break;
    case OPT_SM_ARN:
      o->sm_arn = value;
      break;
    case OPT_HISTORY:
      o->local_history = value;
      break;
    case OPT_LIVE:
      ASL_VEC_PUSH(o->live, value);
      break;
    case OPT_CONFIG:
      o->config = value;
      break;
    case OPT_HELP:
      *help = true;
      return CLI_OK;
    default:
      if (id >= CLI_OPT_SEED) {
        int code = cli_exec_setting("replay", id, value, &o->exec);
        if (code != CLI_OK)
          return code;
      }
      break;
    }
  }
  if (!o->history_path || !o->machine_path)
    return cli_usage_error("replay", "give the execution history and the state machine: aslrun "
                                     "replay HISTORY.json MACHINE.json");
  if (o->exec.has_start_time)
    return cli_usage_error("replay", "--start-time: a replay starts when the history does");
  if (o->config && o->live.len == 0)
    return cli_usage_error("replay", "--config serves --live states: name them with --live STATE");
  return cli_limits_env("replay", &o->exec);
}

/* ----------------------------------------------------------- recorded answers ---- */

typedef struct answer {
  asl_answer_kind kind;
  asl_json *value;
  const char *error;
  const char *cause;
} answer;

typedef struct answer_queue {
  char *key; /* state and Map iterations */
  ASL_VEC(answer) items;
  size_t next; /* the next one to give */
  UT_hash_handle hh;
} answer_queue;

typedef struct answers {
  answer_queue *by_key;
  const replay_options *o; /* its --live states get no answer: their handlers serve them */
} answers;

static const char *const succeeded[] = {"TaskSucceeded", "LambdaFunctionSucceeded",
                                        "ActivitySucceeded", NULL};
static const char *const failed[] = {"TaskFailed",          "LambdaFunctionFailed",
                                     "ActivityFailed",      "TaskStartFailed",
                                     "TaskSubmitFailed",    "LambdaFunctionStartFailed",
                                     "LambdaFunctionScheduleFailed", "ActivityScheduleFailed",
                                     NULL};
static const char *const timed_out[] = {"TaskTimedOut", "LambdaFunctionTimedOut",
                                        "ActivityTimedOut", NULL};

static bool one_of(const char *s, const char *const *list)
{
  for (; *list; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

static const char *detail_str(const asl_json *d, const char *k)
{
  const asl_json *v = d ? asl_json_get_cstr(d, k) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

/* A JSON text field as a value (a string that is not JSON stays that string). */
static asl_json *text_value(const char *text)
{
  if (!text)
    return asl_json_null();
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, strlen(text), NULL, &err);
  asl_error_clear(&err);
  return v ? v : asl_json_cstr(text);
}

static void collect_answers(const replay_events *aws, answers *as)
{
  for (size_t i = 0; i < aws->len; i++) {
    const replay_event *e = &aws->items[i];
    answer a = {0};
    if (one_of(e->type, succeeded)) {
      a.kind = ASL_ANSWER_RETURN;
      a.value = text_value(detail_str(e->details, "output"));
    } else if (one_of(e->type, failed)) {
      a.kind = ASL_ANSWER_ERROR;
      a.error = detail_str(e->details, "error");
      a.cause = detail_str(e->details, "cause");
    } else if (one_of(e->type, timed_out)) {
      a.kind = ASL_ANSWER_TIMEOUT;
    } else {
      continue;
    }
    if (!e->state)
      continue;
    char *key = replay_task_key(e->state, e->path);
    answer_queue *q = NULL;
    HASH_FIND_STR(as->by_key, key, q);
    if (!q) {
      q = asl_calloc(1, sizeof *q);
      q->key = key;
      HASH_ADD_KEYPTR(hh, as->by_key, q->key, strlen(q->key), q);
    } else {
      asl_free(key);
    }
    ASL_VEC_PUSH(q->items, a);
  }
}

static void answers_free(answers *as)
{
  answer_queue *q, *tmp;
  HASH_ITER(hh, as->by_key, q, tmp)
  {
    HASH_DEL(as->by_key, q);
    for (size_t i = 0; i < q->items.len; i++)
      asl_json_decref(q->items.items[i].value);
    ASL_VEC_FREE(q->items);
    asl_free(q->key);
    asl_free(q);
  }
}

/* Each invocation gets the next result its state recorded in the same Map iteration; one the
 * history has no result for goes to no handler and fails (the difference shows before it). */
static void on_answer(void *data, const asl_task_query *query, asl_task_answer *out)
{
  answers *as = data;
  for (size_t i = 0; i < as->o->live.len; i++)
    if (strcmp(as->o->live.items[i], query->state) == 0)
      return;
  char *key = replay_query_key(query);
  answer_queue *q = NULL;
  HASH_FIND_STR(as->by_key, key, q);
  asl_free(key);
  if (!q || q->next >= q->items.len)
    return;
  const answer *a = &q->items.items[q->next++];
  out->kind = a->kind;
  out->value = a->value;
  out->error = a->error;
  out->cause = a->cause;
  out->label = "replay";
}

/* ------------------------------------------------------------- the local run ---- */

typedef struct local_rec {
  int64_t id;
  int64_t prev;
  asl_event_type type;
  char *state;
  asl_json *details;
} local_rec;

typedef struct run_ctx {
  uv_loop_t loop;
  uv_signal_t sigint;
  asl_exec *exec;
  int signal;
  ASL_VEC(local_rec) events;
} run_ctx;

static void on_local_event(void *data, const asl_event *ev)
{
  run_ctx *ctx = data;
  if (ev->child_execution)
    return; /* a Distributed Map's child executions are not in the parent's history */
  local_rec r = {ev->id, ev->previous_id, ev->type, ev->state ? asl_strdup(ev->state) : NULL,
                 asl_json_incref(ev->details)};
  ASL_VEC_PUSH(ctx->events, r);
}

static void on_signal(uv_signal_t *h, int signum)
{
  run_ctx *ctx = h->data;
  if (ctx->signal)
    return;
  ctx->signal = signum;
  asl_exec_stop(ctx->exec, NULL, NULL);
  uv_signal_stop(&ctx->sigint);
}

static void on_done(asl_exec *e, void *data)
{
  (void)e;
  run_ctx *ctx = data;
  uv_close((uv_handle_t *)&ctx->sigint, NULL);
}

/* "arn:aws:iam::123456789012:role/x" -> its account, or NULL. */
static char *account_of(const char *role_arn)
{
  if (!role_arn || strncmp(role_arn, "arn:", 4) != 0)
    return NULL;
  const char *p = role_arn;
  for (int i = 0; i < 4 && p; i++) {
    p = strchr(p, ':');
    if (p)
      p++;
  }
  const char *end = p ? strchr(p, ':') : NULL;
  return p && end && end > p ? asl_strndup(p, (size_t)(end - p)) : NULL;
}

/* The region the history's tasks ran in (TaskScheduled.region, a Lambda ARN's), or NULL. */
static char *region_of(const replay_events *aws)
{
  for (size_t i = 0; i < aws->len; i++) {
    const replay_event *e = &aws->items[i];
    const char *r = detail_str(e->details, "region");
    if (r && *r)
      return asl_strdup(r);
    const char *res = strcmp(e->type, "LambdaFunctionScheduled") == 0
                          ? detail_str(e->details, "resource")
                          : NULL;
    if (res && strncmp(res, "arn:", 4) == 0) {
      const char *p = strchr(res + 4, ':');
      p = p ? strchr(p + 1, ':') : NULL;
      const char *end = p ? strchr(p + 1, ':') : NULL;
      if (p && end && end > p + 1)
        return asl_strndup(p + 1, (size_t)(end - p - 1));
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- comparing ---- */

typedef struct difference {
  bool found;
  int64_t order; /* where it is in AWS's history: the earliest one is reported */
  const replay_event *aws;
  const replay_event *local;
  char *field;
  char *expected;
  char *actual;
} difference;

static void diff_clear(difference *d)
{
  asl_free(d->field);
  asl_free(d->expected);
  asl_free(d->actual);
  memset(d, 0, sizeof *d);
}

static char *shown(const asl_json *v)
{
  if (!v)
    return asl_strdup("(none)");
  asl_buf b = ASL_BUF_INIT;
  cli_json_short(v, SHOW, &b);
  return asl_buf_steal(&b, NULL);
}

static void offer(difference *best, int64_t order, const replay_event *aws,
                  const replay_event *local, const char *field, char *expected, char *actual)
{
  if (best->found && best->order <= order) {
    asl_free(expected);
    asl_free(actual);
    return;
  }
  diff_clear(best);
  best->found = true;
  best->order = order;
  best->aws = aws;
  best->local = local;
  best->field = asl_strdup(field);
  best->expected = expected;
  best->actual = actual;
}

/* The details fields that say what the execution did (inputs, outputs, errors, which state,
 * which resource); ids of AWS's own (mapRunArn), truncation flags and credentials are not. */
static const char *const compared[] = {"name",       "index",    "length",
                                       "input",      "output",   "parameters",
                                       "error",      "cause",    "resourceType",
                                       "resource",   "region",   "timeoutInSeconds",
                                       "heartbeatInSeconds", NULL};

static bool is_json_text(const char *field)
{
  return strcmp(field, "input") == 0 || strcmp(field, "output") == 0 ||
         strcmp(field, "parameters") == 0;
}

/* The first field of [a]'s and [l]'s details that differs: false and its name and values. */
static bool same_details(const replay_event *a, const replay_event *l, const char **field,
                         char **expected, char **actual)
{
  for (const char *const *f = compared; *f; f++) {
    const asl_json *x = a->details ? asl_json_get_cstr(a->details, *f) : NULL;
    const asl_json *y = l->details ? asl_json_get_cstr(l->details, *f) : NULL;
    if (!x && !y)
      continue;
    asl_json *xv = NULL;
    asl_json *yv = NULL;
    if (x && y && is_json_text(*f) && asl_json_is_string(x) && asl_json_is_string(y)) {
      xv = text_value(asl_json_str(x));
      yv = text_value(asl_json_str(y));
    } else {
      xv = x ? asl_json_incref(x) : NULL;
      yv = y ? asl_json_incref(y) : NULL;
    }
    bool eq = xv && yv && asl_json_equal(xv, yv);
    if (!eq) {
      *field = *f;
      *expected = shown(xv);
      *actual = shown(yv);
    }
    asl_json_decref(xv);
    asl_json_decref(yv);
    if (!eq)
      return false;
  }
  return true;
}

typedef ASL_VEC(const replay_event *) event_refs;

typedef struct thread {
  char *key;
  event_refs aws;
  event_refs local;
  UT_hash_handle hh;
} thread;

static thread *thread_of(thread **all, const char *key)
{
  thread *t = NULL;
  HASH_FIND_STR(*all, key, t);
  if (!t) {
    t = asl_calloc(1, sizeof *t);
    t->key = asl_strdup(key);
    HASH_ADD_KEYPTR(hh, *all, t->key, strlen(t->key), t);
  }
  return t;
}

static bool same_str(const char *a, const char *b)
{
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void compare(const replay_events *aws, const replay_events *local, difference *d)
{
  thread *all = NULL;
  for (size_t i = 0; i < aws->len; i++)
    ASL_VEC_PUSH(thread_of(&all, aws->items[i].thread)->aws, &aws->items[i]);
  for (size_t i = 0; i < local->len; i++)
    ASL_VEC_PUSH(thread_of(&all, local->items[i].thread)->local, &local->items[i]);
  thread *t, *tmp;
  HASH_ITER(hh, all, t, tmp)
  {
    size_t n = t->aws.len > t->local.len ? t->aws.len : t->local.len;
    for (size_t i = 0; i < n; i++) {
      const replay_event *a = i < t->aws.len ? t->aws.items[i] : NULL;
      const replay_event *l = i < t->local.len ? t->local.items[i] : NULL;
      /* an event AWS has no counterpart of sits after the thread's last recorded one */
      int64_t order = a ? a->id : (t->aws.len ? t->aws.items[t->aws.len - 1]->id : 0) + 1;
      if (!a || !l) {
        offer(d, order, a, l, "event", a ? asl_strdup(a->type) : asl_strdup("(none)"),
              l ? asl_strdup(l->type) : asl_strdup("(none)"));
        break;
      }
      if (strcmp(a->type, l->type) != 0) {
        offer(d, order, a, l, "type", asl_strdup(a->type), asl_strdup(l->type));
        break;
      }
      if (!same_str(a->state, l->state)) {
        offer(d, order, a, l, "state", asl_strdup(a->state ? a->state : "(none)"),
              asl_strdup(l->state ? l->state : "(none)"));
        break;
      }
      const char *field = NULL;
      char *exp = NULL;
      char *act = NULL;
      if (!same_details(a, l, &field, &exp, &act)) {
        offer(d, order, a, l, field, exp, act);
        break;
      }
    }
  }
  HASH_ITER(hh, all, t, tmp)
  {
    HASH_DEL(all, t);
    ASL_VEC_FREE(t->aws);
    ASL_VEC_FREE(t->local);
    asl_free(t->key);
    asl_free(t);
  }
}

static void describe_event(asl_buf *b, const char *who, const replay_event *e)
{
  if (!e) {
    asl_buf_printf(b, "%s: no such event (this branch or iteration ended before it)", who);
    return;
  }
  asl_buf_printf(b, "%s event %lld %s", who, (long long)e->id, e->type);
  if (e->state)
    asl_buf_printf(b, " (state \"%s\")", e->state);
}

static const char *end_of(const replay_events *ev)
{
  const char *t = ev->len ? ev->items[ev->len - 1].type : "";
  return strcmp(t, "ExecutionSucceeded") == 0  ? "SUCCEEDED"
         : strcmp(t, "ExecutionFailed") == 0   ? "FAILED"
         : strcmp(t, "ExecutionTimedOut") == 0 ? "TIMED_OUT"
         : strcmp(t, "ExecutionAborted") == 0  ? "ABORTED"
                                               : "unfinished";
}

/* ------------------------------------------------------------------ command ---- */

static int run_local(const replay_options *o, const asl_machine *m, const replay_events *aws,
                     answers *as, run_ctx *ctx, cli_history *history, cli_trace *trace,
                     asl_handlers *handlers)
{
  const replay_event *start = &aws->items[0];
  asl_json *input = text_value(detail_str(start->details, "input"));
  const char *role = detail_str(start->details, "roleArn");
  char *account = account_of(role);
  char *region = region_of(aws);
  char *sm_name = cli_machine_name(o->machine_path);
  char *sm_arn = o->sm_arn ? asl_strdup(o->sm_arn)
                           : asl_strfmt("arn:aws:states:%s:%s:stateMachine:%s",
                                        region ? region : "us-east-1",
                                        account ? account : "123456789012", sm_name);
  asl_event_sink sinks[3];
  size_t n = 0;
  sinks[n++] = (asl_event_sink){.on_event = on_local_event, .data = ctx};
  if (history)
    sinks[n++] = cli_history_sink(history);
  if (trace)
    sinks[n++] = cli_trace_sink(trace);
  asl_exec_opts opts = {
      .loop = &ctx->loop,
      .virtual_time = true,
      .name = o->name,
      .state_machine_arn = sm_arn,
      .role_arn = role,
      .payload_limit = o->exec.payload_limit,
      .sinks = sinks,
      .sink_count = n,
      .answer = on_answer,
      .answer_data = as,
      .handlers = handlers,
  };
  cli_exec_settings es = o->exec;
  es.has_seed = true; /* 0 unless --seed: a replay repeats itself */
  /* the local run starts when the recorded one did, so that $$ timestamps read alike */
  if (start->ts_ok && start->ts_ms > 0) {
    es.has_start_time = true;
    es.start_time_ms = start->ts_ms;
  }
  cli_exec_apply(&es, &opts);
  asl_error err = ASL_ERROR_INIT;
  int code = CLI_OK;
  if (asl_exec_start(m, input, &opts, on_done, ctx, &ctx->exec, &err) != ASL_OK) {
    fprintf(stderr, "aslrun: cannot replay: %s\n", err.cause ? err.cause : "cannot start");
    asl_error_clear(&err);
    uv_close((uv_handle_t *)&ctx->sigint, NULL);
    code = CLI_USAGE;
  }
  uv_run(&ctx->loop, UV_RUN_DEFAULT);
  asl_json_decref(input);
  asl_free(account);
  asl_free(region);
  asl_free(sm_name);
  asl_free(sm_arn);
  return code;
}

static int report(const replay_events *aws, const replay_events *local, const difference *d)
{
  if (!d->found) {
    printf("replay: no difference: %zu events, the same types, states, inputs and outputs as "
           "the history (%s)\n",
           aws->len, end_of(aws));
    return CLI_OK;
  }
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "replay: first difference at ");
  describe_event(&b, "AWS", d->aws);
  asl_buf_adds(&b, "\n  ");
  describe_event(&b, "local", d->local);
  asl_buf_printf(&b, "\n  %s: expected %s\n  %*s  actual   %s\n", d->field, d->expected,
                 (int)strlen(d->field), "", d->actual);
  asl_buf_printf(&b, "the history: %zu events, %s; the local run: %zu events, %s\n", aws->len,
                 end_of(aws), local->len, end_of(local));
  fwrite(b.data, 1, b.len, stdout);
  asl_buf_free(&b);
  return CLI_FAILED;
}

/* Every --live name must be a Task state: a misspelt one would silently replay as recorded. */
static bool live_states_exist(const replay_options *o, const asl_machine *m)
{
  bool ok = true;
  for (size_t i = 0; i < o->live.len; i++) {
    const char *name = o->live.items[i];
    if (cli_is_task_state(m, name))
      continue;
    fprintf(stderr, "aslrun: --live \"%s\": no Task state of %s has that name\n", name,
            o->machine_path);
    ok = false;
  }
  return ok;
}

static cli_handlers *open_handlers(const replay_options *o, uv_loop_t *loop)
{
  cli_handlers_opts hopts = {
      .config = o->config,
      .machine = o->machine_path,
      .payload_limit = o->exec.payload_limit,
  };
  return cli_handlers_open(loop, &hopts);
}

int cli_replay(int argc, char **argv, int first)
{
  replay_options o = {0};
  bool help = false;
  int code = parse_args(argc, argv, first, &o, &help);
  if (code != CLI_OK || help) {
    if (help)
      fputs(cli_help_replay, stdout);
    ASL_VEC_FREE(o.live);
    return code;
  }
  asl_json *doc = cli_read_json(o.history_path);
  asl_machine *m = doc ? cli_load_machine_with(o.machine_path, &o.exec.load, NULL) : NULL;
  if (m && !live_states_exist(&o, m)) {
    asl_machine_free(m);
    m = NULL;
  }
  if (!m) {
    asl_json_decref(doc);
    ASL_VEC_FREE(o.live);
    return CLI_USAGE;
  }
  replay_machine *rm = replay_machine_new(m);
  replay_events aws = {0};
  char *why = NULL;
  if (!replay_read_history(doc, rm, &aws, &why)) {
    fprintf(stderr, "aslrun: %s: %s\n", o.history_path, why);
    asl_free(why);
    replay_events_free(&aws);
    replay_machine_free(rm);
    asl_machine_free(m);
    asl_json_decref(doc);
    ASL_VEC_FREE(o.live);
    return CLI_USAGE;
  }
  answers as = {.o = &o};
  collect_answers(&aws, &as);

  run_ctx ctx = {0};
  cli_history *history = NULL;
  cli_trace *trace = NULL;
  cli_handlers *handlers = NULL;
  int rc = uv_loop_init(&ctx.loop);
  if (rc == 0) {
    uv_signal_init(&ctx.loop, &ctx.sigint);
    ctx.sigint.data = &ctx;
    uv_signal_start(&ctx.sigint, on_signal, SIGINT);
  }
  if (rc != 0) {
    fprintf(stderr, "aslrun: cannot start the event loop: %s\n", uv_strerror(rc));
    code = CLI_USAGE;
  } else if ((o.local_history && !(history = cli_history_open(o.local_history))) ||
             (o.live.len > 0 && !(handlers = open_handlers(&o, &ctx.loop)))) {
    uv_close((uv_handle_t *)&ctx.sigint, NULL);
    uv_run(&ctx.loop, UV_RUN_DEFAULT);
    code = CLI_USAGE;
  } else {
    trace = o.exec.trace ? cli_trace_open(stderr, o.exec.trace_json) : NULL;
    code = run_local(&o, m, &aws, &as, &ctx, history, trace,
                     handlers ? cli_handlers_registry(handlers) : NULL);
  }
  cli_handlers_close(handlers);
  if (rc == 0)
    uv_loop_close(&ctx.loop);
  cli_trace_close(trace);
  if (history && !cli_history_close(history) && code == CLI_OK)
    code = CLI_USAGE;

  if (code == CLI_OK && ctx.signal) {
    code = 128 + ctx.signal;
  } else if (code == CLI_OK) {
    replay_events local = {0};
    for (size_t i = 0; i < ctx.events.len; i++) {
      local_rec *r = &ctx.events.items[i];
      replay_event e = {.id = r->id,
                        .prev = r->prev,
                        .type = asl_event_type_name(r->type),
                        .details = r->details,
                        .state = r->state};
      ASL_VEC_PUSH(local, e);
    }
    replay_place(rm, &local, false);
    difference d = {0};
    compare(&aws, &local, &d);
    code = report(&aws, &local, &d);
    diff_clear(&d);
    replay_events_free(&local);
  }
  for (size_t i = 0; i < ctx.events.len; i++) {
    asl_free(ctx.events.items[i].state);
    asl_json_decref(ctx.events.items[i].details);
  }
  ASL_VEC_FREE(ctx.events);
  asl_exec_free(ctx.exec);
  answers_free(&as);
  replay_events_free(&aws);
  replay_machine_free(rm);
  asl_machine_free(m);
  asl_json_decref(doc);
  ASL_VEC_FREE(o.live);
  return code;
}
