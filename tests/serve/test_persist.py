"""`aslrun serve --state-dir`: killed with SIGKILL while executions run and records are being
written, then restarted, the server still has every state machine and every execution it had
reported finished (status, output, history, the definition it ran), and nothing else; leftovers
of interrupted writes are removed; a damaged record stops the start with its file named.
Usage: test_persist.py ASLRUN SOURCE_ROOT"""
import json
import os
import signal
import sys
import tempfile
import time

from sfnlib import (ROLE, Server, check, eq, ex_arn, expect_error, finish, ok, sm_arn,
                    wait_done)

aslrun, root = sys.argv[1], sys.argv[2]
example = os.path.join(root, "examples", "error-handling")
definition = open(os.path.join(example, "machine.json")).read()
CASES = ["Status200", "Status503", "Status429", "Status999"]


def start(state_dir, config):
    return Server(aslrun, "--virtual-time", "--state-dir", state_dir, "--config", config,
                  env={"SFN_MOCK_CONFIG": os.path.join(example, "MockConfigFile.json")})


def snapshot(srv, arn):
    d = ok(srv.call("DescribeExecution", {"executionArn": arn}), "describe")
    # whether it can be redriven is not part of the record: a restart loses the executor state
    # a redrive needs (test_callbacks.py checks the reason)
    d.pop("redriveStatus", None)
    d.pop("redriveStatusReason", None)
    h = ok(srv.call("GetExecutionHistory", {"executionArn": arn, "maxResults": 1000}), "history")
    m = ok(srv.call("DescribeStateMachineForExecution", {"executionArn": arn}), "machine")
    return d, h["events"], m["definition"]


