/* The HTTP/1.1 server behind `aslrun lambda serve` and `aslrun serve`
 * (include/aslrun/http_server.h): accepts connections, parses requests incrementally (request
 * line, headers, Content-Length or chunked body), hands each complete request to the handler and
 * writes its answer, keeping the connection alive when the client wants it. Malformed or
 * oversized requests get a 4xx answer and the connection is closed; nothing a client sends can
 * make it allocate more than the caps below. What a request means is the caller's business
 * (lambda_serve.c, src/serve). */
#include "aslrun/http_server.h"

#include <string.h>
#include <strings.h>

#include "internal.h"

#define HEAD_CAP (64 * 1024)  /* request line and headers */
#define MAX_HEADERS 100
#define MAX_CONNS 1024
#define IDLE_TIMEOUT_MS 60000 /* a connection with no request in flight and no bytes for this long */

typedef enum conn_state {
  CONN_HEAD,       /* reading the request line and headers */
  CONN_BODY,       /* reading a Content-Length body */
  CONN_CHUNK_SIZE, /* reading a chunk-size line */
  CONN_CHUNK_DATA,
  CONN_CHUNK_END,  /* the CRLF after a chunk's data */
  CONN_TRAILERS,
  CONN_HANDLER,    /* the request is with the handler */
  CONN_WRITING,    /* the answer is being written */
  CONN_CLOSED,
} conn_state;

struct asl_http_server {
  uv_loop_t *loop;
  uv_tcp_t listener;
  int port;
  size_t max_body;
  asl_http_request_cb on_request;
  void *data;
  asl_http_conn *conns;
  size_t n_conns;
  uint64_t accepted;
  int open_handles; /* the listener's and each connection's two */
  int with_handler; /* requests the handler still has to answer */
  bool closing;
  void (*on_closed)(void *);
  void *closed_data;
};

struct asl_http_conn {
  uv_tcp_t tcp;
  uv_timer_t timer;
  asl_http_server *s;
  int open_handles;
  conn_state state;
  bool reading, close_after, with_handler, http10;
  asl_buf in; /* received bytes not consumed yet */
  size_t scan; /* how far CONN_HEAD searched for the blank line */
  /* the current request */
  char *method, *target;
  ASL_VEC(asl_http_header) headers;
  asl_buf body;
  size_t remaining; /* body bytes (or chunk bytes) still to come */
  size_t declared;
  bool too_large;
  uv_write_t wr;
  asl_buf out;
  asl_http_conn *prev, *next;
};

static void conn_read_start(asl_http_conn *c);
static void conn_process(asl_http_conn *c);

/* ---- lifetimes ---- */

static void server_maybe_done(asl_http_server *s)
{
  if (!s->closing || s->open_handles > 0 || s->with_handler > 0)
    return;
  void (*cb)(void *) = s->on_closed;
  void *data = s->closed_data;
  asl_free(s);
  if (cb)
    cb(data);
}

static void request_clear(asl_http_conn *c)
{
  asl_free(c->method);
  asl_free(c->target);
  c->method = c->target = NULL;
  for (size_t i = 0; i < c->headers.len; i++) {
    asl_free(c->headers.items[i].name);
    asl_free(c->headers.items[i].value);
  }
  c->headers.len = 0;
  c->body.len = 0;
  c->remaining = c->declared = 0;
  c->too_large = false;
}

static void conn_maybe_free(asl_http_conn *c)
{
  if (c->open_handles > 0 || c->with_handler)
    return;
  asl_http_server *s = c->s;
  request_clear(c);
  ASL_VEC_FREE(c->headers);
  asl_buf_free(&c->in);
  asl_buf_free(&c->body);
  asl_buf_free(&c->out);
  asl_free(c);
  server_maybe_done(s);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
  asl_http_conn *c = h->data;
  c->open_handles--;
  c->s->open_handles--;
  conn_maybe_free(c);
}

static void conn_close(asl_http_conn *c)
{
  if (c->state == CONN_CLOSED)
    return;
  c->state = CONN_CLOSED;
  asl_http_server *s = c->s;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  s->n_conns--;
  uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
  uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
}

/* ---- writing ---- */

