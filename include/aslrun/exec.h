/* Executions: one run of a loaded machine on a libuv loop, with Step Functions' semantics.
 *
 * An execution is a tree of runs (the top level, each Parallel branch, each Map iteration), each
 * an explicit state machine driven by loop callbacks: synchronous states (Pass, Choice, Succeed,
 * Fail) complete inline, Task, Wait, Parallel and Map return pending and resume from a callback.
 * Nothing blocks the loop and no recursion crosses an asynchronous step.
 *
 * Every step is reported as a Step Functions history event (same type names and detail fields
 * as GetExecutionHistory) to the sinks given at start: history files, the trace printer and test
 * assertions all read the same stream. Events are numbered even with no sink, because AWS's
 * error causes quote event ids.
 *
 * Task states call the handler registry given in the options (handler.h); the execution holds
 * no handler of its own, so one registry may serve many executions on the same loop.
 *
 * Lifetimes: the machine (and the registry) must outlive the execution. The done callback runs
 * exactly once, from the loop, after which the caller may read the result and must
 * asl_exec_free the execution. */
#ifndef ASLRUN_EXEC_H
#define ASLRUN_EXEC_H

#include <uv.h>

#include "aslrun/handler.h"
#include "aslrun/machine.h"

typedef enum asl_exec_status {
  ASL_EXEC_RUNNING,
  ASL_EXEC_SUCCEEDED,
  ASL_EXEC_FAILED,
  ASL_EXEC_TIMED_OUT,
  ASL_EXEC_ABORTED,
} asl_exec_status;

const char *asl_exec_status_name(asl_exec_status s); /* "SUCCEEDED", ... as AWS */

