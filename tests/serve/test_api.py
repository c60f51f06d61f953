"""Every operation of `aslrun serve` and its errors over raw HTTP (AWS JSON 1.0): shapes, HTTP
codes and AWS's exact messages. Usage: test_api.py ASLRUN SOURCE_ROOT"""
import json
import sys
import time

from sfnlib import (ROLE, Server, check, eq, err_type, ex_arn, expect_error, finish, ok, sm_arn,
                    wait_done)

aslrun, root = sys.argv[1], sys.argv[2]

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1},
                                                      "ResultPath": "$.r", "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops",
                                                      "Cause": "it broke"}}})
WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}})


def protocol(srv):
    expect_error(srv.call("Frobnicate"), 400, "UnknownOperationException",
                 lambda m: m and "AWSStepFunctions.Frobnicate" in m, "unknown operation")
    st, _, body = srv.raw("POST", "/", {"Content-Type": "application/x-amz-json-1.0"}, b"{}")
    eq(st, 400, "no X-Amz-Target: status")
    eq(err_type(json.loads(body)), "UnknownOperationException", "no X-Amz-Target: __type")
    st, hdrs, body = srv.raw("POST", "/", {"X-Amz-Target": "AWSStepFunctions.ListStateMachines",
                                           "Content-Type": "application/x-amz-json-1.0"}, b"{nope")
    eq(st, 400, "bad JSON: status")
    eq(err_type(json.loads(body)), "SerializationException", "bad JSON: __type")
    eq(hdrs.get("content-type"), "application/x-amz-json-1.0", "error content type")
    check(len(hdrs.get("x-amzn-requestid", "")) == 36, "x-amzn-RequestId on every answer")
    # a body over Step Functions' 1 MB request quota
    big = b'{"definition": "' + b"x" * (1048576 + 10) + b'"}'
    st, _, body = srv.raw("POST", "/", {"X-Amz-Target": "AWSStepFunctions.ValidateStateMachineDefinition",
                                        "Content-Type": "application/x-amz-json-1.0"}, big)
    eq(st, 413, "body over 1 MB: status")
    eq(err_type(json.loads(body)), "RequestEntityTooLargeException", "body over 1 MB: __type")
    st, _, body = srv.raw("GET", "/", {"X-Amz-Target": "AWSStepFunctions.ListStateMachines"}, None)
    eq(st, 400, "GET: status")


