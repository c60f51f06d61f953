/* Lambda over HTTP end to end, on one loop: `lambda serve` (asl_lambda_serve_start) serves the
 * functions of tests/handlers/http/aslrun.json, and a second registry calls them through
 * lambda_endpoint. Checks that every outcome through HTTP equals the in-process one (the
 * tutorial function's four status codes, both resource styles), the Invoke API's details
 * (headers, log tail, error shapes, keep-alive, pipelining, chunked bodies, 413, 100-continue),
 * concurrency with connection reuse, and cancellation. Argument: tests/handlers. */
#include <ctype.h>

#include "harness.h"
#include "aslrun/lambda_serve.h"
#include "../../src/handlers/internal.h"

static uv_loop_t loop;
static asl_handlers *local;  /* runs the functions in-process (and behind the server) */
static asl_handlers *remote; /* reaches them through the server */
static asl_lambda_server *srv;
static int port;
static char served_log[8192];

#define ARN(fn) "arn:aws:lambda:us-east-1:123456789012:function:" fn
#define INVOKE "arn:aws:states:::lambda:invoke"

static void on_log(void *data, const char *line, const char *function_log)
{
  (void)data;
  (void)function_log;
  snprintf(served_log, sizeof served_log, "%s", line);
}

/* Replaces what differs between two runs (request ids, dates, trace ids) with placeholders. */
static char *normalise(const char *s)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_add(&b, "", 0);
  for (size_t i = 0; s && s[i];) {
    size_t n = 0;
    while (n < 36 && s[i + n] && (isxdigit((unsigned char)s[i + n]) || s[i + n] == '-'))
      n++;
    if (n == 36 && s[i + 8] == '-' && s[i + 13] == '-') {
      asl_buf_adds(&b, "<id>");
      i += 36;
      continue;
    }
    if (strncmp(s + i, "root=1-", 7) == 0) {
      asl_buf_adds(&b, "<trace>");
      while (s[i] && s[i] != '"')
        i++;
      continue;
    }
    if (strncmp(s + i, " GMT", 4) == 0) {
      /* "Mon, 23 Nov 2026 10:51:57 GMT": drop back to the opening quote */
      while (b.len && b.data[b.len - 1] != '"')
        b.len--;
      asl_buf_adds(&b, "<date>");
      i += 4;
      continue;
    }
    asl_buf_addc(&b, s[i++]);
  }
  return asl_buf_steal(&b, NULL);
}

static void run(asl_handlers *h, asl_task_style style, const char *resource, const char *input,
                outcome *o)
{
  asl_json *in = J(input);
  asl_error err = ASL_ERROR_INIT;
  asl_task_request r = {.state_name = "Call", .resource = resource, .style = style, .input = in};
  if (run_one(&loop, h, &r, o, &err) != ASL_OK) {
    fprintf(stderr, "invoke failed: %s\n", err.cause);
    check_failures++;
  }
  CHECK(!o->reentered);
  asl_error_clear(&err);
  asl_json_decref(in);
}

/* The same Task through HTTP and in-process: same status, error, cause and result. */
static void same_both_ways(asl_task_style style, const char *resource, const char *input)
{
  outcome a = {0}, b = {0};
  int failures = check_failures;
  run(local, style, resource, input, &a);
  run(remote, style, resource, input, &b);
  CHECK(a.status == b.status);
  if (a.name || b.name)
    CHECK_STR(b.name, a.name ? a.name : "(none)");
  char *ca = normalise(a.cause), *cb = normalise(b.cause);
  CHECK_STR(cb, ca);
  char *va = dump(a.value), *vb = dump(b.value);
  char *na = normalise(va), *nb = normalise(vb);
  CHECK_STR(nb, na);
  if (check_failures != failures)
    fprintf(stderr, "  (input %s, resource %s)\n", input, resource);
  asl_free(va);
  asl_free(vb);
  asl_free(ca);
  asl_free(cb);
  asl_free(na);
  asl_free(nb);
  outcome_clear(&a);
  outcome_clear(&b);
}

