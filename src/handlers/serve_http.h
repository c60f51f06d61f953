/* The HTTP/1.1 server's old private names (private to src/handlers): the server is public now
 * (include/aslrun/http_server.h, shared with src/serve); these aliases keep lambda_serve.c and the
 * handlers' tests as they were. */
#ifndef ASLRUN_HANDLERS_SERVE_HTTP_H
#define ASLRUN_HANDLERS_SERVE_HTTP_H

#include "aslrun/http_server.h"

typedef asl_http_server asl__http_server;
typedef asl_http_conn asl__http_conn;
typedef asl_http_header asl__http_header;
typedef asl_http_request asl__http_request;
typedef asl_http_request_cb asl__http_request_cb;
typedef asl_http_server_opts asl__http_server_opts;

static inline asl_http_server *asl__http_server_start(const asl_http_server_opts *opts,
                                                      asl_error *err)
{
  return asl_http_server_start(opts, err);
}
static inline int asl__http_server_port(const asl_http_server *s)
{
  return asl_http_server_port(s);
}
static inline uint64_t asl__http_server_accepted(const asl_http_server *s)
{
  return asl_http_server_accepted(s);
}
static inline void asl__http_server_close(asl_http_server *s, void (*on_closed)(void *),
                                          void *data)
{
  asl_http_server_close(s, on_closed, data);
}
static inline const char *asl__http_header_get(const asl_http_request *req, const char *name)
{
  return asl_http_header_get(req, name);
}
static inline void asl__http_respond(asl_http_conn *conn, int status, const char *reason,
                                     const char *headers, const char *body, size_t len)
{
  asl_http_respond(conn, status, reason, headers, body, len);
}

#endif
