/* libFuzzer target for `aslrun serve`'s request parsing: the input is what a client sends on one
 * connection (any number of pipelined HTTP requests, then the end of its writing side), to a fresh
 * server in this process (memory only, virtual time, no handlers). That exercises the HTTP framing
 * (request line, headers, Content-Length and chunked bodies, caps) and the AWS JSON 1.0 dispatch:
 * X-Amz-Target, the body's JSON and each operation's parameter checks. Executions a request starts
 * run in virtual time and are stopped with the server. The server must answer and close the
 * connection, then free everything; nothing may crash, hang, leak or leave a reference.
 * Seeds: request sequences written by tools/fuzz (create, start, describe, list, history, ...). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aslrun/serve.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct client {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t wr;
  uv_shutdown_t shut;
  uv_buf_t out;
  asl_buf in;
  bool done, closed;
} client;

static void on_client_closed(uv_handle_t *h)
{
  client *c = h->data;
  c->closed = true;
}

static void finish(client *c)
{
  if (c->done)
    return;
  c->done = true;
  uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  client *c = h->data;
  (void)suggested;
  asl_buf_reserve(&c->in, 65536);
  buf->base = c->in.data + c->in.len;
  buf->len = c->in.cap - c->in.len - 1;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  client *c = s->data;
  (void)buf;
  if (n < 0) {
    finish(c); /* the server closed the connection: every request was answered or refused */
    return;
  }
  c->in.len += (size_t)n;
  c->in.data[c->in.len] = '\0';
}

static void on_shutdown(uv_shutdown_t *r, int status)
{
  (void)r;
  (void)status;
}

static void on_written(uv_write_t *w, int status)
{
  client *c = w->data;
  if (status < 0) {
    finish(c); /* the server closed before reading it all (a refused request) */
    return;
  }
  c->shut.data = c;
  if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
    finish(c);
}

static void on_connect(uv_connect_t *r, int status)
{
  client *c = r->data;
  if (status < 0)
    abort();
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    abort();
  c->wr.data = c;
  if (c->out.len == 0) {
    on_written(&c->wr, 0);
    return;
  }
  if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &c->out, 1, on_written) != 0)
    finish(c);
}

static void on_walk(uv_handle_t *h, void *arg)
{
  (void)arg;
  fprintf(stderr, "handle left open: %s\n", uv_handle_type_name(uv_handle_get_type(h)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static bool once;
  if (!once) {
    signal(SIGPIPE, SIG_IGN);
    once = true;
  }
  size_t live = asl_json_live();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_serve_opts o = {.loop = &loop, .virtual_time = true};
  asl_error err = ASL_ERROR_INIT;
  asl_sfn_server *s = asl_serve_start(&o, &err);
  if (!s)
    abort();
  client c = {0};
  c.tcp.data = c.connect.data = &c;
  c.out = uv_buf_init((char *)data, (unsigned)size);
  uv_tcp_init(&loop, &c.tcp);
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", asl_serve_port(s), &addr);
  if (uv_tcp_connect(&c.connect, &c.tcp, (const struct sockaddr *)&addr, on_connect) != 0)
    abort();
  while (!c.closed)
    uv_run(&loop, UV_RUN_ONCE);
  /* every answer the server wrote is well framed: a status line first */
  if (c.in.len && strncmp(c.in.data, "HTTP/1.1 ", 9) != 0)
    abort();
  asl_buf_free(&c.in);
  asl_serve_free(s);
  uv_run(&loop, UV_RUN_NOWAIT);
  if (uv_loop_close(&loop) != 0) {
    uv_walk(&loop, on_walk, NULL);
    abort(); /* the server left a handle open */
  }
  fuzz_check_live(live);
  return 0;
}