/* ---- events ---- */
#define ASL_EVENT_TYPES(X)                                                                         \
  X(EXECUTION_STARTED, "ExecutionStarted", "executionStartedEventDetails")                       \
  X(EXECUTION_SUCCEEDED, "ExecutionSucceeded", "executionSucceededEventDetails")                 \
  X(EXECUTION_FAILED, "ExecutionFailed", "executionFailedEventDetails")                          \
  X(EXECUTION_TIMED_OUT, "ExecutionTimedOut", "executionTimedOutEventDetails")                   \
  X(EXECUTION_ABORTED, "ExecutionAborted", "executionAbortedEventDetails")                       \
  X(EXECUTION_REDRIVEN, "ExecutionRedriven", "executionRedrivenEventDetails")                    \
  X(PASS_STATE_ENTERED, "PassStateEntered", "stateEnteredEventDetails")                          \
  X(PASS_STATE_EXITED, "PassStateExited", "stateExitedEventDetails")                             \
  X(CHOICE_STATE_ENTERED, "ChoiceStateEntered", "stateEnteredEventDetails")                      \
  X(CHOICE_STATE_EXITED, "ChoiceStateExited", "stateExitedEventDetails")                         \
  X(WAIT_STATE_ENTERED, "WaitStateEntered", "stateEnteredEventDetails")                          \
  X(WAIT_STATE_EXITED, "WaitStateExited", "stateExitedEventDetails")                             \
  X(WAIT_STATE_ABORTED, "WaitStateAborted", NULL)                                                \
  X(SUCCEED_STATE_ENTERED, "SucceedStateEntered", "stateEnteredEventDetails")                    \
  X(SUCCEED_STATE_EXITED, "SucceedStateExited", "stateExitedEventDetails")                       \
  X(FAIL_STATE_ENTERED, "FailStateEntered", "stateEnteredEventDetails")                          \
  X(TASK_STATE_ENTERED, "TaskStateEntered", "stateEnteredEventDetails")                          \
  X(TASK_STATE_EXITED, "TaskStateExited", "stateExitedEventDetails")                             \
  X(TASK_STATE_ABORTED, "TaskStateAborted", NULL)                                                \
  X(TASK_SCHEDULED, "TaskScheduled", "taskScheduledEventDetails")                                \
  X(TASK_STARTED, "TaskStarted", "taskStartedEventDetails")                                      \
  X(TASK_SUBMITTED, "TaskSubmitted", "taskSubmittedEventDetails")                                \
  X(TASK_SUCCEEDED, "TaskSucceeded", "taskSucceededEventDetails")                                \
  X(TASK_FAILED, "TaskFailed", "taskFailedEventDetails")                                         \
  X(TASK_TIMED_OUT, "TaskTimedOut", "taskTimedOutEventDetails")                                  \
  X(LAMBDA_FUNCTION_SCHEDULED, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails") \
  X(LAMBDA_FUNCTION_STARTED, "LambdaFunctionStarted", NULL)                                      \
  X(LAMBDA_FUNCTION_SUCCEEDED, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails") \
  X(LAMBDA_FUNCTION_FAILED, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails")          \
  X(LAMBDA_FUNCTION_TIMED_OUT, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails")   \
  X(ACTIVITY_SCHEDULED, "ActivityScheduled", "activityScheduledEventDetails")                    \
  X(ACTIVITY_STARTED, "ActivityStarted", "activityStartedEventDetails")                          \
  X(ACTIVITY_SUCCEEDED, "ActivitySucceeded", "activitySucceededEventDetails")                    \
  X(ACTIVITY_FAILED, "ActivityFailed", "activityFailedEventDetails")                             \
  X(ACTIVITY_TIMED_OUT, "ActivityTimedOut", "activityTimedOutEventDetails")                      \
  X(PARALLEL_STATE_ENTERED, "ParallelStateEntered", "stateEnteredEventDetails")                  \
  X(PARALLEL_STATE_STARTED, "ParallelStateStarted", NULL)                                        \
  X(PARALLEL_STATE_SUCCEEDED, "ParallelStateSucceeded", NULL)                                    \
  X(PARALLEL_STATE_FAILED, "ParallelStateFailed", NULL)                                          \
  X(PARALLEL_STATE_ABORTED, "ParallelStateAborted", NULL)                                        \
  X(PARALLEL_STATE_EXITED, "ParallelStateExited", "stateExitedEventDetails")                     \
  X(MAP_STATE_ENTERED, "MapStateEntered", "stateEnteredEventDetails")                            \
  X(MAP_STATE_STARTED, "MapStateStarted", "mapStateStartedEventDetails")                         \
  X(MAP_STATE_SUCCEEDED, "MapStateSucceeded", NULL)                                              \
  X(MAP_STATE_FAILED, "MapStateFailed", NULL)                                                    \
  X(MAP_STATE_ABORTED, "MapStateAborted", NULL)                                                  \
  X(MAP_STATE_EXITED, "MapStateExited", "stateExitedEventDetails")                               \
  X(MAP_ITERATION_STARTED, "MapIterationStarted", "mapIterationStartedEventDetails")             \
  X(MAP_ITERATION_SUCCEEDED, "MapIterationSucceeded", "mapIterationSucceededEventDetails")       \
  X(MAP_ITERATION_FAILED, "MapIterationFailed", "mapIterationFailedEventDetails")                \
  X(MAP_ITERATION_ABORTED, "MapIterationAborted", "mapIterationAbortedEventDetails")             \
  X(MAP_RUN_STARTED, "MapRunStarted", "mapRunStartedEventDetails")                               \
  X(MAP_RUN_SUCCEEDED, "MapRunSucceeded", NULL)                                                  \
  X(MAP_RUN_FAILED, "MapRunFailed", "mapRunFailedEventDetails")                                  \
  X(MAP_RUN_ABORTED, "MapRunAborted", NULL)                                                      \
  X(EVALUATION_FAILED, "EvaluationFailed", "evaluationFailedEventDetails")

