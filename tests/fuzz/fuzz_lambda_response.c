/* libFuzzer target for the Lambda handler's response mapping (http_lambda.c, lambda.c): the
 * input's first byte picks the resource style (direct ARN or lambda:invoke with LogType Tail) and
 * a small or AWS's payload limit; the rest is what the endpoint answers, bytes on the wire (status
 * line, headers, body), after which it closes the connection. The real client (libcurl on the
 * loop) reads it from a loopback server in this process, so framing, headers, status codes,
 * function errors, log tails and payloads all go through the code a real run uses. The call must
 * end exactly once with a value or a named error; nothing may crash, hang, leak or leave a
 * reference. Seeds: the answers tests/handlers/http/fault_server.py gives (tools/fuzz). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aslrun/handler.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the endpoint: reads one request (head and Content-Length body), writes the answer, closes */
typedef struct peer {
  uv_tcp_t tcp;
  asl_buf in;
  uv_write_t wr;
  bool answered;
} peer;

static uv_loop_t loop;
static uv_tcp_t listener;
static int port;
static const uint8_t *answer;
static size_t answer_len;
static asl_handlers *reg[2]; /* AWS's payload limit, a small one */

static void on_peer_closed(uv_handle_t *h)
{
  peer *p = h->data;
  asl_buf_free(&p->in);
  asl_free(p);
}

static void on_written(uv_write_t *w, int status)
{
  (void)status;
  uv_close((uv_handle_t *)w->handle, on_peer_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  peer *p = h->data;
  (void)suggested;
  asl_buf_reserve(&p->in, 4096);
  buf->base = p->in.data + p->in.len;
  buf->len = p->in.cap - p->in.len - 1;
}

/* True when [p] holds a whole request: the head and as many body bytes as Content-Length says. */
static bool request_complete(peer *p)
{
  const char *end = strstr(p->in.data, "\r\n\r\n");
  if (!end)
    return false;
  size_t head = (size_t)(end - p->in.data) + 4;
  const char *cl = strcasestr(p->in.data, "\r\nContent-Length:");
  size_t want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
  return p->in.len >= head + want;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  peer *p = s->data;
  (void)buf;
  if (n < 0) {
    if (!p->answered) {
      p->answered = true;
      uv_close((uv_handle_t *)s, on_peer_closed);
    }
    return;
  }
  p->in.len += (size_t)n;
  p->in.data[p->in.len] = '\0';
  if (p->answered || !request_complete(p))
    return;
  p->answered = true;
  uv_read_stop(s);
  uv_buf_t out = uv_buf_init((char *)answer, (unsigned)answer_len);
  if (answer_len == 0 || uv_write(&p->wr, s, &out, 1, on_written) != 0)
    uv_close((uv_handle_t *)s, on_peer_closed);
}

static void on_connection(uv_stream_t *l, int status)
{
  if (status < 0)
    return;
  peer *p = asl_calloc(1, sizeof *p);
  uv_tcp_init(&loop, &p->tcp);
  p->tcp.data = p;
  if (uv_accept(l, (uv_stream_t *)&p->tcp) != 0 ||
      uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read) != 0)
    uv_close((uv_handle_t *)&p->tcp, on_peer_closed);
}

static void set_up(void)
{
  signal(SIGPIPE, SIG_IGN);
  uv_loop_init(&loop);
  uv_tcp_init(&loop, &listener);
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  if (uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0) != 0 ||
      uv_listen((uv_stream_t *)&listener, 128, on_connection) != 0)
    abort();
  struct sockaddr_storage name;
  int len = sizeof name;
  uv_tcp_getsockname(&listener, (struct sockaddr *)&name, &len);
  port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
  for (int i = 0; i < 2; i++) {
    asl_error err = ASL_ERROR_INIT;
    asl_handlers_opts o = {.loop = &loop, .lambda_endpoint = endpoint,
                           .payload_limit = i ? 64 : 0};
    reg[i] = asl_handlers_new(&o, &err);
    if (!reg[i])
      abort();
  }
  /* requests are never signed: no credentials from the environment or files */
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_PROFILE");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
}

static void run_one(asl_handlers *h, bool invoke_style);

typedef struct result {
  int calls;
} result;

static void on_done(void *data, const asl_task_result *r)
{
  result *res = data;
  res->calls++;
  if (getenv("FUZZ_VERBOSE")) {
    char *v = r->value ? asl_json_dump(r->value, ASL_JSON_COMPACT, NULL) : NULL;
    fprintf(stderr, "status %d, value %s, error %s: %s\n", (int)r->status, v ? v : "-",
            r->error.name ? r->error.name : "-", r->error.cause ? r->error.cause : "-");
    asl_free(v);
  }
  if (r->status == ASL_OK ? !r->value : r->status != ASL_E_HANDLER || !r->error.name)
    abort(); /* a value, or an error with a Step Functions name */
}

static void run_one(asl_handlers *h, bool invoke_style)
{
  asl_json *in = invoke_style
                     ? fuzz_parse("{\"FunctionName\":\"Fn\",\"LogType\":\"Tail\",\"Payload\":{}}", 51)
                     : fuzz_parse("{\"k\":[1,2]}", 11);
  asl_task_request req = {
      .state_name = "Call",
      .resource = invoke_style ? "arn:aws:states:::lambda:invoke"
                               : "arn:aws:lambda:us-east-1:123456789012:function:Fn",
      .style = invoke_style ? ASL_TASK_LAMBDA_INVOKE : ASL_TASK_LAMBDA_ARN,
      .input = in,
      .now_ms = 1700000000000,
      .random = 12345};
  result res = {0};
  asl_task_call *call;
  asl_error err = ASL_ERROR_INIT;
  if (asl_task_invoke(h, &req, on_done, &res, &call, &err) != ASL_OK)
    abort(); /* the request itself is always valid */
  while (res.calls == 0)
    uv_run(&loop, UV_RUN_ONCE);
  uv_run(&loop, UV_RUN_NOWAIT); /* let the endpoint's side close */
  if (res.calls != 1)
    abort();
  asl_json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  if (!reg[0]) {
    set_up();
    /* the first call of a registry says in its log that requests go unsigned: make every input
     * meet a registry past that, whichever runs first */
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    answer = (const uint8_t *)ok;
    answer_len = sizeof ok - 1;
    run_one(reg[0], false);
    run_one(reg[1], false);
  }
  size_t live = asl_json_live();
  answer = data + 1;
  answer_len = size - 1;
  run_one(reg[(data[0] >> 1) & 1], data[0] & 1);
  fuzz_check_live(live);
  return 0;
}
