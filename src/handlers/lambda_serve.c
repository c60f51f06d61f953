/* The Lambda Invoke API served from aslrun.json's functions (include/aslrun/lambda_serve.h): the
 * route, the request's checks in the order Lambda makes them, the invocation through the
 * registry (asl__function_invoke_raw: the function's bytes come back untouched), and the
 * answer with Lambda's headers and AWS's error shapes (reference lambda-invoke-api.md sections
 * 1-3; sam local start-lambda for the local-only errors: unknown path or method). HTTP itself is
 * serve_http.c's. */
#include "aslrun/lambda_serve.h"

#include <string.h>

#include "internal.h"
#include "serve_http.h"

#define REQUEST_LIMIT 6291456 /* Lambda's synchronous request payload quota */
#define LOG_TAIL 4096         /* X-Amz-Log-Result carries the last 4 KB of the log */
#define DEFAULT_REGION "us-east-1"
#define DEFAULT_ACCOUNT "123456789012"
#define INVOKE_PREFIX "/2015-03-31/functions/"
#define INVOKE_SUFFIX "/invocations"

typedef struct invocation invocation;

struct asl_lambda_server {
  uv_loop_t *loop;
  asl_handlers *h;
  asl__http_server *http;
  bool http_closed;
  asl_lambda_serve_log_cb log;
  void *log_data;
  invocation *inflight;
};

struct invocation {
  asl_lambda_server *srv;
  asl__http_conn *conn; /* NULL for an Event invocation (already answered with 202) */
  asl_task_call *call;
  char *label; /* "NAME RequestResponse", for the log line */
  bool tail;
  uint64_t started_ns;
  invocation *prev, *next;
};

/* ---- answers ---- */

static const char *reason_of(int status)
{
  switch (status) {
  case 200:
    return "OK";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 400:
    return "Bad Request";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 413:
    return "Request Entity Too Large";
  case 501:
    return "Not Implemented";
  default:
    return "Internal Server Error";
  }
}

static void say(asl_lambda_server *srv, const char *fmt, ...) ASL_PRINTF(2, 3);
static void say(asl_lambda_server *srv, const char *fmt, ...)
{
  if (!srv->log)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *line = asl_vstrfmt(fmt, ap);
  va_end(ap);
  srv->log(srv->log_data, line, NULL);
  asl_free(line);
}

/* A service error as Lambda sends it: x-amzn-ErrorType and a JSON body whose message member is
 * "Message" or "message" as the error's shape has it. */
static void send_error(asl_lambda_server *srv, asl__http_conn *conn, const char *what, int status,
                       const char *code, const char *type, const char *message_key,
                       const char *message)
{
  asl_json *body = asl_json_object(2);
  asl_json_obj_put_cstr(body, "Type", asl_json_cstr(type));
  asl_json_obj_put_cstr(body, message_key, asl_json_cstr(message));
  size_t len;
  char *text = asl_json_dump(body, ASL_JSON_COMPACT, &len);
  asl_json_decref(body);
  char rid[37];
  asl__handlers_uuid(srv->h, rid);
  char *headers = asl_strfmt("Content-Type: application/json\r\nx-amzn-ErrorType: %s\r\n"
                             "x-amzn-RequestId: %s\r\n",
                             code, rid);
  asl__http_respond(conn, status, reason_of(status), headers, text, len);
  say(srv, "%s -> %d %s: %s", what, status, code, message);
  asl_free(headers);
  asl_free(text);
}

static void inflight_remove(invocation *inv)
{
  asl_lambda_server *srv = inv->srv;
  if (inv->prev)
    inv->prev->next = inv->next;
  else
    srv->inflight = inv->next;
  if (inv->next)
    inv->next->prev = inv->prev;
}

