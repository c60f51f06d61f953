/* Handlers do the work of Task states, behind one interface that the executor calls and never
 * looks behind: mock responses (Step Functions Local's MockConfigFile, inline mocks), any local
 * executable, Python Lambda functions run as Lambda runs them, and Lambdas over HTTP.
 *
 * The registry (asl_handlers) resolves a Task to a handler: a mock for the state when a mock
 * config or inline mock names it, else the function named by the resource (both Lambda resource
 * styles map to a function name, configured in aslrun.json). It also gives each resource style
 * AWS's result shape: arn:aws:states:::lambda:invoke wraps the function's payload in the
 * service-integration envelope (Payload, StatusCode, ExecutedVersion, SdkHttpMetadata, ...),
 * a direct Lambda ARN returns the payload alone.
 *
 * Asynchrony: asl_task_invoke either fails at once (the callback never runs) or returns ASL_OK,
 * after which the callback runs exactly once, from the loop, never from inside asl_task_invoke.
 * A call may be cancelled (a task timeout, a failed Parallel branch, Ctrl-C): the callback then
 * still runs once, with ASL_E_CANCELED, also from the loop (never inside asl_task_cancel). The
 * asl_task_call pointer is valid until its callback has run; cancelling after that is a bug.
 * Handlers never see the executor's internals; everything they need is in the request.
 *
 * Errors: a failed invocation (result status ASL_E_HANDLER) carries the Step Functions error
 * name and cause exactly as AWS reports them for the resource style (Lambda's errorType, Lambda.*
 * service errors, States.DataLimitExceeded, a mock's Throw); aslrun's own run-time problems that
 * Step Functions Local would fail the execution for (a mock with no response for the invocation)
 * are named States.Runtime, which no Retry or Catch may act on. */
#ifndef ASLRUN_HANDLER_H
#define ASLRUN_HANDLER_H

#include <uv.h>

#include "aslrun/json.h"

typedef enum asl_task_style {
  ASL_TASK_LAMBDA_ARN,    /* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
  ASL_TASK_LAMBDA_INVOKE, /* arn:aws:states:::lambda:invoke (FunctionName, Payload parameters) */
  ASL_TASK_SERVICE,       /* any other arn:aws:states:::SERVICE:ACTION integration */
  ASL_TASK_ACTIVITY,      /* arn:aws:states:REGION:ACCOUNT:activity:NAME */
} asl_task_style;

/* A fault the registry injects into the real handler of one invocation (fault injection:
 * aslrun run --fault, test files' "faults"), so that the failure comes the way a real one would:
 * a Python function's worker or a command's process dies of a segmentation fault (CRASH), stops
 * answering until its function timeout or the Task's own TimeoutSeconds fires (HANG), or runs out
 * of memory (OOM: a Python function allocates until its memory size is exhausted; a command is
 * killed with SIGKILL, as the kernel's OOM killer does); a Lambda function over HTTP gets its
 * endpoint's answer turned into a 429 TooManyRequestsException or a 500 ServiceException in the
 * HTTP layer's response mapping (HTTP_429, HTTP_500). A fault that does not fit what serves the
 * state (a mock, another kind of function) makes asl_task_invoke fail, saying why. */
typedef enum asl_task_fault {
  ASL_TASK_FAULT_NONE = 0,
  ASL_TASK_FAULT_CRASH,
  ASL_TASK_FAULT_HANG,
  ASL_TASK_FAULT_OOM,
  ASL_TASK_FAULT_HTTP_429,
  ASL_TASK_FAULT_HTTP_500,
} asl_task_fault;

typedef struct asl_task_request {
  const char *state_name;
  const char *resource; /* the Resource as written */
  asl_task_style style;
  const asl_json *input;   /* the effective input, after InputPath and Parameters */
  const asl_json *context; /* the context object ($$), or NULL */
  uint64_t invocation;     /* 0-based count of this state's invocations in the execution,
                              retries and re-entries included (MockConfigFile's numbering) */
  int64_t timeout_seconds; /* the Task's TimeoutSeconds, 0 when none */
  int64_t now_ms;          /* the execution clock at invocation (virtual time included) */
  asl_task_fault fault;    /* injected into the real handler, or ASL_TASK_FAULT_NONE */
  uint64_t random;         /* a draw from the execution's random source, from which the
                              invocation's request id is made (so a seeded execution repeats
                              it); 0: the registry draws one of its own */
  bool callback;           /* a .waitForTaskToken resource whose token the executor waits for
                              once this invocation has returned (asl_handlers_callback says
                              ASL_CALLBACK_FUNCTION); without it, only a mock serves such a
                              resource */
} asl_task_request;

