/* The registry: resolves a Task to what serves it (a MockConfigFile test case, an inline mock,
 * or a configured function), owns every pending call, and delivers each result exactly once from
 * the loop (an idle handle drains a queue, so a callback never runs inside asl_task_invoke or
 * asl_task_cancel). Mock responses are answered here; function kinds live in their own files and
 * their answers go through lambda.c. */
#include <string.h>

#include "curl_uv.h"
#include "internal.h"

struct asl_handlers {
  uv_loop_t *loop;
  asl__config cfg;
  bool have_config;
  asl__mockfile mocks;
  bool have_mocks;
  bool cold;
  char *lambda_endpoint;
  asl__fn *endpoint_fn; /* serves unmapped functions at lambda_endpoint (http_lambda.c) */
  asl__http *http;      /* created when the first HTTP call starts */
  size_t payload_limit;
  uint64_t rng[2];
  uv_idle_t idle;
  bool idle_active;
  asl_task_call *queue_head, *queue_tail;
  asl_task_call *live; /* every call not yet freed */
  int held;            /* open handles of handlers that free must wait for */
  bool freeing;
};

/* ---- small services for the handlers ---- */

uv_loop_t *asl__handlers_loop(asl_handlers *h)
{
  return h->loop;
}

bool asl__handlers_cold(asl_handlers *h)
{
  return h->cold;
}

size_t asl__handlers_payload_limit(asl_handlers *h)
{
  return h->payload_limit;
}

bool asl__handlers_freeing(asl_handlers *h)
{
  return h->freeing;
}

void asl__handlers_hold(asl_handlers *h)
{
  h->held++;
}

void asl__handlers_release(asl_handlers *h)
{
  h->held--;
}

static void hold_cb(void *h)
{
  asl__handlers_hold(h);
}

static void release_cb(void *h)
{
  asl__handlers_release(h);
}

asl__http *asl__handlers_http(asl_handlers *h, asl_error *err)
{
  if (!h->http)
    h->http = asl__http_new(h->loop, hold_cb, release_cb, h, err);
  return h->http;
}

static uint64_t next_random(asl_handlers *h)
{
  /* xorshift128+: request ids need to be unique and look random, not to be secret */
  uint64_t s1 = h->rng[0];
  const uint64_t s0 = h->rng[1];
  h->rng[0] = s0;
  s1 ^= s1 << 23;
  h->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
  return h->rng[1] + s0;
}

static void uuid_of(uint64_t a, uint64_t b, char out[37])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char bytes[16];
  for (int i = 0; i < 8; i++) {
    bytes[i] = (unsigned char)(a >> (8 * i));
    bytes[8 + i] = (unsigned char)(b >> (8 * i));
  }
  bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40); /* version 4 */
  bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  size_t o = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[o++] = '-';
    out[o++] = hex[bytes[i] >> 4];
    out[o++] = hex[bytes[i] & 15];
  }
  out[o] = '\0';
}

void asl__handlers_uuid(asl_handlers *h, char out[37])
{
  uint64_t a = next_random(h);
  uint64_t b = next_random(h);
  uuid_of(a, b, out);
}

/* A request id made from the execution's draw [r] (SplitMix64 twice), so that a seeded
 * execution sees the same ids again. */