def machines(srv):
    arn = sm_arn("Hello")
    r = ok(srv.call("CreateStateMachine", {"name": "Hello", "definition": PASS, "roleArn": ROLE}),
           "create")
    eq(r.get("stateMachineArn"), arn, "create: arn")
    check(isinstance(r.get("creationDate"), (int, float)) and r["creationDate"] > 1.6e9,
          "creationDate is epoch seconds as a number")
    again = ok(srv.call("CreateStateMachine", {"name": "Hello", "definition": PASS,
                                               "roleArn": ROLE}), "create the same again")
    eq(again, r, "the same create answers with the same machine")
    expect_error(srv.call("CreateStateMachine", {"name": "Hello", "definition": FAIL,
                                                 "roleArn": ROLE}),
                 400, "StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'",
                 "create over another definition")
    expect_error(srv.call("CreateStateMachine", {"name": "bad name", "definition": PASS,
                                                 "roleArn": ROLE}),
                 400, "InvalidName", "Invalid Name: 'bad name'", "create: bad name")
    expect_error(srv.call("CreateStateMachine", {"name": "NoRole", "definition": PASS}),
                 400, "ValidationException",
                 "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                 "constraint: Member must not be null", "create: no role")
    expect_error(srv.call("CreateStateMachine", {"name": "x" * 81, "definition": PASS,
                                                 "roleArn": ROLE}),
                 400, "ValidationException",
                 lambda m: m.endswith("at 'name' failed to satisfy constraint: Member must have "
                                      "length less than or equal to 80"), "create: long name")
    expect_error(srv.call("CreateStateMachine", {"name": "BadRole", "definition": PASS,
                                                 "roleArn": "role"}),
                 400, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: role'", "create: bad role")
    expect_error(srv.call("CreateStateMachine", {"name": "Bad", "definition": '{"StartAt": "A"}',
                                                 "roleArn": ROLE}),
                 400, "InvalidDefinition",
                 lambda m: m.startswith("Invalid State Machine Definition: 'SCHEMA_VALIDATION_"
                                        "FAILED: ") and m.endswith(" at /'"),
                 "create: no States")
    expect_error(srv.call("CreateStateMachine", {"name": "Bad", "roleArn": ROLE, "definition":
                                                 '{"StartAt": "A", "States": {"A": {"Type": '
                                                 '"Pass", "Next": "B"}}}'}),
                 400, "InvalidDefinition",
                 lambda m: m.startswith("Invalid State Machine Definition: 'MISSING_TRANSITION_"
                                        "TARGET: ") and m.endswith(" at /States/A/Next'"),
                 "create: Next to nothing")
    expect_error(srv.call("CreateStateMachine", {"name": "Bad", "definition": "not a definition",
                                                 "roleArn": ROLE}),
                 400, "InvalidDefinition",
                 lambda m: m.startswith("Invalid State Machine Definition: 'INVALID_JSON_"
                                        "DESCRIPTION: "), "create: not JSON")

    d = ok(srv.call("DescribeStateMachine", {"stateMachineArn": arn}), "describe")
    for k, v in (("stateMachineArn", arn), ("name", "Hello"), ("status", "ACTIVE"),
                 ("definition", PASS), ("roleArn", ROLE), ("type", "STANDARD"),
                 ("creationDate", r["creationDate"]),
                 ("loggingConfiguration", {"level": "OFF", "includeExecutionData": False})):
        eq(d.get(k), v, f"describe: {k}")
    expect_error(srv.call("DescribeStateMachine", {"stateMachineArn": "foo"}), 400, "InvalidArn",
                 "Invalid Arn: 'Invalid ARN prefix: foo'", "describe: not an ARN")
    expect_error(srv.call("DescribeStateMachine", {"stateMachineArn": ex_arn("Hello", "x")}), 400,
                 "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: execution'",
                 "describe: an execution ARN")
    expect_error(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("Nope")}), 400,
                 "StateMachineDoesNotExist",
                 f"State Machine Does Not Exist: '{sm_arn('Nope')}'", "describe: no such machine")

    # listing, in creation order, in pages
    for n in ("B1", "B2", "B3"):
        ok(srv.call("CreateStateMachine", {"name": n, "definition": PASS, "roleArn": ROLE,
                                           "type": "EXPRESS" if n == "B3" else "STANDARD"}), n)
    page = ok(srv.call("ListStateMachines", {"maxResults": 2}), "list page 1")
    eq([m["name"] for m in page["stateMachines"]], ["Hello", "B1"], "list page 1")
    check("nextToken" in page, "list page 1 has a nextToken")
    page2 = ok(srv.call("ListStateMachines", {"maxResults": 2, "nextToken": page["nextToken"]}),
               "list page 2")
    eq([m["name"] for m in page2["stateMachines"]], ["B2", "B3"], "list page 2")
    eq(page2["stateMachines"][1]["type"], "EXPRESS", "list: type")
    check("nextToken" not in page2, "the last page has no nextToken")
    expect_error(srv.call("ListStateMachines", {"nextToken": "garbage"}), 400, "InvalidToken",
                 "Invalid Token: 'garbage'", "list: bad token")
    expect_error(srv.call("ListStateMachines", {"maxResults": 1001}), 400, "ValidationException",
                 "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
                 "constraint: Member must have value less than or equal to 1000",
                 "list: maxResults over 1000")

    # update: a new revision; missing everything
    expect_error(srv.call("UpdateStateMachine", {"stateMachineArn": sm_arn("B1")}), 400,
                 "MissingRequiredParameter", lambda m: m.startswith("Either the definition"),
                 "update with nothing")
    u = ok(srv.call("UpdateStateMachine", {"stateMachineArn": sm_arn("B1"), "definition": FAIL}),
           "update")
    check(isinstance(u.get("updateDate"), (int, float)) and len(u.get("revisionId", "")) == 36,
          "update: updateDate and revisionId")
    eq(ok(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("B1")}), "describe B1")
       .get("definition"), FAIL, "update: the new definition")
    expect_error(srv.call("UpdateStateMachine", {"stateMachineArn": sm_arn("B1"),
                                                 "definition": "{}"}), 400, "InvalidDefinition",
                 lambda m: "SCHEMA_VALIDATION_FAILED" in m, "update: invalid definition")
    expect_error(srv.call("CreateStateMachine", {"name": "Pub", "definition": PASS,
                                                 "roleArn": ROLE, "publish": True}), 400,
                 "ValidationException", lambda m: "does not publish" in m, "publish refused")
    enc = {"type": "AWS_OWNED_KEY"}
    ok(srv.call("CreateStateMachine", {"name": "Enc", "definition": PASS, "roleArn": ROLE,
                                       "encryptionConfiguration": enc}), "encryption")
    eq(ok(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("Enc")}), "enc")
       .get("encryptionConfiguration"), enc, "encryptionConfiguration shown as given")
    expect_error(srv.call("CreateStateMachine", {"name": "Enc2", "definition": PASS,
                                                 "roleArn": ROLE,
                                                 "encryptionConfiguration": {"type": "X"}}), 400,
                 "ValidationException", lambda m: "encryptionConfiguration.type" in m,
                 "a bad encryption type")
    # delete: twice is fine
    eq(ok(srv.call("DeleteStateMachine", {"stateMachineArn": sm_arn("B2")}), "delete"), {},
       "delete answers {}")
    ok(srv.call("DeleteStateMachine", {"stateMachineArn": sm_arn("B2")}), "delete again")
    expect_error(srv.call("DescribeStateMachine", {"stateMachineArn": sm_arn("B2")}), 400,
                 "StateMachineDoesNotExist", None, "describe a deleted machine")

    # tags
    ok(srv.call("TagResource", {"resourceArn": arn, "tags": [{"key": "a", "value": "1"},
                                                              {"key": "b", "value": "2"}]}), "tag")
    ok(srv.call("TagResource", {"resourceArn": arn, "tags": [{"key": "a", "value": "3"}]}),
       "tag again")
    eq(ok(srv.call("ListTagsForResource", {"resourceArn": arn}), "list tags")["tags"],
       [{"key": "a", "value": "3"}, {"key": "b", "value": "2"}], "tags")
    ok(srv.call("UntagResource", {"resourceArn": arn, "tagKeys": ["a"]}), "untag")
    eq(ok(srv.call("ListTagsForResource", {"resourceArn": arn}), "list tags")["tags"],
       [{"key": "b", "value": "2"}], "tags after untag")
    expect_error(srv.call("ListTagsForResource", {"resourceArn": sm_arn("Nope")}), 400,
                 "ResourceNotFound", f"Resource not found: '{sm_arn('Nope')}'", "tags: no such")
    expect_error(srv.call("TagResource", {"resourceArn": arn,
                                          "tags": [{"key": f"k{i}", "value": ""}
                                                   for i in range(60)]}),
                 400, "TooManyTags", None, "too many tags")
    ok(srv.call("CreateStateMachine", {"name": "Tagged", "definition": PASS, "roleArn": ROLE,
                                       "tags": [{"key": "team", "value": "x"}]}), "create tagged")
    eq(ok(srv.call("ListTagsForResource", {"resourceArn": sm_arn("Tagged")}), "tags")["tags"],
       [{"key": "team", "value": "x"}], "tags given at creation")


