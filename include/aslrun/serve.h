/* `aslrun serve`: the Step Functions API on localhost, a drop-in for Step Functions Local. The AWS
 * JSON 1.0 protocol (POST /, X-Amz-Target: AWSStepFunctions.<Operation>) over the HTTP server of
 * http_server.h, on the caller's libuv loop: state machines are loaded once (src/machine),
 * executions run concurrently on the loop (src/exec) and their Task states are served by handler
 * registries (src/handlers): aslrun.json's functions, and Step Functions Local's MockConfigFile
 * selected per execution with "stateMachineArn#TestCase".
 *
 * State lives in memory; with a state directory every state machine and every finished execution
 * (history included) is written atomically (temporary file, fsync, rename, fsync of the folder)
 * before it is reported, and read back at start.
 *
 * Lifetimes: the server owns its registries, machines and executions. It never prints: each
 * answered request is reported to the log callback. */
#ifndef ASLRUN_SERVE_H
#define ASLRUN_SERVE_H

#include <uv.h>

#include "aslrun/json.h"

typedef struct asl_sfn_server asl_sfn_server;

/* One line per answered request ("StartExecution -> 200 (0.21 ms)"), lent for the call. */
typedef void (*asl_serve_log_cb)(void *data, const char *line);

typedef struct asl_serve_opts {
  uv_loop_t *loop;
  const char *host; /* the IPv4 or IPv6 address to listen on; NULL: 127.0.0.1 */
  int port;         /* 0: any free port (asl_serve_port tells which) */
  const char *region;  /* of every ARN the server makes; NULL: us-east-1 */
  const char *account; /* NULL: 123456789012 */
  const char *state_dir; /* NULL: memory only */
  const asl_json *config;      /* parsed aslrun.json (functions, mocks), or NULL; borrowed until
                                  asl_serve_free */
  const char *config_dir;      /* relative paths of [config] are relative to it */
  const asl_json *mock_config; /* parsed MockConfigFile, or NULL; borrowed likewise */
  const char *lambda_endpoint; /* Lambda functions aslrun.json does not map go to this Invoke API
                                  endpoint (Step Functions Local's LAMBDA_ENDPOINT), or NULL */
  bool virtual_time;           /* executions wait in virtual time (waits and back-offs take no
                                  real time; timestamps still advance) */
  bool cold;                   /* a fresh Python worker for every invocation */
  /* --check-auth: requests must carry a valid SigV4 signature by this key pair for service
   * "states"; NULL: any signature (or none) is accepted, as Step Functions Local does */
  const char *access_key, *secret_key;
  asl_serve_log_cb log; /* may be NULL */
  void *log_data;
} asl_serve_opts;

/* Reads the state directory (when given) and starts listening; NULL and [err] when the address
 * cannot be used, the directory cannot be read or written, or a file in it is damaged (named). */
asl_sfn_server *asl_serve_start(const asl_serve_opts *opts, asl_error *err);
/* The port the server listens on. */
int asl_serve_port(const asl_sfn_server *s);
/* Runs the loop until asl_serve_stop (from a signal callback, say). Registries that TestState
 * used are freed between loop turns here, since a registry can only be freed outside the loop's
 * callbacks. */
void asl_serve_run(asl_sfn_server *s);
/* Makes asl_serve_run return after the current turn. */
void asl_serve_stop(asl_sfn_server *s);
/* Stops serving: running executions are stopped (not persisted: they never finished), connections
 * closed, registries freed; runs the loop until all of that is done (not from inside a loop
 * callback). NULL is a no-op. */
void asl_serve_free(asl_sfn_server *s);

#endif