typedef enum asl_event_type {
#define ASL_EVENT_ENUM(id, name, details) ASL_EVENT_##id,
  ASL_EVENT_TYPES(ASL_EVENT_ENUM)
#undef ASL_EVENT_ENUM
} asl_event_type;

const char *asl_event_type_name(asl_event_type t);    /* "PassStateEntered" */
const char *asl_event_details_key(asl_event_type t);  /* "stateEnteredEventDetails" or NULL */

typedef struct asl_event {
  int64_t id;          /* 1, 2, ... in the order AWS numbers them */
  int64_t previous_id; /* 0 for the first */
  asl_event_type type;
  int64_t timestamp_ms; /* on the execution's clock (virtual time advances it too) */
  const asl_json *details; /* the *EventDetails object, or NULL; borrowed for the call */
  /* aslrun's additions for tools, not part of AWS's event: */
  const char *state; /* the state the event belongs to (also for Task*, Map* events whose
                        details carry no name); NULL for execution events */
  int depth;         /* 0 at the top level, one more inside each Parallel branch or Map
                        iteration */
  bool child_execution; /* an event of a Distributed Map's child execution: AWS keeps those in
                           the child's own history (ids count from the child's start), never in
                           the parent's, so a history file leaves them out */
} asl_event;

/* [ev] as GetExecutionHistory lists an event: {timestamp, type, id, previousEventId, and its
 * *EventDetails}; [timestamp] (taken) is the caller's, as the API's JSON and `aslrun run
 * --history` write it differently. */
asl_json *asl_event_json(const asl_event *ev, asl_json *timestamp);

/* aslrun's notes on an execution, beside AWS's events: what a person debugging wants and the
 * history does not carry (a retry's back-off, the catcher taken, a handler call's real
 * duration and log). */
typedef enum asl_note_kind {
  ASL_NOTE_RETRY,   /* a state failed and is retried after [delay_ms] */
  ASL_NOTE_CATCH,   /* a state's failure was caught; the run goes on at [next] */
  ASL_NOTE_HANDLER, /* a handler call ended ([status]), after [duration_ms] of real time */
  ASL_NOTE_CHOICE,  /* a Choice state chose [next] by its rule [index] (-1: Default) */
} asl_note_kind;

typedef struct asl_note {
  asl_note_kind kind;
  int64_t timestamp_ms;
  int depth;
  bool child_execution;
  const char *state;    /* the state's name */
  const char *error;    /* RETRY, CATCH, HANDLER: the error name, or NULL */
  const char *cause;    /* RETRY, CATCH, HANDLER: its cause, or NULL */
  int64_t delay_ms;     /* RETRY: the back-off before the next attempt */
  int64_t attempt;      /* RETRY: the retry's number in this state execution, from 1;
                           HANDLER: the invocation's number (0-based, MockConfigFile's) */
  int64_t max_attempts; /* RETRY: the matching retrier's MaxAttempts */
  const char *next;     /* CATCH: the state the catcher goes to */
  const char *resource; /* HANDLER: the Task's Resource */
  asl_status status;    /* HANDLER: ASL_OK, ASL_E_HANDLER (error, cause) or ASL_E_CANCELED */
  double duration_ms;   /* HANDLER: the call's real duration */
  const char *log;      /* HANDLER: what the handler logged for the call, or NULL */
  int64_t index;        /* RETRY: the retrier's position in Retry; CATCH: the catcher's in Catch;
                           CHOICE: the rule's in Choices, -1 for Default */
  const char *answer;   /* HANDLER: what answered instead of the handler when something did
                           ("fault: error", "replay", ... as the answer's label), or NULL */
} asl_note;

typedef struct asl_event_sink {
  void (*on_event)(void *data, const asl_event *ev);
  void *data;
  void (*on_note)(void *data, const asl_note *note); /* may be NULL */
} asl_event_sink;

/* ---- executions ---- */
typedef struct asl_exec asl_exec;
typedef void (*asl_exec_done_cb)(asl_exec *e, void *data);

