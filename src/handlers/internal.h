/* Private to src/handlers: the registry's data (configured functions, mocks, pending calls) and
 * the operations every function handler (process, python, later http) implements. The registry
 * (registry.c) owns calls and delivers their results; lambda.c turns a function's raw answer into
 * what Step Functions reports for each resource style, in one place for every handler. */
#ifndef ASLRUN_HANDLERS_INTERNAL_H
#define ASLRUN_HANDLERS_INTERNAL_H

#include <uthash.h>

#include "aslrun/handler.h"

/* ---- configured functions (aslrun.json "functions") ---- */
typedef enum asl__fn_kind {
  ASL_FN_PYTHON,
  ASL_FN_COMMAND,
  ASL_FN_LAMBDA,
} asl__fn_kind;

typedef struct asl__fn asl__fn;
typedef struct asl__fn_ops asl__fn_ops;

struct asl__fn {
  char *name;
  asl__fn_kind kind;
  double timeout_s;  /* the function's own timeout (Lambda's "Timeout"), default 3 s */
  int64_t memory_mb; /* Lambda's MemorySize, default 128 */
  char **env;        /* "KEY=VALUE" strings from "environment", in file order */
  size_t env_len;
  bool cold;         /* a fresh worker for every invocation */
  int64_t concurrency; /* most workers alive at once for this function */
  /* python */
  char *handler;  /* "dir/module.function" as written */
  char *code_dir; /* absolute directory the handler path is relative to */
  char *runtime;  /* interpreter to run, "python3" by default */
  /* command */
  char **argv; /* NULL-terminated; argv[0] resolved against the config's directory */
  size_t argc;
  char *cwd;
  /* lambda (over HTTP) */
  char *region, *endpoint, *qualifier, *profile;

  const asl__fn_ops *ops; /* NULL while the kind is not available */
  void *impl;             /* the handler's own state (its worker pool) */
  asl_handlers *reg;
  UT_hash_handle hh;
};

/* ---- mocks ---- */
typedef struct asl__mock_entry {
  uint64_t lo, hi;    /* inclusive invocation range */
  asl_json *ret;      /* Return value (a reference), or NULL for Throw */
  char *error, *cause; /* Throw; cause may be NULL in inline mocks */
} asl__mock_entry;

typedef struct asl__mock_response {
  char *name; /* MockedResponses key, or "mocks/<state>" for inline mocks */
  asl__mock_entry *entries; /* sorted by lo, no overlaps */
  size_t len;
  UT_hash_handle hh;
} asl__mock_response;

typedef struct asl__state_mock {
  char *state;
  asl__mock_response *resp; /* borrowed from the registry's response table or owned (inline) */
  bool inline_mock;
  UT_hash_handle hh;
} asl__state_mock;

/* ---- calls ---- */
typedef enum asl__call_phase {
  ASL_CALL_RUNNING, /* a handler is working on it */
  ASL_CALL_QUEUED,  /* the result is ready, the callback runs on the next loop turn */
  ASL_CALL_DONE,    /* the callback ran */
} asl__call_phase;

struct asl__raw_result; /* below */

/* What a function invocation needs to build Step Functions' view of its outcome. */
typedef struct asl__lambda_target {
  char *name;      /* function name */
  char *qualifier; /* version or alias, or NULL */
  char *region, *account;
  char *arn; /* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] as invoked */
  bool region_given;  /* the name was a full ARN: its region is the function's */
  bool account_given; /* the name was a full or partial ARN */
} asl__lambda_target;

struct asl_task_call {
  asl_handlers *reg;
  asl_task_done_cb cb;
  void *data;
  asl_task_style style;
  asl__call_phase phase;
  int refs;          /* the registry's (until delivery) + the handler's (until it finishes) */
  bool canceled;
  bool in_invoke;    /* a result written now must wait for the loop */
  bool handler_busy; /* a function handler still holds the call */
  asl_task_result result;
  bool own_error; /* result.error strings are ours to free (else lent by the registry) */
  char *log;
  asl_task_call *next;             /* delivery queue */
  asl_task_call *live_prev, *live_next; /* every call not yet freed */

  /* function invocations */
  asl__fn *fn;
  void *impl; /* the handler's per-call state */
  asl__lambda_target target;
  char request_id[37];
  char *event;     /* the bytes sent to the function */
  size_t event_len;
  bool log_tail;   /* lambda:invoke with LogType Tail */
  char *state_name;
  int64_t now_ms;   /* execution clock at invocation (Date header) */
  uint64_t started_ns;
  char *executed_version; /* X-Amz-Executed-Version of an HTTP answer, or NULL (lambda.c decides) */
  asl_task_fault fault;    /* injected into this invocation (handler.h), checked to fit the kind */

