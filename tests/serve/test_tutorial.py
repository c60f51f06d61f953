"""The error-handling tutorial (examples/error-handling) through `aslrun serve`: its four status
codes give AWS's results, with Step Functions Local's mock config (test cases chosen with
"stateMachineArn#TestCase", the 429 history with its three attempts and virtual waits) and with
the tutorial's real Python function; and a mock file written as Step Functions Local's
documentation writes one, unchanged. Usage: test_tutorial.py ASLRUN SOURCE_ROOT"""
import json
import os
import sys
import tempfile

from sfnlib import ROLE, Server, check, eq, ex_arn, finish, ok, sm_arn, wait_done

aslrun, root = sys.argv[1], sys.argv[2]
example = os.path.join(root, "examples", "error-handling")
definition = open(os.path.join(example, "machine.json")).read()

EXPECTED = {
    "200": ("SUCCEEDED", '"The request has succeeded."', None, None),
    "503": ("FAILED", None, "ServerUnavailable",
            "The server is currently unable to handle the request."),
    "429": ("SUCCEEDED", '"The request has succeeded."', None, None),
    "999": ("FAILED", None, "An error of unknown type occurred", "Unknown error!"),
}


def outcome(d):
    return (d["status"], d.get("output"), d.get("error"), d.get("cause"))


def with_mocks():
    srv = Server(aslrun, "--virtual-time", env={"SFN_MOCK_CONFIG":
                                                  os.path.join(example, "MockConfigFile.json")})
    try:
        ok(srv.call("CreateStateMachine", {"name": "machine", "definition": definition,
                                           "roleArn": ROLE}), "create the tutorial machine")
        for code, want in EXPECTED.items():
            r = ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("machine") +
                                               f"#Status{code}", "name": f"mock{code}",
                                               "input": json.dumps({"statuscode": code})}),
                   f"start Status{code}")
            eq(r.get("executionArn"), ex_arn("machine", f"mock{code}"),
               "the test case is not part of the execution's ARN")
            eq(outcome(wait_done(srv, r["executionArn"])), want, f"mock config, status {code}")
        h = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("machine", "mock429")}),
               "history of 429")["events"]
        types = [e["type"] for e in h]
        eq(types.count("LambdaFunctionFailed"), 3, "429: three failed attempts")
        eq(types.count("LambdaFunctionSucceeded"), 1, "429: one success")
        failed = [e for e in h if e["type"] == "LambdaFunctionFailed"]
        eq([e["lambdaFunctionFailedEventDetails"]["error"] for e in failed],
           ["TooManyRequestsException"] * 3, "429: the mock's errors")
        gaps = [round(b["timestamp"] - a["timestamp"]) for a, b in zip(failed, failed[1:])]
        eq(gaps, [1, 2], "429: retries 1 s then 2 s apart (virtual time)")
        waits = [e for e in h if e["type"] in ("WaitStateEntered", "WaitStateExited")]
        eq(round(waits[1]["timestamp"] - waits[0]["timestamp"]), 1, "429: the Wait takes 1 s")
        st, body = srv.call("StartExecution", {"stateMachineArn": sm_arn("machine") + "#Nope"})
        eq(st, 400, "an unknown test case: status")
        check("Nope" in (body or {}).get("message", ""), f"an unknown test case is named: {body}")
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"mock server exit 0: {err}")


def with_python():
    srv = Server(aslrun, "--virtual-time", "--config", os.path.join(example, "aslrun.json"))
    try:
        ok(srv.call("CreateStateMachine", {"name": "tutorial", "definition": definition,
                                           "roleArn": ROLE}), "create")
        arns = {}
        for code in EXPECTED:
            arns[code] = ok(srv.call("StartExecution", {
                "stateMachineArn": sm_arn("tutorial"), "name": f"py{code}",
                "input": json.dumps({"statuscode": code})}), f"start {code}")["executionArn"]
        for code, want in EXPECTED.items():
            eq(outcome(wait_done(srv, arns[code], timeout=60)), want,
               f"real Python function, status {code}")
        h = ok(srv.call("GetExecutionHistory", {"executionArn": arns["429"]}), "history")["events"]
        caught = [e for e in h if e["type"] == "TaskStateExited"][0]
        out = json.loads(caught["stateExitedEventDetails"]["output"])
        eq(out["Error"], "TooManyRequestsException", "429: the caught error")
        cause = json.loads(out["Cause"])
        eq((cause["errorType"], cause["errorMessage"]),
           ("TooManyRequestsException", "429 Too Many Requests"), "429: Lambda's error payload")
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"python server exit 0: {err}")


# A mock file as Step Functions Local's documentation writes one ("Using mocked service
# integrations"): a Lambda task with retries and an SQS task, three test cases.
DOC_MACHINE = {
    "Comment": "A state machine that invokes a Lambda function, then sends its result to SQS",
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
                       "BackoffRate": 2}],
            "Next": "SQSState"},
        "SQSState": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                           "MessageBody.$": "$"},
            "End": True}}}
DOC_MOCKS = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess",
                              "SQSState": "MockedSQSSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry",
                              "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"}}}},
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {
            "StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}}},
        "LambdaMockedResourceNotReady": {"0": {"Throw": {
            "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}}},
        "MockedSQSSuccess": {"0": {"Return": {
            "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
            "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException",
                            "Cause": "Lambda resource is not ready."}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": {"StatusCode": 200,
                             "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}}}}}


def documented_mock_file():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "MockConfigFile.json")
        with open(path, "w") as f:
            json.dump(DOC_MOCKS, f)
        srv = Server(aslrun, "--virtual-time", env={"SFN_MOCK_CONFIG": path})
        try:
            ok(srv.call("CreateStateMachine", {"name": "LambdaSQSIntegration", "roleArn": ROLE,
                                               "definition": json.dumps(DOC_MACHINE)}), "create")
            arn = sm_arn("LambdaSQSIntegration")
            for case in ("HappyPath", "RetryPath"):
                r = ok(srv.call("StartExecution", {"stateMachineArn": f"{arn}#{case}",
                                                   "name": case}), case)
                d = wait_done(srv, r["executionArn"])
                eq((d["status"], json.loads(d.get("output", "null"))),
                   ("SUCCEEDED", {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                                  "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}),
                   f"documented mock file: {case}")
                h = ok(srv.call("GetExecutionHistory", {"executionArn": r["executionArn"]}),
                       "history")["events"]
                eq([e["type"] for e in h].count("TaskFailed"), 3 if case == "RetryPath" else 0,
                   f"{case}: failed attempts")
            # HybridPath mocks the Lambda only: SQS has no handler here, and the run says so
            r = ok(srv.call("StartExecution", {"stateMachineArn": f"{arn}#HybridPath",
                                               "name": "HybridPath"}), "HybridPath")
            d = wait_done(srv, r["executionArn"])
            eq(d["status"], "FAILED", "HybridPath without an SQS handler fails")
            check("SQSState" in (d.get("cause") or ""), f"the cause names the state: {d}")
        finally:
            err = srv.stop()
        check(srv.proc.returncode == 0, f"documented mocks: exit 0: {err}")


with_mocks()
with_python()
documented_mock_file()
finish("serve/tutorial")
