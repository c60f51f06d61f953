/* Private to src/exec: the execution and its runs, the clock, event emission, the I/O pipeline
 * and the operations of each state type. Nothing here is visible outside this folder.
 *
 * Lifetimes: the execution owns its clock, its idle handle and its top-level run; handles are
 * closed when the execution finishes and the done callback runs from the last close callback,
 * so asl_exec_free never has a handle to wait for. A run owns the input of its current state,
 * the context object built for it and whatever the state holds while pending. */
#ifndef ASLRUN_EXEC_INTERNAL_H
#define ASLRUN_EXEC_INTERNAL_H

#include "aslrun/exec.h"

/* ------------------------------------------------------------------ error names ---- */
typedef enum asl__err {
#define X(id, name) ASL__ERR_##id,
#include "errors.def"
#undef X
  ASL__ERR_COUNT_
} asl__err;

extern const char *const asl__err_names[ASL__ERR_COUNT_];
#define ASL__ERR(id) (asl__err_names[ASL__ERR_##id])

/* ------------------------------------------------------------------------ clock ---- */
/* One clock an execution: the time every event, timestamp and timer reads. Timers live in a
 * heap ordered by (deadline, start order), so equal deadlines fire in the order they were set;
 * one uv timer is armed for the earliest. The real clock arms it for the real delay; the
 * virtual clock, when nothing but timers is left to do (no hold), skips time forward to the
 * earliest deadline at once, and its timestamps include the skipped time. */
typedef struct asl__timer asl__timer;
typedef void (*asl__timer_cb)(asl__timer *t);

#define ASL__TIMER_IDLE ((size_t)-1)

struct asl__timer {
  asl__timer_cb cb;
  void *data;
  int64_t due_ms;
  uint64_t seq;
  size_t slot; /* index in the heap, or ASL__TIMER_IDLE */
};

typedef struct asl__clock asl__clock;

typedef struct asl__clock_ops {
  int64_t (*now)(const asl__clock *c);
  /* Arms the loop timer for the earliest deadline [due_ms]. */
  int (*arm)(asl__clock *c, int64_t due_ms);
  /* In the loop timer's callback: the instant whose due timers fire now (the virtual clock
   * may first skip ahead to [due_ms], the earliest deadline). */
  int64_t (*advance)(asl__clock *c, int64_t due_ms);
} asl__clock_ops;

struct asl__clock {
  const asl__clock_ops *ops;
  uv_loop_t *loop;
  uv_timer_t uvt;
  int64_t wall_base_ms; /* the clock's reading at loop_base_ms */
  uint64_t loop_base_ms; /* uv_now() when the clock started */
  int64_t skipped_ms; /* virtual: time jumped over */
  asl__timer **heap;
  size_t len;
  size_t cap;
  uint64_t seq;
  int holds;
  int work_holds;         /* holds of handler calls (real work), among [holds] */
  uint64_t work_since_ms; /* uv_now() when the current stretch of real work began */
  int64_t work_ms;        /* real work done before it (the exact clock counts only this) */
  bool firing;
  void (*on_closed)(void *data);
  void *closed_data;
};

extern const asl__clock_ops asl__clock_real_ops;
extern const asl__clock_ops asl__clock_virtual_ops;
extern const asl__clock_ops asl__clock_exact_ops;

/* [start_ms] 0: now (the virtual clock may start elsewhere). [exact] (virtual only): the clock
 * never reads real time. Fails only when libuv does. */
asl_status asl__clock_init(asl__clock *c, uv_loop_t *loop, bool is_virtual, bool exact,
                           int64_t start_ms, asl_error *err);
int64_t asl__clock_now(const asl__clock *c);
/* Starts [t] (not running) for [due_ms] on this clock; its callback runs once, from the loop,
 * unless it is stopped first. */
asl_status asl__clock_timer_start(asl__clock *c, asl__timer *t, int64_t due_ms, asl_error *err);
/* Stops [t] if running; no callback follows. */
void asl__clock_timer_stop(asl__clock *c, asl__timer *t);
bool asl__clock_timer_active(const asl__timer *t);
/* While held, the virtual clock does not skip: work other than timers is under way. */
void asl__clock_hold(asl__clock *c);
void asl__clock_release(asl__clock *c);
/* The same for a handler at work: the exact clock counts the real time it takes. */
void asl__clock_hold_work(asl__clock *c);
void asl__clock_release_work(asl__clock *c);
/* Opens a closed clock again (a redrive): its reading goes on from where it was, as if it had
 * kept running. Fails only when libuv does. */
