/* Private to src/serve: the server's data (state machines, executions, handler registries), the
 * request context every operation answers through, and the helpers the operation files share
 * (parameters checked with AWS's words, ARNs, names, timestamps, page tokens, persistence). */
#ifndef ASLRUN_SERVE_INTERNAL_H
#define ASLRUN_SERVE_INTERNAL_H

#include <uthash.h>

#include "aslrun/exec.h"
#include "aslrun/http_server.h"
#include "aslrun/serve.h"

#define SERVE_REQUEST_LIMIT 1048576 /* Step Functions' quota: 1 MB per API request */
#define SERVE_PAGE_DEFAULT 100
#define SERVE_PAGE_MAX 1000
#define SERVE_TAGS_MAX 50
/* AWS's default quotas per account and region: state machines (StateMachineLimitExceeded) and
 * open executions (ExecutionLimitExceeded) */
#define SERVE_MACHINES_MAX 10000
#define SERVE_RUNNING_MAX 1000000
/* Unsuccessful executions whose executor state is kept for RedriveExecution; beyond it the
 * oldest gives its up (and is no longer redrivable, saying why). */
#define SERVE_KEPT_MAX 1000
/* AWS's redrivable period: 14 days after the execution ended */
#define SERVE_REDRIVE_PERIOD_MS (14LL * 24 * 3600 * 1000)

typedef struct srv_request srv_request;
typedef struct srv_version srv_version;
typedef struct srv_machine srv_machine;
typedef struct srv_execution srv_execution;
typedef struct srv_registry srv_registry;

/* One definition of a state machine: the text as given and its compiled form. Executions keep
 * the version they started with (DescribeStateMachineForExecution shows it) while the machine
 * moves on; refcounted. [machine] is NULL for versions read back from the state directory that no
 * execution will run (a finished execution's). */
struct srv_version {
  int refs;
  char *definition;
  size_t definition_len;
  asl_machine *machine;
  char *role_arn;
  int64_t update_ms;
  char *revision_id;
};

struct srv_machine {
  char *arn, *name;
  bool express;
  srv_version *ver;
  int64_t creation_ms;
  asl_json *tags;    /* [{"key", "value"}, ...] in the order given */
  asl_json *logging; /* loggingConfiguration as given (or AWS's default) */
  asl_json *tracing; /* tracingConfiguration */
  asl_json *encryption; /* encryptionConfiguration as given, or NULL (kept and shown: a local
                           server encrypts nothing) */
  uint64_t seq;      /* creation order: listings and page tokens */
  UT_hash_handle hh; /* by arn */
};

/* Someone waiting for an execution to finish: a StartSyncExecution or StopExecution request. */
typedef enum srv_wait_kind { SRV_WAIT_SYNC, SRV_WAIT_STOP } srv_wait_kind;
typedef struct srv_waiter {
  srv_request *rq;
  srv_wait_kind kind;
  int64_t stop_ms; /* STOP: when the stop was asked (the answer's stopDate) */
  bool metadata_only; /* SYNC: includedData METADATA_ONLY (no input and output) */
} srv_waiter;

struct srv_execution {
  asl_sfn_server *srv;
  char *arn, *name, *sm_arn, *sm_name, *test_case;
  bool express;
  srv_version *ver;
  asl_exec *exec;          /* while running */
  asl_exec *kept;          /* finished unsuccessfully: kept for RedriveExecution (tasks.c) */
  int64_t done_wall_ms;    /* the wall clock when it last finished (the redrivable period) */
  int64_t redrive_count;
  int64_t redrive_ms;      /* the last redrive's date, or 0 */
  char *redrive_token;     /* the last RedriveExecution's clientToken, or NULL */
  asl_exec_status status;  /* RUNNING until the record is written (when persisting) */
  bool saving;             /* finished; the record is being written */
  bool stopping;           /* StopExecution asked the executor to stop it */
  int64_t start_ms, stop_ms;
  char *input;             /* compact JSON text */
  char *trace_header;      /* StartExecution's traceHeader, or NULL */
  char *output;            /* SUCCEEDED: compact JSON text */
  char *error, *cause;
  ASL_VEC(asl_json *) events; /* GetExecutionHistory's event objects, with ms timestamps */
  size_t event_count;      /* the history's length, also while it is on disk only */
  /* With a state directory, a finished execution's history (and, when read back, the
   * definition it ran) stays in its file until asked for: the record's second line. */
  char *detail_file;       /* NULL: everything is in memory */
  ASL_VEC(srv_waiter) waiters;
  uint64_t seq;            /* start order */
  srv_execution *newer, *older;
  UT_hash_handle hh;       /* by arn */
};

/* A handler registry for one test case of the mock config ("" for none). */
struct srv_registry {
  char *key; /* "MachineName#TestCase", or "" */
  asl_handlers *h;
  UT_hash_handle hh;
};