static void on_written(uv_write_t *w, int status)
{
  asl_http_conn *c = w->data;
  c->out.len = 0;
  if (c->state == CONN_CLOSED)
    return;
  if (status < 0 || c->close_after) {
    conn_close(c);
    return;
  }
  c->state = CONN_HEAD;
  conn_read_start(c);
  conn_process(c); /* a pipelined request may be waiting in the buffer */
}

static void conn_write(asl_http_conn *c)
{
  c->state = CONN_WRITING;
  uv_buf_t b = uv_buf_init(c->out.data, (unsigned)c->out.len);
  c->wr.data = c;
  if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
    conn_close(c);
}

static void add_response_head(asl_http_conn *c, int status, const char *reason,
                              const char *headers, size_t len)
{
  char date[40];
  uv_timeval64_t now;
  asl__http_date(uv_gettimeofday(&now) == 0 ? now.tv_sec * 1000 : 0, date);
  asl_buf_printf(&c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %zu\r\nConnection: %s\r\n%s"
                          "\r\n",
                 status, reason, date, len, c->close_after ? "close" : "keep-alive",
                 headers ? headers : "");
}

/* An answer of our own to a request that never reached the handler; the connection closes. */
static void conn_reject(asl_http_conn *c, int status, const char *reason, const char *message)
{
  uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = false;
  c->close_after = true;
  char *body = asl_strfmt("{\"Type\":\"User\",\"message\":\"%s\"}", message);
  c->out.len = 0;
  add_response_head(c, status, reason, "Content-Type: application/json\r\n", strlen(body));
  asl_buf_adds(&c->out, body);
  asl_free(body);
  conn_write(c);
}

void asl_http_respond(asl_http_conn *c, int status, const char *reason, const char *headers,
                      const char *body, size_t len)
{
  asl_http_server *s = c->s;
  c->with_handler = false;
  s->with_handler--;
  request_clear(c);
  if (c->state == CONN_CLOSED) {
    conn_maybe_free(c); /* the client left or the server is closing: nobody to answer */
    return;
  }
  c->out.len = 0;
  add_response_head(c, status, reason, headers, len);
  asl_buf_add(&c->out, body, len);
  conn_write(c);
}

/* ---- parsing ---- */

const char *asl_http_header_get(const asl_http_request *req, const char *name)
{
  for (size_t i = 0; i < req->n_headers; i++)
    if (strcasecmp(req->headers[i].name, name) == 0)
      return req->headers[i].value;
  return NULL;
}

static const char *conn_header(const asl_http_conn *c, const char *name)
{
  asl_http_request r = {.headers = c->headers.items, .n_headers = c->headers.len};
  return asl_http_header_get(&r, name);
}

static bool is_token_char(unsigned char ch)
{
  return ch > ' ' && ch < 0x7F && !strchr("()<>@,;:\\\"/[]?={}", ch);
}

static bool has_token(const char *value, const char *token)
{
  size_t tl = strlen(token);
  for (const char *p = value; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *e = p;
    while (*e && *e != ',')
      e++;
    const char *t = e;
    while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
      t--;
    if ((size_t)(t - p) == tl && strncasecmp(p, token, tl) == 0)
      return true;
    p = e;
  }
  return false;
}