asl_status asl__clock_reopen(asl__clock *c, asl_error *err);
/* Closes the loop timer; [cb] runs from its close callback. No timer may be running. */
void asl__clock_close(asl__clock *c, void (*cb)(void *data), void *data);
/* The clock's own helpers (clock.c) for its two implementations. */
int64_t asl__clock_real_reading(const asl__clock *c);
int asl__clock_arm_after(asl__clock *c, int64_t delay_ms);

/* -------------------------------------------------------------------- runs ---- */
typedef struct asl_run asl_run;

/* The ids of one history: the execution's, or a Distributed Map child execution's own (whose
 * events reach the sinks flagged child_execution and never count in the parent's ids). */
typedef struct asl__seq {
  int64_t last_id; /* the last id given */
  bool child;
} asl__seq;

/* What a state's run operation returns. */
typedef enum asl__step {
  ASL__STEP_DONE,    /* r->output and r->next are set (next NULL: the run ends) */
  ASL__STEP_FAILED,  /* r->error is set */
  ASL__STEP_PENDING, /* the state calls asl__run_state_done later, from a loop callback */
} asl__step;

typedef enum asl__run_phase {
  ASL__RUN_ENTER,    /* about to enter r->state */
  ASL__RUN_WAITING,  /* the current state is pending */
  ASL__RUN_COMPLETE, /* the current state has finished with r->outcome: to be processed */
  ASL__RUN_FINISHED, /* the run has ended with r->status */
} asl__run_phase;

typedef enum asl__outcome {
  ASL__OUT_DONE,
  ASL__OUT_FAILED,
  ASL__OUT_CANCELED,
} asl__outcome;

typedef void (*asl__run_done_cb)(asl_run *r);

/* What a Parallel or Map state keeps when its attempt fails for good or is aborted, so that a
 * redrive re-runs only the branches or iterations that did not succeed (redrive.c): its results
 * so far and its unsuccessful child runs. Dropped when a retry or a catcher moves on. */
typedef struct asl__kept {
  asl__step (*resume)(asl_run *r); /* the state's attempt again, from [data] */
  void (*free)(void *data);
  void *data; /* NULL: nothing kept */
} asl__kept;

typedef struct asl__token asl__token;

typedef struct asl__attempt_ops asl__attempt_ops;
typedef struct asl__par asl__par;
typedef struct asl__map asl__map;

struct asl_run {
  asl_exec *exec;
  asl_run *parent; /* NULL for the top level */
  const asl_states *states;
  const asl_state *state; /* the current state */
  asl_json *input;        /* the current state's raw input (owned) */
  asl_json *context;      /* $$ for the current state, when it uses it (owned) */
  int64_t entered_id;     /* id of the current state's *StateEntered event */
  int64_t entered_ms;
  int64_t last_event_id;  /* previousEventId of this run's next event */
  asl__seq *seq;          /* the history this run writes to */
  bool owns_seq;          /* a Distributed Map child: the seq is the run's own */
  int depth;              /* 0 for the top level, +1 a branch or iteration */
  size_t index;           /* the parent's number for it (branch, iteration) */
  asl__run_phase phase;
  asl__outcome outcome; /* in ASL__RUN_COMPLETE */
  bool cancel_requested;
  bool queued;
  asl_run *next_ready;

  /* workflow variables (vars.c) */
  asl_json *vars;         /* the run's own scope, name -> value (owned), NULL while empty */
  asl_json *assigned;     /* what the current state assigned, for its exit event (owned) */

  /* what the current state produced */
  asl_json *output;       /* owned */
  const asl_state *next;  /* NULL: the run ends */
  asl_error error;

  /* the run's end */
  asl_exec_status status; /* SUCCEEDED, FAILED or ABORTED once finished */
  asl_json *result;       /* SUCCEEDED: the run's output (owned) */
  asl__run_done_cb on_done;
  void *data;

