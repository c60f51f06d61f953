/* The Step Functions API over HTTP (include/aslrun/serve.h): the AWS JSON 1.0 protocol (POST /,
 * X-Amz-Target: AWSStepFunctions.<Operation>, a JSON object as body), the operation table, AWS's
 * error shape ({"__type", "message"}, HTTP 400) and the server's lifetime. What each operation
 * does is in machines.c, executions.c, tasks.c and test_state.c; HTTP itself is http_server.h's. */
#include "internal.h"

#include <string.h>

#define TARGET_PREFIX "AWSStepFunctions."
#define SFN_TYPE_PREFIX "com.amazonaws.swf.service.v2.model#"
#define CORAL_TYPE_PREFIX "com.amazon.coral.service#"

typedef struct srv_op {
  const char *name;
  srv_op_fn fn;
} srv_op;

static const srv_op ops[] = {
    {"CreateStateMachine", asl__op_create_state_machine},
    {"DescribeStateMachine", asl__op_describe_state_machine},
    {"UpdateStateMachine", asl__op_update_state_machine},
    {"DeleteStateMachine", asl__op_delete_state_machine},
    {"ListStateMachines", asl__op_list_state_machines},
    {"ValidateStateMachineDefinition", asl__op_validate_definition},
    {"TagResource", asl__op_tag_resource},
    {"UntagResource", asl__op_untag_resource},
    {"ListTagsForResource", asl__op_list_tags},
    {"StartExecution", asl__op_start_execution},
    {"StartSyncExecution", asl__op_start_sync_execution},
    {"DescribeExecution", asl__op_describe_execution},
    {"StopExecution", asl__op_stop_execution},
    {"ListExecutions", asl__op_list_executions},
    {"GetExecutionHistory", asl__op_get_execution_history},
    {"DescribeStateMachineForExecution", asl__op_describe_sm_for_execution},
    {"SendTaskSuccess", asl__op_send_task_success},
    {"SendTaskFailure", asl__op_send_task_failure},
    {"SendTaskHeartbeat", asl__op_send_task_heartbeat},
    {"RedriveExecution", asl__op_redrive_execution},
    {"TestState", asl__op_test_state},
};

/* ---- small helpers ---- */

void asl__uuid(char out[37])
{
  unsigned char b[16];
  if (uv_random(NULL, NULL, b, sizeof b, 0, NULL) != 0) {
    /* no entropy source: a name need only be unlikely to repeat */
    uint64_t x = uv_hrtime() ^ ((uint64_t)(uintptr_t)out << 17);
    for (size_t i = 0; i < sizeof b; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b[i] = (unsigned char)x;
    }
  }
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[o++] = '-';
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 15];
  }
  out[o] = '\0';
}

int64_t asl__now_ms(void)
{
  uv_timeval64_t tv;
  if (uv_gettimeofday(&tv) != 0)
    return 0;
  return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void say(asl_sfn_server *s, const char *fmt, ...) ASL_PRINTF(2, 3);
static void say(asl_sfn_server *s, const char *fmt, ...)
{
  if (!s->log)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *line = asl_vstrfmt(fmt, ap);
  va_end(ap);
  s->log(s->log_data, line);
  asl_free(line);
}

/* ---- answers ---- */

static const char *reason_of(int status)
{
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 413:
    return "Request Entity Too Large";
  default:
    return "Internal Server Error";
  }
}

static void request_free(srv_request *rq)
{
  asl_sfn_server *s = rq->srv;
  if (rq->prev)
    rq->prev->next = rq->next;
  else
    s->requests = rq->next;
  if (rq->next)
    rq->next->prev = rq->prev;
  asl_free(rq);
}

static void send_answer(srv_request *rq, int status, const char *text, size_t len, const char *what)
{
  char *headers = asl_strfmt("Content-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: %s\r\n",
                             rq->request_id);
  asl_http_respond(rq->conn, status, reason_of(status), headers, text, len);
  asl_free(headers);
  say(rq->srv, "%s -> %d%s%s (%.2f ms)", rq->op ? rq->op : "?", status, what ? " " : "",
      what ? what : "", (double)(uv_hrtime() - rq->started_ns) / 1e6);
  request_free(rq);
}

