/* SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat and RedriveExecution: their requests are
 * checked as Step Functions checks them, but answering them needs the executor to let a
 * .waitForTaskToken Task wait for a token and to redrive a finished execution, which it cannot do
 * yet (the API it needs is written down in src/serve/README.md). Until then each answers a clear
 * error of its own type, never a pretended success. (A .waitForTaskToken Task that a MockConfigFile
 * test case mocks does run: its mock answers for the callback, as in Step Functions Local.) */
#include "internal.h"

#include <string.h>

#define NOT_YET "com.amazonaws.swf.service.v2.model#NotImplemented"

static bool token_param(srv_request *rq, const asl_json *body)
{
  bool ok;
  asl__param_str(rq, body, "taskToken", true, 1, 2048, &ok);
  return ok;
}

static void no_callbacks(srv_request *rq)
{
  asl__fail(rq, 400, NOT_YET,
            "%s: aslrun serve cannot yet keep a .waitForTaskToken Task waiting for its token (the "
            "executor has no callback tasks yet); mock such Tasks with a MockConfigFile test case "
            "(stateMachineArn#TestCase) meanwhile",
            rq->op);
}

void asl__op_send_task_success(srv_request *rq, const asl_json *body)
{
  if (!token_param(rq, body))
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
  asl_json_decref(v);
  no_callbacks(rq);
}

void asl__op_send_task_failure(srv_request *rq, const asl_json *body)
{
  if (!token_param(rq, body))
    return;
  bool ok;
  asl__param_str(rq, body, "error", false, 0, 256, &ok);
  if (!ok)
    return;
  asl__param_str(rq, body, "cause", false, 0, 32768, &ok);
  if (!ok)
    return;
  no_callbacks(rq);
}

void asl__op_send_task_heartbeat(srv_request *rq, const asl_json *body)
{
  if (!token_param(rq, body))
    return;
  no_callbacks(rq);
}

void asl__op_redrive_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "executionArn", true, 1, 256, &ok);
  if (!ok)
    return;
  asl__param_str(rq, body, "clientToken", false, 1, 64, &ok);
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
  if (x->express || x->status == ASL_EXEC_RUNNING || x->status == ASL_EXEC_SUCCEEDED) {
    asl__fail(rq, 400, "ExecutionNotRedrivable",
              "Execution is %s and cannot be redriven",
              x->express ? "an Express execution" : asl_exec_status_name(x->status));
    return;
  }
  asl__fail(rq, 400, NOT_YET,
            "RedriveExecution: aslrun serve cannot redrive executions yet (the executor cannot "
            "restart a finished execution from its failed states); %s is unchanged",
            arn);
}