struct asl_sfn_server {
  uv_loop_t *loop;
  asl_http_server *http;
  bool http_closed, stopping, closing;
  char *region, *account, *state_dir, *config_dir, *lambda_endpoint;
  char *access_key, *secret_key;
  const asl_json *config, *mock_config;
  bool virtual_time, cold;
  asl_serve_log_cb log;
  void *log_data;
  srv_machine *machines;
  srv_execution *executions;
  srv_execution *newest, *oldest;
  uint64_t next_seq;
  srv_registry *registries;
  ASL_VEC(asl_handlers *) retired; /* TestState's registries, freed between loop turns */
  ASL_VEC(asl_exec *) finished;    /* executions whose done callback ran, freed likewise */
  ASL_VEC(asl_exec *) testing;     /* TestState's runs under way (stopped by asl_serve_free) */
  int saving;                      /* state-directory writes under way */
  struct path_queue *write_queues; /* persist.c's: the writes of each file, in order */
  uint64_t write_counter;          /* names temporary files apart */
  int running;                     /* executions not finished */
  int kept;                        /* executions with an executor kept for redrive */
  asl_task_token_sink tokens;      /* callback tasks wait for SendTask* (tasks.c) */
  srv_request *requests;           /* answers still owed */
};

/* ---- requests (server.c) ---- */
struct srv_request {
  asl_sfn_server *srv;
  asl_http_conn *conn;
  const char *op;
  uint64_t started_ns;
  char request_id[37];
  srv_request *prev, *next;
};

/* Answers [rq] with 200 and [body] (taken); frees [rq]. */
void asl__reply(srv_request *rq, asl_json *body);
/* Answers [rq] with an AWS error: HTTP [status], __type [type] (a Step Functions error name such
 * as "InvalidArn", or a full "com.amazon.coral.service#..." one) and the message; frees [rq].
 * Returns false, so that a check can `return asl__fail(...)`. */
ASL_PRINTF(4, 5)
bool asl__fail(srv_request *rq, int status, const char *type, const char *fmt, ...);
/* A random RFC 4122 version 4 UUID into [out]. */
void asl__uuid(char out[37]);
/* The wall clock in ms since the epoch. */
int64_t asl__now_ms(void);

/* ---- parameters, ARNs, names (params.c) ---- */
/* Member [key] of [body] as a string: NULL when absent (then, with [required], the request is
 * answered with AWS's "Member must not be null" and *ok is false). Wrong kinds and lengths outside
 * [min, max] are answered likewise. */
const char *asl__param_str(srv_request *rq, const asl_json *body, const char *key, bool required,
                           size_t min, size_t max, bool *ok);
/* An integer member in [min, max] (default [dflt] when absent). */
int64_t asl__param_int(srv_request *rq, const asl_json *body, const char *key, int64_t min,
                       int64_t max, int64_t dflt, bool *ok);
bool asl__param_bool(srv_request *rq, const asl_json *body, const char *key, bool dflt, bool *ok);
/* A member that must be one of [values] (NULL-terminated); NULL when absent. */
const char *asl__param_enum(srv_request *rq, const asl_json *body, const char *key,
                            const char *const *values, bool *ok);
/* A Step Functions name (state machine, execution): 1-80 characters, none of AWS's forbidden
 * ones. */
bool asl__name_valid(const char *name);

typedef enum srv_arn_kind {
  SRV_ARN_STATE_MACHINE,
  SRV_ARN_EXECUTION, /* standard or express */
} srv_arn_kind;
/* Checks that [arn] names a resource of [kind] (EXECUTION accepts express executions too);
 * answers InvalidArn as AWS words it and returns false otherwise. */
bool asl__arn_check(srv_request *rq, const char *arn, srv_arn_kind kind);
char *asl__sm_arn(const asl_sfn_server *s, const char *name);

/* Epoch seconds as the AWS JSON protocol sends timestamps (a number, milliseconds as decimals). */
asl_json *asl__timestamp(int64_t ms);

/* Page tokens: [kind] of listing ("sm", "ex", "hist"), the ARN it lists ("" for none) and the
 * position after which the next page starts. */
char *asl__token_make(const char *kind, const char *key, int64_t pos);
/* Reads a nextToken; answers InvalidToken and returns false when it is not one of ours. */
bool asl__token_read(srv_request *rq, const char *token, const char *kind, const char *key,
                     int64_t *pos);

/* ---- state machines (machines.c) ---- */
srv_machine *asl__machine_find(asl_sfn_server *s, const char *arn);
void asl__version_unref(srv_version *v);
srv_version *asl__version_ref(srv_version *v);
/* Loads a definition; answers InvalidDefinition (AWS's message format) and returns NULL when it
 * is not valid. */
asl_machine *asl__definition_load(srv_request *rq, const char *text, size_t len);
/* The same with load options (TestState: variables given from outside). */
asl_machine *asl__definition_load_opts(srv_request *rq, const char *text, size_t len,
                                       const asl_load_opts *opts);
