"""`aslrun serve` under input nobody should send: every operation with members of every JSON kind
(random but seeded), answered 200 or with an AWS error, never a crash or a 500; then a stop
(SIGTERM) while executions run and StartSyncExecution calls wait, which must end cleanly (exit 0,
and no leak in sanitizer builds); then AWS's quota of 10,000 state machines. Usage: test_robust.py ASLRUN SOURCE_ROOT"""
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

from sfnlib import ROLE, Server, check, eq, expect_error, finish, ok, sm_arn

aslrun, root = sys.argv[1], sys.argv[2]

OPS = ["CreateStateMachine", "DescribeStateMachine", "UpdateStateMachine", "DeleteStateMachine",
       "ListStateMachines", "StartExecution", "StartSyncExecution", "DescribeExecution",
       "StopExecution", "ListExecutions", "GetExecutionHistory",
       "DescribeStateMachineForExecution", "ValidateStateMachineDefinition", "TestState",
       "SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat", "RedriveExecution",
       "TagResource", "UntagResource", "ListTagsForResource"]
MEMBERS = ["name", "definition", "roleArn", "type", "stateMachineArn", "executionArn", "input",
           "maxResults", "nextToken", "reverseOrder", "includeExecutionData", "statusFilter",
           "tags", "tagKeys", "resourceArn", "taskToken", "output", "error", "cause", "mock",
           "stateName", "inspectionLevel", "stateConfiguration", "includedData", "severity",
           "loggingConfiguration", "tracingConfiguration", "redriveFilter", "mapRunArn"]
PASS = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
VALUES = [None, 0, -1, 2 ** 40, 1.5, True, "", "x", "a" * 300, "\u00e9\u20ac", [], {}, [1, "a"],
          {"key": "k", "value": "v"}, [{"key": "k", "value": "v"}], [{"key": 1}], "{}", "[]",
          "{nope", PASS, '{"Type": "Pass", "End": true}', "arn:aws:states:us-east-1:1:x:y",
          sm_arn("M"), sm_arn("M") + "#T", sm_arn("X"),
          "arn:aws:states:us-east-1:123456789012:execution:M:e",
          "arn:aws:states:us-east-1:123456789012:express:M:e:u", "sm.0.00000000", "hf.1.0",
          "ERROR", "STANDARD", "EXPRESS", "DEBUG", "METADATA_ONLY", "RUNNING",
          {"result": "{}"}, {"errorOutput": {"error": "E"}}, {"retrierRetryCount": 3},
          {"level": "ALL"}, "\u0000", "a\nb"]

srv = Server(aslrun, "--virtual-time")
rng = random.Random(10)
try:
    ok(srv.call("CreateStateMachine", {"name": "M", "definition": PASS, "roleArn": ROLE}), "M")
    ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("M"), "name": "e"}), "e")
    seen = set()
    for i in range(3000):
        op = OPS[i % len(OPS)]
        body = {m: rng.choice(VALUES) for m in rng.sample(MEMBERS, rng.randint(0, 6))}
        st, out = srv.call(op, body)
        seen.add(st)
        if st not in (200, 400) or (st == 400 and "__type" not in (out or {})):
            check(False, f"{op} {json.dumps(body)[:300]} -> {st} {out}")
            break
    eq(sorted(seen), [200, 400], "answers seen")
    # JSON of every shape as the whole body
    for body in (b"[]", b"1", b'"s"', b"null", b'{"a": {"b": [' * 300 + b"]}" * 300 + b"}",
                 b'{"name": "\\ud800"}', b"\xff\xfe", b"{" * 5000):
        st, _, out = srv.raw("POST", "/", {"X-Amz-Target": "AWSStepFunctions.CreateStateMachine",
                                           "Content-Type": "application/x-amz-json-1.0"}, body)
        check(st == 400, f"body {body[:40]!r}: {st} {out[:200]}")
finally:
    err = srv.stop()
check(srv.proc.returncode == 0, f"exit 0 after the random requests: {err[-3000:]}")

# a stop while executions run (real time), synchronous starts wait for them and a TestState
# calls a function that takes a minute
tmp = tempfile.mkdtemp()
config = os.path.join(tmp, "aslrun.json")
with open(config, "w") as f:
    json.dump({"functions": {"Slow": {"command": ["sleep", "60"], "timeout": 100}}}, f)
srv = Server(aslrun, "--config", config)
wait = '{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}'
ok(srv.call("CreateStateMachine", {"name": "slow", "definition": wait, "roleArn": ROLE}), "slow")
ok(srv.call("CreateStateMachine", {"name": "slowx", "definition": wait, "roleArn": ROLE,
                                   "type": "EXPRESS"}), "slowx")
for i in range(20):
    ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("slow")}), "start slow")
results = []


def sync_call():
    s = Server.__new__(Server)
    s.port, s.conn = srv.port, None
    try:
        results.append(s.call("StartSyncExecution", {"stateMachineArn": sm_arn("slowx")}))
    except Exception as e:  # the server goes away while the call waits
        results.append(e)


def test_state_call():
    s = Server.__new__(Server)
    s.port, s.conn = srv.port, None
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Slow",
            "End": True}
    try:
        results.append(s.call("TestState", {"definition": json.dumps(task)}))
    except Exception as e:
        results.append(e)


threads = [threading.Thread(target=sync_call) for _ in range(5)]
threads.append(threading.Thread(target=test_state_call))
for t in threads:
    t.start()
ok(srv.call("ListStateMachines", {}), "the server answers while sync calls wait")
time.sleep(0.3)  # the TestState's function has started
t0 = time.monotonic()
err = srv.stop()
check(time.monotonic() - t0 < 10, "the stop does not wait for the function")
shutil.rmtree(tmp, ignore_errors=True)
for t in threads:
    t.join(30)
check(srv.proc.returncode == 0, f"exit 0 with running executions and waiting calls: {err[-3000:]}")
eq(len(results), 6, "every waiting call ended")

# AWS's quota of 10,000 state machines: the next one is StateMachineLimitExceeded until one goes
srv = Server(aslrun)
for i in range(10000):
    st, body = srv.call("CreateStateMachine", {"name": f"m{i}", "definition": PASS, "roleArn": ROLE})
    if not check(st == 200, f"state machine {i} of 10000: {st} {body}"):
        break
expect_error(srv.call("CreateStateMachine", {"name": "one-more", "definition": PASS, "roleArn": ROLE}),
             400, "StateMachineLimitExceeded",
             "The maximum number of state machines (10000) has been reached. Existing state "
             "machines must be deleted before a new state machine can be created.",
             "the 10,001st state machine")
ok(srv.call("DeleteStateMachine", {"stateMachineArn": sm_arn("m0")}), "delete one")
ok(srv.call("CreateStateMachine", {"name": "one-more", "definition": PASS, "roleArn": ROLE}),
   "then there is room for one more")
err = srv.stop()
check(srv.proc.returncode == 0, f"exit 0 with 10,000 state machines: {err[-3000:]}")
finish("serve/robust")
