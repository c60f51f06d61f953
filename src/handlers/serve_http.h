/* A small HTTP/1.1 server on the libuv loop, enough for the Lambda Invoke API (private to
 * src/handlers): keep-alive and pipelined requests, Content-Length and chunked bodies,
 * "Expect: 100-continue", a cap on every size and an idle timeout on every connection. One
 * request per connection is with the handler at a time; the handler answers it, now or later,
 * with asl__http_respond. */
#ifndef ASLRUN_HANDLERS_SERVE_HTTP_H
#define ASLRUN_HANDLERS_SERVE_HTTP_H

#include <uv.h>

#include "aslrun/error.h"

typedef struct asl__http_server asl__http_server;
typedef struct asl__http_conn asl__http_conn;

typedef struct asl__http_header {
  char *name, *value;
} asl__http_header;

typedef struct asl__http_request {
  const char *method;
  const char *target; /* the request target as sent: path and query, still percent-encoded */
  const asl__http_header *headers;
  size_t n_headers;
  const char *body; /* NUL-terminated for convenience; may contain NULs */
  size_t body_len;
  bool body_too_large; /* the body was over the server's max_body and was discarded */
  size_t body_declared; /* its size (Content-Length, or what the chunks added up to) */
} asl__http_request;

/* Runs for every complete request; [req] is valid until asl__http_respond. */
typedef void (*asl__http_request_cb)(void *data, asl__http_conn *conn,
                                     const asl__http_request *req);

typedef struct asl__http_server_opts {
  uv_loop_t *loop;
  const char *host; /* an IPv4 or IPv6 address */
  int port;         /* 0: any free port */
  size_t max_body;  /* larger bodies are read and dropped (body_too_large) */
  asl__http_request_cb on_request;
  void *data;
} asl__http_server_opts;

asl__http_server *asl__http_server_start(const asl__http_server_opts *opts, asl_error *err);
int asl__http_server_port(const asl__http_server *s);
/* How many connections were accepted so far (tests check that clients reuse them). */
uint64_t asl__http_server_accepted(const asl__http_server *s);
/* Stops listening and closes every connection. A request still with the handler must still be
 * answered (asl__http_respond drops the answer); the memory goes when all of that is done.
 * [on_closed]([data]) runs (from the loop) once everything is freed. */
void asl__http_server_close(asl__http_server *s, void (*on_closed)(void *), void *data);

/* The value of header [name] (case-insensitive; the first one), or NULL. */
const char *asl__http_header_get(const asl__http_request *req, const char *name);
/* Answers the connection's current request: [status] and [reason], [headers] ("Name: value\r\n"
 * lines, or NULL; Content-Length, Date and Connection are added), [body] of [len] bytes
 * (copied). Afterwards [conn] and the request are no longer the caller's. */
void asl__http_respond(asl__http_conn *conn, int status, const char *reason, const char *headers,
                       const char *body, size_t len);

#endif