  /* Retry of the current Task, Parallel or Map state: counters live for one state execution
   * (reset on entry), each retrier with its own */
  const asl__attempt_ops *attempt;
  int64_t *retry_counts; /* one a retrier */
  int64_t retry_total;   /* $$.State.RetryCount */
  asl__timer retry_timer;
  asl__kept kept;     /* a failed or aborted Parallel or Map: what a redrive resumes from */
  bool resuming;      /* a redrive: the state resumes from [kept] once entered */

  /* what a pending state keeps (one state is pending at a time) */
  union {
    struct {
      asl__timer timer;
      asl_json *effective; /* the input after InputPath, for OutputPath once waited */
    } wait;
    struct {
      asl_task_call *call; /* the handler call under way, or NULL */
      asl_task_style style; /* the resource's, which decides the events' family */
      asl__timer timeout;  /* TimeoutSeconds */
      asl__timer heartbeat; /* HeartbeatSeconds (no handler sends heartbeats) */
      const char *timed_out; /* the timeout's error name once a timer fired, else NULL */
      bool canceling;      /* the state is being aborted */
      bool holding;        /* the clock is held for the call */
      bool holding_work;   /* ... as for real work (the call runs code, not a mock) */
      uint64_t invocation;
      /* an answer instead of a handler call (fault injection, replay) */
      bool answered;        /* this attempt is served by the answer, not the registry */
      asl__timer answer_timer; /* delivers a RETURN or ERROR answer from the loop */
      asl_json *answer_value;
      char *answer_error;
      char *answer_cause;
      const char *answer_label;
      /* a .waitForTaskToken Task waiting for its token (task_token.c) */
      bool callback;
      bool answer_ready;   /* the token was answered while the function still ran: the answer
                              is delivered once the invocation has returned */
      asl__token *token;   /* while waiting */
      int64_t heartbeat_s; /* HeartbeatSeconds, restarted by each heartbeat */
    } task;
    asl__par *parallel;
    asl__map *map;
  } u;
};

/* A new run of [states] on [input] (borrowed); [on_done] runs once when it finishes. Starts
 * nothing: post it with asl__run_post. A child run ([parent] set) writes to its parent's history
 * one level deeper; the caller sets its last_event_id (the event its first one follows) and
 * index. */
asl_run *asl__run_new(asl_exec *e, asl_run *parent, const asl_states *states,
                      const asl_json *input, asl__run_done_cb on_done, void *data);
/* Makes [r] write to a history of its own (a Distributed Map child execution). */
void asl__run_own_history(asl_run *r);
void asl__run_free(asl_run *r);
/* Makes [r] progress from the loop's next turn (the idle handle of its execution). */
void asl__run_post(asl_run *r);
/* Runs [r] as far as it can go now: synchronous states inline, up to the execution's burst. */
void asl__run_drive(asl_run *r);
/* A pending state has finished with [out] (from a loop callback): continues the run. */
void asl__run_state_done(asl_run *r, asl__outcome out);
/* As asl__run_state_done, but the run continues from the loop's next turn: for completions
 * that must not run inside the caller (a cancel, the last child of a Parallel or Map). */
void asl__run_state_done_later(asl_run *r, asl__outcome out);
/* Asks [r] to stop: a pending state is cancelled, a queued run ends before its next state. */
void asl__run_cancel(asl_run *r);
/* Fills r->error with an interpreter error of the current state: [err] moved in, its cause
 * prefixed as AWS words it ("An error occurred while executing the state 'X' (entered at the
 * event id #N). "). Returns ASL__STEP_FAILED. */
asl__step asl__run_fail_state(asl_run *r, asl_error *err);
/* Fills r->error with [err] as it is (Fail states, task errors). Returns ASL__STEP_FAILED. */
asl__step asl__run_fail(asl_run *r, asl_error *err);
/* The environment expressions of the current state see: [input] and the run's context. */
asl_env asl__run_env(asl_run *r, const asl_json *input);
/* The current state's $$, built now (Task, Parallel and Map rebuild it for each attempt, as
 * $$.State.RetryCount changes). */
void asl__run_rebuild_context(asl_run *r);

/* ---------------------------------------------------------- Retry and Catch ---- */
/* Task, Parallel and Map states run in attempts; Retry and Catch decide what a failed attempt
 * leads to, in one place for the three (retry.c). */
