/* The execution: options and identity (name, ARNs), start, the idle handle that drives ready
 * runs, stop and the state machine's TimeoutSeconds, the final status and result, and the
 * teardown that closes every handle before the done callback runs. The runs themselves are in
 * run.c, the clock in clock*.c. */
#include "internal.h"

#include <string.h>
#include <uthash.h>

const char *const asl__err_names[ASL__ERR_COUNT_] = {
#define X(id, name) name,
#include "errors.def"
#undef X
};

const char *asl_exec_status_name(asl_exec_status s)
{
  switch (s) {
  case ASL_EXEC_RUNNING:
    return "RUNNING";
  case ASL_EXEC_SUCCEEDED:
    return "SUCCEEDED";
  case ASL_EXEC_FAILED:
    return "FAILED";
  case ASL_EXEC_TIMED_OUT:
    return "TIMED_OUT";
  case ASL_EXEC_ABORTED:
    return "ABORTED";
  }
  return "?";
}

/* ------------------------------------------------------------------ identity ---- */

#define DEFAULT_PARTITION "aws"
#define DEFAULT_REGION "us-east-1"
#define DEFAULT_ACCOUNT "123456789012"
#define MAX_NAME 80

static void random_bytes(void *buf, size_t n)
{
  if (uv_random(NULL, NULL, buf, n, 0, NULL) == 0)
    return;
  /* no entropy source: names and random numbers need only be unlikely to repeat */
  uint64_t x = uv_hrtime() ^ (uint64_t)(uintptr_t)buf;
  unsigned char *p = buf;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (unsigned char)x;
  }
}

/* A version 4 UUID from the execution's random source, as StartExecution names an execution when
 * no name is given. */
static char *new_uuid(asl_exec *e)
{
  unsigned char b[16];
  uint64_t hi = asl__exec_random(e);
  uint64_t lo = asl__exec_random(e);
  for (int i = 0; i < 8; i++) {
    b[i] = (unsigned char)(hi >> (8 * i));
    b[8 + i] = (unsigned char)(lo >> (8 * i));
  }
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  return asl_strfmt("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                    b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                    b[13], b[14], b[15]);
}

/* StartExecution's rule for names: 1 to 80 characters, none of whitespace, < > { } [ ] ? * " #
 * % \ ^ | ~ ` $ & , ; : / or control characters. AWS counts characters as Java does (UTF-16
 * code units, as aslrun serve's parameter checks and state names), not bytes: "café" is 4. */
static bool check_name(const char *what, const char *name, asl_error *err)
{
  size_t n = strlen(name);
  if (!asl_utf8_valid(name, n))
    return asl_error_set(err, ASL_E_USAGE, NULL, "%s is not valid UTF-8", what) == ASL_OK;
  size_t chars = asl_utf16_len(name, n);
  if (n == 0 || chars > MAX_NAME)
    return asl_error_set(err, ASL_E_USAGE, NULL, "%s must have 1 to %d characters, not %zu", what,
                         MAX_NAME, chars) == ASL_OK;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c <= 0x20 || c == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", c)) {
      if (c <= 0x20 || c == 0x7F)
        asl_error_set(err, ASL_E_USAGE, NULL,
                      "%s \"%s\" contains a space or control character, which AWS does not "
                      "allow in names",
                      what, name);
      else
        asl_error_set(err, ASL_E_USAGE, NULL,
                      "%s \"%s\" contains '%c', which AWS does not allow in names", what, name,
                      c);
      return false;
    }
  }
  return true;
}

typedef struct arn_parts {
  char *partition;
  char *region;
  char *account;
  char *name;
} arn_parts;

static void arn_parts_free(arn_parts *p)
{
  asl_free(p->partition);
  asl_free(p->region);
  asl_free(p->account);
  asl_free(p->name);
}

/* arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME */
static bool parse_sm_arn(const char *arn, arn_parts *out, asl_error *err)
{
  const char *f[7];
  size_t len[7];
  const char *p = arn;
  for (int i = 0; i < 7; i++) {
    const char *colon = i < 6 ? strchr(p, ':') : NULL;
    f[i] = p;
    len[i] = colon ? (size_t)(colon - p) : strlen(p);
    if (i < 6 && !colon)
      goto bad;
    p = colon ? colon + 1 : p + len[i];
  }
  if (len[0] != 3 || memcmp(f[0], "arn", 3) != 0 || len[1] == 0 || len[2] != 6 ||
      memcmp(f[2], "states", 6) != 0 || len[3] == 0 || len[4] == 0 || len[5] != 12 ||
      memcmp(f[5], "stateMachine", 12) != 0 || len[6] == 0)
    goto bad;
  out->partition = asl_strndup(f[1], len[1]);
  out->region = asl_strndup(f[3], len[3]);
  out->account = asl_strndup(f[4], len[4]);
  out->name = asl_strndup(f[6], len[6]);
  if (!check_name("the state machine name in the ARN", out->name, err)) {
    arn_parts_free(out);
    return false;
  }
  return true;
bad:
  asl_error_set(err, ASL_E_USAGE, NULL,
                "\"%s\" is not a state machine ARN; write it as "
                "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME",
                arn);
  return false;
}

static bool set_identity(asl_exec *e, const asl_exec_opts *o, asl_error *err)
{
  arn_parts parts = {0};
  if (o->state_machine_arn) {
    if (!parse_sm_arn(o->state_machine_arn, &parts, err))
      return false;
    e->sm_arn = asl_strdup(o->state_machine_arn);
  } else {
    const char *name = o->state_machine_name ? o->state_machine_name : "StateMachine";
    if (!check_name("the state machine name", name, err))
      return false;
    parts.partition = asl_strdup(DEFAULT_PARTITION);
    parts.region = asl_strdup(DEFAULT_REGION);
    parts.account = asl_strdup(DEFAULT_ACCOUNT);
    parts.name = asl_strdup(name);
    e->sm_arn = asl_strfmt("arn:%s:states:%s:%s:stateMachine:%s", parts.partition, parts.region,
                           parts.account, parts.name);
  }
  if (o->name) {
    if (!check_name("the execution name", o->name, err)) {
      arn_parts_free(&parts);
      return false;
    }
    e->name = asl_strdup(o->name);
  } else {
    e->name = new_uuid(e);
  }
  e->sm_name = asl_strdup(parts.name);
  e->region = asl_strdup(parts.region);
  e->account = asl_strdup(parts.account);
  if (o->express) {
    /* an Express execution's ARN ends with a UUID of its own: its name need not be unique */
    char *id = new_uuid(e);
    e->arn = asl_strfmt("arn:%s:states:%s:%s:express:%s:%s:%s", parts.partition, parts.region,
                        parts.account, parts.name, e->name, id);
    asl_free(id);
  } else {
    e->arn = asl_strfmt("arn:%s:states:%s:%s:execution:%s:%s", parts.partition, parts.region,
                        parts.account, parts.name, e->name);
  }
  if (o->role_arn)
    e->role_arn = asl_strdup(o->role_arn);
  else
    e->role_arn = asl_strfmt("arn:%s:iam::%s:role/StepFunctionsExecutionRole", parts.partition,
                             parts.account);
  arn_parts_free(&parts);
  return true;
}

/* -------------------------------------------------------------------- handles ---- */

static void on_handle_closed(void *data)
{
  asl_exec *e = data;
  if (--e->open_handles == 0 && e->done)
    e->done(e, e->done_data);
}

static void on_idle_closed(uv_handle_t *h)
{
  on_handle_closed(h->data);
}

static void idle_off(asl_exec *e)
{
  if (!e->idle_active)
    return;
  e->idle_active = false;
  uv_idle_stop(&e->idle);
  asl__clock_release(&e->clock);
}

