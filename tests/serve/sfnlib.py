"""Helpers of the `aslrun serve` tests: start the server on a free port, call the Step Functions
API over raw HTTP (AWS JSON 1.0) with or without a SigV4 signature, and check answers."""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import sys
import time

FAILURES = []
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"


def sm_arn(name, region=REGION, account=ACCOUNT):
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def ex_arn(sm, name, region=REGION, account=ACCOUNT):
    return f"arn:aws:states:{region}:{account}:execution:{sm}:{name}"


class Server:
    """`aslrun serve --port 0 --quiet ARGS...`, stopped with SIGTERM by stop()."""

    def __init__(self, aslrun, *args, env=None, cwd=None, new_session=False):
        e = dict(os.environ)
        for k in ("SFN_MOCK_CONFIG", "LAMBDA_ENDPOINT", "WAIT_TIME_SCALE", "AWS_ACCOUNT_ID"):
            e.pop(k, None)
        e["AWS_DEFAULT_REGION"] = REGION
        if env:
            e.update(env)
        self.started = time.monotonic()
        self.proc = subprocess.Popen([aslrun, "serve", "--port", "0", "--quiet", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                                     cwd=cwd, start_new_session=new_session)
        line = self.proc.stdout.readline().decode()
        self.ready_s = time.monotonic() - self.started
        if not line.startswith("listening on http://"):
            err = self.proc.stderr.read().decode()
            raise RuntimeError(f"aslrun serve did not start: {line!r} {err}")
        self.port = int(line.rsplit(":", 1)[1])
        self.host = line.split("//", 1)[1].rsplit(":", 1)[0].strip("[]")
        self.conn = None

    def connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(getattr(self, "host", "127.0.0.1"), self.port,
                                                   timeout=60)
        return self.conn

    def raw(self, method, path, headers, body):
        c = self.connection()
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError):
            self.conn = None
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def call(self, op, body=None, sign=None, headers=None):
        """(status, parsed body) of operation [op]; [sign] = (key, secret) signs it."""
        data = json.dumps(body if body is not None else {}).encode()
        h = {"Content-Type": "application/x-amz-json-1.0",
             "X-Amz-Target": f"AWSStepFunctions.{op}", "Host": f"127.0.0.1:{self.port}"}
        if headers:
            h.update(headers)
        if sign:
            h.update(sigv4_headers(sign[0], sign[1], "POST", "/", h, data))
        status, _, out = self.raw("POST", "/", h, data)
        return status, json.loads(out) if out else None

    def stop(self, sig=signal.SIGTERM):
        if self.conn:
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            check(False, "the server stopped within 30 s of its signal")
        self.proc.stdout.close()
        err = self.proc.stderr.read().decode()
        self.proc.stderr.close()
        # UndefinedBehaviorSanitizer reports without changing the exit status
        for word in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
            check(word not in err, f"the server's stderr has no {word!r} report: {err[-3000:]}")
        return err


def sigv4_headers(key, secret, method, path, headers, body, when=None, region=REGION,
                  service="states"):
    """SigV4 headers (X-Amz-Date, Authorization) as the AWS SDKs compute them."""
    now = when or datetime.datetime.now(datetime.timezone.utc)
    amz = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz[:8]
    h = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    h["x-amz-date"] = amz
    names = sorted(h)
    canonical = "\n".join([method, path, "", "".join(f"{n}:{h[n]}\n" for n in names),
                           ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                     hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return {"X-Amz-Date": amz,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/{scope}, "
                             f"SignedHeaders={';'.join(names)}, Signature={sig}"}


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f"FAIL: {what}", flush=True)
    return cond


def eq(actual, expected, what):
    return check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def err_type(body):
    t = (body or {}).get("__type", "")
    return t.rsplit("#", 1)[-1]


def expect_error(res, status, etype, message, what):
    """[res] is (status, body): an AWS error of [etype] with exactly [message] (a str), or a
    message for which [message] (a callable) is true."""
    st, body = res
    ok = eq(st, status, f"{what}: HTTP status")
    ok = eq(err_type(body), etype, f"{what}: __type") and ok
    msg = (body or {}).get("message")
    if callable(message):
        ok = check(message(msg), f"{what}: message {msg!r}") and ok
    elif message is not None:
        ok = eq(msg, message, f"{what}: message") and ok
    return ok


def ok(res, what):
    st, body = res
    check(st == 200, f"{what}: expected 200, got {st} {body}")
    return body or {}


def wait_done(srv, arn, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st, d = srv.call("DescribeExecution", {"executionArn": arn})
        if st == 200 and d["status"] != "RUNNING":
            return d
        time.sleep(0.01)
    check(False, f"{arn} finished within {timeout} s")
    return d


def finish(name):
    if FAILURES:
        print(f"{name}: {len(FAILURES)} failure(s)")
        sys.exit(1)
    print(f"{name}: all checks passed")
    sys.exit(0)