static void test_tutorial_parity(void)
{
  static const char *const codes[] = {"200", "429", "503", "500"};
  for (size_t i = 0; i < 4; i++) {
    char in[64], params[160];
    snprintf(in, sizeof in, "{\"statuscode\": \"%s\"}", codes[i]);
    snprintf(params, sizeof params,
             "{\"FunctionName\": \"MockAPIFunction\", \"Payload\": {\"statuscode\": \"%s\"}}",
             codes[i]);
    same_both_ways(ASL_TASK_LAMBDA_ARN, ARN("MockAPIFunction"), in);
    same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE, params);
  }
  outcome o = {0};
  run(remote, ASL_TASK_LAMBDA_ARN, ARN("MockAPIFunction"), "{\"statuscode\": \"429\"}", &o);
  CHECK_STR(o.name, "TooManyRequestsException");
  CHECK_PREFIX(o.cause, "{\"errorMessage\": \"429 Too Many Requests\", \"errorType\": "
                        "\"TooManyRequestsException\", \"requestId\": \"");
  /* the log tail came back in X-Amz-Log-Result */
  CHECK_CONTAINS(o.log, "[ERROR] TooManyRequestsException: 429 Too Many Requests");
  CHECK_CONTAINS(o.log, "REPORT RequestId: ");
  outcome_clear(&o);

  /* more shapes: a string payload, null, errors of process functions, a qualifier */
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE,
                 "{\"FunctionName\": \"Echo\", \"Payload\": \"\\\"HelloWorld\\\"\"}");
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE, "{\"FunctionName\": \"Echo\", \"Payload\": null}");
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE,
                 "{\"FunctionName\": \"Echo:7\", \"Payload\": [1, \"caf\xc3\xa9\"]}");
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE, "{\"FunctionName\": \"Printer\", \"Payload\": {}}");
  /* LogType Tail: the log came back in X-Amz-Log-Result and goes out again in LogResult */
  run(remote, ASL_TASK_LAMBDA_INVOKE, INVOKE,
      "{\"FunctionName\": \"Printer\", \"Payload\": {}, \"LogType\": \"Tail\"}", &o);
  CHECK_CONTAINS(o.log, "\nhello from the handler\nEND RequestId: ");
  {
    asl_buf b64 = ASL_BUF_INIT;
    asl_base64_encode(o.log, strlen(o.log), &b64);
    CHECK(asl_json_is_string(asl_json_get_cstr(o.value, "LogResult")) &&
          strcmp(asl_json_str(asl_json_get_cstr(o.value, "LogResult")), b64.data) == 0);
    asl_buf_free(&b64);
  }
  same_both_ways(ASL_TASK_LAMBDA_ARN, ARN("Shell"), "{\"x\": [true, null]}");
  same_both_ways(ASL_TASK_LAMBDA_ARN, ARN("ShellJsonFail"), "{}");
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE, "{\"FunctionName\": \"ShellJsonFail\"}");
  same_both_ways(ASL_TASK_LAMBDA_ARN, ARN("Sleeper"), "{\"s\": 5}"); /* Sandbox.Timedout */
  same_both_ways(ASL_TASK_LAMBDA_ARN, ARN("Big"), "{}"); /* Function.ResponseSizeTooLarge */
  same_both_ways(ASL_TASK_LAMBDA_INVOKE, INVOKE, "{\"FunctionName\": \"NoSuchFunction\"}");

  /* a command failing without an errorType: in-process States.TaskFailed with stderr; over
   * HTTP the server reports it as a function error of that name */
  run(remote, ASL_TASK_LAMBDA_ARN, ARN("ShellFail"), "{}", &o);
  CHECK_STR(o.name, "States.TaskFailed");
  CHECK_STR(o.cause, "{\"errorType\":\"States.TaskFailed\",\"errorMessage\":\"line one\\nsomething "
                     "broke\"}");
  /* the envelope's ExecutedVersion comes from the server */
  run(remote, ASL_TASK_LAMBDA_INVOKE, INVOKE, "{\"FunctionName\": \"Echo\", \"Qualifier\": \"3\"}",
      &o);
  CHECK_JSON(asl_json_get_cstr(o.value, "ExecutedVersion"), "\"3\"");
  CHECK_PREFIX(served_log, "Echo RequestResponse -> 200 (");
  outcome_clear(&o);
}

