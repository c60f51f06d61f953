#!/usr/bin/env python3
"""Writes the seed corpus of one fuzz target of tests/fuzz (tools/fuzz calls it when the corpus
folder is empty): usage: tools/fuzz-seeds.py TARGET DIR. Seeds come from the repository's test
data (language tests, definitions, aslrun.json and mock files, golden executions) and, for the
two network targets, from the answers and requests the handler and serve tests use."""
import base64
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def groups(path):
    """The first line of each group of a data-driven test file (jq style)."""
    out, first = [], True
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            first = True
            continue
        if line.startswith("#") or line.startswith("%"):
            continue
        if first:
            out.append(line)
            first = False
    return out


def group_pairs(path):
    """The first two lines of each group: an expression and its input."""
    out, cur = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            if len(cur) >= 2:
                out.append(cur[0] + "\n" + cur[1])
            cur = []
            continue
        if line.startswith("#"):
            continue
        cur.append(line)
    return out


def repo_json(pattern):
    for p in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        if "/build" in p[len(ROOT):]:
            continue
        try:
            yield p, json.load(open(p, encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue


def embedded(key):
    """Every value of [key] in the golden executions and CLI cases (and files they embed)."""
    for _, d in repo_json("tests/**/*.json"):
        if not isinstance(d, dict):
            continue
        if key in d:
            yield d[key]
        for name, text in (d.get("files") or {}).items() if isinstance(d.get("files"), dict) else []:
            try:
                v = json.loads(text)
            except (ValueError, TypeError):
                continue
            if key == "mock_config" and isinstance(v, dict) and "MockedResponses" in v:
                yield v
            if key == "config" and name.endswith("aslrun.json"):
                yield v


def http_response(status, reason, headers, body):
    head = "HTTP/1.1 %d %s\r\n" % (status, reason)
    for k, v in headers:
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    return head.encode() + body


def lambda_answers():
    rid = ("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
    ok = [
        http_response(200, "OK", [rid, ("X-Amz-Executed-Version", "$LATEST")], b'{"k": [1, 2]}'),
        http_response(200, "OK", [rid], b'"text"'),
        http_response(200, "OK", [rid], b"not json"),
        http_response(200, "OK", [rid], b""),
        http_response(200, "OK", [rid, ("X-Amz-Function-Error", "Unhandled"),
                                  ("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElkOiByCmJvb20KRU5E"),
                                  ("X-Amz-Executed-Version", "7")],
                      b'{"errorMessage": "bad input", "errorType": "ValueError", '
                      b'"stackTrace": ["  File x"]}'),
        http_response(200, "OK", [rid, ("X-Amz-Function-Error", "Unhandled")],
                      b'{"errorMessage":"Task timed out after 3.00 seconds"}'),
        http_response(200, "OK", [rid, ("X-Amz-Log-Result", "!!notbase64")], b"1"),
        http_response(429, "Too Many Requests", [rid, ("x-amzn-ErrorType", "TooManyRequestsException"),
                                                 ("Retry-After", "1")],
                      b'{"Reason":"ConcurrentInvocationLimitExceeded","Type":"User",'
                      b'"message":"Rate Exceeded."}'),
        http_response(500, "Internal Server Error", [("Content-Type", "text/plain")],
                      b"Internal Server Error"),
        http_response(500, "Internal Server Error",
                      [rid, ("x-amzn-ErrorType", "ServiceException:http://internal.amazon.com/")],
                      b'{"Type":"Service","Message":"Lambda had an internal error"}'),
        http_response(502, "Bad Gateway", [], b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        http_response(503, "Service Unavailable", [rid], b'{"__type":"com.amazon.coral#ServiceUnavailableException","message":"down"}'),
        http_response(400, "Bad Request", [rid], b'{"__type":"com.amazon.coral#InvalidParameterValueException","message":"bad value"}'),
        http_response(403, "Forbidden", [rid, ("x-amzn-ErrorType", "AccessDeniedException")], b'{"Message":"not authorized"}'),
        http_response(413, "Request Entity Too Large", [rid, ("x-amzn-ErrorType", "RequestTooLargeException")], b'{"message":"too big"}'),
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
        b"HTTP/1.0 200 OK\r\n\r\n[1,2,3]",
        b"hello, this is not HTTP\r\n\r\n",
        b"",
    ]
    # first byte: bit 0 lambda:invoke, bit 1 a 64-byte payload limit
    return [bytes([style]) + a for a in ok for style in (0, 1)] + [b"\x02" + ok[0], b"\x03" + ok[1]]


def serve_requests():
    def req(op, body, extra=""):
        b = json.dumps(body).encode()
        return (("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.%s\r\n"
                 "Content-Type: application/x-amz-json-1.0\r\n%sContent-Length: %d\r\n\r\n")
                % (op, extra, len(b))).encode() + b
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    xarn = "arn:aws:states:us-east-1:123456789012:execution:m:e1"
    role = "arn:aws:iam::123456789012:role/r"
    pas = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "End": True}}}
    mp = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}, "End": True}}}
    par = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [pas, pas], "End": True}}}
    cb = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": True}}}
    forged = base64.b64encode(("aslrun:1:%s:0" % xarn).encode()).decode()
    create = req("CreateStateMachine", {"name": "m", "definition": json.dumps(pas), "roleArn": role})
    seqs = [
        create,
        create + req("StartExecution", {"stateMachineArn": arn, "name": "e1", "input": "{}"})
        + req("DescribeExecution", {"executionArn": xarn})
        + req("GetExecutionHistory", {"executionArn": xarn, "maxResults": 2, "reverseOrder": True})
        + req("ListExecutions", {"stateMachineArn": arn, "statusFilter": "SUCCEEDED"}),
        req("CreateStateMachine", {"name": "m", "definition": json.dumps(mp), "roleArn": role,
                                   "type": "EXPRESS"})
        + req("StartSyncExecution", {"stateMachineArn": arn, "input": '{"items":[1,2,3]}'}),
        req("CreateStateMachine", {"name": "m", "definition": json.dumps(par), "roleArn": role})
        + req("StartExecution", {"stateMachineArn": arn}) + req("StopExecution", {"executionArn": xarn})
        + req("ListStateMachines", {"maxResults": 1}),
        create + req("DescribeStateMachine", {"stateMachineArn": arn})
        + req("UpdateStateMachine", {"stateMachineArn": arn, "definition": json.dumps(par)})
        + req("TagResource", {"resourceArn": arn, "tags": [{"key": "k", "value": "v"}]})
        + req("ListTagsForResource", {"resourceArn": arn})
        + req("UntagResource", {"resourceArn": arn, "tagKeys": ["k"]})
        + req("DeleteStateMachine", {"stateMachineArn": arn}),
        req("ValidateStateMachineDefinition", {"definition": '{"StartAt":"X","States":{}}'}),
        req("TestState", {"definition": json.dumps(pas["States"]["P"]), "roleArn": role,
                          "input": "{}", "inspectionLevel": "DEBUG"}),
        req("SendTaskSuccess", {"taskToken": "t", "output": "{}"}),
        req("RedriveExecution", {"executionArn": xarn}),
        # a callback Task waits; a token of aslrun's form that it never issued; stop, redrive
        req("CreateStateMachine", {"name": "m", "definition": json.dumps(cb), "roleArn": role})
        + req("StartExecution", {"stateMachineArn": arn, "name": "e1"})
        + req("SendTaskHeartbeat", {"taskToken": forged})
        + req("SendTaskFailure", {"taskToken": forged, "error": "E"})
        + req("StopExecution", {"executionArn": xarn})
        + req("RedriveExecution", {"executionArn": xarn, "clientToken": "c"})
        + req("RedriveExecution", {"executionArn": xarn, "clientToken": "c"})
        + req("DescribeExecution", {"executionArn": xarn}),
        req("DescribeStateMachineForExecution", {"executionArn": xarn}),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        b"POST / HTTP/1.0\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
        b"Content-Length: 5\r\n\r\n{\"a\":",
        b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nX-Amz-Target: AWSStepFunctions.ListExecutions\r\n"
        b"Content-Length: 2\r\n\r\n{}",
        req("ListExecutions", {}, "Authorization: AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00\r\n"),
    ]
    return seqs