/* Parses the head in c->in[0, len); false after rejecting the request. */
static bool parse_head(asl_http_conn *c, size_t len)
{
  const char *p = c->in.data;
  const char *end = p + len;
  const char *eol = memchr(p, '\n', len);
  const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
  const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
  size_t line_end = (size_t)(eol - p);
  if (line_end && p[line_end - 1] == '\r')
    line_end--;
  if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1 || (size_t)(p + line_end - sp2 - 1) != 8 ||
      strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1')) {
    conn_reject(c, 400, "Bad Request", "malformed request line");
    return false;
  }
  for (const char *q = p; q < sp1; q++) {
    if (!is_token_char((unsigned char)*q)) {
      conn_reject(c, 400, "Bad Request", "malformed request method");
      return false;
    }
  }
  for (const char *q = sp1 + 1; q < sp2; q++) {
    if ((unsigned char)*q <= ' ' || *q == 0x7F) {
      conn_reject(c, 400, "Bad Request", "malformed request target");
      return false;
    }
  }
  c->http10 = sp2[8] == '0';
  c->method = asl_strndup(p, (size_t)(sp1 - p));
  c->target = asl_strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
  for (p = eol + 1; p < end;) {
    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    size_t n = (size_t)(eol - p);
    if (n && p[n - 1] == '\r')
      n--;
    if (n == 0)
      break; /* the blank line */
    const char *colon = memchr(p, ':', n);
    if (*p == ' ' || *p == '\t' || !colon || colon == p) {
      conn_reject(c, 400, "Bad Request", "malformed header line");
      return false;
    }
    for (const char *q = p; q < colon; q++) {
      if (!is_token_char((unsigned char)*q)) {
        conn_reject(c, 400, "Bad Request", "malformed header name");
        return false;
      }
    }
    if (c->headers.len == MAX_HEADERS) {
      conn_reject(c, 431, "Request Header Fields Too Large", "too many headers");
      return false;
    }
    const char *v = colon + 1;
    const char *ve = p + n;
    while (v < ve && (*v == ' ' || *v == '\t'))
      v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
      ve--;
    for (const char *q = v; q < ve; q++) {
      if (*q == '\0' || *q == '\r' || *q == '\n') {
        conn_reject(c, 400, "Bad Request", "malformed header value");
        return false;
      }
    }
    asl_http_header h = {asl_strndup(p, (size_t)(colon - p)), asl_strndup(v, (size_t)(ve - v))};
    ASL_VEC_PUSH(c->headers, h);
    p = eol + 1;
  }

  /* keep-alive: HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive" */
  const char *conn_hdr = conn_header(c, "Connection");
  c->close_after = c->http10 ? !has_token(conn_hdr, "keep-alive") : has_token(conn_hdr, "close");

  /* body framing; both or conflicting lengths are refused (request smuggling) */
  const char *te = conn_header(c, "Transfer-Encoding");
  size_t n_cl = 0;
  const char *cl = NULL;
  for (size_t i = 0; i < c->headers.len; i++) {
    if (strcasecmp(c->headers.items[i].name, "Content-Length") == 0) {
      if (cl && strcmp(cl, c->headers.items[i].value) != 0) {
        conn_reject(c, 400, "Bad Request", "conflicting Content-Length headers");
        return false;
      }
      cl = c->headers.items[i].value;
      n_cl++;
    }
  }
  if (te && cl) {
    conn_reject(c, 400, "Bad Request", "both Transfer-Encoding and Content-Length");
    return false;
  }
  if (te) {
    if (strcasecmp(te, "chunked") != 0) {
      conn_reject(c, 501, "Not Implemented", "only the chunked transfer encoding is supported");
      return false;
    }
    c->state = CONN_CHUNK_SIZE;
  } else if (cl) {
    size_t v = 0;
    const char *q = cl;
    for (; *q >= '0' && *q <= '9' && v <= (SIZE_MAX - 9) / 10; q++)
      v = v * 10 + (size_t)(*q - '0');
    if (q == cl || *q) {
      conn_reject(c, 400, "Bad Request", "malformed Content-Length");
      return false;
    }
    c->remaining = c->declared = v;
    c->too_large = v > c->s->max_body;
    c->state = CONN_BODY;
  } else {
    c->state = CONN_BODY; /* no body */
  }
  const char *expect = conn_header(c, "Expect");
  if (expect && strcasecmp(expect, "100-continue") == 0 && !c->http10 &&
      (c->state != CONN_BODY || c->remaining > 0)) {
    /* the client waits for this before it sends the body; a small write of its own */
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    uv_buf_t b = uv_buf_init((char *)cont, sizeof cont - 1);
    if (uv_try_write((uv_stream_t *)&c->tcp, &b, 1) != (int)b.len) {
      conn_reject(c, 500, "Internal Server Error", "cannot send 100 Continue");
      return false;
    }
  }
  return true;
}

static void consume(asl_http_conn *c, size_t n)
{
  memmove(c->in.data, c->in.data + n, c->in.len - n);
  c->in.len -= n;
  c->scan = 0;
}

static void take_body(asl_http_conn *c, size_t n)
{
  if (!c->too_large) {
    if (c->body.len + n > c->s->max_body) {
      c->too_large = true; /* a chunked body that grew too big: drop what we have */
    } else {
      asl_buf_add(&c->body, c->in.data, n);
    }
  }
  consume(c, n);
}