/* AWS's quota for inputs, outputs and results of states and tasks, in bytes of compact JSON. */
#define ASL_PAYLOAD_LIMIT_AWS 262144

/* ---- quotas ---- */
/* AWS's quotas on a Standard execution, each enforced as AWS enforces it; 0 in asl_exec_quotas
 * means AWS's value, ASL_QUOTA_NONE no limit (for local experiments). */
#define ASL_QUOTA_NONE INT64_MAX
#define ASL_MAX_HISTORY_EVENTS_AWS 25000       /* events in one history */
#define ASL_MAX_DURATION_SECONDS_AWS 31536000  /* one year */
#define ASL_INLINE_MAP_CONCURRENCY_AWS 40      /* iterations of an inline Map at once */
#define ASL_DISTRIBUTED_MAP_CONCURRENCY_AWS 10000 /* child executions of a Distributed Map */

typedef struct asl_exec_quotas {
  /* Event number N (the quota) that is not ExecutionSucceeded becomes ExecutionFailed with
   * States.Runtime, "The execution reached the maximum number of history events (N)." (a
   * Distributed Map's child executions are not counted: each has a history of its own). */
  int64_t max_history_events;
  /* An execution still running after this long times out (ExecutionTimedOut, States.Timeout),
   * unless the machine's own TimeoutSeconds ends it first. */
  int64_t max_duration_seconds;
  int64_t inline_map_concurrency;      /* the most inline Map iterations at once */
  int64_t distributed_map_concurrency; /* the most child executions at once */
} asl_exec_quotas;

/* ---- answers: Task invocations served without the handler registry ---- */
/* Fault injection and replay decide, invocation by invocation, what a Task state gets instead of
 * (or on top of) its handler's answer. The events are those of a real call: *Scheduled and
 * *Started, then *Succeeded, *Failed or *TimedOut, so Retry and Catch act as on AWS. */
typedef enum asl_answer_kind {
  ASL_ANSWER_HANDLER, /* the registry serves it, with [fault] injected when set */
  ASL_ANSWER_RETURN,  /* the invocation returns [value] */
  ASL_ANSWER_ERROR,   /* it fails with [error] and [cause] (NULL: no cause) */
  ASL_ANSWER_TIMEOUT, /* it never answers: the Task's TimeoutSeconds or HeartbeatSeconds fires
                         (without either, the execution's own limits end it) */
} asl_answer_kind;

typedef struct asl_task_answer {
  asl_answer_kind kind;
  const asl_json *value;  /* RETURN */
  const char *error;      /* ERROR */
  const char *cause;      /* ERROR, or NULL */
  asl_task_fault fault;   /* HANDLER: what the handler is made to do (handler.h) */
  const char *label;      /* for notes and traces: "fault", "replay", ... (may be NULL) */
} asl_task_answer;

typedef struct asl_task_query {
  const char *state;   /* the Task state */
  uint64_t invocation; /* 0-based, this state's invocations in the execution (MockConfigFile's
                          numbering: retries and re-entries count) */
  size_t map_depth;    /* how many Map iterations hold the Task (Parallel branches do not count) */
  const int64_t *map_indexes;     /* their indexes, outermost first */
  const char *const *map_states;  /* their Map states' names */
} asl_task_query;

/* Fills [out] (preset to ASL_ANSWER_HANDLER with no fault) for invocation [q]; the strings and
 * the value in [out] need only live until it returns (they are copied). Runs on the loop, inside
 * the Task's attempt. */
typedef void (*asl_task_answer_cb)(void *data, const asl_task_query *q, asl_task_answer *out);

