"""The AWS CLI (`aws stepfunctions --endpoint-url ...`) against `aslrun serve`: create, describe,
start with a mock test case, describe the execution, history (the CLI pages through it itself),
list, validate, TestState with a mock, task tokens (send-task-success, -failure, -heartbeat, a
heartbeat timeout; a token a Python function received from lambda:invoke.waitForTaskToken),
redrive-execution, and errors as the CLI prints them. Skips (77) when `aws`
is not installed (tools/install-deps installs Debian's awscli). Usage: test_awscli.py ASLRUN
SOURCE_ROOT"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from sfnlib import ROLE, Server, check, eq, finish, sm_arn

aslrun, root = sys.argv[1], sys.argv[2]
if not shutil.which("aws"):
    print("skipped: the AWS CLI (aws) is not installed")
    sys.exit(77)
example = os.path.join(root, "examples", "error-handling")
tmp = tempfile.mkdtemp()
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.path.join(tmp, "none"),
           AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"), AWS_PAGER="",
           # TestState and StartSyncExecution go to "sync-HOST" unless told not to, as with any
           # local endpoint (Step Functions Local included)
           AWS_DISABLE_HOST_PREFIX_INJECTION="true")


def aws(srv, *args, expect_ok=True):
    p = subprocess.run(["aws", "stepfunctions", "--endpoint-url", f"http://127.0.0.1:{srv.port}",
                        "--output", "json", *args], capture_output=True, text=True, env=ENV,
                       timeout=120)
    if expect_ok:
        check(p.returncode == 0, f"aws {args[0]}: exit {p.returncode}: {p.stderr}")
        return json.loads(p.stdout) if p.stdout.strip() else {}
    return p


def waiting_token(srv, arn, n):
    """The token of the [n]-th Task of [arn] to wait, read with get-execution-history once it
    waits (polled over raw HTTP: each aws call costs a Python start)."""
    for _ in range(2000):
        st, h = srv.call("GetExecutionHistory", {"executionArn": arn, "maxResults": 1000})
        if sum(e["type"] == "TaskSubmitted" for e in h.get("events", [])) >= n:
            break
        time.sleep(0.01)
    events = aws(srv, "get-execution-history", "--execution-arn", arn)["events"]
    sched = [e for e in events if e["type"] == "TaskScheduled"]
    check(len(sched) >= n and any(e["type"] == "TaskSubmitted" for e in events),
          f"{arn}: {n} task(s) wait")
    return json.loads(sched[n - 1]["taskScheduledEventDetails"]["parameters"])["MessageBody"]["t"]


def done(srv, arn):
    for _ in range(2000):
        st, d = srv.call("DescribeExecution", {"executionArn": arn})
        if d.get("status") != "RUNNING":
            break
        time.sleep(0.01)
    return aws(srv, "describe-execution", "--execution-arn", arn)


def callbacks_and_redrive(srv):
    """send-task-success / -failure / -heartbeat answer a .waitForTaskToken Task, a heartbeat
    timeout ends it, and redrive-execution runs a failed execution again."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "HeartbeatSecondsPath": "$.hb", "End": True,
            "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}}
    definition = os.path.join(tmp, "approve.json")
    with open(definition, "w") as f:
        json.dump({"StartAt": "Approve", "States": {"Approve": task}}, f)
    aws(srv, "create-state-machine", "--name", "approve", "--role-arn", ROLE, "--definition",
        f"file://{definition}")
    # each aws call costs a Python start: 30 s of heartbeat, and 1 s for the timeout's case
    arn = aws(srv, "start-execution", "--state-machine-arn", sm_arn("approve"), "--name",
              "cb1", "--input", '{"hb": 30}')["executionArn"]
    token = waiting_token(srv, arn, 1)
    aws(srv, "send-task-heartbeat", "--task-token", token)
    aws(srv, "send-task-success", "--task-token", token, "--task-output", '{"ok": true}')
    d = done(srv, arn)
    eq((d.get("status"), d.get("output")), ("SUCCEEDED", '{"ok":true}'), "send-task-success")

    arn = aws(srv, "start-execution", "--state-machine-arn", sm_arn("approve"), "--name",
              "cb2", "--input", '{"hb": 30}')["executionArn"]
    token = waiting_token(srv, arn, 1)
    aws(srv, "send-task-failure", "--task-token", token, "--error", "Rejected", "--cause", "no")
    d = done(srv, arn)
    eq((d.get("status"), d.get("error"), d.get("cause"), d.get("redriveStatus")),
       ("FAILED", "Rejected", "no", "REDRIVABLE"), "send-task-failure")
    r = aws(srv, "redrive-execution", "--execution-arn", arn)
    check("redriveDate" in r, f"redrive-execution answers a redriveDate: {r}")
    token2 = waiting_token(srv, arn, 2)
    check(token2 != token, "the redriven Task waits for a new token")
    aws(srv, "send-task-success", "--task-token", token2, "--task-output", '"approved"')
    d = done(srv, arn)
    eq((d.get("status"), d.get("output"), d.get("redriveCount")), ("SUCCEEDED", '"approved"', 1),
       "redrive-execution, then send-task-success")
    p = aws(srv, "redrive-execution", "--execution-arn", arn, expect_ok=False)
    eq(p.stderr.strip(), "An error occurred (ExecutionNotRedrivable) when calling the "
                         "RedriveExecution operation: Execution is SUCCEEDED and cannot be "
                         "redriven.", "redrive-execution of a success")

    arn = aws(srv, "start-execution", "--state-machine-arn", sm_arn("approve"), "--name",
              "cb3", "--input", '{"hb": 1}')["executionArn"]
    token = waiting_token(srv, arn, 1)
    d = done(srv, arn)
    eq((d.get("status"), d.get("error")), ("FAILED", "States.HeartbeatTimeout"),
       "no heartbeat within HeartbeatSeconds")
    p = aws(srv, "send-task-success", "--task-token", token, "--task-output", "{}",
            expect_ok=False)
    eq(p.stderr.strip(), "An error occurred (TaskTimedOut) when calling the SendTaskSuccess "
                         "operation: Task Timed Out: 'Provided task does not exist anymore'",
       "send-task-success after the heartbeat timeout")