static void uuid_from_draw(uint64_t r, char out[37])
{
  uint64_t w[2];
  for (int i = 0; i < 2; i++) {
    uint64_t x = (r += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    w[i] = x ^ (x >> 31);
  }
  uuid_of(w[0], w[1], out);
}

static const char *fault_name(asl_task_fault f)
{
  switch (f) {
  case ASL_TASK_FAULT_NONE:
    return "none";
  case ASL_TASK_FAULT_CRASH:
    return "crash";
  case ASL_TASK_FAULT_HANG:
    return "hang";
  case ASL_TASK_FAULT_OOM:
    return "oom";
  case ASL_TASK_FAULT_HTTP_429:
    return "http:429";
  case ASL_TASK_FAULT_HTTP_500:
    return "http:500";
  }
  return "?";
}

/* An injected fault needs the real handler it acts in: a process for crash, hang and oom, an
 * HTTP endpoint for the status codes. */
static bool fault_fits(asl_task_fault f, asl__fn_kind kind)
{
  switch (f) {
  case ASL_TASK_FAULT_NONE:
    return true;
  case ASL_TASK_FAULT_CRASH:
  case ASL_TASK_FAULT_HANG:
  case ASL_TASK_FAULT_OOM:
    return kind == ASL_FN_PYTHON || kind == ASL_FN_COMMAND;
  case ASL_TASK_FAULT_HTTP_429:
  case ASL_TASK_FAULT_HTTP_500:
    return kind == ASL_FN_LAMBDA;
  }
  return false;
}

static const char *fault_needs(asl_task_fault f)
{
  return f == ASL_TASK_FAULT_HTTP_429 || f == ASL_TASK_FAULT_HTTP_500
             ? "a Lambda function invoked over HTTP (\"lambda\" in aslrun.json, or "
               "--lambda-endpoint)"
             : "a Python or command function (\"python\" or \"command\" in aslrun.json)";
}

/* ---- calls ---- */

static void call_clear_result(asl_task_call *c)
{
  asl_json_decref(c->result.value);
  c->result.value = NULL;
  if (c->own_error) {
    asl_error_clear(&c->result.error);
  } else {
    c->result.error = (asl_error)ASL_ERROR_INIT;
  }
  c->own_error = false;
}

static void call_free(asl_task_call *c)
{
  asl_handlers *h = c->reg;
  if (c->live_prev)
    c->live_prev->live_next = c->live_next;
  else
    h->live = c->live_next;
  if (c->live_next)
    c->live_next->live_prev = c->live_prev;
  call_clear_result(c);
  asl_free(c->log);
  asl_free(c->event);
  asl_free(c->state_name);
  asl_free(c->executed_version);
  asl_free(c->raw_payload);
  asl__lambda_target_free(&c->target);
  asl_free(c);
}

static void call_unref(asl_task_call *c)
{
  if (--c->refs == 0)
    call_free(c);
}

static void on_idle(uv_idle_t *idle);

static void enqueue(asl_task_call *c)
{
  asl_handlers *h = c->reg;
  c->phase = ASL_CALL_QUEUED;
  c->next = NULL;
  if (h->queue_tail)
    h->queue_tail->next = c;
  else
    h->queue_head = c;
  h->queue_tail = c;
  if (!h->idle_active) {
    uv_idle_start(&h->idle, on_idle); /* cannot fail on an initialised idle handle */
    h->idle_active = true;
  }
}

static void on_idle(uv_idle_t *idle)
{
  asl_handlers *h = idle->data;
  /* this turn's batch only: calls queued by the callbacks wait for the next turn, so timers
   * and I/O keep their place between them */
  asl_task_call *c = h->queue_head;
  h->queue_head = h->queue_tail = NULL;
  while (c) {
    asl_task_call *next = c->next;
    c->phase = ASL_CALL_DONE;
    c->cb(c->data, &c->result);
    call_unref(c);
    c = next;
  }
  if (!h->queue_head) {
    uv_idle_stop(&h->idle);
    h->idle_active = false;
  }
}

void asl__call_complete(asl_task_call *c)
{
  if (c->handler_busy) {
    c->handler_busy = false;
    c->refs--; /* the handler's reference; the queue keeps the registry's */
  }
  if (c->canceled || c->reg->freeing) {
    /* the caller was already told (ASL_E_CANCELED) or no longer listens */
    if (c->phase == ASL_CALL_RUNNING)
      call_clear_result(c);
    if (c->refs == 0)
      call_free(c);
    return;
  }
  if (c->started_ns)
    c->result.duration_ms = (double)(uv_hrtime() - c->started_ns) / 1e6;
  enqueue(c);
}

void asl__call_release(asl_task_call *c)
{
  asl__call_complete(c);
}

bool asl__call_ignored(asl_task_call *c)
{
  if (!c->canceled && !c->reg->freeing)
    return false;
  asl__call_complete(c);
  return true;
}

void asl__call_fail(asl_task_call *c, const char *name, const char *fmt, ...)
{
  if (asl__call_ignored(c))
    return;
  call_clear_result(c);
  va_list ap;
  va_start(ap, fmt);
  c->result.status = ASL_E_HANDLER;
  asl_error_vset(&c->result.error, ASL_E_HANDLER, name, fmt, ap);
  va_end(ap);
  c->own_error = true;
  asl__call_complete(c);
}

void asl__call_succeed(asl_task_call *c, asl_json *value)
{
  if (asl__call_ignored(c)) {
    asl_json_decref(value);
    return;
  }
  call_clear_result(c);
  c->result.status = ASL_OK;
  c->result.value = value;
  asl__call_complete(c);
}

/* ---- building and freeing ---- */

static const asl__fn_ops *ops_for(asl__fn_kind kind)
{
  switch (kind) {
  case ASL_FN_PYTHON:
    return &asl__python_ops;
  case ASL_FN_COMMAND:
    return &asl__process_ops;
  case ASL_FN_LAMBDA:
    return &asl__lambda_http_ops;
  }
  return NULL;
}

static void endpoint_fn_free(asl__fn *f)
{
  if (!f)
    return;
  if (f->ops && f->ops->fn_free)
    f->ops->fn_free(f);
  asl_free(f->name);
  asl_free(f->endpoint);
  asl_free(f);
}

asl_handlers *asl_handlers_new(const asl_handlers_opts *opts, asl_error *err)
{
  if (!opts || !opts->loop) {
    asl_error_set(err, ASL_E_USAGE, NULL, "asl_handlers_new needs a loop");
    return NULL;
  }
  asl_handlers *h = asl_calloc(1, sizeof *h);
  h->loop = opts->loop;
  h->cold = opts->cold;
  h->payload_limit = opts->payload_limit ? opts->payload_limit : 262144;
  if (opts->lambda_endpoint) {
    const char *why = asl__endpoint_problem(opts->lambda_endpoint);
    if (why) {
      asl_error_set(err, ASL_E_USAGE, NULL, "the Lambda endpoint \"%s\" %s",
                    opts->lambda_endpoint, why);
      asl_free(h);
      return NULL;
    }
    h->lambda_endpoint = asl_strdup(opts->lambda_endpoint);
    /* every unmapped function goes to this endpoint, with the standard credentials chain */
    asl__fn *f = asl_calloc(1, sizeof *f);
    f->name = asl_strdup("(--lambda-endpoint)");
    f->kind = ASL_FN_LAMBDA;
    f->endpoint = asl_strdup(opts->lambda_endpoint);
    f->reg = h;
    f->ops = &asl__lambda_http_ops;
    h->endpoint_fn = f;
  }
  if (uv_random(NULL, NULL, h->rng, sizeof h->rng, 0, NULL) != 0) {
    /* no entropy source: ids only need to differ within a run */
    h->rng[0] = uv_hrtime() | 1;
    h->rng[1] = (uint64_t)(uintptr_t)h ^ 0x9E3779B97F4A7C15ull;
  }
  if (opts->config) {
    if (asl__config_load(h, opts->config, opts->config_dir, &h->cfg, err) != ASL_OK)
      goto fail;
    h->have_config = true;
    asl__fn *f, *ft;
    HASH_ITER(hh, h->cfg.fns, f, ft)
    {
      f->ops = ops_for(f->kind);
    }
  }
  if (opts->mock_config) {
    if (asl__mockfile_load(opts->mock_config, opts->state_machine_name, opts->test_case, &h->mocks,
                           err) != ASL_OK)
      goto fail;
    h->have_mocks = true;
  } else if (opts->test_case) {
    asl_error_set(err, ASL_E_USAGE, NULL,
                  "a test case (\"%s\") was named without a mock config (--mock-config FILE)",
                  opts->test_case);
    goto fail;
  }
  int rc = uv_idle_init(h->loop, &h->idle);
  if (rc < 0) {
    asl_error_set(err, ASL_E_IO, NULL, "cannot start the handler registry: %s", uv_strerror(rc));
    goto fail;
  }
  h->idle.data = h;
  return h;
fail:
  asl__config_free(&h->cfg);
  asl__mockfile_free(&h->mocks);
  endpoint_fn_free(h->endpoint_fn);
  asl_free(h->lambda_endpoint);
  asl_free(h);
  return NULL;
}

static void on_idle_closed(uv_handle_t *handle)
{
  asl_handlers *h = handle->data;
  h->held--;
}

void asl_handlers_free(asl_handlers *h)
{
  if (!h)
    return;
  h->freeing = true;
  /* results not yet delivered are dropped: their callers are going away */
  while (h->queue_head) {
    asl_task_call *c = h->queue_head;
    h->queue_head = c->next;
    c->phase = ASL_CALL_DONE;
    call_unref(c);
  }
  h->queue_tail = NULL;
  /* running calls are stopped; their handlers release them when their processes are gone */
  for (asl_task_call *c = h->live; c;) {
    asl_task_call *next = c->live_next;
    if (c->phase == ASL_CALL_RUNNING && c->handler_busy && c->fn && c->fn->ops &&
        c->fn->ops->cancel) {
      c->refs++;
      c->fn->ops->cancel(c);
      next = c->live_next;
      call_unref(c);
    }
    c = next;
  }
  asl__fn *f, *ft;
  HASH_ITER(hh, h->cfg.fns, f, ft)
  {
    if (f->ops && f->ops->fn_free)
      f->ops->fn_free(f); /* stops its workers; must leave f->impl NULL */
  }
  if (h->endpoint_fn && h->endpoint_fn->ops->fn_free)
    h->endpoint_fn->ops->fn_free(h->endpoint_fn);
  asl__http_close(h->http); /* its handles are counted in held */
  uv_idle_stop(&h->idle);
  h->held++;
  uv_close((uv_handle_t *)&h->idle, on_idle_closed);
  while (h->held > 0) {
    /* a loop with nothing left to run while handles are counted open would be our bug: stop
     * rather than spin */
    if (uv_run(h->loop, UV_RUN_ONCE) == 0 && h->held > 0 && uv_run(h->loop, UV_RUN_NOWAIT) == 0)
      break;
  }
  /* calls still referenced only by the registry (never delivered) */
  while (h->live) {
    asl_task_call *c = h->live;
    c->handler_busy = false;
    call_free(c);
  }
  asl__config_free(&h->cfg);
  asl__mockfile_free(&h->mocks);
  endpoint_fn_free(h->endpoint_fn);
  asl_free(h->lambda_endpoint);
  asl_free(h);
}

/* ---- resolving a Task ---- */

static const asl__state_mock *find_mock(const asl_handlers *h, const char *state)
{
  asl__state_mock *m = NULL;
  size_t n = strlen(state);
  if (h->have_mocks)
    HASH_FIND(hh, h->mocks.states, state, n, m);
  if (!m && h->have_config)
    HASH_FIND(hh, h->cfg.inline_mocks, state, n, m);
  return m;
}

static asl__fn *find_fn(const asl_handlers *h, const char *name)
{
  asl__fn *f = NULL;
  if (h->have_config)
    HASH_FIND(hh, h->cfg.fns, name, strlen(name), f);
  return f;
}

asl__fn *asl__handlers_find_fn(asl_handlers *h, const char *name)
{
  return find_fn(h, name);
}

static bool is_callback_resource(const char *resource)
{
  static const char suffix[] = ".waitForTaskToken";
  size_t n = strlen(resource);
  return n > sizeof suffix - 1 && strcmp(resource + n - (sizeof suffix - 1), suffix) == 0;
}

asl_callback_service asl_handlers_callback(asl_handlers *h, const char *state_name,
                                           asl_task_style style)
{
  if (find_mock(h, state_name))
    return ASL_CALLBACK_MOCK;
  /* a config with mocks only maps no function: its callback Tasks wait, as with no config */
  if (style == ASL_TASK_LAMBDA_INVOKE && (h->lambda_endpoint || HASH_COUNT(h->cfg.fns) > 0))
    return ASL_CALLBACK_FUNCTION;
  return ASL_CALLBACK_WAIT;
}

static void how_to_configure(asl_buf *b, const char *state, const char *fn)
{
  asl_buf_printf(b,
                 "; map the function in aslrun.json, e.g. {\"functions\": {\"%s\": {\"python\": "
                 "\"dir/module.handler\"}}} or {\"command\": [\"./program\"]}, or mock the state: "
                 "{\"mocks\": {\"%s\": {\"Return\": ...}}} in aslrun.json, or --mock-config FILE "
                 "--test-case NAME",
                 fn, state);
}

asl_status asl_handlers_check(asl_handlers *h, const char *state_name, const char *resource,
                              asl_task_style style, asl_error *err)
{
  if (find_mock(h, state_name))
    return ASL_OK;
  asl_buf b = ASL_BUF_INIT;
  asl_status st = ASL_OK;
  switch (style) {
  case ASL_TASK_LAMBDA_ARN: {
    asl__lambda_target t;
    if (!asl__lambda_parse_arn(resource, strlen(resource), &t)) {
      asl_buf_printf(&b, "Task state \"%s\": \"%s\" is not a Lambda function ARN "
                         "(arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])",
                     state_name, resource);
      st = ASL_E_USAGE;
      break;
    }
    if (!find_fn(h, t.name) && !h->lambda_endpoint) {
      asl_buf_printf(&b, "Task state \"%s\" calls the Lambda function \"%s\" (%s), which nothing "
                         "serves",
                     state_name, t.name, resource);
      if (h->have_config) {
        const char **names = asl_calloc(HASH_COUNT(h->cfg.fns) + 1, sizeof *names);
        size_t n = 0;
        for (asl__fn *f = h->cfg.fns; f; f = f->hh.next)
          names[n++] = f->name;
        asl__suggest_append(&b, t.name, (const char *const *)names, n);
        asl_free(names);
      }
      how_to_configure(&b, state_name, t.name);
      st = ASL_E_USAGE;
    }
    asl__lambda_target_free(&t);
    break;
  }
  case ASL_TASK_LAMBDA_INVOKE:
    if (is_callback_resource(resource)) {
      /* the function would run, but nothing here can answer the token it is given */
      asl_buf_printf(&b,
                     "Task state \"%s\" uses %s, which waits for its task token, and nothing "
                     "answers task tokens in this run; mock the state: {\"mocks\": {\"%s\": "
                     "{\"Return\": ...}}} in aslrun.json, or --mock-config FILE --test-case NAME "
                     "(the mock answers for the callback); or run it under aslrun serve, which "
                     "invokes the function that aslrun.json maps with the token and waits for "
                     "SendTaskSuccess or SendTaskFailure",
                     state_name, resource, state_name);
      st = ASL_E_USAGE;
      break;
    }
    /* FunctionName is known only at run time; an unknown one is then
     * Lambda.ResourceNotFoundException, as on AWS */
    if (!h->have_config && !h->lambda_endpoint) {
      asl_buf_printf(&b, "Task state \"%s\" calls %s, but no aslrun.json maps any function",
                     state_name, resource);
      how_to_configure(&b, state_name, "FUNCTION_NAME");
      st = ASL_E_USAGE;
    }
    break;
  case ASL_TASK_SERVICE:
  case ASL_TASK_ACTIVITY: {
    asl_buf_printf(&b,
                   "Task state \"%s\" uses %s, which aslrun cannot call locally; mock the state: "
                   "{\"mocks\": {\"%s\": {\"Return\": ...}}} in aslrun.json, or --mock-config FILE "
                   "--test-case NAME",
                   state_name, resource, state_name);
    if (is_callback_resource(resource))
      asl_buf_adds(&b, " (the mock answers for the callback); or run it under aslrun serve, where "
                       "the Task waits for SendTaskSuccess or SendTaskFailure with its token");
    st = ASL_E_USAGE;
    break;
  }
  }
  if (st != ASL_OK)
    asl_error_set(err, st, NULL, "%s", b.data);
  asl_buf_free(&b);
  return st;
}

/* The mocked answer for invocation [n] of a state. */
static void answer_mock(asl_task_call *c, const asl_task_request *req, const asl__state_mock *m)
{
  asl_handlers *h = c->reg;
  const asl__mock_entry *e = asl__mock_find(m->resp, req->invocation);
  if (!e) {
    asl_buf b = ASL_BUF_INIT;
    for (size_t i = 0; i < m->resp->len && i < 10; i++) {
      const asl__mock_entry *x = &m->resp->entries[i];
      if (x->lo == x->hi)
        asl_buf_printf(&b, "%s%llu", i ? ", " : "", (unsigned long long)x->lo);
      else
        asl_buf_printf(&b, "%s%llu-%llu", i ? ", " : "", (unsigned long long)x->lo,
                       (unsigned long long)x->hi);
    }
    /* Step Functions Local fails the execution here; States.Runtime is not catchable */
    if (m->inline_mock)
      asl__call_fail(c, "States.Runtime",
                     "The inline mock of state '%s' in aslrun.json has no response for "
                     "invocation %llu (0-based, retries included); it covers: %s",
                     req->state_name, (unsigned long long)req->invocation,
                     b.len ? b.data : "nothing");
    else
      asl__call_fail(c, "States.Runtime",
                     "The mocked response '%s' (test case '%s') has no entry for invocation %llu "
                     "of state '%s' (0-based, retries included); it covers: %s",
                     m->resp->name, h->mocks.test_case, (unsigned long long)req->invocation,
                     req->state_name, b.len ? b.data : "nothing");
    asl_buf_free(&b);
    return;
  }
  if (e->error) {
    /* the strings stay the registry's: results lend their error text */
    c->result.status = ASL_E_HANDLER;
    c->result.error.code = ASL_E_HANDLER;
    c->result.error.name = e->error;
    c->result.error.cause = e->cause;
    c->own_error = false;
    asl__call_complete(c);
    return;
  }
  const asl_json *v = e->ret;
  if (req->style == ASL_TASK_LAMBDA_ARN && asl_json_is_object(v)) {
    /* a direct-ARN task's result is the function's payload (mock-config.md, section 1) */
    const asl_json *p = asl_json_get_cstr(v, "Payload");
    if (p)
      v = p;
  }
  if (asl_json_size(v) > h->payload_limit) {
    asl__call_fail(c, "States.DataLimitExceeded",
                   "The state/task '%s' returned a result with a size exceeding the maximum "
                   "number of bytes service limit.",
                   req->style == ASL_TASK_LAMBDA_INVOKE ? "lambda" : req->state_name);
    return;
  }
  c->result.status = ASL_OK;
  c->result.value = asl_json_incref(v);
  asl__call_complete(c);
}

bool asl_task_call_runs_code(const asl_task_call *call)
{
  return call->fn != NULL;
}

asl_status asl_task_invoke(asl_handlers *h, const asl_task_request *req, asl_task_done_cb cb,
                           void *data, asl_task_call **call, asl_error *err)
{
  if (h->freeing)
    return asl_error_set(err, ASL_E_USAGE, NULL, "the handler registry is being freed");
  asl_task_call *c = asl_calloc(1, sizeof *c);
  c->reg = h;
  c->cb = cb;
  c->data = data;
  c->style = req->style;
  c->refs = 1;
  c->phase = ASL_CALL_RUNNING;
  c->result.error = (asl_error)ASL_ERROR_INIT;
  c->live_next = h->live;
  if (h->live)
    h->live->live_prev = c;
  h->live = c;

  const asl__state_mock *m = find_mock(h, req->state_name);
  if (m && req->fault != ASL_TASK_FAULT_NONE) {
    asl_error_set(err, ASL_E_USAGE, "States.Runtime",
                  "The fault '%s' injected into state '%s' needs %s, but the state is mocked",
                  fault_name(req->fault), req->state_name, fault_needs(req->fault));
    call_free(c);
    return ASL_E_USAGE;
  }
  if (m) {
    answer_mock(c, req, m);
    *call = c;
    return ASL_OK;
  }
  if (req->style == ASL_TASK_SERVICE || req->style == ASL_TASK_ACTIVITY ||
      (req->style == ASL_TASK_LAMBDA_INVOKE && !req->callback &&
       is_callback_resource(req->resource))) {
    asl_handlers_check(h, req->state_name, req->resource, req->style, err);
    call_free(c);
    return err->code;
  }
  c->now_ms = req->now_ms;
  c->state_name = asl_strdup(req->state_name);
  if (req->random)
    uuid_from_draw(req->random, c->request_id);
  else
    asl__handlers_uuid(h, c->request_id);
  if (!asl__lambda_prepare(c, req)) {
    *call = c; /* ended with Lambda's or Step Functions' own error */
    return ASL_OK;
  }
  asl__fn *f = find_fn(h, c->target.name);
  if (!f && req->style == ASL_TASK_LAMBDA_ARN && !h->lambda_endpoint) {
    /* a direct ARN names its function statically: nothing serves it, as check says */
    asl_status st = asl_handlers_check(h, req->state_name, req->resource, req->style, err);
    call_free(c);
    return st;
  }
  if (!f && h->endpoint_fn)
    f = h->endpoint_fn;
  if (!f && req->fault != ASL_TASK_FAULT_NONE) {
    asl_error_set(err, ASL_E_USAGE, "States.Runtime",
                  "The fault '%s' injected into state '%s' needs %s; no function named \"%s\" "
                  "is configured",
                  fault_name(req->fault), req->state_name, fault_needs(req->fault),
                  c->target.name);
    call_free(c);
    return ASL_E_USAGE;
  }
  if (!f) {
    char *msg = asl_strfmt("Function not found: %s%s", c->target.arn,
                           c->target.qualifier ? "" : ":$LATEST");
    asl__call_service_error(c, "ResourceNotFoundException", "ResourceNotFoundException", 404, msg);
    asl_free(msg);
    *call = c;
    return ASL_OK;
  }
  if (!f->ops) {
    static const char *const kinds[] = {"python", "command", "lambda"};
    asl_error_set(err, ASL_E_USAGE, "States.Runtime",
                  "Task state \"%s\": function \"%s\" is a \"%s\" function, which aslrun cannot "
                  "run yet; mock the state meanwhile ({\"mocks\": {\"%s\": {\"Return\": ...}}})",
                  req->state_name, f->name, kinds[f->kind], req->state_name);
    call_free(c);
    return ASL_E_USAGE;
  }
  if (!fault_fits(req->fault, f->kind)) {
    static const char *const kinds[] = {"Python", "command", "Lambda over HTTP"};
    asl_error_set(err, ASL_E_USAGE, "States.Runtime",
                  "The fault '%s' injected into state '%s' needs %s; function \"%s\" is a %s "
                  "function",
                  fault_name(req->fault), req->state_name, fault_needs(req->fault), f->name,
                  kinds[f->kind]);
    call_free(c);
    return ASL_E_USAGE;
  }
  c->fault = req->fault;
  c->fn = f;
  c->started_ns = uv_hrtime();
  c->refs++;
  c->handler_busy = true;
  asl_status st = f->ops->invoke(c, err);
  if (st != ASL_OK) {
    call_free(c);
    return st;
  }
  *call = c;
  return ASL_OK;
}

/* Delivery of a raw invocation: the registry's callback slot points here (data = the call). */
static void raw_deliver(void *data, const asl_task_result *r)
{
  asl_task_call *c = data;
  asl__raw_result rr = {.status = r->status,
                        .payload = c->raw_payload ? c->raw_payload : "",
                        .len = c->raw_len,
                        .function_error = c->raw_function_error,
                        .log = r->log,
                        .error = &r->error,
                        .executed_version = asl__lambda_executed_version(&c->target),
                        .request_id = c->request_id};
  if (c->executed_version)
    rr.executed_version = c->executed_version;
  c->raw_cb(c->raw_data, &rr);
}

asl_status asl__function_invoke_raw(asl_handlers *h, const asl__lambda_target *t,
                                    const char *payload, size_t len, asl__raw_cb cb, void *data,
                                    asl_task_call **call, asl_error *err)
{
  if (h->freeing)
    return asl_error_set(err, ASL_E_USAGE, NULL, "the handler registry is being freed");
  asl__fn *f = find_fn(h, t->name);
  if (!f || !f->ops)
    return asl_error_set(err, ASL_E_USAGE, NULL, "no function named \"%s\" is configured",
                         t->name);
  asl_task_call *c = asl_calloc(1, sizeof *c);
  c->reg = h;
  c->cb = raw_deliver;
  c->data = c;
  c->raw = true;
  c->raw_cb = cb;
  c->raw_data = data;
  c->style = ASL_TASK_LAMBDA_ARN;
  c->refs = 1;
  c->phase = ASL_CALL_RUNNING;
  c->result.error = (asl_error)ASL_ERROR_INIT;
  c->live_next = h->live;
  if (h->live)
    h->live->live_prev = c;
  h->live = c;
  asl__lambda_target_copy(&c->target, t);
  c->event = asl_strndup(payload, len);
  c->event_len = len;
  c->state_name = asl_strdup(t->name);
  uv_timeval64_t now;
  c->now_ms = uv_gettimeofday(&now) == 0 ? now.tv_sec * 1000 + now.tv_usec / 1000 : 0;
  asl__handlers_uuid(h, c->request_id);
  c->fn = f;
  c->started_ns = uv_hrtime();
  c->refs++;
  c->handler_busy = true;
  asl_status st = f->ops->invoke(c, err);
  if (st != ASL_OK) {
    call_free(c);
    return st;
  }
  *call = c;
  return ASL_OK;
}

void asl_task_cancel(asl_task_call *c)
{
  if (!c || c->canceled || c->phase == ASL_CALL_DONE)
    return;
  c->canceled = true;
  if (c->phase == ASL_CALL_QUEUED) {
    call_clear_result(c); /* the result loses the race: the caller asked to stop */
  } else {
    enqueue(c);
  }
  c->result.status = ASL_E_CANCELED;
  c->result.error.code = ASL_E_CANCELED;
  if (c->handler_busy && c->fn && c->fn->ops && c->fn->ops->cancel)
    c->fn->ops->cancel(c);
}