def validation(srv):
    r = ok(srv.call("ValidateStateMachineDefinition", {"definition": PASS}), "validate ok")
    eq(r, {"result": "OK", "diagnostics": [], "truncated": False}, "validate ok")
    r = ok(srv.call("ValidateStateMachineDefinition", {"definition": "{}"}), "validate {}")
    eq(r["result"], "FAIL", "validate {}: result")
    check(len(r["diagnostics"]) >= 1, "validate {}: diagnostics")
    for d in r["diagnostics"]:
        eq(sorted(d), ["code", "location", "message", "severity"], "a diagnostic's members")
        eq(d["severity"], "ERROR", "severity")
        eq(d["code"], "SCHEMA_VALIDATION_FAILED", "code")
        eq(d["location"], "/", "location")
    r = ok(srv.call("ValidateStateMachineDefinition", {"definition": "not a definition"}),
           "validate not JSON")
    eq(r["diagnostics"][0]["code"], "INVALID_JSON_DESCRIPTION", "not JSON: code")
    eq(r["diagnostics"][0]["location"], "line 1, column 1", "not JSON: location")
    bad = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Z"},
                                                 "B": {"Type": "Wait", "End": True}}})
    r = ok(srv.call("ValidateStateMachineDefinition", {"definition": bad, "maxResults": 1}),
           "validate two problems")
    eq(len(r["diagnostics"]), 1, "maxResults 1: one diagnostic")
    eq(r["truncated"], True, "maxResults 1: truncated")
    expect_error(srv.call("ValidateStateMachineDefinition", {}), 400, "ValidationException",
                 "1 validation error detected: Value null at 'definition' failed to satisfy "
                 "constraint: Member must not be null", "validate without definition")