static void on_idle(uv_idle_t *h);

void asl__exec_kick(asl_exec *e)
{
  if (e->finished || e->idle_active)
    return;
  e->idle_active = true;
  int rc = uv_idle_start(&e->idle, on_idle);
  (void)rc; /* fails only on a closing handle, and a finished execution never kicks */
  asl__clock_hold(&e->clock);
}

static void on_idle(uv_idle_t *h)
{
  asl_exec *e = h->data;
  e->burst = 0;
  if (e->stop_pending) {
    e->stop_pending = false;
    asl__run_cancel(e->top);
  }
  /* only the runs ready now: one that yields again waits for the next turn */
  asl_run *list = e->ready_head;
  e->ready_head = e->ready_tail = NULL;
  while (list && !e->finished) {
    asl_run *r = list;
    list = r->next_ready;
    r->next_ready = NULL;
    r->queued = false;
    asl__run_drive(r);
  }
  if (!e->finished && !e->ready_head && !e->stop_pending)
    idle_off(e);
}

/* ------------------------------------------------------------------- lifecycle ---- */

static void finish(asl_exec *e)
{
  asl_run *top = e->top;
  switch (top->status) {
  case ASL_EXEC_SUCCEEDED:
    e->status = ASL_EXEC_SUCCEEDED;
    e->output = top->result;
    top->result = NULL;
    break;
  case ASL_EXEC_FAILED:
    e->status = ASL_EXEC_FAILED;
    e->error = top->error.name ? asl_strdup(top->error.name) : NULL;
    e->cause = top->error.cause ? asl_strdup(top->error.cause) : NULL;
    break;
  case ASL_EXEC_ABORTED:
  case ASL_EXEC_TIMED_OUT:
  case ASL_EXEC_RUNNING:
    switch (e->stop) {
    case ASL__STOP_TIMEOUT:
      /* TIMED_OUT has no error and no cause (timeouts/test_global_timeout.json) */
      e->status = ASL_EXEC_TIMED_OUT;
      break;
    case ASL__STOP_DURATION:
      /* the quota page: "it will fail with a States.Timeout error" (no cause is documented) */
      e->status = ASL_EXEC_TIMED_OUT;
      e->error = asl_strdup(ASL__ERR(TIMEOUT));
      break;
    case ASL__STOP_HISTORY:
    case ASL__STOP_NONE:
    case ASL__STOP_ABORT:
      e->status = ASL_EXEC_ABORTED;
      e->error = e->stop_error ? asl_strdup(e->stop_error) : NULL;
      e->cause = e->stop_cause ? asl_strdup(e->stop_cause) : NULL;
      break;
    }
    break;
  }
  int64_t last_id = top->last_event_id;
  /* the final event itself may be the one the quota forbids */
  if (e->seq.last_id + 1 >= e->quotas.max_history_events && e->status != ASL_EXEC_SUCCEEDED)
    e->history_full = true;
  if (e->history_full) {
    /* whatever the run did after the quota, AWS's event number N is ExecutionFailed, following
     * event N - 1 (bp-history-limit.html; a recorded history ends so) */
    asl_free(e->error);
    asl_free(e->cause);
    asl_json_decref(e->output);
    e->output = NULL;
    e->status = ASL_EXEC_FAILED;
    e->error = asl_strdup(ASL__ERR(RUNTIME));
    e->cause = asl_strfmt("The execution reached the maximum number of history events (%lld).",
                          (long long)e->quotas.max_history_events);
    e->seq.last_id = e->quotas.max_history_events - 1;
    last_id = e->seq.last_id;
  }
  e->ending = true;
  e->stop_ms = asl__clock_now(&e->clock);
  asl__event_execution_end(e, last_id);
  asl__clock_timer_stop(&e->clock, &e->timeout_timer);
  idle_off(e);
  e->finished = true;
  uv_close((uv_handle_t *)&e->idle, on_idle_closed);
  asl__clock_close(&e->clock, on_handle_closed, e);
}