struct asl__attempt_ops {
  /* Starts one attempt of the state's work: DONE (r->output, r->next), FAILED (r->error) or
   * PENDING, after which the state reports through asl__attempt_done. */
  asl__step (*attempt)(asl_run *r);
  /* Ends a pending attempt early; the state then completes through asl__run_state_done_later
   * with ASL__OUT_CANCELED. */
  void (*cancel)(asl_run *r);
  /* Emitted when the state fails for good, before Catch (MapStateFailed); none for Task. */
  bool has_failed_event;
  asl_event_type failed_event;
};

/* The state's run operation: resets the retry counters and makes the first attempt. */
asl__step asl__attempts_begin(asl_run *r, const asl__attempt_ops *ops);
/* A pending attempt has ended with [step] (DONE or FAILED): Retry, Catch, then the run goes
 * on; with [later], from the loop's next turn (when called inside another run's callback). */
void asl__attempt_done(asl_run *r, asl__step step, bool later);
/* The state operation cancel of Task, Parallel and Map: a retry wait or the pending attempt. */
void asl__attempts_cancel(asl_run *r);
/* Frees the retry counters of the current state (its execution is over). */
void asl__attempts_clear(asl_run *r);
/* A redrive's first attempt of a Parallel or Map state: counters start again, then [first]
 * continues from what the failed attempt kept (r->kept); later attempts are [ops]'. */
asl__step asl__attempts_resume(asl_run *r, const asl__attempt_ops *ops,
                               asl__step (*first)(asl_run *r));

/* ------------------------------------------------------------------ redrive ---- */
/* Frees what [r] kept for a redrive (a retry or a catch went on, or the run is freed). */
void asl__kept_drop(asl_run *r);
/* Makes the finished, unsuccessful run [r] run again from its current state, its first event
 * following [previous_id]; the caller posts it. */
void asl__run_redrive(asl_run *r, int64_t previous_id);

/* -------------------------------------------------------------- task tokens ---- */
/* A new token for a .waitForTaskToken Task's attempt: names the execution, unique (a new
 * string value). */
asl_json *asl__task_token_new(asl_exec *e);
/* Whether the current Task attempt of [r] waits for its token rather than taking a handler's
 * answer; then *[invoke] says whether a function is invoked first (asl_handlers_callback). */
bool asl__task_is_callback(asl_run *r, bool *invoke);
/* [r]'s Task now waits for the token of its context ($$.Task.Token). */
void asl__task_wait_begin(asl_run *r);
/* [r]'s Task no longer waits (answered, timed out, cancelled): the token ends, the sink hears. */
void asl__task_wait_end(asl_run *r);
/* The answer to [r]'s waiting Task (state_task.c): [value] (borrowed) for SendTaskSuccess, else
 * [error] and [cause] (each may be NULL); delivered from the loop. */
void asl__task_callback_answer(asl_run *r, const asl_json *value, const char *error,
                               const char *cause);
/* SendTaskHeartbeat: HeartbeatSeconds count again from now. */
void asl__task_callback_heartbeat(asl_run *r);
/* Frees the execution's token table. */
void asl__tokens_free(asl_exec *e);

/* ------------------------------------------------------------ child runs ---- */
/* Parallel branches and Map iterations (children.c): what a failing child leaves behind for
 * its parent, and cancelling the others. */
typedef struct asl__failure {
  bool set;
  asl_error error;
  const asl_state *state; /* the child's failing state, when the child wrote to our history */
  int depth;
  int64_t last_id;
} asl__failure;

/* Records [child]'s error (moved out of it) and where it failed. */
void asl__failure_take(asl__failure *f, asl_run *child);
/* Records an error of the parent's own (moved). */
void asl__failure_set(asl__failure *f, asl_error *err);
/* AWS ends a failed branch's or iteration's state with its *StateAborted event once the
 * siblings have stopped (errors/test_parallel_catch_error__*, timeouts/
 * test_service_lambda_map_timeout.json); emits it for [f] when that state has one. */
void asl__failure_emit_abort(asl_run *r, asl__failure *f);
void asl__failure_clear(asl__failure *f);
/* Asks each non-NULL run of [live] to stop. */
void asl__children_cancel(asl_run **live, size_t n);