/* ---- raw HTTP ---- */

typedef struct raw_client {
  uv_tcp_t tcp;
  uv_connect_t conn;
  uv_write_t wr;
  const char *req;
  size_t len;
  asl_buf in;
  bool done;
} raw_client;

static void raw_closed(uv_handle_t *h)
{
  ((raw_client *)h->data)->done = true;
}

static void raw_alloc(uv_handle_t *h, size_t s, uv_buf_t *b)
{
  raw_client *c = h->data;
  asl_buf_reserve(&c->in, s);
  b->base = c->in.data + c->in.len;
  b->len = c->in.cap - c->in.len - 1;
}

static void raw_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
  raw_client *c = st->data;
  (void)b;
  if (n < 0) {
    uv_close((uv_handle_t *)st, raw_closed);
    return;
  }
  c->in.len += (size_t)n;
  c->in.data[c->in.len] = '\0';
}

static void raw_written(uv_write_t *w, int status)
{
  (void)w;
  (void)status;
}

static void raw_connected(uv_connect_t *req, int status)
{
  raw_client *c = req->data;
  if (status < 0) {
    uv_close((uv_handle_t *)&c->tcp, raw_closed);
    return;
  }
  uv_buf_t b = uv_buf_init((char *)c->req, (unsigned)c->len);
  uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, raw_written);
  uv_read_start((uv_stream_t *)&c->tcp, raw_alloc, raw_read);
}

/* Sends [req] as it is and returns everything the server answers until it closes. */
static char *exchange(const char *req, size_t len)
{
  raw_client c = {.req = req, .len = len};
  asl_buf_add(&c.in, "", 0);
  uv_tcp_init(&loop, &c.tcp);
  c.tcp.data = &c;
  c.conn.data = &c;
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", port, &a);
  uv_tcp_connect(&c.conn, &c.tcp, (const struct sockaddr *)&a, raw_connected);
  while (!c.done)
    uv_run(&loop, UV_RUN_ONCE);
  return asl_buf_steal(&c.in, NULL);
}

static char *exchange_s(const char *req)
{
  return exchange(req, strlen(req));
}

static int count(const char *s, const char *part)
{
  int n = 0;
  for (const char *p = s; (p = strstr(p, part)); p++)
    n++;
  return n;
}

#define INV "POST /2015-03-31/functions/"