/* ---- callback tasks (.waitForTaskToken) ---- */
/* With a sink in asl_exec_opts.task_tokens, a .waitForTaskToken Task that no mock answers (a
 * MockConfigFile or inline mock answers for the callback, as in Step Functions Local) waits for
 * its token ($$.Task.Token) to be answered through asl_exec_task_success, _failure or
 * _heartbeat, within its TimeoutSeconds and HeartbeatSeconds. A lambda:invoke.waitForTaskToken
 * Task whose registry maps functions (asl_handlers_callback) first invokes FunctionName with its
 * Payload, as lambda:invoke does; a function that fails fails the Task with lambda:invoke's
 * errors (TaskFailed), and an answer sent while it runs is taken once it has returned. Its
 * history is AWS's: TaskScheduled, TaskStarted, TaskSubmitted (with the function's response as
 * output, or none when nothing was called), then TaskSucceeded, TaskFailed or TaskTimedOut.
 * A token is valid for one attempt of one Task (a
 * retry gets a new one) and ends when the Task is answered, times out or is cancelled (the
 * execution stops or times out, a sibling branch or iteration fails). Tokens name their
 * execution (asl_task_token_execution) and are unique across executions. */
typedef struct asl_task_token_sink {
  /* [e]'s Task [state] waits for [token] (lent for the call), from inside the Task's attempt. */
  void (*on_wait)(void *data, asl_exec *e, const char *token, const char *state);
  /* The Task no longer waits for [token]: answered, timed out or cancelled. */
  void (*on_end)(void *data, asl_exec *e, const char *token);
  void *data;
} asl_task_token_sink;

typedef struct asl_exec_opts {
  uv_loop_t *loop;       /* required */
  bool virtual_time;     /* waits and back-offs take no real time; timestamps still advance */
  const char *name;      /* execution name; NULL: a generated UUID, as AWS */
  const char *state_machine_arn; /* NULL: arn:aws:states:us-east-1:123456789012:stateMachine:<name> */
  const char *state_machine_name; /* NULL: "StateMachine" */
  const char *role_arn;  /* NULL: a placeholder role of the same account */
  size_t payload_limit;  /* 0: ASL_PAYLOAD_LIMIT_AWS; SIZE_MAX: no limit */
  const asl_event_sink *sinks;
  size_t sink_count;
  int64_t start_time_ms; /* virtual time only: the start instant; 0: now */
  asl_handlers *handlers; /* serves Task states; NULL: a Task fails the execution, saying so */
  /* Determinism: with [has_seed], every random thing of the execution (its generated name,
   * States.MathRandom and States.UUID, JSONata's $random and $uuid, retry jitter, task tokens,
   * Map run ids, handler request ids) comes from one source seeded with [seed]. With
   * [exact_time] (virtual time only), the clock never reads real time: timestamps move only by
   * the waits it skips, so that two runs with the same seed, start time and answers give the
   * same history byte for byte. */
  bool has_seed;
  uint64_t seed;
  bool exact_time;
  asl_exec_quotas quotas;       /* zeroes: AWS's */
  asl_task_answer_cb answer;    /* NULL: every invocation goes to [handlers] */
  void *answer_data;
  /* An Express execution: its ARN (and $$.Execution.Id) is
   * arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:UUID, its $$.Execution has no
   * RedriveCount, and it cannot be redriven. */
  bool express;
  /* NULL: a .waitForTaskToken Task is served by the handler registry like any Task */
  const asl_task_token_sink *task_tokens;
  /* The workflow variables the execution starts with (TestState's "variables"): an object
   * name -> value, borrowed for the call; NULL: none. Load such a machine with
   * asl_load_opts.unchecked_variables, as its references may name only these. */
  const asl_json *variables;
} asl_exec_opts;

/* Starts running [m] on [input] (borrowed). Returns ASL_OK and the execution in *out, or an error
 * when the execution cannot start (bad options, input over the payload limit); then [cb] never
 * runs. [cb] runs once when the execution reaches a final status. */
asl_status asl_exec_start(const asl_machine *m, const asl_json *input, const asl_exec_opts *opts,
                          asl_exec_done_cb cb, void *data, asl_exec **out, asl_error *err);
