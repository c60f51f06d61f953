/* SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat and RedriveExecution. A task token names
 * the execution that issued it (asl_task_token_execution), so the server keeps no table of its
 * own. AWS's three answers to a token that nothing waits for: InvalidToken for what is not a task
 * token at all, TaskDoesNotExist for a token of aslrun's form that no execution here issued (its
 * execution is unknown, or never made it), TaskTimedOut for one whose Task no longer waits
 * (answered, timed out, stopped) or whose execution has ended. Redrive runs the executor kept for
 * an unsuccessful execution again (executions.c keeps it). */
#include "internal.h"

#include <string.h>

/* ---- the sink every execution's callback tasks wait through ---- */

static void on_wait(void *data, asl_exec *e, const char *token, const char *state)
{
  asl_sfn_server *s = data;
  if (!s->log)
    return;
  /* the token is in the Task's parameters too (GetExecutionHistory, TaskScheduled); the log
   * line is for a person answering by hand (aws stepfunctions send-task-success) */
  char *line = asl_strfmt("%s: state '%s' waits for its task token %s", asl_exec_arn(e), state,
                          token);
  s->log(s->log_data, line);
  asl_free(line);
}

const asl_task_token_sink *asl__token_sink(asl_sfn_server *s)
{
  s->tokens = (asl_task_token_sink){.on_wait = on_wait, .data = s};
  return &s->tokens;
}

/* ---- SendTask* ---- */

static const char *token_param(srv_request *rq, const asl_json *body)
{
  bool ok;
  return asl__param_str(rq, body, "taskToken", true, 1, 2048, &ok);
}

#define NO_SUCH_TASK "Task Does Not Exist: 'Provided task does not exist'"

/* The running execution that issued [token]; NULL after answering AWS's error. */
static asl_exec *token_execution(srv_request *rq, const char *token)
{
  char *arn = asl_task_token_execution(token);
  if (!arn) {
    asl__fail(rq, 400, "InvalidToken", "Invalid Token: 'Invalid token'");
    return NULL;
  }
  srv_execution *x = NULL;
  HASH_FIND_STR(rq->srv->executions, arn, x);
  asl_free(arn);
  if (!x) {
    asl__fail(rq, 400, "TaskDoesNotExist", NO_SUCH_TASK);
    return NULL;
  }
  if (!x->exec) {
    asl__fail(rq, 400, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    return NULL;
  }
  return x->exec;
}

/* Answers the executor's verdict on an answer to a token. */
static void answered(srv_request *rq, asl_status st, asl_error *err)
{
  if (st == ASL_OK) {
    asl__reply(rq, asl_json_object(0));
    return;
  }
  if (err->name && strcmp(err->name, "TaskTimedOut") == 0)
    asl__fail(rq, 400, "TaskTimedOut", "%s", err->cause);
  else
    asl__fail(rq, 400, "TaskDoesNotExist", NO_SUCH_TASK);
  asl_error_clear(err);
}

void asl__op_send_task_success(srv_request *rq, const asl_json *body)
{
  const char *token = token_param(rq, body);
  if (!token)
    return;
  bool ok;
  const char *output = asl__param_str(rq, body, "output", true, 0, 262144, &ok);
  if (!ok)
    return;
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(output, strlen(output), NULL, &err);
  if (!v) {
    asl__fail(rq, 400, "InvalidOutput", "Invalid Output: '%s'", err.cause ? err.cause : "not JSON");
    asl_error_clear(&err);
    return;
  }
  asl_exec *e = token_execution(rq, token);
  if (e)
    answered(rq, asl_exec_task_success(e, token, v, &err), &err);
  asl_json_decref(v);
}

void asl__op_send_task_failure(srv_request *rq, const asl_json *body)
{
  const char *token = token_param(rq, body);
  if (!token)
    return;
  bool ok;
  const char *error = asl__param_str(rq, body, "error", false, 0, 256, &ok);
  if (!ok)
    return;
  const char *cause = asl__param_str(rq, body, "cause", false, 0, 32768, &ok);
  if (!ok)
    return;
  asl_exec *e = token_execution(rq, token);
  asl_error err = ASL_ERROR_INIT;
  if (e)
    answered(rq, asl_exec_task_failure(e, token, error, cause, &err), &err);
}

void asl__op_send_task_heartbeat(srv_request *rq, const asl_json *body)
{
  const char *token = token_param(rq, body);
  if (!token)
    return;
  asl_exec *e = token_execution(rq, token);
  asl_error err = ASL_ERROR_INIT;
  if (e)
    answered(rq, asl_exec_task_heartbeat(e, token, &err), &err);
}

/* ---- RedriveExecution ---- */

static void redrive_answer(srv_request *rq, const srv_execution *x)
{
  asl_json *r = asl_json_object(1);
  asl_json_obj_put_cstr(r, "redriveDate", asl__timestamp(x->redrive_ms));
  asl__reply(rq, r);
}

void asl__op_redrive_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "executionArn", true, 1, 256, &ok);
  if (!ok)
    return;
  const char *client_token = asl__param_str(rq, body, "clientToken", false, 1, 64, &ok);
  if (!ok)
    return;
  if (!asl__arn_check(rq, arn, SRV_ARN_EXECUTION))
    return;
  srv_execution *x = NULL;
  HASH_FIND_STR(rq->srv->executions, arn, x);
  if (!x) {
    asl__fail(rq, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
    return;
  }
  /* the same clientToken again (an SDK's retry) is the same redrive, not another */
  if (client_token && x->redrive_token && strcmp(client_token, x->redrive_token) == 0) {
    redrive_answer(rq, x);
    return;
  }
  const char *why;
  if (!asl__execution_redrivable(rq->srv, x, &why)) {
    asl__fail(rq, 400, "ExecutionNotRedrivable", "%s", why);
    return;
  }
  if (rq->srv->running >= SERVE_RUNNING_MAX) {
    asl__fail(rq, 400, "ExecutionLimitExceeded",
              "The maximum number of running executions (%d) has been reached. Running "
              "executions must end or be stopped before a new execution can be started.",
              SERVE_RUNNING_MAX);
    return;
  }
  if (!asl__execution_redrive(rq, x))
    return;
  asl_free(x->redrive_token);
  x->redrive_token = client_token ? asl_strdup(client_token) : NULL;
  redrive_answer(rq, x);
}
