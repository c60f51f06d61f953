"""Step Functions Local's environment variables, read by `aslrun serve` as it reads them:
AWS_ACCOUNT_ID and AWS_DEFAULT_REGION make the ARNs, LAMBDA_ENDPOINT sends Lambda functions that
aslrun.json does not map to an Invoke API endpoint (here `aslrun lambda serve`), WAIT_TIME_SCALE=0
waits in virtual time and other scales are refused, and the endpoints of services aslrun cannot
call are named in a warning; a lambda:invoke.waitForTaskToken Task invokes its function there.
Usage: test_env.py ASLRUN SOURCE_ROOT"""
import json
import os
import subprocess
import sys
import time

from sfnlib import ROLE, Server, check, eq, finish, ok, wait_done

aslrun, root = sys.argv[1], sys.argv[2]
REGION, ACCOUNT = "eu-west-1", "111122223333"

def callback_over_http(srv):
    """lambda:invoke.waitForTaskToken through LAMBDA_ENDPOINT: the function gets the token (Echo
    returns it, so TaskSubmitted's output shows it), SendTaskSuccess answers it; Boom's error
    fails the Task before anything is submitted."""
    definition = json.dumps({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName.$": "$.fn", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True}}})
    ok(srv.call("CreateStateMachine", {"name": "Ask", "definition": definition,
                                       "roleArn": ROLE}), "create Ask")
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Ask"
    e = ok(srv.call("StartExecution", {"stateMachineArn": arn, "input": '{"fn": "Echo"}'}),
           "start Ask")
    token = None
    for _ in range(3000):
        h = ok(srv.call("GetExecutionHistory", {"executionArn": e["executionArn"]}), "h")
        sub = [x for x in h["events"] if x["type"] == "TaskSubmitted"]
        if sub:
            out = json.loads(sub[0]["taskSubmittedEventDetails"]["output"])
            token = out["Payload"]["token"]
            break
        time.sleep(0.01)
    check(token is not None, "the function got the token (TaskSubmitted's output shows it)")
    ok(srv.call("SendTaskSuccess", {"taskToken": token or "?", "output": '"approved"'}),
       "SendTaskSuccess")
    d = wait_done(srv, e["executionArn"], timeout=60)
    eq((d["status"], d.get("output")), ("SUCCEEDED", '"approved"'),
       "a callback Task served through LAMBDA_ENDPOINT, answered by SendTaskSuccess")
    e = ok(srv.call("StartExecution", {"stateMachineArn": arn, "input": '{"fn": "Boom"}'}),
           "start Ask/Boom")
    d = wait_done(srv, e["executionArn"], timeout=60)
    eq((d["status"], d.get("error")), ("FAILED", "CustomError"),
       "a function error fails a callback Task")


lam = subprocess.Popen([aslrun, "lambda", "serve", "--port", "0", "--quiet", "--config",
                        os.path.join(root, "tests", "handlers", "http", "aslrun.json")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
line = lam.stdout.readline().decode()
lport = int(line.rsplit(":", 1)[1])
try:
    env = {"AWS_ACCOUNT_ID": ACCOUNT, "AWS_DEFAULT_REGION": REGION, "WAIT_TIME_SCALE": "0",
           "LAMBDA_ENDPOINT": f"http://127.0.0.1:{lport}", "DYNAMODB_ENDPOINT": "http://x:1"}
    srv = Server(aslrun, env=env)
    try:
        definition = json.dumps({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Echo",
                     "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Fail?"},
            "Fail?": {"Type": "Choice", "Choices": [{"And": [
                {"Variable": "$.boom", "IsPresent": True},
                {"Variable": "$.boom", "BooleanEquals": True}], "Next": "Boom"}],
                "Default": "Done"},
            "Boom": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "Boom", "Payload.$": "$"}, "End": True},
            "Done": {"Type": "Succeed"}}})
        r = ok(srv.call("CreateStateMachine", {"name": "M", "definition": definition,
                                               "roleArn": ROLE}), "create")
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:M"
        eq(r.get("stateMachineArn"), arn, "AWS_ACCOUNT_ID and AWS_DEFAULT_REGION make the ARN")
        e = ok(srv.call("StartExecution", {"stateMachineArn": arn, "name": "one",
                                           "input": '{"hello": "lambda"}'}), "start")
        eq(e.get("executionArn"), f"arn:aws:states:{REGION}:{ACCOUNT}:execution:M:one",
           "the execution's ARN")
        d = wait_done(srv, e["executionArn"], timeout=60)
        eq((d["status"], d.get("output")), ("SUCCEEDED", '{"hello":"lambda"}'),
           "Echo answered through LAMBDA_ENDPOINT, and the hour's wait took no time")
        h = ok(srv.call("GetExecutionHistory", {"executionArn": e["executionArn"]}), "h")["events"]
        waits = [x["timestamp"] for x in h if x["type"] in ("WaitStateEntered", "WaitStateExited")]
        eq(round(waits[1] - waits[0]), 3600, "the history still shows the hour")
        e = ok(srv.call("StartExecution", {"stateMachineArn": arn, "input": '{"boom": true}'}),
               "start boom")
        d = wait_done(srv, e["executionArn"], timeout=60)
        eq((d["status"], d.get("error")), ("FAILED", "CustomError"),
           "a function error through LAMBDA_ENDPOINT")
        check(json.loads(d.get("cause", "{}")).get("errorMessage") == "bad thing",
              f"its cause: {d.get('cause')}")
        callback_over_http(srv)
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"exit 0: {err}")
    check("DYNAMODB_ENDPOINT is set, but aslrun serve has no integration" in err,
          f"a warning names DYNAMODB_ENDPOINT: {err}")
