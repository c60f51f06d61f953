/* A small HTTP/1.1 server on the libuv loop, shared by `aslrun lambda serve` (the Lambda Invoke
 * API, src/handlers) and `aslrun serve` (the Step Functions API, src/serve): keep-alive and
 * pipelined requests, Content-Length and chunked bodies, "Expect: 100-continue", a cap on every
 * size and an idle timeout on every connection. One request per connection is with the handler
 * at a time; the handler answers it, now or later, with asl_http_respond. What a request means
 * is the caller's business. */
#ifndef ASLRUN_HTTP_SERVER_H
#define ASLRUN_HTTP_SERVER_H

#include <uv.h>

#include "aslrun/error.h"

typedef struct asl_http_server asl_http_server;
typedef struct asl_http_conn asl_http_conn;

typedef struct asl_http_header {
  char *name, *value;
} asl_http_header;

typedef struct asl_http_request {
  const char *method;
  const char *target; /* the request target as sent: path and query, still percent-encoded */
  const asl_http_header *headers;
  size_t n_headers;
  const char *body; /* NUL-terminated for convenience; may contain NULs */
  size_t body_len;
  bool body_too_large; /* the body was over the server's max_body and was discarded */
  size_t body_declared; /* its size (Content-Length, or what the chunks added up to) */
} asl_http_request;

/* Runs for every complete request; [req] is valid until asl_http_respond. */
typedef void (*asl_http_request_cb)(void *data, asl_http_conn *conn,
                                    const asl_http_request *req);

typedef struct asl_http_server_opts {
  uv_loop_t *loop;
  const char *host; /* an IPv4 or IPv6 address */
  int port;         /* 0: any free port */
  size_t max_body;  /* larger bodies are read and dropped (body_too_large) */
  asl_http_request_cb on_request;
  void *data;
} asl_http_server_opts;

asl_http_server *asl_http_server_start(const asl_http_server_opts *opts, asl_error *err);
int asl_http_server_port(const asl_http_server *s);
/* How many connections were accepted so far (tests check that clients reuse them). */
uint64_t asl_http_server_accepted(const asl_http_server *s);
/* Stops listening and closes every connection. A request still with the handler must still be
 * answered (asl_http_respond drops the answer); the memory goes when all of that is done.
 * [on_closed]([data]) runs (from the loop) once everything is freed. */
void asl_http_server_close(asl_http_server *s, void (*on_closed)(void *), void *data);

/* The value of header [name] (case-insensitive; the first one), or NULL. */
const char *asl_http_header_get(const asl_http_request *req, const char *name);
/* Answers the connection's current request: [status] and [reason], [headers] ("Name: value\r\n"
 * lines, or NULL; Content-Length, Date and Connection are added), [body] of [len] bytes
 * (copied). Afterwards [conn] and the request are no longer the caller's. */
void asl_http_respond(asl_http_conn *conn, int status, const char *reason, const char *headers,
                      const char *body, size_t len);

#endif