typedef struct asl_task_result {
  asl_status status; /* ASL_OK: [value] holds the result; ASL_E_CANCELED; else [error] */
  asl_json *value;   /* owned by the result: take it with a reference of your own */
  asl_error error;   /* Step Functions error name and cause, exactly as AWS reports them; the
                        strings are lent for the call (copy them, never free or move them); the
                        cause may be NULL (no cause, as an uncaught ExecutionFailed shows) */
  const char *log;   /* what the handler logged for this invocation (prints, REPORT), or NULL */
  double duration_ms;
} asl_task_result;

typedef struct asl_task_call asl_task_call; /* one pending invocation */
/* [result] is valid during the call only. */
typedef void (*asl_task_done_cb)(void *data, const asl_task_result *result);

typedef struct asl_handlers asl_handlers;

typedef struct asl_handlers_opts {
  uv_loop_t *loop;
  const asl_json *config;  /* parsed aslrun.json, or NULL */
  const char *config_dir;  /* relative paths of [config] are relative to it */
  const asl_json *mock_config; /* parsed MockConfigFile, or NULL */
  const char *test_case;       /* required with [mock_config] */
  const char *state_machine_name; /* the machine's key in mock_config's StateMachines */
  bool cold;               /* a fresh worker for every invocation */
  const char *lambda_endpoint; /* send unmapped Lambda functions to this Invoke API endpoint */
  size_t payload_limit;    /* largest function result in bytes; 0: AWS's 262144 (256 KiB) */
} asl_handlers_opts;

/* Builds the registry; fails with a clear error on a malformed config or mock file, or an
 * unknown test case. */
asl_handlers *asl_handlers_new(const asl_handlers_opts *opts, asl_error *err);
/* Stops every worker and frees the registry once its handles are closed (runs the loop's close
 * callbacks; call before uv_loop_close, and not from inside a loop callback). Calls still pending
 * are stopped and their callbacks never run. NULL is a no-op. */
void asl_handlers_free(asl_handlers *h);

/* Before an execution starts: fails when the Task state [state_name] with [resource] could not
 * be served (no mock, no configured function, a mock naming an unknown response; an unmocked
 * .waitForTaskToken Task, whose token only a server answers), with a cause that says how to
 * configure one. */
asl_status asl_handlers_check(asl_handlers *h, const char *state_name, const char *resource,
                              asl_task_style style, asl_error *err);

/* What serves a .waitForTaskToken Task when the executor can wait for its token (a server
 * answers tokens): a mock of [state_name] answers for the callback, as in Step Functions Local;
 * lambda:invoke.waitForTaskToken ([style] ASL_TASK_LAMBDA_INVOKE), when aslrun.json maps
 * functions or a Lambda endpoint is set, invokes its FunctionName with its Payload as
 * lambda:invoke does (an unknown function is then Lambda.ResourceNotFoundException, as on AWS),
 * after which the Task waits; otherwise nothing is called and the Task only waits. Without a way
 * to answer tokens, asl_handlers_check refuses an unmocked .waitForTaskToken Task. */
typedef enum asl_callback_service {
  ASL_CALLBACK_MOCK,
  ASL_CALLBACK_FUNCTION,
  ASL_CALLBACK_WAIT,
} asl_callback_service;
asl_callback_service asl_handlers_callback(asl_handlers *h, const char *state_name,
                                           asl_task_style style);

/* Starts one invocation of the Task [req] describes (borrowed for the call only). ASL_OK: *[call]
 * is set and [cb]([data], result) runs exactly once later. Else [err] says why nothing could
 * start (a Task with nothing to serve it, a function kind not available) and [cb] never runs. */
asl_status asl_task_invoke(asl_handlers *h, const asl_task_request *req, asl_task_done_cb cb,
                           void *data, asl_task_call **call, asl_error *err);
/* Does [call] run code (a Python function, a command, a Lambda over HTTP) rather than answer
 * at once (a mock)? The executor's exact clock counts the real time of such work only, so that
 * a seeded run served by mocks repeats itself to the millisecond. */
bool asl_task_call_runs_code(const asl_task_call *call);
/* Stops a pending call: its worker is killed and the callback runs once with ASL_E_CANCELED,
 * even if the handler had already answered. */
void asl_task_cancel(asl_task_call *call);

#endif