static void test_protocol(void)
{
  /* two pipelined requests on one connection, the second closing it */
  char *r = exchange_s(INV "Echo/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n"
                       "{\"a\":1}" INV "Echo/invocations HTTP/1.1\r\nHost: x\r\n"
                       "Connection: close\r\nX-Amz-Log-Type: Tail\r\nContent-Length: 2\r\n\r\n[]");
  CHECK(count(r, "HTTP/1.1 200 OK\r\n") == 2);
  CHECK_PREFIX(r, "HTTP/1.1 200 OK\r\nDate: ");
  CHECK_CONTAINS(r, "\r\nContent-Length: 8\r\nConnection: keep-alive\r\nContent-Type: "
                    "application/json\r\nX-Amz-Executed-Version: $LATEST\r\nx-amzn-RequestId: ");
  CHECK_CONTAINS(r, "\r\n\r\n{\"a\": 1}HTTP/1.1 200 OK\r\n"); /* Python's json.dumps */
  CHECK_CONTAINS(r, "Connection: close\r\n");
  CHECK_CONTAINS(r, "\r\nX-Amz-Log-Result: U1RBUlQgUmVxdWVzdElkOi"); /* "START RequestId:" */
  CHECK(strlen(r) > 2 && strcmp(r + strlen(r) - 4, "\r\n[]") == 0);
  asl_free(r);

  /* a chunked body, Expect: 100-continue, a qualifier in the query */
  r = exchange_s(INV "Echo/invocations?Qualifier=5 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                 "4\r\n{\"k\"\r\n5;ext=1\r\n:\"v\"}\r\n0\r\n\r\n");
  CHECK_PREFIX(r, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
  CHECK_CONTAINS(r, "X-Amz-Executed-Version: 5\r\n");
  CHECK_CONTAINS(r, "\r\n\r\n{\"k\": \"v\"}");
  asl_free(r);

  /* Lambda's errors, with AWS's shapes */
  static const struct {
    const char *req, *status, *body;
  } errors[] = {
      {INV "Nope/invocations HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
       "404 Not Found\r\n", "x-amzn-ErrorType: ResourceNotFoundException\r\n"},
      {INV "Nope/invocations HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", "",
       "{\"Type\":\"User\",\"Message\":\"Function not found: "
       "arn:aws:lambda:us-east-1:123456789012:function:Nope:$LATEST\"}"},
      {INV "arn%3Aaws%3Alambda%3Aeu-west-1%3A111111111111%3Afunction%3ANope%3Alive/invocations "
           "HTTP/1.1\r\nConnection: close\r\n\r\n",
       "404 Not Found\r\n",
       "\"Function not found: arn:aws:lambda:eu-west-1:111111111111:function:Nope:live\"}"},
      {INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\nContent-Length: 3\r\n\r\nnot",
       "400 Bad Request\r\n", "x-amzn-ErrorType: InvalidRequestContentException\r\n"},
      {INV "bad%20name/invocations HTTP/1.1\r\nConnection: close\r\n\r\n", "400 Bad Request\r\n",
       "{\"Type\":\"User\",\"message\":\"1 validation error detected: Value 'bad name' at "
       "'functionName' failed to satisfy constraint"},
      {INV "Echo:1/invocations?Qualifier=2 HTTP/1.1\r\nConnection: close\r\n\r\n",
       "400 Bad Request\r\n",
       "x-amzn-ErrorType: InvalidParameterValueException\r\n"},
      {INV "Echo/invocations?Foo=1 HTTP/1.1\r\nConnection: close\r\n\r\n", "400 Bad Request\r\n",
       "query parameter 'Foo' is not supported by aslrun lambda serve"},
      {INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\nX-Amz-Invocation-Type: Later\r\n\r\n",
       "400 Bad Request\r\n", "x-amzn-ErrorType: ValidationException\r\n"},
      {INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\nX-Amz-Log-Type: All\r\n\r\n",
       "400 Bad Request\r\n", "Member must satisfy enum value set: [None, Tail]"},
      {"GET /2015-03-31/functions/Echo/invocations HTTP/1.1\r\nConnection: close\r\n\r\n",
       "405 Method Not Allowed\r\n", "{\"Type\":\"LocalService\",\"Message\":"
                                     "\"MethodNotAllowedException\"}"},
      {"POST /other HTTP/1.1\r\nConnection: close\r\n\r\n", "404 Not Found\r\n",
       "x-amzn-ErrorType: LocalServiceException\r\n"},
      {INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\nX-Amz-Invocation-Type: DryRun\r\n\r\n",
       "204 No Content\r\n", "Content-Length: 0\r\n"},
      {INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\nX-Amz-Invocation-Type: Event\r\n\r\n",
       "202 Accepted\r\n", "x-amzn-RequestId: "},
      /* HTTP/1.0 closes unless asked; the body is empty: the event is {} */
      {INV "Echo/invocations HTTP/1.0\r\n\r\n", "200 OK\r\n", "Connection: close\r\n"},
      {INV "Echo/invocations HTTP/1.0\r\n\r\n", "", "\r\n\r\n{}"},
      /* malformed HTTP */
      {"BLAH\r\n\r\n", "400 Bad Request\r\n", "malformed request line"},
      {INV "Echo/invocations HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       "400 Bad Request\r\n", "conflicting Content-Length"},
      {INV "Echo/invocations HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
       "400 Bad Request\r\n", "both Transfer-Encoding and Content-Length"},
      {INV "Echo/invocations HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented",
       "only the chunked transfer encoding"},
      {INV "Echo/invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       "400 Bad Request\r\n", "malformed chunk size"},
      {INV "Echo/invocations HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400 Bad Request\r\n",
       "malformed Content-Length"},
      {INV "Echo/invocations HTTP/1.1\r\n bad: fold\r\n\r\n", "400 Bad Request\r\n",
       "malformed header line"},
  };
  for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
    int failures = check_failures;
    r = exchange_s(errors[i].req);
    if (errors[i].status[0])
      CHECK_PREFIX(r + (strlen(r) > 9 ? 9 : 0), errors[i].status);
    CHECK_CONTAINS(r, errors[i].body);
    if (check_failures != failures)
      fprintf(stderr, "  (request %zu)\n", i);
    asl_free(r);
  }

  /* 7 MB: read to its end and refused as Lambda refuses it; the connection stays usable */
  size_t big = 7 * 1024 * 1024;
  asl_buf req = ASL_BUF_INIT;
  asl_buf_printf(&req, INV "Echo/invocations HTTP/1.1\r\nContent-Length: %zu\r\n\r\n\"", big);
  for (size_t i = 0; i < big - 2; i++)
    asl_buf_addc(&req, 'a');
  asl_buf_adds(&req, "\"" INV "Echo/invocations HTTP/1.1\r\nConnection: close\r\n"
                     "Content-Length: 1\r\n\r\n1");
  r = exchange(req.data, req.len);
  CHECK_PREFIX(r, "HTTP/1.1 413 Request Entity Too Large\r\n");
  CHECK_CONTAINS(r, "x-amzn-ErrorType: RequestTooLargeException\r\n");
  CHECK_CONTAINS(r, "{\"Type\":\"User\",\"message\":\"Request must be smaller than 6291456 bytes "
                    "for the InvokeFunction operation\"}HTTP/1.1 200 OK\r\n");
  CHECK(strcmp(r + strlen(r) - 5, "\r\n\r\n1") == 0);
  asl_free(r);
  asl_buf_free(&req);

  /* headers over 64 KB */
  asl_buf_printf(&req, INV "Echo/invocations HTTP/1.1\r\nX-Big: ");
  for (int i = 0; i < 70000; i++)
    asl_buf_addc(&req, 'b');
  r = exchange(req.data, req.len);
  CHECK_PREFIX(r, "HTTP/1.1 431 Request Header Fields Too Large\r\n");
  asl_free(r);
  asl_buf_free(&req);
}

/* ---- through the client: oversized request, concurrency, reuse, cancel ---- */

static void test_client_limits(void)
{
  /* a 7 MB event (bigger than Step Functions would ever send): Lambda's 413 */
  asl_buf in = ASL_BUF_INIT;
  asl_buf_adds(&in, "{\"s\": \"");
  for (int i = 0; i < 7 * 1024 * 1024; i++)
    asl_buf_addc(&in, 'x');
  asl_buf_adds(&in, "\"}");
  outcome o = {0};
  run(remote, ASL_TASK_LAMBDA_ARN, ARN("Echo"), in.data, &o);
  CHECK_STR(o.name, "Lambda.RequestTooLargeException");
  CHECK_PREFIX(o.cause, "Request must be smaller than 6291456 bytes for the InvokeFunction "
                        "operation (Service: AWSLambda; Status Code: 413; Error Code: "
                        "RequestTooLargeException; Request ID: ");
  CHECK(strcmp(o.cause + strlen(o.cause) - 13, "; Proxy: null)") == 0 ||
        strstr(o.cause, "; Proxy: null)"));
  asl_buf_free(&in);
  outcome_clear(&o);
}

static void test_concurrency_and_cancel(void)
{
  enum { N = 200 };
  static outcome os[N];
  asl_task_call *calls[N];
  asl_json *in = J("{\"n\": 1}");
  asl_task_request r = {.state_name = "Call", .resource = ARN("Echo"),
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  uint64_t before = asl__lambda_serve_accepted(srv);
  size_t started = 0, finished = 0;
  asl_error err = ASL_ERROR_INIT;
  /* 50 in flight at a time, as a Map with MaxConcurrency 50 would keep them */
  while (finished < N) {
    while (started < N && started - finished < 50) {
      CHECK(invoke(remote, &r, &os[started], &calls[started], &err) == ASL_OK);
      started++;
    }
    uv_run(&loop, UV_RUN_ONCE);
    finished = 0;
    for (size_t i = 0; i < started; i++)
      finished += os[i].calls == 1;
  }
  for (size_t i = 0; i < N; i++) {
    CHECK(os[i].status == ASL_OK);
    CHECK_JSON(os[i].value, "{\"n\":1}");
    outcome_clear(&os[i]);
  }
  uint64_t conns = asl__lambda_serve_accepted(srv) - before;
  if (conns > 60)
    fprintf(stderr, "%llu connections for %d calls\n", (unsigned long long)conns, N);
  CHECK(conns <= 60); /* reused: about one per call in flight */
  asl_json_decref(in);

  /* cancel: the callback runs once with ASL_E_CANCELED, soon, not when the function ends */
  in = J("{\"s\": 0.5}");
  r.resource = ARN("Sleeper");
  r.input = in;
  outcome o = {0};
  asl_task_call *c;
  CHECK(invoke(remote, &r, &o, &c, &err) == ASL_OK);
  for (int i = 0; i < 3; i++)
    uv_run(&loop, UV_RUN_NOWAIT);
  cancel(c);
  uint64_t t0 = uv_hrtime();
  while (o.calls == 0)
    uv_run(&loop, UV_RUN_ONCE);
  CHECK(o.status == ASL_E_CANCELED);
  CHECK(uv_hrtime() - t0 < 200 * 1000000ull);
  CHECK(!o.reentered);
  /* a call still running when the registry goes: no callback, nothing leaks */
  outcome o2 = {0};
  CHECK(invoke(remote, &r, &o2, &c, &err) == ASL_OK);
  uv_run(&loop, UV_RUN_NOWAIT);
  asl_handlers_free(remote);
  remote = NULL;
  CHECK(o2.calls == 0);
  outcome_clear(&o);
  asl_json_decref(in);
  asl_error_clear(&err);
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  if (argc < 2) {
    fprintf(stderr, "usage: test_serve TESTS_HANDLERS_DIR\n");
    return 2;
  }
  /* no credentials from the machine running the tests: requests go unsigned */
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_PROFILE");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/http", argv[1]);
  snprintf(path, sizeof path, "%s/aslrun.json", dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 2;
  }
  static char text[65536];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  asl_json *config = J(text);
  uv_loop_init(&loop);
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts lo = {.loop = &loop, .config = config, .config_dir = dir};
  local = asl_handlers_new(&lo, &err);
  CHECK(local != NULL);
  asl_lambda_serve_opts so = {.loop = &loop, .handlers = local, .log = on_log};
  srv = asl_lambda_serve_start(&so, &err);
  CHECK(srv != NULL);
  port = asl_lambda_serve_port(srv);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  asl_handlers_opts ro = {.loop = &loop, .lambda_endpoint = url};
  remote = asl_handlers_new(&ro, &err);
  CHECK(remote != NULL);

  /* the first call says, once, that requests go unsigned */
  outcome o = {0};
  run(remote, ASL_TASK_LAMBDA_ARN, ARN("Echo"), "{}", &o);
  CHECK_PREFIX(o.log, "aslrun: no AWS credentials found (looked at AWS_ACCESS_KEY_ID, profile "
                      "\"default\" in /nonexistent/credentials and /nonexistent/config); "
                      "requests to http://127.0.0.1:");
  run(remote, ASL_TASK_LAMBDA_ARN, ARN("Echo"), "{}", &o);
  CHECK_PREFIX(o.log, "START RequestId: ");
  outcome_clear(&o);

  test_tutorial_parity();
  test_protocol();
  test_client_limits();
  test_concurrency_and_cancel();

  /* a bad endpoint is refused when the registry is built */
  asl_handlers_opts bad = {.loop = &loop, .lambda_endpoint = "ftp://x"};
  CHECK(asl_handlers_new(&bad, &err) == NULL);
  CHECK_STR(err.cause, "the Lambda endpoint \"ftp://x\" must start with http:// or https://");
  asl_error_clear(&err);

  asl_lambda_serve_free(srv);
  asl_handlers_free(local);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  asl_json_decref(config);
  return CHECK_DONE();
}