/* ------------------------------------------------------------------ states ---- */
typedef struct asl__state_ops {
  asl__step (*run)(asl_run *r);
  /* Cancels the pending state; it must then complete with ASL__OUT_CANCELED through
   * asl__run_state_done_later. NULL for states that never return pending. */
  void (*cancel)(asl_run *r);
  asl_event_type entered;
  asl_event_type exited;
  asl_event_type aborted;
  bool has_exited;  /* Fail states have no exit event */
  bool has_aborted; /* only states that can be pending have an abort event */
} asl__state_ops;

const asl__state_ops *asl__state_ops_of(asl_state_type t);

asl__step asl__state_pass_run(asl_run *r);
asl__step asl__state_choice_run(asl_run *r);
asl__step asl__state_wait_run(asl_run *r);
void asl__state_wait_cancel(asl_run *r);
asl__step asl__state_succeed_run(asl_run *r);
asl__step asl__state_fail_run(asl_run *r);
asl__step asl__state_task_run(asl_run *r);
asl__step asl__state_parallel_run(asl_run *r);
asl__step asl__state_map_run(asl_run *r);
/* Fills r->error with aslrun.NotSupported and [what] the state needs: a clear failure for what
 * cannot run locally (reading a Map's items from S3). Returns ASL__STEP_FAILED. */
asl__step asl__state_not_supported(asl_run *r, const char *what);

/* A Map's numbers (map_config.c), literal or from their paths on the Map's input [in]; false
 * and r->error (States.Runtime, AWS's cause) when a path gives a bad value. Tolerances are -1
 * when not given; batch limits 0. */
bool asl__map_max_concurrency(asl_run *r, const asl_json *in, int64_t *out);
bool asl__map_tolerance(asl_run *r, const asl_json *in, int64_t *count, double *pct);
bool asl__map_batch_limits(asl_run *r, const asl_json *in, int64_t *max_items,
                           int64_t *max_bytes);

/* Task resources (resource.c): "arn:aws:states:::lambda:invoke" is resourceType "lambda" and
 * resource "invoke" in TaskScheduled; [type] and [action] point into [resource]. False when the
 * resource is not a service integration. */
bool asl__resource_split(const char *resource, const char **type, size_t *type_len,
                         const char **action);
bool asl__resource_is_callback(const char *resource); /* .waitForTaskToken */

/* Values printed in causes: a string as its text, anything else as compact JSON (new string). */
char *asl__value_text(const asl_json *v);

/* ------------------------------------------------------------ I/O pipeline ---- */
/* The one implementation of InputPath -> Parameters -> (result) -> ResultSelector -> ResultPath
 * -> OutputPath. Every function returns a new reference, or NULL with r->error filled and the
 * cause worded as AWS words it; the caller then returns ASL__STEP_FAILED. */

/* Evaluates a path of the state on [v]; a miss reads "Invalid path '$.x' : No results for path:
 * $['x']", as AWS words InputPath and OutputPath failures. */
asl_json *asl__io_eval_path(asl_run *r, const asl_path *p, const asl_json *v);
/* InputPath: null gives {}, absent gives [raw] itself. */
asl_json *asl__io_input_path(asl_run *r, const asl_json *raw);
/* InputPath, then Parameters when the state has them: the effective input. */
asl_json *asl__io_effective_input(asl_run *r, const asl_json *raw);
/* From the state's [raw] input and its [result] (taken): ResultSelector when [select],
 * ResultPath (null keeps [raw], absent replaces it), OutputPath, and the payload checks. */
asl_json *asl__io_output(asl_run *r, const asl_json *raw, asl_json *result, bool select);
/* OutputPath alone on [v] (taken), and the payload check of the state output. */
asl_json *asl__io_output_path(asl_run *r, asl_json *v);
/* States.DataLimitExceeded when [v] is over the execution's payload limit. */
bool asl__io_check_size(asl_run *r, const asl_json *v);

/* ----------------------------------------------------------------- JSONata ---- */
/* What $states holds for one field of the current state (jsonata.c): [input] always, [result]
 * in the Output and Assign of Task, Parallel and Map, [error_output] in a catcher's, and the
 * run's context unless [context] gives another (a Map's ItemSelector sees Map.Item). */