def write(dirpath, seeds):
    os.makedirs(dirpath, exist_ok=True)
    n = 0
    for s in seeds:
        if isinstance(s, str):
            s = s.encode("utf-8")
        n += 1
        with open(os.path.join(dirpath, "seed%d" % n), "wb") as f:
            f.write(s)
    return n


def main():
    target, out = sys.argv[1], sys.argv[2]
    t = lambda name: os.path.join(ROOT, "tests", name)
    if target == "fuzz_json":
        seeds = groups(t("json/values.test"))
        seeds += [open(p, "rb").read() for p, _ in repo_json("tests/validate/*.json")]
        seeds += [open(p, "rb").read() for p, _ in repo_json("examples/**/*.json")]
    elif target == "fuzz_jsonpath":
        seeds = [l for l in groups(t("lang/jsonpath.test"))] + \
            [l for f in glob.glob(t("lang/*.test")) for l in groups(f) if l.startswith("$")]
    elif target == "fuzz_intrinsic":
        seeds = [l for f in glob.glob(t("lang/*.test")) for l in groups(f)
                 if re.match(r"^(States\.|\$)", l)]
    elif target == "fuzz_template":
        seeds = group_pairs(t("lang/template.test"))
    elif target == "fuzz_choice":
        seeds = group_pairs(t("lang/choice.test"))
    elif target == "fuzz_jsonata":
        seeds = groups(t("jsonata/jsonata.test"))
    elif target == "fuzz_definition":
        seeds = [open(p, "rb").read() for p in sorted(glob.glob(t("validate/*.json")))]
    elif target == "fuzz_config":
        configs = [d for _, d in repo_json("**/aslrun.json")] + list(embedded("config"))
        mocks = [d for _, d in repo_json("examples/**/MockConfigFile.json")]
        mocks += list(embedded("mock_config"))
        seeds = [b"\x00" + json.dumps(c).encode() for c in configs]
        seeds += [b"\x01" + json.dumps(m).encode() for m in mocks]
    elif target == "fuzz_lambda_response":
        seeds = lambda_answers()
    elif target == "fuzz_serve":
        seeds = serve_requests()
    else:
        sys.exit("tools/fuzz-seeds.py: no seeds for %s" % target)
    # distinct seeds only
    uniq, seen = [], set()
    for s in seeds:
        b = s.encode("utf-8") if isinstance(s, str) else s
        if b not in seen:
            seen.add(b)
            uniq.append(b)
    print("%s: %d seeds" % (target, write(out, uniq)))


main()