def executions(srv):
    arn = sm_arn("Hello")
    r = ok(srv.call("StartExecution", {"stateMachineArn": arn, "name": "run1",
                                       "input": '{"a": 1}', "traceHeader": "Root=1-abc"}),
           "start")
    eq(r.get("executionArn"), ex_arn("Hello", "run1"), "start: arn")
    check(isinstance(r.get("startDate"), (int, float)), "start: startDate")
    d = wait_done(srv, r["executionArn"])
    eq(d["status"], "SUCCEEDED", "describe: status")
    eq(d["output"], '{"a":1,"r":{"x":1}}', "describe: output")
    eq(d["input"], '{"a":1}', "describe: input")
    eq(d["inputDetails"], {"included": True}, "describe: inputDetails")
    eq(d["name"], "run1", "describe: name")
    eq(d["stateMachineArn"], arn, "describe: stateMachineArn")
    check(d["stopDate"] >= d["startDate"], "describe: stopDate")
    eq(d["redriveStatus"], "NOT_REDRIVABLE", "describe: redriveStatus")
    eq(d.get("traceHeader"), "Root=1-abc", "describe: traceHeader")
    m = ok(srv.call("DescribeExecution", {"executionArn": r["executionArn"],
                                          "includedData": "METADATA_ONLY"}), "metadata only")
    eq((m.get("input"), m.get("output"), m["inputDetails"], m["outputDetails"]),
       (None, None, {"included": False}, {"included": False}), "METADATA_ONLY: no data")
    eq(ok(srv.call("DescribeStateMachine", {"stateMachineArn": arn,
                                            "includedData": "METADATA_ONLY"}), "sm")["definition"],
       "{}", "METADATA_ONLY: the definition is {}")
    expect_error(srv.call("StartExecution", {"stateMachineArn": arn, "name": "run1"}), 400,
                 "ExecutionAlreadyExists",
                 f"Execution Already Exists: '{ex_arn('Hello', 'run1')}'", "the same name again")
    expect_error(srv.call("StartExecution", {"stateMachineArn": arn, "input": "{nope"}), 400,
                 "InvalidExecutionInput",
                 lambda m: m.startswith("Invalid State Machine Execution Input: '"),
                 "start: bad input")
    expect_error(srv.call("StartExecution", {"stateMachineArn": arn, "name": "a/b"}), 400,
                 "InvalidName", "Invalid Name: 'a/b'", "start: bad name")
    expect_error(srv.call("StartExecution", {"stateMachineArn": sm_arn("Nope")}), 400,
                 "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{sm_arn('Nope')}'",
                 "start: no such machine")
    expect_error(srv.call("StartExecution", {"stateMachineArn": arn + "#Case"}), 400,
                 "ValidationException", lambda m: "no mock config" in m,
                 "start: a test case without a mock config")
    gen = ok(srv.call("StartExecution", {"stateMachineArn": arn}), "start without a name")
    check(len(gen["executionArn"].rsplit(":", 1)[1]) == 36, "a generated name is a UUID")

    # a failing execution; describe, history
    ok(srv.call("CreateStateMachine", {"name": "Failing", "definition": FAIL, "roleArn": ROLE}),
       "create Failing")
    f = ok(srv.call("StartExecution", {"stateMachineArn": sm_arn("Failing"), "name": "f1"}),
           "start Failing")
    d = wait_done(srv, f["executionArn"])
    eq((d["status"], d.get("error"), d.get("cause")), ("FAILED", "Oops", "it broke"),
       "failed execution")
    check("output" not in d, "a failed execution has no output")
    eq(d["redriveStatus"], "REDRIVABLE", "a failed execution is redrivable")
    expect_error(srv.call("DescribeExecution", {"executionArn": ex_arn("Hello", "nope")}), 400,
                 "ExecutionDoesNotExist",
                 f"Execution Does Not Exist: '{ex_arn('Hello', 'nope')}'", "describe: no such")
    expect_error(srv.call("DescribeExecution", {"executionArn": arn}), 400, "InvalidArn",
                 "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
                 "describe execution: a state machine ARN")
    sm = ok(srv.call("DescribeStateMachineForExecution", {"executionArn": f["executionArn"]}),
            "describe machine for execution")
    eq((sm["stateMachineArn"], sm["name"], sm["definition"], sm["roleArn"]),
       (sm_arn("Failing"), "Failing", FAIL, ROLE), "describe machine for execution")
    check(isinstance(sm.get("updateDate"), (int, float)), "updateDate")
    # the version an execution ran stays after an update
    ok(srv.call("UpdateStateMachine", {"stateMachineArn": sm_arn("Failing"), "definition": PASS}),
       "update Failing")
    sm = ok(srv.call("DescribeStateMachineForExecution", {"executionArn": f["executionArn"]}),
            "describe machine for an older execution")
    eq(sm["definition"], FAIL, "the execution's own definition")

    h = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1")}), "history")
    eq([e["type"] for e in h["events"]],
       ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
       "history: types")
    eq([e["id"] for e in h["events"]], [1, 2, 3, 4], "history: ids")
    eq([e["previousEventId"] for e in h["events"]], [0, 0, 2, 3], "history: previousEventId")
    e0 = h["events"][0]
    check(isinstance(e0["timestamp"], (int, float)), "history: timestamps are numbers")
    eq(e0["executionStartedEventDetails"]["input"], '{"a":1}', "history: started input")
    eq(e0["executionStartedEventDetails"]["inputDetails"], {"truncated": False},
       "history: inputDetails")
    eq(h["events"][2]["stateExitedEventDetails"]["name"], "P", "history: exited name")
    p1 = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                             "maxResults": 3}), "history page 1")
    eq([e["id"] for e in p1["events"]], [1, 2, 3], "history page 1")
    p2 = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                             "maxResults": 3, "nextToken": p1["nextToken"]}),
            "history page 2")
    eq([e["id"] for e in p2["events"]], [4], "history page 2")
    check("nextToken" not in p2, "history: no token after the last page")
    rv = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                             "reverseOrder": True, "maxResults": 2}), "reverse")
    eq([e["id"] for e in rv["events"]], [4, 3], "history reversed page 1")
    rv2 = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                              "reverseOrder": True, "maxResults": 2,
                                              "nextToken": rv["nextToken"]}), "reverse 2")
    eq([e["id"] for e in rv2["events"]], [2, 1], "history reversed page 2")
    nd = ok(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                             "includeExecutionData": False}), "no data")
    eq(nd["events"][0]["executionStartedEventDetails"].get("input"), None,
       "includeExecutionData false: no input")
    eq(nd["events"][0]["executionStartedEventDetails"].get("inputDetails"), {"truncated": False},
       "includeExecutionData false: inputDetails stay")
    expect_error(srv.call("GetExecutionHistory", {"executionArn": ex_arn("Hello", "run1"),
                                                  "nextToken": p1["nextToken"],
                                                  "reverseOrder": True}),
                 400, "InvalidToken", None, "a forward token read backwards")

    # listing executions: newest first, pages, status filter
    lst = ok(srv.call("ListExecutions", {"stateMachineArn": arn}), "list executions")
    names = [e["name"] for e in lst["executions"]]
    eq(names[-1], "run1", "list executions: oldest last")
    eq(len(names), 2, "list executions: both")
    p = ok(srv.call("ListExecutions", {"stateMachineArn": arn, "maxResults": 1}), "page 1")
    eq(len(p["executions"]), 1, "list executions page 1")
    p = ok(srv.call("ListExecutions", {"stateMachineArn": arn, "maxResults": 1,
                                       "nextToken": p["nextToken"]}), "page 2")
    eq([e["name"] for e in p["executions"]], ["run1"], "list executions page 2")
    eq(ok(srv.call("ListExecutions", {"stateMachineArn": arn, "statusFilter": "FAILED"}),
          "filter")["executions"], [], "status filter")
    expect_error(srv.call("ListExecutions", {"stateMachineArn": arn, "statusFilter": "DONE"}),
                 400, "ValidationException",
                 "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, "
                 "TIMED_OUT, ABORTED, PENDING_REDRIVE]", "bad status filter")
    expect_error(srv.call("ListExecutions", {}), 400, "ValidationException",
                 "Must provide a StateMachine ARN or MapRun ARN", "list without a machine")
    expect_error(srv.call("ListExecutions", {"stateMachineArn": sm_arn("B3")}), 400,
                 "StateMachineTypeNotSupported", None, "list executions of an express machine")

    # Express: synchronous executions
    expect_error(srv.call("StartSyncExecution", {"stateMachineArn": arn}), 400,
                 "StateMachineTypeNotSupported",
                 "This operation is not supported by this type of state machine",
                 "sync start of a standard machine")
    s = ok(srv.call("StartSyncExecution", {"stateMachineArn": sm_arn("B3"), "name": "s1",
                                           "input": '{"q": true}'}), "sync start")
    eq(s["status"], "SUCCEEDED", "sync: status")
    eq(s["output"], '{"q":true,"r":{"x":1}}', "sync: output")
    check(s["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:B3:s1:"),
          f"sync: an express ARN ({s['executionArn']})")
    check("billingDetails" in s and s["stopDate"] >= s["startDate"], "sync: billing and dates")
    ok(srv.call("CreateStateMachine", {"name": "FailingX", "definition": FAIL, "roleArn": ROLE,
                                       "type": "EXPRESS"}), "create FailingX")
    s = ok(srv.call("StartSyncExecution", {"stateMachineArn": sm_arn("FailingX")}), "sync fail")
    eq((s["status"], s.get("error"), s.get("cause")), ("FAILED", "Oops", "it broke"), "sync fail")
    check("output" not in s, "sync fail: no output")

    # task tokens and redrive: AWS's own checks and errors (tests/serve/test_callbacks.py drives
    # them through whole executions)
    expect_error(srv.call("SendTaskSuccess", {"output": "{}"}), 400, "ValidationException",
                 "1 validation error detected: Value null at 'taskToken' failed to satisfy "
                 "constraint: Member must not be null", "SendTaskSuccess without a token")
    expect_error(srv.call("SendTaskSuccess", {"taskToken": "t", "output": "{nope"}), 400,
                 "InvalidOutput", lambda m: m.startswith("Invalid Output: '"), "bad output")
    for op, body in (("SendTaskSuccess", {"taskToken": "t", "output": "{}"}),
                     ("SendTaskFailure", {"taskToken": "t", "error": "E"}),
                     ("SendTaskHeartbeat", {"taskToken": "t"})):
        expect_error(srv.call(op, body), 400, "InvalidToken", "Invalid Token: 'Invalid token'", op)
    expect_error(srv.call("RedriveExecution", {"executionArn": ex_arn("Hello", "nope")}), 400,
                 "ExecutionDoesNotExist", None, "redrive: no such execution")
    expect_error(srv.call("RedriveExecution", {"executionArn": ex_arn("Hello", "run1")}), 400,
                 "ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven.",
                 "redrive a success")
    r = ok(srv.call("RedriveExecution", {"executionArn": f["executionArn"]}), "redrive a failure")
    check(isinstance(r.get("redriveDate"), (int, float)), "redrive: redriveDate")
    d = wait_done(srv, f["executionArn"])
    eq((d["status"], d.get("error"), d["redriveCount"], d["redriveStatus"]),
       ("FAILED", "Oops", 1, "REDRIVABLE"), "a redriven Fail state fails again")
    eq(d.get("redriveDate"), r["redriveDate"], "describe: redriveDate")