NOTIFY = """import json
import os


def handler(event, context):
    # the function hands the token on, as one that queues a message or mails a reviewer does
    path = os.environ["OUTBOX"]
    with open(path + ".tmp", "w") as f:
        json.dump(event, f)
    os.replace(path + ".tmp", path)
    if event.get("fail"):
        raise ValueError("the queue is down")
    return {"queued": event["order"]}
"""


def function_callbacks():
    """lambda:invoke.waitForTaskToken with a Python function mapped in aslrun.json: the function
    gets the payload with the token and hands it on (a file here); send-task-success answers it;
    TaskSubmitted shows the function's response; a function that raises fails the Task with its
    errorType, before any TaskSubmitted."""
    outbox = os.path.join(tmp, "outbox.json")
    with open(os.path.join(tmp, "notify.py"), "w") as f:
        f.write(NOTIFY)
    config = os.path.join(tmp, "aslrun.json")
    with open(config, "w") as f:
        json.dump({"functions": {"Notify": {"python": "notify.handler",
                                            "environment": {"OUTBOX": outbox}}}}, f)
    definition = os.path.join(tmp, "ask.json")
    with open(definition, "w") as f:
        json.dump({"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Notify", "Payload": {
                "token.$": "$$.Task.Token", "order.$": "$.order", "fail.$": "$.fail"}},
            "ResultPath": "$.approval", "TimeoutSeconds": 60, "End": True}}}, f)
    srv = Server(aslrun, "--config", config)
    try:
        aws(srv, "create-state-machine", "--name", "ask", "--role-arn", ROLE, "--definition",
            f"file://{definition}")
        arn = aws(srv, "start-execution", "--state-machine-arn", sm_arn("ask"), "--name", "fn1",
                  "--input", '{"order": 5, "fail": false}')["executionArn"]
        event = None
        for _ in range(3000):
            if os.path.exists(outbox):
                with open(outbox) as f:
                    event = json.load(f)
                break
            time.sleep(0.01)
        check(event is not None, "the function was invoked")
        event = event or {}
        eq(event.get("order"), 5, "the function's event is the Task's Payload")
        aws(srv, "send-task-success", "--task-token", event.get("token", "?"), "--task-output",
            '{"approved": 5}')
        d = done(srv, arn)
        eq((d.get("status"), d.get("output")),
           ("SUCCEEDED", '{"order":5,"fail":false,"approval":{"approved":5}}'),
           "send-task-success with the token the function received")
        events = aws(srv, "get-execution-history", "--execution-arn", arn)["events"]
        eq([e["type"] for e in events],
           ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
            "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"],
           "history of a function-served callback Task")
        sub = next((e["taskSubmittedEventDetails"] for e in events
                    if e["type"] == "TaskSubmitted"), {})
        out = json.loads(sub.get("output", "{}"))
        eq((sub.get("resourceType"), sub.get("resource"), out.get("Payload"),
            out.get("StatusCode")), ("lambda", "invoke.waitForTaskToken", {"queued": 5}, 200),
           "TaskSubmitted: the function's response, as lambda:invoke gives it")
        sched = next((e["taskScheduledEventDetails"] for e in events
                      if e["type"] == "TaskScheduled"), {})
        eq(json.loads(sched.get("parameters", "{}")).get("Payload", {}).get("token"),
           event.get("token"), "TaskScheduled's parameters carry the token the function got")
        p = aws(srv, "send-task-success", "--task-token", event.get("token", "?"),
                "--task-output", "{}", expect_ok=False)
        check("TaskTimedOut" in p.stderr, f"the token is answered once: {p.stderr}")

        arn = aws(srv, "start-execution", "--state-machine-arn", sm_arn("ask"), "--name", "fn2",
                  "--input", '{"order": 6, "fail": true}')["executionArn"]
        d = done(srv, arn)
        eq((d.get("status"), d.get("error")), ("FAILED", "ValueError"),
           "a function that raises fails the Task with its errorType")
        check("the queue is down" in d.get("cause", ""), f"cause: {d.get('cause')}")
        events = aws(srv, "get-execution-history", "--execution-arn", arn)["events"]
        eq([e["type"] for e in events][2:],
           ["TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"],
           "history of a failed invocation: no TaskSubmitted")
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"exit 0: {err}")