finally:
    lam.terminate()
    lam.wait(30)
    lam.stdout.close()
    lam.stderr.close()

p = subprocess.run([aslrun, "serve", "--port", "0"], capture_output=True, text=True, timeout=30,
                   env=dict(os.environ, WAIT_TIME_SCALE="2"))
eq(p.returncode, 2, "WAIT_TIME_SCALE=2: exit 2")
check("WAIT_TIME_SCALE=2" in p.stderr, f"WAIT_TIME_SCALE=2 is refused, saying why: {p.stderr}")
p = subprocess.run([aslrun, "serve", "--port", "0", "--mock-config", "/nonexistent.json"],
                   capture_output=True, text=True, timeout=30)
eq(p.returncode, 2, "a missing mock config: exit 2")
check("/nonexistent.json" in p.stderr, f"the missing file is named: {p.stderr}")
# the command line
p = subprocess.run([aslrun, "serve", "--help"], capture_output=True, text=True, timeout=30)
eq(p.returncode, 0, "serve --help: exit 0")
check(p.stdout.startswith("usage: aslrun serve [options]") and "--state-dir DIR" in p.stdout,
      f"serve --help: the usage: {p.stdout[:200]}")
for args, says in ((["--bogus"], "unknown option '--bogus'"),
                   (["--port", "99999"], "--port takes a number from 0 to 65535, not '99999'"),
                   (["--host", "1.2.3.4.5", "--port", "0"],
                    '"1.2.3.4.5" is not an IPv4 or IPv6 address to listen on')):
    p = subprocess.run([aslrun, "serve", *args], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 2, f"serve {' '.join(args)}: exit 2")
    check(says in p.stderr, f"serve {' '.join(args)}: {p.stderr}")
# IPv6 loopback
srv = Server(aslrun, "--host", "::1")
try:
    import http.client
    c = http.client.HTTPConnection("::1", srv.port, timeout=30)
    c.request("POST", "/", body=b"{}", headers={
        "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
        "Content-Type": "application/x-amz-json-1.0"})
    eq(c.getresponse().status, 200, "served on [::1]")
    c.close()
finally:
    srv.stop()
finish("serve/env")
