"""Load and start-up of `aslrun serve`: 1,000 StartExecution calls of the tutorial machine (its
429 test case: three failed attempts, back-offs and a Wait, in virtual time) sent at once on
1,000 connections all complete with no error and no lost execution; prints requests per second
and the server's memory; the same with --state-dir, and the start with those executions to read
back. Then the time from starting the process to its first answer, which must stay under 50 ms
(500 ms in sanitizer builds, which start slowly).
Usage: test_load.py ASLRUN SOURCE_ROOT [SANITIZE]"""
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time

from sfnlib import ROLE, Server, check, eq, finish, ok, sm_arn

aslrun, root = sys.argv[1], sys.argv[2]
sanitized = len(sys.argv) > 3 and sys.argv[3] not in ("", "none")
N = 1000
example = os.path.join(root, "examples", "error-handling")


def memory_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


async def one_call(port, body):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode()
    writer.write((f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Content-Type: application/x-amz-json-1.0\r\n"
                  "X-Amz-Target: AWSStepFunctions.StartExecution\r\n"
                  f"Content-Length: {len(data)}\r\n\r\n").encode() + data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    payload = await reader.readexactly(length)
    writer.close()
    await writer.wait_closed()
    return status, json.loads(payload)


async def burst(port, arn):
    # every connection is open and every request sent before the first answer is read
    calls = [one_call(port, {"stateMachineArn": arn, "name": f"load{i}",
                             "input": json.dumps({"statuscode": "429", "i": i})})
             for i in range(N)]
    return await asyncio.gather(*calls, return_exceptions=True)


# a thousand sockets on each side: the client's and the server's soft limits must allow them
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < 4 * N:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4 * N, hard), hard))

def load(extra, label):
    """N concurrent starts on a fresh server with [extra] options; returns nothing, checks all."""
    srv = Server(aslrun, "--virtual-time", *extra,
                 env={"SFN_MOCK_CONFIG": os.path.join(example, "MockConfigFile.json")})
    try:
        ok(srv.call("CreateStateMachine", {"name": "machine", "roleArn": ROLE,
                                           "definition": open(os.path.join(example,
                                                                           "machine.json")).read()}),
           "create")
        idle = memory_kb(srv.proc.pid)
        t0 = time.monotonic()
        results = asyncio.run(burst(srv.port, sm_arn("machine") + "#Status429"))
        elapsed = time.monotonic() - t0
        errors = [r for r in results if isinstance(r, Exception) or r[0] != 200]
        eq(len(errors), 0, f"{label}: errors among {N} concurrent StartExecution calls (first: "
                           f"{errors[:1]})")
        arns = {r[1]["executionArn"] for r in results
                if not isinstance(r, Exception) and r[0] == 200}
        eq(len(arns), N, f"{label}: distinct executions started")
        # every execution finishes, and every one is there
        deadline = time.monotonic() + 120
        done = {}
        while time.monotonic() < deadline:
            listed, token = [], None
            while True:
                body = {"stateMachineArn": sm_arn("machine"), "maxResults": 1000}
                if token:
                    body["nextToken"] = token
                page = ok(srv.call("ListExecutions", body), "list")
                listed += page["executions"]
                token = page.get("nextToken")
                if not token:
                    break
            done = {e["executionArn"]: e["status"] for e in listed}
            if len(done) == N and all(s != "RUNNING" for s in done.values()):
                break
            time.sleep(0.05)
        all_done = time.monotonic() - t0
        eq(set(done), arns, f"{label}: every started execution is listed")
        eq(sorted(set(done.values())), ["SUCCEEDED"], f"{label}: every execution succeeded")
        sample = ok(srv.call("DescribeExecution", {"executionArn": sorted(arns)[0]}), "describe")
        eq(sample["output"], '"The request has succeeded."', f"{label}: an execution's output")
        mem = memory_kb(srv.proc.pid)
        print(f"{label}: {N} concurrent StartExecution calls answered in {elapsed * 1000:.0f} ms "
              f"({N / elapsed:.0f} requests/s); all {N} executions reported finished after "
              f"{all_done * 1000:.0f} ms; memory: {idle['VmRSS']} kB idle, {mem['VmRSS']} kB "
              f"after, peak {mem['VmHWM']} kB")
    finally:
        err = srv.stop()
    check(srv.proc.returncode == 0, f"{label}: exit 0: {err[-2000:]}")


def ready_ms(*extra):
    """Median time from the process's start to its first answer."""
    times = []
    for _ in range(7):
        t0 = time.monotonic()
        s = Server(aslrun, *extra)
        st, _ = s.call("ListStateMachines", {})
        times.append(time.monotonic() - t0)
        eq(st, 200, "the first answer")
        s.stop()
    return statistics.median(times) * 1000


load([], "in memory")
with tempfile.TemporaryDirectory() as tmp:
    state = os.path.join(tmp, "state")
    load(["--state-dir", state], "with --state-dir")
    with_state = ready_ms("--state-dir", state)
    print(f"ready to answer {with_state:.1f} ms after the start with {N} executions (and their "
          f"histories) to read back")
    # only the summaries are read at the start: histories stay on disk until asked for
    state_limit = 1000 if sanitized else 100
    check(with_state < state_limit, f"ready within {state_limit} ms with {N} executions kept")

# start-up: from the process's start to its first answer
median = ready_ms()
limit = 500 if sanitized else 50
print(f"ready to answer {median:.1f} ms after the start (median of 7; limit {limit} ms)")
check(median < limit, f"ready within {limit} ms: {median:.1f} ms")
finish("serve/load")