srv = Server(aslrun, "--virtual-time", env={"SFN_MOCK_CONFIG":
                                              os.path.join(example, "MockConfigFile.json")})
try:
    machine = os.path.join(example, "machine.json")
    r = aws(srv, "create-state-machine", "--name", "machine", "--definition", f"file://{machine}",
            "--role-arn", ROLE)
    eq(r.get("stateMachineArn"), sm_arn("machine"), "create-state-machine")
    d = aws(srv, "describe-state-machine", "--state-machine-arn", sm_arn("machine"))
    eq((d.get("name"), d.get("status"), d.get("definition")),
       ("machine", "ACTIVE", open(machine).read()), "describe-state-machine")
    # CLI v1 prints the number as it came (its default timestamp format is "none"), v2 a date
    cd = d.get("creationDate")
    check(isinstance(cd, (int, float)) and abs(cd - time.time()) < 600 or
          str(cd).startswith(time.strftime("%Y")), f"creationDate: {cd}")
    arns = {}
    for tc in ("Status200", "Status503", "Status429", "Status999"):
        arns[tc] = aws(srv, "start-execution", "--state-machine-arn",
                       f"{sm_arn('machine')}#{tc}", "--name", tc)["executionArn"]
    want = {"Status200": ("SUCCEEDED", '"The request has succeeded."', None),
            "Status503": ("FAILED", None, "ServerUnavailable"),
            "Status429": ("SUCCEEDED", '"The request has succeeded."', None),
            "Status999": ("FAILED", None, "An error of unknown type occurred")}
    for tc, arn in arns.items():
        for _ in range(100):
            d = aws(srv, "describe-execution", "--execution-arn", arn)
            if d.get("status") != "RUNNING":
                break
            time.sleep(0.01)
        eq((d.get("status"), d.get("output"), d.get("error")), want[tc], f"describe-execution {tc}")
    h = aws(srv, "get-execution-history", "--execution-arn", arns["Status429"],
            "--page-size", "4")
    events = h.get("events", [])
    eq([e["id"] for e in events], list(range(1, len(events) + 1)),
       "get-execution-history: the CLI pages through all events")
    eq([e["type"] for e in events].count("LambdaFunctionFailed"), 3, "history: three failures")
    eq(events[-1]["type"], "ExecutionSucceeded", "history: the end")
    lst = aws(srv, "list-executions", "--state-machine-arn", sm_arn("machine"),
              "--status-filter", "SUCCEEDED")
    eq(sorted(e["name"] for e in lst["executions"]), ["Status200", "Status429"], "list-executions")
    v = aws(srv, "validate-state-machine-definition", "--definition", f"file://{machine}")
    eq((v.get("result"), v.get("diagnostics")), ("OK", []), "validate: the tutorial")
    v = aws(srv, "validate-state-machine-definition", "--definition",
            '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}')
    eq(v.get("result"), "FAIL", "validate: a bad Next")
    s = aws(srv, "create-state-machine", "--name", "quick", "--type", "EXPRESS", "--role-arn", ROLE,
            "--definition", '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')
    s = aws(srv, "start-sync-execution", "--state-machine-arn", sm_arn("quick"), "--input",
            '{"a": 1}')
    eq((s.get("status"), s.get("output")), ("SUCCEEDED", '{"a":1}'), "start-sync-execution")
    eq([(x["code"], x["location"]) for x in v.get("diagnostics", [])],
       [("MISSING_TRANSITION_TARGET", "/States/A/Next")], "validate: diagnostics")
    call = json.dumps(json.load(open(machine))["States"]["Call API"])
    t = aws(srv, "test-state", "--definition", call, "--input", '{"statuscode": "200"}',
            "--mock", json.dumps({"result": '"200 OK"'}))
    eq((t.get("status"), t.get("output"), t.get("nextState")), ("SUCCEEDED", '"200 OK"', "OK"),
       "test-state with a mocked result")
    t = aws(srv, "test-state", "--definition", call, "--mock",
            json.dumps({"errorOutput": {"error": "ServerUnavailableException", "cause": "503"}}))
    eq((t.get("status"), t.get("error"), t.get("nextState")),
       ("CAUGHT_ERROR", "ServerUnavailableException", "Server Unavailable"),
       "test-state with a mocked error")
    callbacks_and_redrive(srv)
    p = aws(srv, "describe-state-machine", "--state-machine-arn", sm_arn("nope"), expect_ok=False)
    check(p.returncode != 0, "an error: non-zero exit")
    eq(p.stderr.strip(), "An error occurred (StateMachineDoesNotExist) when calling the "
                         f"DescribeStateMachine operation: State Machine Does Not Exist: "
                         f"'{sm_arn('nope')}'", "the CLI prints AWS's error")
finally:
    err = srv.stop()
check(srv.proc.returncode == 0, f"exit 0: {err}")
try:
    function_callbacks()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish("serve/awscli")