void asl__reply(srv_request *rq, asl_json *body)
{
  size_t len;
  char *text = asl_json_dump(body, ASL_JSON_COMPACT, &len);
  asl_json_decref(body);
  send_answer(rq, 200, text, len, NULL);
  asl_free(text);
}

bool asl__fail(srv_request *rq, int status, const char *type, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = asl_vstrfmt(fmt, ap);
  va_end(ap);
  bool full = strchr(type, '#') != NULL;
  char *t = asl_strfmt("%s%s", full ? "" : SFN_TYPE_PREFIX, type);
  asl_json *body = asl_json_object(2);
  asl_json_obj_put_cstr(body, "__type", asl_json_cstr(t));
  asl_json_obj_put_cstr(body, "message", asl_json_cstr(msg));
  size_t len;
  char *text = asl_json_dump(body, ASL_JSON_COMPACT, &len);
  asl_json_decref(body);
  const char *short_type = full ? strchr(type, '#') + 1 : type;
  send_answer(rq, status, text, len, short_type);
  asl_free(text);
  asl_free(t);
  asl_free(msg);
  return false;
}

/* ---- requests ---- */

static void on_request(void *data, asl_http_conn *conn, const asl_http_request *req)
{
  asl_sfn_server *s = data;
  srv_request *rq = asl_calloc(1, sizeof *rq);
  rq->srv = s;
  rq->conn = conn;
  rq->started_ns = uv_hrtime();
  asl__uuid(rq->request_id);
  rq->next = s->requests;
  if (s->requests)
    s->requests->prev = rq;
  s->requests = rq;

  const char *target = asl_http_header_get(req, "X-Amz-Target");
  const srv_op *op = NULL;
  if (target && strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0) {
    const char *name = target + strlen(TARGET_PREFIX);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
      if (strcmp(ops[i].name, name) == 0)
        op = &ops[i];
  }
  if (op)
    rq->op = op->name;
  if (req->body_too_large) {
    asl__fail(rq, 413, CORAL_TYPE_PREFIX "RequestEntityTooLargeException",
              "Request of %zu bytes is over Step Functions' limit of %d bytes per API request",
              req->body_declared, SERVE_REQUEST_LIMIT);
    return;
  }
  if (s->access_key && !asl__auth_check(rq, req))
    return;
  if (strcmp(req->method, "POST") != 0 || !op) {
    /* AWS's answer to anything that is not one of its operations, whatever the path */
    if (target)
      asl__fail(rq, 400, CORAL_TYPE_PREFIX "UnknownOperationException",
                "Unknown operation %.200s%s", target,
                strcmp(req->method, "POST") != 0 ? " (only POST is served)" : "");
    else
      asl__fail(rq, 400, CORAL_TYPE_PREFIX "UnknownOperationException",
                "Unknown operation: the request has no X-Amz-Target header (AWSStepFunctions."
                "<Operation>)");
    return;
  }
  asl_error err = ASL_ERROR_INIT;
  asl_json *body = req->body_len ? asl_json_parse(req->body, req->body_len, NULL, &err)
                                 : asl_json_object(0);
  if (!body || !asl_json_is_object(body)) {
    asl__fail(rq, 400, CORAL_TYPE_PREFIX "SerializationException",
              body ? "The request body must be a JSON object"
                   : "The request body is not valid JSON: %s",
              err.cause ? err.cause : "");
    asl_error_clear(&err);
    asl_json_decref(body);
    return;
  }
  op->fn(rq, body);
  asl_json_decref(body);
}

/* ---- the server ---- */

static char *dup_or(const char *s, const char *dflt)
{
  return asl_strdup(s ? s : dflt);
}

static void server_free_data(asl_sfn_server *s)
{
  srv_machine *m, *mt;
  HASH_ITER(hh, s->machines, m, mt)
  {
    HASH_DEL(s->machines, m);
    asl__machine_free(m);
  }
  srv_execution *x, *xt;
  HASH_ITER(hh, s->executions, x, xt)
  {
    HASH_DEL(s->executions, x);
    asl__execution_free(x);
  }
  asl_free(s->region);
  asl_free(s->account);
  asl_free(s->state_dir);
  asl_free(s->config_dir);
  asl_free(s->lambda_endpoint);
  asl_free(s->access_key);
  asl_free(s->secret_key);
  ASL_VEC_FREE(s->retired);
  ASL_VEC_FREE(s->finished);
  ASL_VEC_FREE(s->testing);
  asl_free(s);
}