  /* raw invocations (asl__function_invoke_raw): the function's answer as it came */
  bool raw;
  char *raw_payload;
  size_t raw_len;
  bool raw_function_error;
  void (*raw_cb)(void *data, const struct asl__raw_result *r);
  void *raw_data;
};

/* Operations of a function handler kind. invoke() starts the work and returns ASL_OK, after
 * which the handler must end the call exactly once with one of the asl__call_* functions below,
 * also after cancel() (whose result is then discarded); or it fails at once and never touches the
 * call again. cancel() asks it to stop early (kill the worker). fn_free() stops the function's
 * workers; it may keep handles open, counted with asl__handlers_hold/release. */
struct asl__fn_ops {
  asl_status (*invoke)(asl_task_call *c, asl_error *err);
  void (*cancel)(asl_task_call *c);
  void (*fn_free)(asl__fn *fn);
};

extern const asl__fn_ops asl__process_ops;
extern const asl__fn_ops asl__python_ops;
extern const asl__fn_ops asl__lambda_http_ops; /* http_lambda.c */

/* ---- registry internals used by handlers ---- */
uv_loop_t *asl__handlers_loop(asl_handlers *h);
bool asl__handlers_cold(asl_handlers *h);
size_t asl__handlers_payload_limit(asl_handlers *h);
bool asl__handlers_freeing(asl_handlers *h);
/* Open handles that asl_handlers_free must wait for. */
void asl__handlers_hold(asl_handlers *h);
void asl__handlers_release(asl_handlers *h);
/* A random RFC 4122 version 4 UUID, lower-case, into [out] (37 bytes with the NUL). */
void asl__handlers_uuid(asl_handlers *h, char out[37]);
/* The registry's HTTP client (curl_uv.h), created (and libcurl loaded) on first use. */
struct asl__http *asl__handlers_http(asl_handlers *h, asl_error *err);
/* The configured function named [name], or NULL. */
asl__fn *asl__handlers_find_fn(asl_handlers *h, const char *name);

/* ---- http_lambda.c ---- */
/* NULL when [url] can serve as an Invoke API endpoint (http or https, a host, an optional port
 * and path, nothing else), else why not (a static string). */
const char *asl__endpoint_problem(const char *url);

/* ---- lambda_serve.c ---- */
struct asl_lambda_server;
/* Connections the server has accepted so far (for tests of connection reuse). */
uint64_t asl__lambda_serve_accepted(const struct asl_lambda_server *s);

/* ---- raw invocations, for serving functions over the Invoke API (lambda_serve.c) ---- */
struct asl__raw_result {
  asl_status status;     /* ASL_OK: [payload] is the function's answer; ASL_E_CANCELED; or
                            ASL_E_HANDLER: [error] (a failure that is not the function's own) */
  const char *payload;   /* the response bytes exactly as the function produced them */
  size_t len;
  bool function_error;   /* X-Amz-Function-Error: Unhandled */
  const char *log;       /* what the invocation logged, or NULL */
  const asl_error *error;
  const char *executed_version;
  const char *request_id;
};
typedef struct asl__raw_result asl__raw_result;
typedef void (*asl__raw_cb)(void *data, const asl__raw_result *r);

/* Invokes the configured function [t]->name (its qualifier and ARN as the caller named them)
 * with the event [payload] and reports the function's answer untouched: no resource-style
 * mapping, no Step Functions payload limit. Same contract as asl_task_invoke: ASL_OK and [cb]
 * runs once from the loop (asl_task_cancel works on *[call]); else [err] and [cb] never runs. */
asl_status asl__function_invoke_raw(asl_handlers *h, const asl__lambda_target *t,
                                    const char *payload, size_t len, asl__raw_cb cb, void *data,
                                    asl_task_call **call, asl_error *err);

/* Ends a call with the function's raw response: [payload] bytes, [function_error] true when the
 * runtime reported an error (X-Amz-Function-Error), [log] what the function printed (may be NULL).
 * Maps it for the call's resource style (lambda.c). */
void asl__call_function_done(asl_task_call *c, const char *payload, size_t len,
                             bool function_error, const char *log);
/* Ends a call with a Lambda service error: name "Lambda.<exception>", cause in AWS's format
 * "<message> (Service: AWSLambda; Status Code: <status>; Error Code: <code>; ...)". */
void asl__call_service_error(asl_task_call *c, const char *exception, const char *code,
                             int http_status, const char *message);
/* The same with the service's own request id (x-amzn-RequestId), NULL for "null". */
void asl__call_service_error_id(asl_task_call *c, const char *exception, const char *code,
                                int http_status, const char *message, const char *request_id);