/* Stops a running execution as StopExecution does (status ABORTED, [error]/[cause] may be NULL);
 * pending work is cancelled and the done callback follows from the loop. */
void asl_exec_stop(asl_exec *e, const char *error, const char *cause);
void asl_exec_free(asl_exec *e); /* only after the done callback, or NULL */

asl_exec_status asl_exec_status_of(const asl_exec *e);
const asl_json *asl_exec_output(const asl_exec *e); /* SUCCEEDED only, else NULL; borrowed */
const char *asl_exec_error(const asl_exec *e);      /* FAILED: the error name, or NULL */
const char *asl_exec_cause(const asl_exec *e);      /* FAILED: the cause, or NULL */
const char *asl_exec_name(const asl_exec *e);
const char *asl_exec_arn(const asl_exec *e);
int64_t asl_exec_start_ms(const asl_exec *e);
int64_t asl_exec_stop_ms(const asl_exec *e);
/* The seed of the execution's random source (the one given, or the one drawn when none was). */
uint64_t asl_exec_seed(const asl_exec *e);

/* ---- answering callback tasks ---- */
/* SendTaskSuccess: the Task of [e] waiting for [token] succeeds with [output] (borrowed):
 * TaskSucceeded, then ResultSelector, ResultPath, OutputPath and Next as for any result. The run
 * goes on from the loop, never inside the call. An [output] over the payload limit fails the Task
 * with States.DataLimitExceeded instead (still ASL_OK: the token was answered). Errors, with
 * AWS's error name in err->name: "TaskDoesNotExist" when [e] never issued [token],
 * "TaskTimedOut" when it did and the Task no longer waits for it. */
asl_status asl_exec_task_success(asl_exec *e, const char *token, const asl_json *output,
                                 asl_error *err);
/* SendTaskFailure: the Task fails with [error] and [cause] (either may be NULL: AWS then records
 * neither, and a catcher sees null), then Retry and Catch act. Same errors. */
asl_status asl_exec_task_failure(asl_exec *e, const char *token, const char *error,
                                 const char *cause, asl_error *err);
/* SendTaskHeartbeat: the Task's HeartbeatSeconds count again from now. Same errors. */
asl_status asl_exec_task_heartbeat(asl_exec *e, const char *token, asl_error *err);
/* The ARN of the execution that issued [token] (a new string), or NULL when [token] is not one
 * of aslrun's. */
char *asl_task_token_execution(const char *token);

/* ---- redrive ---- */
/* Whether [e] (finished: its done callback has run, not yet freed) may be redriven; when not,
 * *[why] says why in AWS's words ("Execution is SUCCEEDED and cannot be redriven."). */
bool asl_exec_redrivable(const asl_exec *e, const char **why);
/* RedriveExecution: [e] runs again from where it did not succeed. An ExecutionRedriven event
 * {"redriveCount"} continues the same history (ids go on); each run that failed or was aborted
 * enters its state again with that state's original input: a Task, Wait or Pass runs afresh (its
 * retriers start again), a Parallel re-runs only its branches and a Map only its iterations that
 * did not succeed (and those it had not started), each from the state where it stopped. The
 * machine's TimeoutSeconds counts again from the redrive; $$.Execution.RedriveCount and
 * RedriveTime change. [cb] runs once more at the next final status. Errors (err->name):
 * "ExecutionNotRedrivable" with asl_exec_redrivable's reason. */
asl_status asl_exec_redrive(asl_exec *e, asl_exec_done_cb cb, void *data, asl_error *err);
int64_t asl_exec_redrive_count(const asl_exec *e);
int64_t asl_exec_redrive_ms(const asl_exec *e); /* the last redrive's time, or 0 */

/* ---- Task resources ---- */
/* The style of a Task's [resource]: a Lambda function ARN, lambda:invoke, another service
 * integration or an activity (as asl_handlers_check and asl_task_invoke want it). */
asl_task_style asl_exec_resource_style(const char *resource);

#endif
