"""Task tokens and redrive through `aslrun serve` over raw HTTP (AWS JSON 1.0): a
.waitForTaskToken Task answered by SendTaskSuccess and SendTaskFailure, kept alive by
SendTaskHeartbeat and ended by HeartbeatSeconds or StopExecution, AWS's errors for tokens that
are not valid or no longer wait; RedriveExecution of a failed Task and of a Parallel (only the
failed branch runs again), redriveCount / redriveDate / redriveStatus in DescribeExecution and
ListExecutions (redriveFilter), clientToken, what cannot be redriven (also after a restart with
--state-dir); an Express execution's $$.Execution.Id. Prints the SendTaskSuccess round trip and
the time from it to the finished execution. Usage: test_callbacks.py ASLRUN SOURCE_ROOT"""
import base64
import json
import shutil
import statistics
import sys
import tempfile
import time

from sfnlib import (ROLE, Server, check, eq, expect_error, ex_arn, finish, ok, sm_arn, wait_done)

aslrun, root = sys.argv[1], sys.argv[2]

SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def callback_task(extra=None, nxt=None):
    t = {"Type": "Task", "Resource": SQS,
         "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                        "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}}}
    t.update(extra or {})
    if nxt:
        t["Next"] = nxt
    else:
        t["End"] = True
    return t


APPROVE = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.step", "Next": "Approve"},
    "Approve": callback_task({"ResultPath": "$.approval", "HeartbeatSeconds": 5,
                              "TimeoutSeconds": 60}, "Done"),
    "Done": {"Type": "Pass", "Parameters": {"order.$": "$.order", "approval.$": "$.approval",
                                            "redrives.$": "$$.Execution.RedriveCount"},
             "End": True}}}
HEARTBEAT = {"StartAt": "Approve", "States": {"Approve": callback_task({"HeartbeatSeconds": 1})}}
PARALLEL = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": "left", "End": True}}},
    {"StartAt": "Right", "States": {"Right": callback_task({"OutputPath": "$.r"})}}]}}}


def history(srv, arn):
    return ok(srv.call("GetExecutionHistory", {"executionArn": arn, "maxResults": 1000}),
              "history")["events"]