asl_sfn_server *asl_serve_start(const asl_serve_opts *opts, asl_error *err)
{
  if (!opts || !opts->loop) {
    asl_error_set(err, ASL_E_USAGE, NULL, "asl_serve_start needs a loop");
    return NULL;
  }
  if ((opts->access_key == NULL) != (opts->secret_key == NULL)) {
    asl_error_set(err, ASL_E_USAGE, NULL, "checking signatures needs both an access key and "
                                          "its secret key");
    return NULL;
  }
  asl_sfn_server *s = asl_calloc(1, sizeof *s);
  s->loop = opts->loop;
  s->region = dup_or(opts->region, "us-east-1");
  s->account = dup_or(opts->account, "123456789012");
  s->state_dir = opts->state_dir ? asl_strdup(opts->state_dir) : NULL;
  s->config_dir = opts->config_dir ? asl_strdup(opts->config_dir) : NULL;
  s->lambda_endpoint = opts->lambda_endpoint ? asl_strdup(opts->lambda_endpoint) : NULL;
  s->access_key = opts->access_key ? asl_strdup(opts->access_key) : NULL;
  s->secret_key = opts->secret_key ? asl_strdup(opts->secret_key) : NULL;
  s->config = opts->config;
  s->mock_config = opts->mock_config;
  s->virtual_time = opts->virtual_time;
  s->cold = opts->cold;
  s->log = opts->log;
  s->log_data = opts->log_data;
  s->next_seq = 1;
  if (s->state_dir && asl__persist_load(s, err) != ASL_OK) {
    server_free_data(s);
    return NULL;
  }
  asl_http_server_opts ho = {.loop = s->loop, .host = opts->host ? opts->host : "127.0.0.1",
                             .port = opts->port, .max_body = SERVE_REQUEST_LIMIT,
                             .on_request = on_request, .data = s};
  s->http = asl_http_server_start(&ho, err);
  if (!s->http) {
    server_free_data(s);
    return NULL;
  }
  return s;
}

int asl_serve_port(const asl_sfn_server *s)
{
  return asl_http_server_port(s->http);
}

static void free_retired(asl_sfn_server *s)
{
  while (s->finished.len > 0)
    asl_exec_free(s->finished.items[--s->finished.len]);
  while (s->retired.len > 0)
    asl_handlers_free(s->retired.items[--s->retired.len]);
}

void asl_serve_run(asl_sfn_server *s)
{
  s->stopping = false;
  while (!s->stopping) {
    int alive = uv_run(s->loop, UV_RUN_ONCE);
    free_retired(s);
    if (!alive)
      break;
  }
}

void asl_serve_stop(asl_sfn_server *s)
{
  s->stopping = true;
  uv_stop(s->loop);
}

static void on_http_closed(void *data)
{
  asl_sfn_server *s = data;
  s->http_closed = true;
}

void asl_serve_free(asl_sfn_server *s)
{
  if (!s)
    return;
  /* running executions stop; their done callbacks answer whoever waits (whose connections are
   * closing, so the answers are dropped) */
  s->closing = true;
  for (srv_execution *x = s->newest; x; x = x->older)
    if (x->exec && !x->saving && !x->stopping)
      asl_exec_stop(x->exec, "States.Aborted", "aslrun serve is stopping");
  for (size_t i = 0; i < s->testing.len; i++)
    asl_exec_stop(s->testing.items[i], NULL, NULL);
  asl_http_server_close(s->http, on_http_closed, s);
  while (!s->http_closed || s->running > 0 || s->saving > 0)
    if (uv_run(s->loop, UV_RUN_ONCE) == 0 && (!s->http_closed || s->running > 0 || s->saving > 0))
      break; /* nothing left that could finish them: our bug, but never spin */
  free_retired(s);
  srv_registry *r, *rt;
  HASH_ITER(hh, s->registries, r, rt)
  {
    HASH_DEL(s->registries, r);
    asl_handlers_free(r->h);
    asl_free(r->key);
    asl_free(r);
  }
  while (s->requests)
    request_free(s->requests);
  server_free_data(s);
}