static void on_top_done(asl_run *r)
{
  finish(r->exec);
}

static void request_stop(asl_exec *e, asl__stop why, const char *error, const char *cause)
{
  if (e->finished || e->stop != ASL__STOP_NONE)
    return;
  e->stop = why;
  e->stop_error = error ? asl_strdup(error) : NULL;
  e->stop_cause = cause ? asl_strdup(cause) : NULL;
  e->stop_pending = true;
  asl__exec_kick(e);
}

static void on_timeout(asl__timer *t)
{
  asl_exec *e = t->data;
  request_stop(e, e->timeout_kind, NULL, NULL);
}

bool asl__exec_history_allows(asl_exec *e, int64_t id, asl_event_type type)
{
  if (e->ending)
    return true;
  if (e->history_full)
    return false;
  if (id < e->quotas.max_history_events || type == ASL_EVENT_EXECUTION_SUCCEEDED)
    return true;
  e->history_full = true;
  request_stop(e, ASL__STOP_HISTORY, NULL, NULL);
  return false;
}

/* ------------------------------------------------------------- invocations ---- */

typedef struct asl__invocations {
  const asl_state *state;
  uint64_t count;
  UT_hash_handle hh;
} asl__invocations;

uint64_t asl__exec_next_invocation(asl_exec *e, const asl_state *st)
{
  asl__invocations *c = NULL;
  HASH_FIND_PTR(e->invocations, &st, c);
  if (!c) {
    c = asl_calloc(1, sizeof *c);
    c->state = st;
    HASH_ADD_PTR(e->invocations, state, c);
  }
  return c->count++;
}