def tokens(srv, arn, want, timeout=20):
    """The task tokens of [arn]'s TaskScheduled events once [want] Tasks wait (TaskSubmitted)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        events = history(srv, arn)
        if sum(e["type"] == "TaskSubmitted" for e in events) >= want:
            return [json.loads(e["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
                    for e in events if e["type"] == "TaskScheduled"]
        time.sleep(0.01)
    check(False, f"{want} task(s) of {arn} wait within {timeout} s")
    return []


def create(srv, name, definition, kind="STANDARD"):
    ok(srv.call("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                       "roleArn": ROLE, "type": kind}), f"create {name}")


def start(srv, machine, name, inp='{"order": 7}'):
    return ok(srv.call("StartExecution", {"stateMachineArn": sm_arn(machine), "name": name,
                                          "input": inp}), f"start {name}")["executionArn"]


GONE = "Task Timed Out: 'Provided task does not exist anymore'"


def callbacks(srv):
    create(srv, "Approve", APPROVE)
    arn = start(srv, "Approve", "a1")
    [token] = tokens(srv, arn, 1)
    eq(ok(srv.call("DescribeExecution", {"executionArn": arn}), "describe")["status"], "RUNNING",
       "a waiting execution runs")
    eq(ok(srv.call("SendTaskHeartbeat", {"taskToken": token}), "heartbeat"), {}, "heartbeat")
    t0 = time.monotonic()
    eq(ok(srv.call("SendTaskSuccess", {"taskToken": token, "output": '{"approved": true}'}),
          "success"), {}, "SendTaskSuccess answers {}")
    d = wait_done(srv, arn)
    eq(d["status"], "SUCCEEDED", "answered: status")
    eq(json.loads(d["output"]), {"order": 7, "approval": {"approved": True}, "redrives": 0},
       "answered: output")
    expect_error(srv.call("SendTaskSuccess", {"taskToken": token, "output": "{}"}), 400,
                 "TaskTimedOut", GONE, "a token answered twice")
    types = [e["type"] for e in history(srv, arn)]
    eq(types[3:9], ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
                    "TaskSucceeded", "TaskStateExited"], "history of a callback task")
    ev = {e["type"]: e for e in history(srv, arn)}
    eq(ev["TaskSucceeded"]["taskSucceededEventDetails"]["output"], '{"approved":true}',
       "TaskSucceeded's output")
    eq(ev["TaskSubmitted"]["taskSubmittedEventDetails"]["resource"],
       "sendMessage.waitForTaskToken", "TaskSubmitted's resource")
    eq(ev["TaskScheduled"]["taskScheduledEventDetails"]["heartbeatInSeconds"], 5,
       "TaskScheduled's heartbeatInSeconds")

    # latency: the SendTaskSuccess round trip, and until DescribeExecution sees the end
    rtts, ends = [], []
    for i in range(20):
        a = start(srv, "Approve", f"lat{i}")
        [t] = tokens(srv, a, 1)
        t0 = time.monotonic()
        ok(srv.call("SendTaskSuccess", {"taskToken": t, "output": "1"}), "success")
        rtts.append(time.monotonic() - t0)
        wait_done(srv, a)
        ends.append(time.monotonic() - t0)
    print(f"SendTaskSuccess round trip: median {statistics.median(rtts) * 1000:.2f} ms; "
          f"to SUCCEEDED seen by DescribeExecution: median {statistics.median(ends) * 1000:.2f} ms "
          f"(20 executions)")

    # SendTaskFailure: the Task fails with the error and cause given
    arn = start(srv, "Approve", "a2")
    [token] = tokens(srv, arn, 1)
    ok(srv.call("SendTaskFailure", {"taskToken": token, "error": "Rejected",
                                    "cause": "not in stock"}), "failure")
    d = wait_done(srv, arn)
    eq((d["status"], d.get("error"), d.get("cause")), ("FAILED", "Rejected", "not in stock"),
       "SendTaskFailure fails the execution")
    ev = {e["type"]: e for e in history(srv, arn)}
    eq(ev["TaskFailed"]["taskFailedEventDetails"],
       {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "Rejected",
        "cause": "not in stock"}, "TaskFailed's details")
    expect_error(srv.call("SendTaskFailure", {"taskToken": token}), 400, "TaskTimedOut", GONE,
                 "a failed task's token")

    # HeartbeatSeconds without a heartbeat: States.HeartbeatTimeout (real time, also in
    # --virtual-time: the answer comes from outside)
    create(srv, "Heartbeat", HEARTBEAT)
    arn = start(srv, "Heartbeat", "h1")
    [token] = tokens(srv, arn, 1)
    d = wait_done(srv, arn, timeout=10)
    eq((d["status"], d.get("error")), ("FAILED", "States.HeartbeatTimeout"), "heartbeat timeout")
    check(d["stopDate"] - d["startDate"] >= 0.9, "the heartbeat timeout took its second")
    types = [e["type"] for e in history(srv, arn)]
    check("TaskTimedOut" in types, "heartbeat timeout: TaskTimedOut")
    expect_error(srv.call("SendTaskHeartbeat", {"taskToken": token}), 400, "TaskTimedOut", GONE,
                 "a timed-out task's heartbeat")

    # StopExecution ends the token
    arn = start(srv, "Approve", "a3")
    [token] = tokens(srv, arn, 1)
    ok(srv.call("StopExecution", {"executionArn": arn, "error": "Cancelled"}), "stop")
    expect_error(srv.call("SendTaskSuccess", {"taskToken": token, "output": "{}"}), 400,
                 "TaskTimedOut", GONE, "a stopped execution's token")
    # tokens nothing here issued: of aslrun's form, for an unknown execution or one that never
    # made it; and what is no token at all
    nobody = ex_arn("Approve", "nobody")
    waiting = start(srv, "Approve", "a4")
    [real] = tokens(srv, waiting, 1)
    for what, t in (("an unknown execution", f"aslrun:1:{nobody}:0"),
                    ("a running execution that never issued it", f"aslrun:1:{waiting}:0")):
        expect_error(srv.call("SendTaskSuccess", {
            "taskToken": base64.b64encode(t.encode()).decode(), "output": "{}"}), 400,
            "TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'",
            f"a token of {what}")
    for t in ("t", "bm90IGEgdG9rZW4=", "!!!!"):
        expect_error(srv.call("SendTaskHeartbeat", {"taskToken": t}), 400, "InvalidToken",
                     "Invalid Token: 'Invalid token'", f"no task token: {t}")
    ok(srv.call("SendTaskSuccess", {"taskToken": real, "output": "4"}), "the real token of a4")
    eq(wait_done(srv, waiting)["status"], "SUCCEEDED", "a4 after the forged tokens")


def redrive(srv):
    # a failed Task: the states that succeeded are not run again
    arn = start(srv, "Approve", "r1")
    [t1] = tokens(srv, arn, 1)
    ok(srv.call("SendTaskFailure", {"taskToken": t1, "error": "Busy"}), "fail r1")
    d = wait_done(srv, arn)
    eq((d["status"], d["redriveCount"], d["redriveStatus"]), ("FAILED", 0, "REDRIVABLE"),
       "before the redrive")
    before = len(history(srv, arn))
    r = ok(srv.call("RedriveExecution", {"executionArn": arn, "clientToken": "once"}), "redrive")
    again = ok(srv.call("RedriveExecution", {"executionArn": arn, "clientToken": "once"}),
               "the same clientToken")
    eq(again.get("redriveDate"), r.get("redriveDate"), "the same clientToken is the same redrive")
    d = ok(srv.call("DescribeExecution", {"executionArn": arn}), "describe redriven")
    eq((d["status"], d["redriveCount"], d.get("redriveDate")), ("RUNNING", 1, r["redriveDate"]),
       "a redriven execution runs")
    check("stopDate" not in d and "error" not in d, "a running redrive has no stopDate or error")
    [_, t2] = tokens(srv, arn, 2)
    check(t2 != t1, "the redriven Task waits for a new token")
    expect_error(srv.call("SendTaskSuccess", {"taskToken": t1, "output": "{}"}), 400,
                 "TaskTimedOut", GONE, "the first attempt's token after the redrive")
    ok(srv.call("SendTaskSuccess", {"taskToken": t2, "output": '"yes"'}), "answer the redrive")
    d = wait_done(srv, arn)
    eq((d["status"], d["redriveCount"], d["redriveStatus"]),
       ("SUCCEEDED", 1, "NOT_REDRIVABLE"), "after the redrive")
    eq(json.loads(d["output"]), {"order": 7, "approval": "yes", "redrives": 1},
       "the redrive's output ($$.Execution.RedriveCount is 1)")
    events = history(srv, arn)
    after = events[before:]
    eq(after[0]["type"], "ExecutionRedriven", "ExecutionRedriven follows the failure")
    eq(after[0].get("executionRedrivenEventDetails"), {"redriveCount": 1},
       "ExecutionRedriven's details")
    eq((after[0]["id"], after[0]["previousEventId"]), (before + 1, before),
       "ids go on after the redrive")
    eq((after[1]["type"], after[1]["stateEnteredEventDetails"]["name"]),
       ("TaskStateEntered", "Approve"), "the failed state is entered again")
    eq(json.loads(after[1]["stateEnteredEventDetails"]["input"]),
       {"order": 7, "step": "prepared"}, "with its original input")
    check(not any(e["type"] == "PassStateEntered" and
                  e["stateEnteredEventDetails"]["name"] == "Prepare" for e in after),
          "Prepare does not run again")
    expect_error(srv.call("RedriveExecution", {"executionArn": arn}), 400,
                 "ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven.",
                 "redrive a redriven success")
    listed = ok(srv.call("ListExecutions", {"stateMachineArn": sm_arn("Approve"),
                                            "redriveFilter": "REDRIVEN"}), "list REDRIVEN")
    eq([x["name"] for x in listed["executions"]], ["r1"], "redriveFilter REDRIVEN")
    eq((listed["executions"][0]["redriveCount"], listed["executions"][0]["redriveDate"]),
       (1, r["redriveDate"]), "a listed redrive's count and date")
    listed = ok(srv.call("ListExecutions", {"stateMachineArn": sm_arn("Approve"),
                                            "redriveFilter": "NOT_REDRIVEN"}), "list NOT_")
    check("r1" not in [x["name"] for x in listed["executions"]] and
          "a1" in [x["name"] for x in listed["executions"]], "redriveFilter NOT_REDRIVEN")

    # a Parallel: only the failed branch runs again
    create(srv, "Both", PARALLEL)
    arn = start(srv, "Both", "p1")
    [t1] = tokens(srv, arn, 1)
    ok(srv.call("SendTaskFailure", {"taskToken": t1, "error": "No"}), "fail p1")
    eq(wait_done(srv, arn)["status"], "FAILED", "the Parallel failed")
    before = len(history(srv, arn))
    ok(srv.call("RedriveExecution", {"executionArn": arn}), "redrive p1")
    [_, t2] = tokens(srv, arn, 2)
    ok(srv.call("SendTaskSuccess", {"taskToken": t2, "output": '{"r": "right"}'}), "answer p1")
    d = wait_done(srv, arn)
    eq((d["status"], json.loads(d.get("output", "null"))), ("SUCCEEDED", ["left", "right"]),
       "the Parallel's output keeps the branch that had succeeded")
    after = [e for e in history(srv, arn)[before:] if "stateEnteredEventDetails" in e]
    eq([e["stateEnteredEventDetails"]["name"] for e in after], ["Both", "Right"],
       "only the failed branch is entered again")

    # an aborted execution can be redriven; a stopped one resumes its waiting Task
    arn = start(srv, "Approve", "r2")
    tokens(srv, arn, 1)
    ok(srv.call("StopExecution", {"executionArn": arn}), "stop r2")
    eq(wait_done(srv, arn)["redriveStatus"], "REDRIVABLE", "an aborted execution is redrivable")
    ok(srv.call("RedriveExecution", {"executionArn": arn}), "redrive r2")
    [_, t2] = tokens(srv, arn, 2)
    ok(srv.call("SendTaskSuccess", {"taskToken": t2, "output": "2"}), "answer r2")
    eq(wait_done(srv, arn)["status"], "SUCCEEDED", "the aborted execution succeeds once redriven")


def express(srv):
    create(srv, "Quick", {"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "ex.$": "$$.Execution"},
        "End": True}}}, "EXPRESS")
    s = ok(srv.call("StartSyncExecution", {"stateMachineArn": sm_arn("Quick"), "name": "q1"}),
           "sync start")
    out = json.loads(s["output"])
    eq(out["id"], s["executionArn"], "an Express execution's $$.Execution.Id is its ARN")
    check(out["id"].startswith("arn:aws:states:us-east-1:123456789012:express:Quick:q1:"),
          f"... in the express form ({out['id']})")
    check("RedriveCount" not in out["ex"], "an Express execution's $$ has no RedriveCount")
    expect_error(srv.call("RedriveExecution", {"executionArn": s["executionArn"]}), 400,
                 "ExecutionNotRedrivable", None, "redrive an Express execution")


def restart(state_dir):
    srv = Server(aslrun, "--virtual-time", "--state-dir", state_dir)
    try:
        create(srv, "Approve", APPROVE)
        arn = start(srv, "Approve", "s1")
        [t] = tokens(srv, arn, 1)
        ok(srv.call("SendTaskFailure", {"taskToken": t, "error": "E"}), "fail s1")
        wait_done(srv, arn)
        ok(srv.call("RedriveExecution", {"executionArn": arn}), "redrive s1")
        [_, t] = tokens(srv, arn, 2)
        ok(srv.call("SendTaskFailure", {"taskToken": t, "error": "E2"}), "fail s1 again")
        eq(wait_done(srv, arn)["error"], "E2", "the redrive failed again")
        n = len(history(srv, arn))
    finally:
        srv.stop()
    srv = Server(aslrun, "--virtual-time", "--state-dir", state_dir)
    try:
        d = ok(srv.call("DescribeExecution", {"executionArn": ex_arn("Approve", "s1")}), "describe")
        eq((d["status"], d["redriveCount"], d["redriveStatus"]),
           ("FAILED", 1, "NOT_REDRIVABLE"), "after a restart")
        check("restarted" in d.get("redriveStatusReason", ""), "... saying why")
        eq(len(history(srv, ex_arn("Approve", "s1"))), n, "the whole history is kept")
        expect_error(srv.call("RedriveExecution", {"executionArn": ex_arn("Approve", "s1")}), 400,
                     "ExecutionNotRedrivable", lambda m: "restarted" in m,
                     "redrive after a restart")
        expect_error(srv.call("SendTaskSuccess", {"taskToken": t, "output": "{}"}), 400,
                     "TaskTimedOut", GONE, "a token from before the restart")
    finally:
        srv.stop()


srv = Server(aslrun, "--virtual-time")
try:
    callbacks(srv)
    redrive(srv)
    express(srv)
finally:
    srv.stop()
tmp = tempfile.mkdtemp()
try:
    restart(tmp)
finally:
    shutil.rmtree(tmp)
finish("serve/callbacks")