static void on_result(void *data, const asl__raw_result *r)
{
  invocation *inv = data;
  asl_lambda_server *srv = inv->srv;
  inflight_remove(inv);
  double ms = (double)(uv_hrtime() - inv->started_ns) / 1e6;
  if (r->status == ASL_E_CANCELED) {
    if (inv->conn)
      send_error(srv, inv->conn, inv->label, 500, "ServiceException", "Service", "Message",
                 "the invocation was cancelled: aslrun lambda serve is stopping");
  } else {
    /* aslrun's own failures (a command without an errorType, ...) reach the client as function
     * errors, named as they would be in a state machine */
    bool function_error = r->function_error || r->status != ASL_OK;
    char *own = NULL;
    size_t own_len = 0;
    if (r->status != ASL_OK) {
      asl_json *o = asl_json_object(2);
      asl_json_obj_put_cstr(o, "errorType",
                            asl_json_cstr(r->error->name ? r->error->name : "States.Runtime"));
      asl_json_obj_put_cstr(o, "errorMessage", asl_json_cstr(r->error->cause ? r->error->cause : ""));
      own = asl_json_dump(o, ASL_JSON_COMPACT, &own_len);
      asl_json_decref(o);
    }
    if (inv->conn) {
      asl_buf headers = ASL_BUF_INIT;
      asl_buf_printf(&headers, "Content-Type: application/json\r\nX-Amz-Executed-Version: %s\r\n"
                               "x-amzn-RequestId: %s\r\n",
                     r->executed_version, r->request_id);
      if (function_error)
        asl_buf_adds(&headers, "X-Amz-Function-Error: Unhandled\r\n");
      if (inv->tail) {
        size_t ll = r->log ? strlen(r->log) : 0;
        size_t from = ll > LOG_TAIL ? ll - LOG_TAIL : 0;
        asl_buf_adds(&headers, "X-Amz-Log-Result: ");
        asl_base64_encode(r->log ? r->log + from : "", ll - from, &headers);
        asl_buf_adds(&headers, "\r\n");
      }
      asl__http_respond(inv->conn, 200, "OK", headers.data, own ? own : r->payload,
                        own ? own_len : r->len);
      asl_buf_free(&headers);
    }
    if (srv->log) {
      char *line = asl_strfmt("%s -> %s%s%s (%.2f ms)", inv->label,
                              inv->conn ? "200" : "done",
                              function_error ? " Unhandled " : "",
                              function_error ? (own ? r->error->name : "function error") : "", ms);
      srv->log(srv->log_data, line, r->log);
      asl_free(line);
    }
    asl_free(own);
  }
  asl_free(inv->label);
  asl_free(inv);
}

/* ---- requests ---- */

/* Percent-decodes [n] bytes of [s] ('+' stays '+', as in a path); NULL when an escape is bad. */
static char *pct_decode(const char *s, size_t n, size_t *out_len)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_add(&b, "", 0);
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      asl_buf_addc(&b, s[i]);
      continue;
    }
    int hi = i + 2 < n ? asl_hex_value(s[i + 1]) : -1;
    int lo = hi >= 0 ? asl_hex_value(s[i + 2]) : -1;
    if (lo < 0) {
      asl_buf_free(&b);
      return NULL;
    }
    asl_buf_addc(&b, (char)(hi * 16 + lo));
    i += 2;
  }
  return asl_buf_steal(&b, out_len);
}

static bool valid_qualifier(const char *q)
{
  if (strcmp(q, "$LATEST") == 0)
    return true;
  size_t n = strlen(q);
  if (n == 0 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((q[i] >= 'a' && q[i] <= 'z') || (q[i] >= 'A' && q[i] <= 'Z') ||
          (q[i] >= '0' && q[i] <= '9') || q[i] == '-' || q[i] == '_'))
      return false;
  return true;
}