static void dispatch(asl_http_conn *c)
{
  asl_http_server *s = c->s;
  uv_read_stop((uv_stream_t *)&c->tcp); /* one request at a time; the rest waits in the socket */
  c->reading = false;
  uv_timer_stop(&c->timer);
  c->state = CONN_HANDLER;
  c->with_handler = true;
  s->with_handler++;
  if (c->too_large)
    c->body.len = 0;
  asl_buf_add(&c->body, "", 0);
  asl_http_request req = {.method = c->method, .target = c->target,
                           .headers = c->headers.items, .n_headers = c->headers.len,
                           .body = c->body.data, .body_len = c->body.len,
                           .body_too_large = c->too_large, .body_declared = c->declared};
  s->on_request(s->data, c, &req);
}

/* Advances the parser over the buffered bytes as far as they go. */
static void conn_process(asl_http_conn *c)
{
  for (;;) {
    switch (c->state) {
    case CONN_HEAD: {
      size_t blank = 0; /* empty lines before a request line are ignored (RFC 9112 2.2) */
      while (blank < c->in.len && (c->in.data[blank] == '\r' || c->in.data[blank] == '\n'))
        blank++;
      if (blank)
        consume(c, blank);
      if (c->in.len == 0)
        return;
      size_t from = c->scan > 3 ? c->scan - 3 : 0;
      const char *hit = NULL;
      for (size_t i = from; i + 1 < c->in.len; i++) {
        if (c->in.data[i] == '\n' &&
            (c->in.data[i + 1] == '\n' ||
             (c->in.data[i + 1] == '\r' && i + 2 < c->in.len && c->in.data[i + 2] == '\n'))) {
          hit = c->in.data + i + (c->in.data[i + 1] == '\n' ? 2 : 3);
          break;
        }
      }
      if (!hit) {
        c->scan = c->in.len;
        if (c->in.len > HEAD_CAP)
          conn_reject(c, 431, "Request Header Fields Too Large",
                      "the request line and headers are over 64 KB");
        return;
      }
      size_t head_len = (size_t)(hit - c->in.data);
      if (!parse_head(c, head_len))
        return;
      consume(c, head_len);
      break;
    }
    case CONN_BODY: {
      size_t n = c->remaining < c->in.len ? c->remaining : c->in.len;
      take_body(c, n);
      c->remaining -= n;
      if (c->remaining > 0)
        return;
      dispatch(c);
      return;
    }
    case CONN_CHUNK_SIZE:
    case CONN_TRAILERS: {
      const char *nl = memchr(c->in.data, '\n', c->in.len);
      if (!nl) {
        if (c->in.len > 4096)
          conn_reject(c, 400, "Bad Request", "malformed chunked body");
        return;
      }
      size_t line = (size_t)(nl - c->in.data);
      if (c->state == CONN_TRAILERS) {
        bool blank = line == 0 || (line == 1 && c->in.data[0] == '\r');
        consume(c, line + 1);
        if (blank) {
          dispatch(c);
          return;
        }
        break;
      }
      size_t v = 0;
      size_t i = 0;
      int digits = 0;
      for (; i < line; i++) {
        char ch = c->in.data[i];
        int d = (ch >= '0' && ch <= '9')   ? ch - '0'
                : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                           : -1;
        if (d < 0)
          break;
        if (++digits > 15) {
          conn_reject(c, 400, "Bad Request", "chunk size too large");
          return;
        }
        v = v * 16 + (size_t)d;
      }
      char after = i < line ? c->in.data[i] : '\r';
      if (digits == 0 || (after != ';' && after != '\r' && after != ' ')) {
        conn_reject(c, 400, "Bad Request", "malformed chunk size");
        return;
      }
      consume(c, line + 1);
      c->declared += v;
      c->remaining = v;
      c->state = v ? CONN_CHUNK_DATA : CONN_TRAILERS;
      break;
    }
    case CONN_CHUNK_DATA: {
      size_t n = c->remaining < c->in.len ? c->remaining : c->in.len;
      take_body(c, n);
      c->remaining -= n;
      if (c->remaining > 0)
        return;
      c->state = CONN_CHUNK_END;
      break;
    }
    case CONN_CHUNK_END: {
      if (c->in.len < 1 || (c->in.data[0] == '\r' && c->in.len < 2))
        return;
      size_t n = c->in.data[0] == '\r' ? 2 : 1;
      if (c->in.data[n - 1] != '\n') {
        conn_reject(c, 400, "Bad Request", "malformed chunked body");
        return;
      }
      consume(c, n);
      c->state = CONN_CHUNK_SIZE;
      break;
    }
    case CONN_HANDLER:
    case CONN_WRITING:
    case CONN_CLOSED:
      return;
    }
  }
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  asl_http_conn *c = h->data;
  (void)suggested;
  asl_buf_reserve(&c->in, 65536);
  buf->base = c->in.data + c->in.len;
  buf->len = c->in.cap - c->in.len - 1;
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
  asl_http_conn *c = stream->data;
  (void)buf;
  if (n < 0) {
    conn_close(c); /* EOF or error; an answer being written has nobody to read it */
    return;
  }
  if (n == 0)
    return;
  c->in.len += (size_t)n;
  c->in.data[c->in.len] = '\0';
  uv_timer_again(&c->timer);
  conn_process(c);
}