def real_time(srv):
    """Running executions (real time): the same start again, StopExecution, status filter."""
    ok(srv.call("CreateStateMachine", {"name": "Waits", "definition": WAIT, "roleArn": ROLE}),
       "create Waits")
    arn = sm_arn("Waits")
    r = ok(srv.call("StartExecution", {"stateMachineArn": arn, "name": "w1", "input": "{}"}), "w1")
    same = ok(srv.call("StartExecution", {"stateMachineArn": arn, "name": "w1", "input": "{}"}),
              "the same start again while running")
    eq(same, r, "a running execution started again with the same input is the same start")
    expect_error(srv.call("StartExecution", {"stateMachineArn": arn, "name": "w1",
                                             "input": '{"other": 1}'}),
                 400, "ExecutionAlreadyExists", None, "the same name with another input")
    d = ok(srv.call("DescribeExecution", {"executionArn": r["executionArn"]}), "describe running")
    eq(d["status"], "RUNNING", "running")
    check("stopDate" not in d, "a running execution has no stopDate")
    lst = ok(srv.call("ListExecutions", {"stateMachineArn": arn, "statusFilter": "RUNNING"}), "l")
    eq([e["name"] for e in lst["executions"]], ["w1"], "list RUNNING")
    # two stops at once: both answered, the first one's error and cause stand
    other = Server.__new__(Server)
    other.port, other.conn = srv.port, None
    h = {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "AWSStepFunctions.StopExecution", "Host": f"127.0.0.1:{srv.port}"}
    c1 = srv.connection()
    c2 = other.connection()
    t0 = time.monotonic()
    c1.request("POST", "/", body=json.dumps({"executionArn": r["executionArn"], "error": "Why",
                                             "cause": "because"}), headers=h)
    c2.request("POST", "/", body=json.dumps({"executionArn": r["executionArn"], "error": "Other"}),
               headers=h)
    s = json.loads(c1.getresponse().read())
    s2 = json.loads(c2.getresponse().read())
    c2.close()
    check(time.monotonic() - t0 < 5, "a stop does not wait for the Wait")
    check(isinstance(s.get("stopDate"), (int, float)), "stop: stopDate")
    check(isinstance(s2.get("stopDate"), (int, float)), "the second stop: stopDate")
    d = ok(srv.call("DescribeExecution", {"executionArn": r["executionArn"]}), "describe stopped")
    eq((d["status"], d.get("error"), d.get("cause")), ("ABORTED", "Why", "because"),
       "stopped right after StopExecution answered")
    h = ok(srv.call("GetExecutionHistory", {"executionArn": r["executionArn"]}), "history")
    eq([e["type"] for e in h["events"]][-1], "ExecutionAborted", "history ends aborted")