typedef struct asl__states {
  const asl_json *input;
  const asl_json *result;
  const asl_json *error_output;
  const asl_json *context;
} asl__states;

/* Evaluates JSONata field [t] of the current state with $states [s] and the workflow variables:
 * a new reference, or NULL with r->error filled (States.QueryEvaluationError, AWS's cause with
 * the state's prefix) and an EvaluationFailed event emitted. */
asl_json *asl__ata_eval(asl_run *r, const asl_jsonata_template *t, const asl__states *s);
/* The same failure for a value the executor refuses: [location] names the field in the
 * EvaluationFailed event, the cause is printf's. Returns ASL__STEP_FAILED. */
ASL_PRINTF(3, 4) asl__step asl__ata_fail(asl_run *r, const char *location, const char *fmt, ...);
/* ... for a value [v] of field [t] that is not of JSON type [expected] ("array"): "The JSONata
 * expression 'x' specified for the field 'Items' returned an unexpected result type. Expected
 * 'array', but was 'boolean' for value: true" (map/test_map_state_items_eval_jsonata_fail__*). */
asl__step asl__ata_fail_type(asl_run *r, const asl_jsonata_template *t, const char *expected,
                             const asl_json *v);
/* True when [v] is a number with an integral value within int64_t's range (JSONata has one kind
 * of number: 5.0 is 5), into *[out]. */
bool asl__ata_integer(const asl_json *v, int64_t *out);
/* The end of a JSONata state: its Assign [assign] and Output [output] (each NULL when absent),
 * both evaluated with $states [s] against the variables from before the state, the output being
 * [deflt] without Output; then the payload check and the assignments. Sets r->output; false
 * (and r->error) when anything fails. */
bool asl__ata_finish(asl_run *r, const asl_jsonata_template *output,
                     const asl_jsonata_template *assign, const asl__states *s,
                     const asl_json *deflt);

/* Arguments of the current JSONata state on $states.input (its input when it has none), with
 * the payload check: the Task's request, each Parallel branch's input. A new reference, or NULL
 * and r->error. */
asl_json *asl__ata_arguments(asl_run *r);
/* The output of a JSONata Task, Parallel or Map from its [result] (borrowed): the payload
 * check, Output and Assign with $states.result (asl__ata_finish). A new reference, or NULL and
 * r->error. */
asl_json *asl__ata_result(asl_run *r, const asl_json *result);

/* ----------------------------------------------------------------- context ---- */
/* Builds the parts of $$ that do not change during the execution (again after a redrive). */
void asl__context_init(asl_exec *e);
/* $$ for the current state of [r]: a new reference. Task, Parallel and Map states have
 * State.RetryCount; a .waitForTaskToken Task has Task.Token. */
asl_json *asl__context_for_state(asl_run *r);
/* $$ for a Map's ItemSelector: the state's, plus "Map": {"Item": {"Index", "Value"}}. */
asl_json *asl__context_for_item(asl_run *r, size_t index, const asl_json *value);

/* ------------------------------------------------------------------ events ---- */
/* Every emitter numbers the event (ids are needed by error causes even with no sink) and
 * builds details only when a sink is attached. Each returns the event's id. */
bool asl__events_wanted(const asl_exec *e);
bool asl__notes_wanted(const asl_exec *e);
/* An execution-level event (the top history, no state). */
int64_t asl__event_emit(asl_exec *e, asl_event_type type, int64_t previous_id,
                        asl_json *details);
/* An event of [r]'s current state, following the run's last event; [details] taken. */
int64_t asl__run_emit(asl_run *r, asl_event_type type, asl_json *details);
/* The same, following [previous_id] and leaving the run's chain as it is. */
int64_t asl__run_emit_after(asl_run *r, asl_event_type type, int64_t previous_id,
                            asl_json *details);
/* The general form: an event in history [seq] of state [state] at [depth]. */
int64_t asl__event_emit_in(asl_exec *e, asl__seq *seq, const char *state, int depth,
                           asl_event_type type, int64_t previous_id, asl_json *details);
/* Sends [n] (state, depth and time filled in here) to the sinks that take notes. */
void asl__run_note(asl_run *r, asl_note *n);
/* {"error": E, "cause": C} with each only when given; NULL when neither and not [always]. */
asl_json *asl__event_error_details(const char *error, const char *cause, bool always);
/* Adds "<field>": text of [v] and "<field>Details": {"truncated": false} to [o]. */
void asl__event_put_payload(asl_json *o, const char *field, const char *details_field,
                            const asl_json *v);