static void on_request(void *data, asl__http_conn *conn, const asl__http_request *req)
{
  asl_lambda_server *srv = data;
  const char *target = req->target;
  const char *query = strchr(target, '?');
  size_t path_len = query ? (size_t)(query - target) : strlen(target);
  size_t pre = strlen(INVOKE_PREFIX);
  size_t suf = strlen(INVOKE_SUFFIX);
  char *what = asl_strfmt("%s %.*s", req->method, (int)(path_len < 300 ? path_len : 300), target);
  asl__lambda_target t = {0};
  char *name = NULL;
  char *qualifier = NULL;
  asl_error err = ASL_ERROR_INIT;

  /* the route first, then the method, as sam local's Flask app checks them */
  if (path_len <= pre + suf || strncmp(target, INVOKE_PREFIX, pre) != 0 ||
      strncmp(target + path_len - suf, INVOKE_SUFFIX, suf) != 0) {
    send_error(srv, conn, what, 404, "LocalServiceException", "LocalService", "Message",
               "PathNotFoundException");
    goto out;
  }
  if (strcmp(req->method, "POST") != 0) {
    send_error(srv, conn, what, 405, "LocalServiceException", "LocalService", "Message",
               "MethodNotAllowedException");
    goto out;
  }
  size_t name_len;
  name = pct_decode(target + pre, path_len - pre - suf, &name_len);
  if (!name || strlen(name) != name_len ||
      asl__lambda_parse_name(name, name_len, DEFAULT_REGION, DEFAULT_ACCOUNT, &t, &err) !=
          ASL_OK) {
    send_error(srv, conn, what, 400, "ValidationException", "User", "message",
               err.cause ? err.cause : "the function name in the path is not percent-encoded "
                                       "correctly");
    goto out;
  }
  for (const char *q = query ? query + 1 : NULL; q && *q;) {
    const char *amp = strchr(q, '&');
    size_t n = amp ? (size_t)(amp - q) : strlen(q);
    const char *eq = memchr(q, '=', n);
    size_t kl = eq ? (size_t)(eq - q) : n;
    if (kl == 9 && strncmp(q, "Qualifier", 9) == 0) {
      asl_free(qualifier);
      size_t ql;
      qualifier = eq ? pct_decode(eq + 1, n - kl - 1, &ql) : asl_strdup("");
      if (!qualifier || !valid_qualifier(qualifier)) {
        send_error(srv, conn, what, 400, "ValidationException", "User", "message",
                   "1 validation error detected: Value at 'qualifier' failed to satisfy "
                   "constraint: Member must satisfy regular expression pattern: "
                   "(|[a-zA-Z0-9$_-]+)");
        goto out;
      }
    } else if (n > 0) {
      char *msg = asl_strfmt("query parameter '%.*s' is not supported by aslrun lambda serve "
                             "(only Qualifier)",
                             (int)(kl < 100 ? kl : 100), q);
      send_error(srv, conn, what, 400, "InvalidRequestContentException", "User", "message", msg);
      asl_free(msg);
      goto out;
    }
    q = amp ? amp + 1 : NULL;
  }
  if (qualifier) {
    if (t.qualifier && strcmp(t.qualifier, qualifier) != 0) {
      send_error(srv, conn, what, 400, "InvalidParameterValueException", "User", "message",
                 "The derived qualifier from the function name does not match the specified "
                 "qualifier.");
      goto out;
    }
    asl_free(t.qualifier);
    t.qualifier = qualifier;
    qualifier = NULL;
    asl_free(t.arn);
    t.arn = asl_strfmt("arn:aws:lambda:%s:%s:function:%s:%s", t.region, t.account, t.name,
                       t.qualifier);
  }
  const char *itype = asl__http_header_get(req, "X-Amz-Invocation-Type");
  if (!itype)
    itype = "RequestResponse";
  if (strcmp(itype, "RequestResponse") != 0 && strcmp(itype, "Event") != 0 &&
      strcmp(itype, "DryRun") != 0) {
    char *msg = asl_strfmt("1 validation error detected: Value '%.100s' at 'invocationType' "
                           "failed to satisfy constraint: Member must satisfy enum value set: "
                           "[Event, RequestResponse, DryRun]",
                           itype);
    send_error(srv, conn, what, 400, "ValidationException", "User", "message", msg);
    asl_free(msg);
    goto out;
  }
  const char *ltype = asl__http_header_get(req, "X-Amz-Log-Type");
  if (ltype && strcmp(ltype, "None") != 0 && strcmp(ltype, "Tail") != 0) {
    char *msg = asl_strfmt("1 validation error detected: Value '%.100s' at 'logType' failed to "
                           "satisfy constraint: Member must satisfy enum value set: [None, Tail]",
                           ltype);
    send_error(srv, conn, what, 400, "ValidationException", "User", "message", msg);
    asl_free(msg);
    goto out;
  }
  if (req->body_too_large) {
    send_error(srv, conn, what, 413, "RequestTooLargeException", "User", "message",
               "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    goto out;
  }
  /* an empty body is the event {} (as sam local and the SDKs' default payload) */
  const char *body = req->body_len ? req->body : "{}";
  size_t body_len = req->body_len ? req->body_len : 2;
  asl_json *parsed = asl_json_parse(body, body_len, NULL, &err);
  if (!parsed) {
    char *msg = asl_strfmt("Could not parse request body into json: Could not parse payload into "
                           "json: %s",
                           err.cause ? err.cause : "invalid JSON");
    send_error(srv, conn, what, 400, "InvalidRequestContentException", "User", "message", msg);
    asl_free(msg);
    goto out;
  }
  asl_json_decref(parsed);
  if (!asl__handlers_find_fn(srv->h, t.name)) {
    char *msg = asl_strfmt("Function not found: %s%s", t.arn, t.qualifier ? "" : ":$LATEST");
    send_error(srv, conn, what, 404, "ResourceNotFoundException", "User", "Message", msg);
    asl_free(msg);
    goto out;
  }
  if (strcmp(itype, "DryRun") == 0) {
    asl__http_respond(conn, 204, "No Content", NULL, "", 0);
    say(srv, "%s DryRun -> 204", t.name);
    goto out;
  }
  invocation *inv = asl_calloc(1, sizeof *inv);
  inv->srv = srv;
  inv->conn = conn;
  inv->tail = ltype && strcmp(ltype, "Tail") == 0;
  inv->label = asl_strfmt("%s %s", t.name, itype);
  inv->started_ns = uv_hrtime();
  if (asl__function_invoke_raw(srv->h, &t, body, body_len, on_result, inv, &inv->call, &err) !=
      ASL_OK) {
    send_error(srv, conn, what, 500, "ServiceException", "Service", "Message",
               err.cause ? err.cause : "the function could not be started");
    asl_free(inv->label);
    asl_free(inv);
    goto out;
  }
  inv->next = srv->inflight;
  if (srv->inflight)
    srv->inflight->prev = inv;
  srv->inflight = inv;
  if (strcmp(itype, "Event") == 0) {
    /* queued: answered now, run to its end with nobody waiting */
    char *headers = asl_strfmt("x-amzn-RequestId: %s\r\n", inv->call->request_id);
    asl__http_respond(conn, 202, "Accepted", headers, "", 0);
    asl_free(headers);
    inv->conn = NULL;
  }
out:
  asl_error_clear(&err);
  asl__lambda_target_free(&t);
  asl_free(name);
  asl_free(qualifier);
  asl_free(what);
}

/* ---- the server ---- */

asl_lambda_server *asl_lambda_serve_start(const asl_lambda_serve_opts *opts, asl_error *err)
{
  if (!opts || !opts->loop || !opts->handlers) {
    asl_error_set(err, ASL_E_USAGE, NULL, "asl_lambda_serve_start needs a loop and handlers");
    return NULL;
  }
  asl_lambda_server *srv = asl_calloc(1, sizeof *srv);
  srv->loop = opts->loop;
  srv->h = opts->handlers;
  srv->log = opts->log;
  srv->log_data = opts->log_data;
  asl__http_server_opts ho = {.loop = opts->loop, .host = opts->host ? opts->host : "127.0.0.1",
                              .port = opts->port, .max_body = REQUEST_LIMIT,
                              .on_request = on_request, .data = srv};
  srv->http = asl__http_server_start(&ho, err);
  if (!srv->http) {
    asl_free(srv);
    return NULL;
  }
  return srv;
}

int asl_lambda_serve_port(const asl_lambda_server *s)
{
  return asl__http_server_port(s->http);
}

uint64_t asl__lambda_serve_accepted(const asl_lambda_server *s)
{
  return asl__http_server_accepted(s->http);
}

static void on_http_closed(void *data)
{
  asl_lambda_server *srv = data;
  srv->http_closed = true;
}

void asl_lambda_serve_free(asl_lambda_server *s)
{
  if (!s)
    return;
  /* cancelled invocations still report (with ASL_E_CANCELED), and answer their connections,
   * which by then are closed: the answers are dropped */
  for (invocation *inv = s->inflight; inv; inv = inv->next)
    asl_task_cancel(inv->call);
  asl__http_server_close(s->http, on_http_closed, s);
  while (s->inflight || !s->http_closed)
    uv_run(s->loop, UV_RUN_ONCE);
  asl_free(s);
}