void asl__machine_free(srv_machine *m);
/* The persisted form of a machine and the reverse (persist.c reads files with it). */
asl_json *asl__machine_record(const srv_machine *m);
srv_machine *asl__machine_from_record(asl_sfn_server *s, const asl_json *rec, asl_error *err);

/* ---- executions (executions.c) ---- */
void asl__execution_free(srv_execution *x);
void asl__execution_insert(asl_sfn_server *s, srv_execution *x);
/* The record of a finished execution in two parts: [summary] (what listing and describing need,
 * read at start) and, returned, its detail ({"definition", "events"}, read when asked for). */
asl_json *asl__execution_record(const srv_execution *x, asl_json **detail);
/* Makes sure [x]'s history and definition are in memory (reading its file's detail); false, after
 * answering 500, when the file cannot be read. */
bool asl__execution_detail(srv_request *rq, srv_execution *x);
/* An execution from its summary; its detail stays in [path] until asked for. */
srv_execution *asl__execution_from_record(asl_sfn_server *s, const asl_json *rec,
                                          const char *path, asl_error *err);
/* Whether [x] may be redriven now; when not, *[why] says why in AWS's words (a string that lives
 * as long as [x] is not changed). */
bool asl__execution_redrivable(asl_sfn_server *s, const srv_execution *x, const char **why);
/* [x] (redrivable) runs again (asl_exec_redrive) from the loop; false, after answering, when
 * it cannot. */
bool asl__execution_redrive(srv_request *rq, srv_execution *x);
/* The sink through which callback tasks of every execution wait (tasks.c). */
const asl_task_token_sink *asl__token_sink(asl_sfn_server *s);
/* The registry for [sm_name]'s [test_case] (NULL: the plain one), made on first use. */
asl_handlers *asl__registry_get(asl_sfn_server *s, const char *sm_name, const char *test_case,
                                asl_error *err);

/* ---- persistence (persist.c) ---- */
/* Writes [record] (taken) to [dir]/[file] atomically, one line, and [detail] (taken; may be NULL)
 * as a second line, then calls [cb]([data], status) from the loop; without a state directory,
 * [cb] runs from the loop at once with ASL_OK. */
typedef void (*asl__persist_cb)(void *data, asl_status st, const char *why);
void asl__persist_write(asl_sfn_server *s, const char *dir, const char *file, asl_json *record,
                        asl_json *detail, asl__persist_cb cb, void *data);
/* The path of [dir]/[file] in the state directory. */
char *asl__persist_path(asl_sfn_server *s, const char *dir, const char *file);
/* Reads line [line] (0 or 1) of the record file [path] as a JSON object. */
asl_json *asl__persist_read(const char *path, int line, asl_error *err);
/* Removes [dir]/[file] (synchronously: a deletion is small). */
void asl__persist_remove(asl_sfn_server *s, const char *dir, const char *file);
/* The file name for a machine or an execution. */
char *asl__persist_machine_file(const char *name);
char *asl__persist_execution_file(const char *sm_name, const char *exec_name);
/* Reads every machine and execution of the state directory into [s]. */
asl_status asl__persist_load(asl_sfn_server *s, asl_error *err);

/* ---- operations ---- */
typedef void (*srv_op_fn)(srv_request *rq, const asl_json *body);
void asl__op_create_state_machine(srv_request *rq, const asl_json *body);
void asl__op_describe_state_machine(srv_request *rq, const asl_json *body);
void asl__op_update_state_machine(srv_request *rq, const asl_json *body);
void asl__op_delete_state_machine(srv_request *rq, const asl_json *body);
void asl__op_list_state_machines(srv_request *rq, const asl_json *body);
void asl__op_validate_definition(srv_request *rq, const asl_json *body);
void asl__op_tag_resource(srv_request *rq, const asl_json *body);
void asl__op_untag_resource(srv_request *rq, const asl_json *body);
void asl__op_list_tags(srv_request *rq, const asl_json *body);
void asl__op_start_execution(srv_request *rq, const asl_json *body);
void asl__op_start_sync_execution(srv_request *rq, const asl_json *body);
void asl__op_describe_execution(srv_request *rq, const asl_json *body);
void asl__op_stop_execution(srv_request *rq, const asl_json *body);
void asl__op_list_executions(srv_request *rq, const asl_json *body);
void asl__op_get_execution_history(srv_request *rq, const asl_json *body);
void asl__op_describe_sm_for_execution(srv_request *rq, const asl_json *body);
void asl__op_send_task_success(srv_request *rq, const asl_json *body);
void asl__op_send_task_failure(srv_request *rq, const asl_json *body);
void asl__op_send_task_heartbeat(srv_request *rq, const asl_json *body);
void asl__op_redrive_execution(srv_request *rq, const asl_json *body);
void asl__op_test_state(srv_request *rq, const asl_json *body);

/* ---- auth.c ---- */
/* With --check-auth: checks the request's SigV4 signature; answers and returns false when it is
 * missing, malformed, expired, by another key or wrong. */
bool asl__auth_check(srv_request *rq, const asl_http_request *req);

#endif