int64_t asl__event_execution_started(asl_exec *e);
int64_t asl__event_execution_end(asl_exec *e, int64_t previous_id);
void asl__event_state_entered(asl_run *r);
void asl__event_state_exited(asl_run *r);
void asl__event_state_aborted(asl_run *r);
/* JSON text of [v] as a string value (the input/output fields of events). */
asl_json *asl__event_text(const asl_json *v);

/* --------------------------------------------------------------- execution ---- */
typedef enum asl__stop {
  ASL__STOP_NONE,
  ASL__STOP_ABORT,
  ASL__STOP_TIMEOUT,  /* the machine's TimeoutSeconds */
  ASL__STOP_DURATION, /* the maximum execution time (a quota) */
  ASL__STOP_HISTORY,  /* the maximum number of history events (a quota) */
} asl__stop;

/* Transitions run in one turn of the loop before a run yields to it, so that timers, signals
 * (Ctrl-C) and other executions are seen during long synchronous chains. */
#define ASL__BURST 4096

/* A redrive: opens the finished execution's handles again, resets its final status and starts
 * the machine's TimeoutSeconds afresh; [cb] runs at the next end. */
asl_status asl__exec_reopen(asl_exec *e, asl_exec_done_cb cb, void *data, asl_error *err);
/* Makes sure the execution's idle handle runs on the loop's next turn (ready runs, a stop). */
void asl__exec_kick(asl_exec *e);
/* The 0-based number of this invocation of Task [st] in the execution (MockConfigFile's
 * numbering: retries, re-entries and Map iterations all count). */
uint64_t asl__exec_next_invocation(asl_exec *e, const asl_state *st);
/* The next number of the execution's random source (xorshift64*): jitter, map run ids, names,
 * task tokens, handler request ids; the intrinsics and JSONata draw from it through asl_env. */
uint64_t asl__exec_random(asl_exec *e);
/* The history event numbered [id] of the execution's own history is about to be emitted: false
 * when the maximum number of history events forbids it (the execution then fails, as AWS fails
 * it, and the event is not emitted). */
bool asl__exec_history_allows(asl_exec *e, int64_t id, asl_event_type type);

struct asl_exec {
  const asl_machine *machine;
  uv_loop_t *loop;
  asl__clock clock;
  uv_idle_t idle;
  bool idle_active;
  asl_run *ready_head;
  asl_run *ready_tail;
  unsigned burst;

  asl_run *top;
  asl_exec_status status;
  asl_json *input;
  asl_json *output;
  char *error;
  char *cause;
  char *name;
  char *arn;
  char *sm_arn;
  char *sm_name;
  char *role_arn;
  char *region;  /* of the state machine's ARN */
  char *account;
  int64_t start_ms;
  int64_t stop_ms;
  asl__seq seq; /* the execution's history */
  asl_handlers *handlers;
  struct asl__invocations *invocations; /* count of each Task state's invocations */
  asl_event_sink *sinks;
  size_t sink_count;
  size_t payload_limit; /* SIZE_MAX: none */
  asl_exec_quotas quotas; /* resolved: AWS's values where 0 was given */
  uint64_t seed;
  uint64_t rng;
  asl_task_answer_cb answer;
  void *answer_data;
  bool express;
  bool has_token_sink;
  asl_task_token_sink token_sink;
  asl__token *tokens;     /* every token issued, by text (task_token.c) */
  uint64_t token_count;
  int64_t redrive_count;
  int64_t redrive_ms;
  bool history_full; /* the history quota was reached: no further event is emitted */
  bool ending;       /* the final event is being emitted */
  asl_json *ctx_execution;
  asl_json *ctx_state_machine;

  asl__timer timeout_timer; /* TimeoutSeconds or the maximum execution time, the earlier */
  asl__stop timeout_kind;   /* which of the two it is */
  asl__stop stop;
  bool stop_pending; /* asked for, not yet acted upon */
  char *stop_error;
  char *stop_cause;

  bool finished;
  int open_handles;
  asl_exec_done_cb done;
  void *done_data;
};

#endif