/* True when nobody waits for the call's result any more (cancelled, registry freeing): the call
 * has then been released and the caller must not write a result. */
bool asl__call_ignored(asl_task_call *c);
/* Delivers the result already written to c->result (registry.c). */
void asl__call_complete(asl_task_call *c);
/* Ends a call with an error of aslrun's own ([name], printf-style cause). */
ASL_PRINTF(3, 4) void asl__call_fail(asl_task_call *c, const char *name, const char *fmt, ...);
/* Ends a call with a value (taken). */
void asl__call_succeed(asl_task_call *c, asl_json *value);
/* The handler is done with a call it was asked to cancel, without a result. */
void asl__call_release(asl_task_call *c);

/* ---- lambda.c: resource styles and result shapes ---- */
/* Splits a full Lambda function ARN arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
 * into [t] (strings allocated); false when [s] is not one. */
bool asl__lambda_parse_arn(const char *s, size_t n, asl__lambda_target *t);
/* Resolves a lambda:invoke FunctionName (NAME, NAME:QUALIFIER, ACCOUNT:function:NAME[:QUALIFIER]
 * or a full ARN); [region]/[account] fill what the name leaves out. Fails with AWS's
 * validation error when the name is malformed. */
asl_status asl__lambda_parse_name(const char *s, size_t n, const char *region,
                                  const char *account, asl__lambda_target *t, asl_error *err);
void asl__lambda_target_free(asl__lambda_target *t);
/* A copy of [t] (strings duplicated). */
void asl__lambda_target_copy(asl__lambda_target *dst, const asl__lambda_target *t);
/* The version that runs for [t]: a numeric qualifier runs as itself, an alias or none $LATEST. */
const char *asl__lambda_executed_version(const asl__lambda_target *t);
/* Region and account of the execution, from $$.Execution.Id (defaults when absent). */
void asl__lambda_context_account(const asl_json *context, char **region, char **account);
/* Prepares a function call from the request: target, event bytes, LogType. False when the
 * request cannot be sent (Lambda or Step Functions would refuse it): the call is then already
 * ended with that error. */
bool asl__lambda_prepare(asl_task_call *c, const asl_task_request *req);
/* The lambda:invoke result envelope around [payload] (the raw response bytes). */
asl_json *asl__lambda_envelope(const asl_task_call *c, const char *payload, size_t len,
                               const char *log);
/* An HTTP Date header value ("Sun, 06 Nov 1994 08:49:37 GMT") for [ms] since the epoch. */
void asl__http_date(int64_t ms, char out[40]);
/* Base64 of [n] bytes appended to [out]. */

/* ---- config.c and mock.c ---- */
typedef struct asl__config {
  asl__fn *fns;              /* hash by name */
  asl__state_mock *inline_mocks; /* hash by state */
} asl__config;

asl_status asl__config_load(asl_handlers *reg, const asl_json *config, const char *config_dir,
                            asl__config *out, asl_error *err);
void asl__config_free(asl__config *cfg);

typedef struct asl__mockfile {
  asl__mock_response *responses; /* hash by name */
  asl__state_mock *states;       /* the chosen test case: hash by state */
  char *test_case, *machine;
} asl__mockfile;

asl_status asl__mockfile_load(const asl_json *doc, const char *machine, const char *test_case,
                              asl__mockfile *out, asl_error *err);
void asl__mockfile_free(asl__mockfile *mf);
/* Parses one invocation table ({"0": {...}, "1-2": {...}}) or, with [inline_forms], also a single
 * {"Return"}/{"Throw"} or an array of them; [pointer] names [v] in errors. */
asl_status asl__mock_response_parse(const asl_json *v, const char *pointer, bool inline_forms,
                                    asl__mock_response *out, asl_error *err);
void asl__mock_response_clear(asl__mock_response *r);
/* The entry for [invocation], or NULL. */
const asl__mock_entry *asl__mock_find(const asl__mock_response *r, uint64_t invocation);

/* ---- suggest.c ---- */
/* The candidate closest to [word] by edit distance, or NULL when none is close. */
const char *asl__suggest(const char *word, const char *const *cands, size_t n);
/* Appends " (did you mean \"X\"?)" when a candidate is close. */
void asl__suggest_append(asl_buf *b, const char *word, const char *const *cands, size_t n);

/* Sets [err] at the position of [at] inside the document (ASL_E_DEFINITION) */
ASL_PRINTF(4, 5)
asl_status asl__doc_error(asl_error *err, const asl_json *at, const char *pointer, const char *fmt,
                          ...);

#endif