def descendants(pid):
    """Every process below [pid] (workers run in process groups of their own)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def kill(srv):
    """SIGKILL, as a crash: the server without any chance to clean up; then its orphaned workers,
    which the test must not leave behind."""
    workers = descendants(srv.proc.pid)
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait()
    for w in workers:
        try:
            os.kill(w, signal.SIGKILL)
        except ProcessLookupError:
            pass
    srv.proc.stdout.close()
    srv.proc.stderr.close()


with tempfile.TemporaryDirectory() as tmp:
    state = os.path.join(tmp, "state")
    config = os.path.join(tmp, "aslrun.json")
    with open(config, "w") as f:
        json.dump({"functions": {"Slow": {"command": ["sleep", "60"], "timeout": 100}}}, f)
    slow_def = json.dumps({"StartAt": "S", "States": {"S": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Slow",
        "TimeoutSeconds": 100, "End": True}}})

    srv = start(state, config)
    ok(srv.call("CreateStateMachine", {"name": "machine", "definition": definition,
                                       "roleArn": ROLE, "tags": [{"key": "k", "value": "v"}]}),
       "create")
    ok(srv.call("CreateStateMachine", {"name": "slow", "definition": slow_def, "roleArn": ROLE}),
       "create slow")
    ok(srv.call("CreateStateMachine", {"name": "gone", "definition": slow_def, "roleArn": ROLE}),
       "create gone")
    ok(srv.call("DeleteStateMachine", {"stateMachineArn": sm_arn("gone")}), "delete gone")
    running = ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("slow"), "name": "busy"}),
                 "start slow")["executionArn"]
    # many executions; the server is killed while the last of them are still being written
    arns = []
    for i in range(120):
        r = ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("machine") +
                                           "#" + CASES[i % 4], "name": f"e{i}"}), f"start e{i}")
        arns.append(r["executionArn"])
    # names of characters of several bytes each (the executor counts names in bytes, not in
    # characters as AWS does, so 40 of 2 bytes is the longest it runs)
    long_sm, long_ex = "\u00e9" * 40, "\u20ac" * 26
    pass_def = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    ok(srv.call("CreateStateMachine", {"name": long_sm, "definition": pass_def,
                                       "roleArn": ROLE}), "create a long name")
    for n in (long_ex, long_ex[:25] + "x"):
        arns.append(ok(srv.call("StartExecution", {"stateMachineArn": sm_arn(long_sm),
                                                   "name": n}),
                       "start a long name")["executionArn"])
    finished = {}
    for arn in arns[:80]:
        d = wait_done(srv, arn)
        finished[arn] = snapshot(srv, arn)
    # the rest: whatever has been reported finished by the moment of the kill
    for arn in arns[-2:]:
        wait_done(srv, arn)
        finished[arn] = snapshot(srv, arn)
    for arn in arns[80:-2]:
        st, d = srv.call("DescribeExecution", {"executionArn": arn})
        if st == 200 and d["status"] != "RUNNING":
            finished[arn] = snapshot(srv, arn)
    eq(ok(srv.call("DescribeExecution", {"executionArn": running}), "busy")["status"], "RUNNING",
       "the slow execution runs at the kill")
    ok(srv.call("UpdateStateMachine", {"stateMachineArn": sm_arn("slow"),
                                       "roleArn": ROLE + "2"}), "update slow")
    before = ok(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("slow")}), "slow")
    kill(srv)
    check(len(finished) >= 80, f"at least 80 executions reported finished ({len(finished)})")

    # a write that the crash interrupted leaves a temporary file: removed at the next start
    leftover = os.path.join(state, "executions", ".machine:e999.json.tmp7")
    with open(leftover, "w") as f:
        f.write('{"half": ')
    srv = start(state, config)
    print(f"ready {srv.ready_s * 1000:.1f} ms after the start with {len(finished)} executions "
          f"in the state directory")
    try:
        check(not os.path.exists(leftover), "the interrupted write's file is gone")
        for arn, snap in finished.items():
            eq(snapshot(srv, arn), snap, f"{arn} as it was reported")
        names = [e["name"] for e in ok(srv.call("ListExecutions", {
            "stateMachineArn": sm_arn("machine"), "maxResults": 1000}), "list")["executions"]]
        mine = {a.rsplit(":", 1)[1] for a in finished if ":execution:machine:" in a}
        check(mine <= set(names), "every finished execution is listed")
        check(names == sorted(names, key=lambda n: -int(n[1:])),
              f"listed newest first after the restart: {names[:5]}")
        expect_error(srv.call("DescribeExecution", {"executionArn": running}), 400,
                     "ExecutionDoesNotExist", None,
                     "an execution that never finished was never kept")
        eq(ok(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("slow")}), "slow"),
           before, "the updated machine as it was")
        eq(ok(srv.call("ListTagsForResource", {"resourceArn": sm_arn("machine")}), "tags")["tags"],
           [{"key": "k", "value": "v"}], "tags kept")
        expect_error(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("gone")}), 400,
                     "StateMachineDoesNotExist", None, "a deleted machine stays deleted")
        expect_error(srv.call("StartExecution", {"stateMachineArn": sm_arn("machine"),
                                                 "name": "e0"}), 400,
                     "ExecutionAlreadyExists", None, "names stay taken after the restart")
        # new executions after the restart sort after the old ones
        r = ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("machine") + "#Status200",
                                           "name": "after"}), "start after restart")
        wait_done(srv, r["executionArn"])
        first = ok(srv.call("ListExecutions", {"stateMachineArn": sm_arn("machine"),
                                               "maxResults": 1}), "list")["executions"][0]
        eq(first["name"], "after", "the newest execution lists first")
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"restarted server: exit 0: {err}")

    # a damaged record: the start fails and names it
    bad = os.path.join(state, "machines", "machine.json")
    with open(bad, "w") as f:
        f.write('{"stateMachineArn": ')
    try:
        start(state, config)
        check(False, "a damaged record stops the start")
    except RuntimeError as e:
        check("machine.json" in str(e) and "damaged" in str(e), f"the damaged file is named: {e}")
finish("serve/persist")