def test_state(srv):
    st = json.dumps({"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "After"})
    r = ok(srv.call("TestState", {"definition": st, "input": '{"a": 5}', "roleArn": ROLE}),
           "TestState Pass")
    eq((r.get("status"), r.get("output"), r.get("nextState")), ("SUCCEEDED", '{"v":5}', "After"),
       "TestState Pass")
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "F", "Payload.$": "$"},
            "ResultSelector": {"p.$": "$.Payload"}, "End": True}
    r = ok(srv.call("TestState", {"definition": json.dumps(task), "input": "{}",
                                  "mock": {"result": '{"Payload": {"ok": 1}, "StatusCode": 200}'}}),
           "TestState mocked result")
    eq((r.get("status"), r.get("output")), ("SUCCEEDED", '{"p":{"ok":1}}'), "mocked result")
    check("nextState" not in r, "an End state has no nextState")
    task_c = dict(task, Catch=[{"ErrorEquals": ["Nope"], "Next": "X"},
                               {"ErrorEquals": ["States.ALL"], "Next": "Handler",
                                "ResultPath": "$.err"}])
    r = ok(srv.call("TestState", {"definition": json.dumps(task_c), "input": '{"k": 1}',
                                  "mock": {"errorOutput": {"error": "Boom", "cause": "bad"}},
                                  "inspectionLevel": "DEBUG"}), "TestState caught")
    eq((r.get("status"), r.get("error"), r.get("cause"), r.get("nextState")),
       ("CAUGHT_ERROR", "Boom", "bad", "Handler"), "caught error")
    eq(json.loads(r.get("output", "null")), {"k": 1, "err": {"Error": "Boom", "Cause": "bad"}},
       "caught: output")
    eq(r.get("inspectionData", {}).get("errorDetails"), {"catchIndex": 1}, "catchIndex")
    task_r = dict(task, Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                  Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}])
    r = ok(srv.call("TestState", {"definition": json.dumps(task_r), "input": "{}",
                                  "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}}),
           "TestState retriable")
    eq((r.get("status"), r.get("error"), r.get("cause")), ("RETRIABLE", "Boom", "c"), "retriable")
    eq(r.get("inspectionData", {}).get("errorDetails"),
       {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}, "retriable: errorDetails")
    r = ok(srv.call("TestState", {"definition": json.dumps(task_r), "input": "{}",
                                  "mock": {"errorOutput": {"error": "Boom", "cause": "c"}},
                                  "stateConfiguration": {"retrierRetryCount": 2}}),
           "TestState retries used up")
    eq((r.get("status"), r.get("nextState")), ("CAUGHT_ERROR", "Handler"), "retries used up")
    r = ok(srv.call("TestState", {"definition": json.dumps(task), "input": "{}",
                                  "mock": {"errorOutput": {"error": "Boom", "cause": "c"}}}),
           "TestState failed")
    eq((r.get("status"), r.get("error"), r.get("cause")), ("FAILED", "Boom", "c"), "failed")
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3,
                                             "Next": "Big"}], "Default": "Small"}
    r = ok(srv.call("TestState", {"definition": json.dumps(choice), "input": '{"n": 4}'}),
           "TestState Choice")
    eq((r.get("status"), r.get("nextState")), ("SUCCEEDED", "Big"), "Choice")
    r = ok(srv.call("TestState", {"definition": json.dumps({"Type": "Fail", "Error": "E",
                                                            "Cause": "C"})}), "TestState Fail")
    eq((r.get("status"), r.get("error"), r.get("cause")), ("FAILED", "E", "C"), "Fail")
    whole = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                        "B": {"Type": "Pass", "Result": 7, "End": True}}}
    r = ok(srv.call("TestState", {"definition": json.dumps(whole), "stateName": "B"}),
           "TestState stateName")
    eq((r.get("status"), r.get("output")), ("SUCCEEDED", "7"), "stateName picks the state")
    expect_error(srv.call("TestState", {"definition": json.dumps({"Type": "Pass", "Next": 3})}),
                 400, "InvalidDefinition", lambda m: "SCHEMA_VALIDATION_FAILED" in m,
                 "TestState: invalid state")
    expect_error(srv.call("TestState", {"definition": json.dumps({"Type": "Pass", "End": True}),
                                        "mock": {"result": "{}"}}), 400, "ValidationException",
                 "A mock can only be given for a Task state", "TestState: mock of a Pass")
    expect_error(srv.call("TestState", {"definition": json.dumps(task),
                                        "mock": {"result": "{}", "errorOutput": {"error": "E"}}}),
                 400, "ValidationException",
                 "A mock must have exactly one of 'result' and 'errorOutput'",
                 "TestState: both mock forms")
    expect_error(srv.call("TestState", {"definition": json.dumps(task),
                                        "mock": {"result": "{}", "fieldValidationMode": "X"}}),
                 400, "ValidationException", lambda m: "fieldValidationMode" in m,
                 "TestState: a bad fieldValidationMode")
    r = ok(srv.call("TestState", {"definition": json.dumps(task),
                                  "mock": {"result": '{"Payload": 1}', "fieldValidationMode": "NONE"}}),
           "TestState fieldValidationMode NONE")
    eq(r.get("output"), '{"p":1}', "fieldValidationMode NONE")
    expect_error(srv.call("TestState", {"definition": json.dumps(task), "context": "{}"}), 400,
                 "ValidationException", lambda m: "'context'" in m, "TestState: context")
    # workflow variables: the state starts with "variables" and reads them; inspectionData has
    # the variables after it (those given, and what it assigned)
    pv = {"Type": "Pass", "Parameters": {"who.$": "$name", "n.$": "$.n"},
          "Assign": {"count.$": "States.MathAdd($count, 1)", "seen": True}, "End": True}
    r = ok(srv.call("TestState", {"definition": json.dumps(pv), "input": '{"n": 1}',
                                  "variables": '{"name": "Ada", "count": 41}'}),
           "TestState with variables")
    eq((r.get("status"), json.loads(r.get("output", "null"))),
       ("SUCCEEDED", {"who": "Ada", "n": 1}), "variables read by the state")
    eq(json.loads(r.get("inspectionData", {}).get("variables", "null")),
       {"name": "Ada", "count": 42, "seen": True}, "variables after the state")
    r = ok(srv.call("TestState", {"definition": json.dumps({"Type": "Pass", "End": True})}),
           "TestState without variables")
    check("variables" not in r.get("inspectionData", {}), "no variables: none reported")
    r = ok(srv.call("TestState", {"definition": json.dumps(pv), "input": "{}"}),
           "TestState: a variable neither given nor assigned")
    eq((r.get("status"), r.get("error")), ("FAILED", "States.Runtime"),
       "a variable neither given nor assigned fails the state, not the definition")
    expect_error(srv.call("TestState", {"definition": json.dumps(pv), "variables": "[1]"}), 400,
                 "ValidationException", lambda m: "'variables'" in m,
                 "TestState: variables not an object")


srv = Server(aslrun, "--virtual-time")
try:
    protocol(srv)
    machines(srv)
    validation(srv)
    executions(srv)
    test_state(srv)
finally:
    err = srv.stop()
check(srv.proc.returncode == 0, f"exit status 0 after SIGTERM, got {srv.proc.returncode}: {err}")

rt = Server(aslrun)
try:
    real_time(rt)
finally:
    err = rt.stop()
check(rt.proc.returncode == 0, f"real-time server: exit 0, got {rt.proc.returncode}: {err}")
finish("serve/api")
