/* `aslrun lambda serve`: the functions of an aslrun.json (python and command handlers, through
 * the handler registry) served over the Lambda Invoke API, as `sam local start-lambda` serves a
 * SAM template: POST /2015-03-31/functions/NAME/invocations with the event as body; 200 with the
 * function's response bytes, X-Amz-Function-Error: Unhandled for a function error,
 * X-Amz-Log-Result with X-Amz-Log-Type: Tail, X-Amz-Executed-Version and x-amzn-RequestId; the
 * service's own errors as AWS answers them (ResourceNotFoundException 404, RequestTooLarge 413,
 * InvalidRequestContent 400, ...). Keep-alive connections, many requests at once, all on the
 * caller's libuv loop; it listens on 127.0.0.1 unless told otherwise. It never prints: each
 * answered request is reported to the log callback. */
#ifndef ASLRUN_LAMBDA_SERVE_H
#define ASLRUN_LAMBDA_SERVE_H

#include "aslrun/handler.h"

typedef struct asl_lambda_server asl_lambda_server;

/* One line per answered request ("Echo RequestResponse -> 200 (1.23 ms)") and what the function
 * logged for it (NULL when nothing); both are lent for the call. */
typedef void (*asl_lambda_serve_log_cb)(void *data, const char *line, const char *function_log);

typedef struct asl_lambda_serve_opts {
  uv_loop_t *loop;
  asl_handlers *handlers; /* runs the functions; must outlive the server */
  const char *host;       /* the IPv4 or IPv6 address to listen on; NULL: 127.0.0.1 */
  int port;               /* 0: any free port (asl_lambda_serve_port tells which) */
  asl_lambda_serve_log_cb log; /* may be NULL */
  void *log_data;
} asl_lambda_serve_opts;

/* Starts listening; NULL and [err] when the address cannot be used (port taken, bad address).
 * Requests are served while the loop runs. */
asl_lambda_server *asl_lambda_serve_start(const asl_lambda_serve_opts *opts, asl_error *err);
/* The port the server listens on. */
int asl_lambda_serve_port(const asl_lambda_server *s);
/* Stops serving: invocations in flight are cancelled, connections closed, and the loop is run
 * until all of that is done (so: not from inside a loop callback; stop the loop first, e.g. with
 * uv_stop in a signal callback). Call before asl_handlers_free. NULL is a no-op. */
void asl_lambda_serve_free(asl_lambda_server *s);

#endif