/* SplitMix64: spreads a seed (0, 1, 2, ... as people pick them) over the whole state. */
static uint64_t splitmix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t asl__exec_random(asl_exec *e)
{
  uint64_t x = e->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  e->rng = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static void free_invocations(asl_exec *e)
{
  asl__invocations *c, *tmp;
  HASH_ITER(hh, e->invocations, c, tmp)
  {
    HASH_DEL(e->invocations, c);
    asl_free(c);
  }
}

static void free_fields(asl_exec *e)
{
  asl__run_free(e->top);
  free_invocations(e);
  asl__tokens_free(e);
  asl_json_decref(e->input);
  asl_json_decref(e->output);
  asl_json_decref(e->ctx_execution);
  asl_json_decref(e->ctx_state_machine);
  asl_free(e->error);
  asl_free(e->cause);
  asl_free(e->name);
  asl_free(e->arn);
  asl_free(e->sm_arn);
  asl_free(e->sm_name);
  asl_free(e->role_arn);
  asl_free(e->region);
  asl_free(e->account);
  asl_free(e->stop_error);
  asl_free(e->stop_cause);
  asl_free(e->sinks);
  asl_free(e);
}

static int64_t quota(int64_t given, int64_t aws)
{
  return given > 0 ? given : aws;
}

static asl_exec_quotas resolve_quotas(const asl_exec_quotas *q)
{
  asl_exec_quotas r = {
      quota(q->max_history_events, ASL_MAX_HISTORY_EVENTS_AWS),
      quota(q->max_duration_seconds, ASL_MAX_DURATION_SECONDS_AWS),
      quota(q->inline_map_concurrency, ASL_INLINE_MAP_CONCURRENCY_AWS),
      quota(q->distributed_map_concurrency, ASL_DISTRIBUTED_MAP_CONCURRENCY_AWS),
  };
  /* a duration in milliseconds must fit the clock's int64 arithmetic */
  if (r.max_duration_seconds != ASL_QUOTA_NONE && r.max_duration_seconds > INT64_MAX / 4000)
    r.max_duration_seconds = ASL_QUOTA_NONE;
  return r;
}

/* The machine's TimeoutSeconds from [from_ms], or the maximum execution time (counted from the
 * start, a redrive included) when that comes first. */
static void start_timeout(asl_exec *e, int64_t from_ms)
{
  int64_t limit_s = e->quotas.max_duration_seconds;
  int64_t due = limit_s == ASL_QUOTA_NONE ? INT64_MAX : e->start_ms + limit_s * 1000;
  e->timeout_kind = ASL__STOP_DURATION;
  int64_t own = e->machine->timeout_seconds;
  if (own > 0 && own <= limit_s && from_ms + own * 1000 <= due) {
    due = from_ms + own * 1000;
    e->timeout_kind = ASL__STOP_TIMEOUT;
  }
  if (due == INT64_MAX)
    return;
  asl_error terr = ASL_ERROR_INIT;
  /* cannot fail: only a closed clock refuses timers */
  asl__clock_timer_start(&e->clock, &e->timeout_timer, due, &terr);
  asl_error_clear(&terr);
}

asl_status asl__exec_reopen(asl_exec *e, asl_exec_done_cb cb, void *data, asl_error *err)
{
  if (asl__clock_reopen(&e->clock, err) != ASL_OK)
    return err->code;
  int rc = uv_idle_init(e->loop, &e->idle);
  if (rc < 0) {
    e->open_handles = 1;
    e->done = NULL;
    /* the clock's handle is open again: close it, and free nothing (the execution stays) */
    asl__clock_close(&e->clock, on_handle_closed, e);
    return asl_error_set(err, ASL_E_IO, NULL, "cannot redrive the execution: %s",
                         uv_strerror(rc));
  }
  e->idle.data = e;
  e->idle_active = false;
  e->open_handles = 2;
  e->done = cb;
  e->done_data = data;
  e->finished = false;
  e->ending = false;
  e->status = ASL_EXEC_RUNNING;
  asl_json_decref(e->output);
  e->output = NULL;
  asl_free(e->error);
  asl_free(e->cause);
  e->error = e->cause = NULL;
  asl_free(e->stop_error);
  asl_free(e->stop_cause);
  e->stop_error = e->stop_cause = NULL;
  e->stop = ASL__STOP_NONE;
  e->stop_pending = false;
  e->stop_ms = 0;
  start_timeout(e, asl__clock_now(&e->clock));
  return ASL_OK;
}

static void on_failed_start_closed(uv_handle_t *h)
{
  free_fields(h->data);
}

asl_status asl_exec_start(const asl_machine *m, const asl_json *input, const asl_exec_opts *opts,
                          asl_exec_done_cb cb, void *data, asl_exec **out, asl_error *err)
{
  *out = NULL;
  if (!opts || !opts->loop || !cb)
    return asl_error_set(err, ASL_E_USAGE, NULL,
                         "asl_exec_start needs options with a loop, and a done callback");
  if (!opts->virtual_time && opts->start_time_ms != 0)
    return asl_error_set(err, ASL_E_USAGE, NULL,
                         "a start time can only be chosen in virtual time");
  if (opts->quotas.max_history_events == 1)
    return asl_error_set(err, ASL_E_USAGE, NULL,
                         "the maximum number of history events must be at least 2: "
                         "ExecutionStarted is event 1");
  if (opts->variables && !asl_json_is_object(opts->variables))
    return asl_error_set(err, ASL_E_USAGE, NULL,
                         "the variables an execution starts with must be an object, name -> "
                         "value");
  size_t limit = opts->payload_limit ? opts->payload_limit : ASL_PAYLOAD_LIMIT_AWS;
  if (limit != SIZE_MAX && asl_json_size(input) > limit)
    return asl_error_set(err, ASL_E_LIMIT, ASL__ERR(DATA_LIMIT_EXCEEDED),
                         "the execution input is %zu bytes, more than the payload limit of %zu "
                         "bytes",
                         asl_json_size(input), limit);

  asl_exec *e = asl_calloc(1, sizeof *e);
  e->machine = m;
  e->loop = opts->loop;
  e->status = ASL_EXEC_RUNNING;
  e->payload_limit = limit;
  e->input = asl_json_incref(input);
  e->done = cb;
  e->done_data = data;
  e->handlers = opts->handlers;
  e->answer = opts->answer;
  e->answer_data = opts->answer_data;
  e->express = opts->express;
  if (opts->task_tokens) {
    e->has_token_sink = true;
    e->token_sink = *opts->task_tokens;
  }
  e->quotas = resolve_quotas(&opts->quotas);
  if (opts->has_seed)
    e->seed = opts->seed;
  else
    random_bytes(&e->seed, sizeof e->seed);
  e->rng = splitmix64(e->seed);
  e->rng |= 1; /* never the all-zero state */
  if (!set_identity(e, opts, err)) {
    free_fields(e);
    return err->code;
  }
  if (opts->sink_count > 0) {
    e->sinks = asl_alloc(opts->sink_count * sizeof *e->sinks);
    memcpy(e->sinks, opts->sinks, opts->sink_count * sizeof *e->sinks);
    e->sink_count = opts->sink_count;
  }
  asl_status st = asl__clock_init(&e->clock, e->loop, opts->virtual_time,
                                  opts->virtual_time && opts->exact_time, opts->start_time_ms, err);
  if (st != ASL_OK) {
    free_fields(e);
    return st;
  }
  int rc = uv_idle_init(e->loop, &e->idle);
  if (rc < 0) {
    asl_error_set(err, ASL_E_IO, NULL, "cannot start the execution: %s", uv_strerror(rc));
    e->clock.uvt.data = e;
    uv_close((uv_handle_t *)&e->clock.uvt, on_failed_start_closed);
    return err->code;
  }
  e->idle.data = e;
  e->open_handles = 2;
  e->timeout_timer.slot = ASL__TIMER_IDLE;
  e->timeout_timer.cb = on_timeout;
  e->timeout_timer.data = e;

  e->start_ms = asl__clock_now(&e->clock);
  asl__context_init(e);
  asl__event_execution_started(e);
  start_timeout(e, e->start_ms);
  e->top = asl__run_new(e, NULL, &m->top, input, on_top_done, NULL);
  /* shared, never changed in place: the first assignment copies it (vars.c) */
  e->top->vars = asl_json_incref(opts->variables);
  asl__run_post(e->top);
  *out = e;
  return ASL_OK;
}

void asl_exec_stop(asl_exec *e, const char *error, const char *cause)
{
  request_stop(e, ASL__STOP_ABORT, error, cause);
}

void asl_exec_free(asl_exec *e)
{
  if (!e)
    return;
  free_fields(e);
}

int64_t asl_exec_redrive_count(const asl_exec *e)
{
  return e->redrive_count;
}

int64_t asl_exec_redrive_ms(const asl_exec *e)
{
  return e->redrive_ms;
}

asl_exec_status asl_exec_status_of(const asl_exec *e)
{
  return e->status;
}

const asl_json *asl_exec_output(const asl_exec *e)
{
  return e->status == ASL_EXEC_SUCCEEDED ? e->output : NULL;
}

const char *asl_exec_error(const asl_exec *e)
{
  return e->error;
}

const char *asl_exec_cause(const asl_exec *e)
{
  return e->cause;
}

const char *asl_exec_name(const asl_exec *e)
{
  return e->name;
}

const char *asl_exec_arn(const asl_exec *e)
{
  return e->arn;
}

int64_t asl_exec_start_ms(const asl_exec *e)
{
  return e->start_ms;
}

int64_t asl_exec_stop_ms(const asl_exec *e)
{
  return e->stop_ms;
}

uint64_t asl_exec_seed(const asl_exec *e)
{
  return e->seed;
}