static void on_idle_timeout(uv_timer_t *t)
{
  asl_http_conn *c = t->data;
  if (c->state == CONN_HEAD && c->in.len == 0)
    conn_close(c); /* an idle keep-alive connection */
  else if (c->state != CONN_HANDLER && c->state != CONN_WRITING)
    conn_reject(c, 408, "Request Timeout", "the request did not arrive in time");
}

static void conn_read_start(asl_http_conn *c)
{
  if (c->reading || c->state == CONN_CLOSED)
    return;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
    conn_close(c);
    return;
  }
  c->reading = true;
  uv_timer_start(&c->timer, on_idle_timeout, IDLE_TIMEOUT_MS, IDLE_TIMEOUT_MS);
}

static void on_connection(uv_stream_t *listener, int status)
{
  asl_http_server *s = listener->data;
  if (status < 0 || s->closing)
    return;
  asl_http_conn *c = asl_calloc(1, sizeof *c);
  c->s = s;
  c->state = CONN_HEAD;
  uv_tcp_init(s->loop, &c->tcp);
  uv_timer_init(s->loop, &c->timer);
  c->tcp.data = c->timer.data = c;
  c->open_handles = 2;
  s->open_handles += 2;
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->n_conns++;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 || s->n_conns > MAX_CONNS) {
    conn_close(c);
    return;
  }
  s->accepted++;
  uv_tcp_nodelay(&c->tcp, 1);
  conn_read_start(c);
}

/* ---- the server ---- */

static void on_listener_closed(uv_handle_t *h)
{
  asl_http_server *s = h->data;
  s->open_handles--;
  server_maybe_done(s);
}

asl_http_server *asl_http_server_start(const asl_http_server_opts *opts, asl_error *err)
{
  struct sockaddr_storage addr;
  const char *host = opts->host ? opts->host : "127.0.0.1";
  if (uv_ip4_addr(host, opts->port, (struct sockaddr_in *)&addr) != 0 &&
      uv_ip6_addr(host, opts->port, (struct sockaddr_in6 *)&addr) != 0) {
    asl_error_set(err, ASL_E_USAGE, NULL, "\"%s\" is not an IPv4 or IPv6 address to listen on",
                  host);
    return NULL;
  }
  asl_http_server *s = asl_calloc(1, sizeof *s);
  s->loop = opts->loop;
  s->max_body = opts->max_body;
  s->on_request = opts->on_request;
  s->data = opts->data;
  uv_tcp_init(s->loop, &s->listener);
  s->listener.data = s;
  s->open_handles = 1;
  int rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&s->listener, 511, on_connection);
  if (rc != 0) {
    asl_error_set(err, ASL_E_IO, NULL, "cannot listen on %s port %d: %s", host, opts->port,
                  uv_strerror(rc));
    s->closing = true;
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    return NULL;
  }
  struct sockaddr_storage bound;
  int blen = sizeof bound;
  uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &blen);
  s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                               : ((struct sockaddr_in *)&bound)->sin_port);
  return s;
}

int asl_http_server_port(const asl_http_server *s)
{
  return s->port;
}

uint64_t asl_http_server_accepted(const asl_http_server *s)
{
  return s->accepted;
}

void asl_http_server_close(asl_http_server *s, void (*on_closed)(void *), void *data)
{
  s->closing = true;
  s->on_closed = on_closed;
  s->closed_data = data;
  uv_close((uv_handle_t *)&s->listener, on_listener_closed);
  while (s->conns)
    conn_close(s->conns);
}
