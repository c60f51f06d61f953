"""`aslrun serve --check-auth`: SigV4 signatures by the server's key pair pass; no signature, a
malformed one, another key, a stale date, a wrong secret or a changed body are refused with AWS's
errors. Without --check-auth any signature passes, as in Step Functions Local; it binds to
127.0.0.1 unless told otherwise. Usage: test_auth.py ASLRUN SOURCE_ROOT"""
import datetime
import json
import socket
import subprocess
import sys

from sfnlib import Server, check, eq, err_type, expect_error, finish, sigv4_headers

aslrun, root = sys.argv[1], sys.argv[2]
KEY, SECRET = "AKIDSERVE", "s3cret"
ENV = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}

srv = Server(aslrun, "--check-auth", env=ENV)
try:
    eq(srv.call("ListStateMachines", {}, sign=(KEY, SECRET)), (200, {"stateMachines": []}),
       "a good signature")
    expect_error(srv.call("ListStateMachines", {}), 400, "MissingAuthenticationTokenException",
                 "Missing Authentication Token", "no signature")
    expect_error(srv.call("ListStateMachines", {}, sign=(KEY, "wrong")), 400,
                 "InvalidSignatureException",
                 "The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. Consult the service "
                 "documentation for details.", "a wrong secret")
    expect_error(srv.call("ListStateMachines", {}, sign=("AKIDOTHER", SECRET)), 400,
                 "UnrecognizedClientException",
                 "The security token included in the request is invalid.", "another key")
    expect_error(srv.call("ListStateMachines", {},
                          headers={"Authorization": "AWS4-HMAC-SHA256 Signature=abc"}), 400,
                 "IncompleteSignatureException", None, "a malformed Authorization")
    # a stale date
    body = b"{}"
    h = {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Host": f"127.0.0.1:{srv.port}"}
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    h.update(sigv4_headers(KEY, SECRET, "POST", "/", h, body, when=old))
    st, _, out = srv.raw("POST", "/", h, body)
    eq(st, 400, "a stale signature: status")
    eq(err_type(json.loads(out)), "InvalidSignatureException", "a stale signature: __type")
    check(json.loads(out)["message"].startswith("Signature expired: "), f"stale: {out}")
    # a body changed after signing
    h = {"Content-Type": "application/x-amz-json-1.0",
         "X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Host": f"127.0.0.1:{srv.port}"}
    h.update(sigv4_headers(KEY, SECRET, "POST", "/", h, b'{"maxResults": 1}'))
    st, _, out = srv.raw("POST", "/", h, b'{"maxResults": 2}')
    eq((st, err_type(json.loads(out))), (400, "InvalidSignatureException"), "a changed body")
finally:
    err = srv.stop()
check(srv.proc.returncode == 0, f"exit 0: {err}")

# without the key pair, --check-auth cannot start
p = subprocess.run([aslrun, "serve", "--port", "0", "--check-auth"], capture_output=True,
                   text=True, env={"PATH": "/usr/bin:/bin"}, timeout=30)
eq(p.returncode, 2, "--check-auth without keys: exit 2")
check("AWS_ACCESS_KEY_ID" in p.stderr, f"--check-auth without keys says why: {p.stderr}")

# by default: any signature, and only on the loopback address
srv = Server(aslrun)
try:
    eq(srv.call("ListStateMachines", {}, headers={"Authorization": "anything"})[0], 200,
       "any signature passes by default")
    eq(srv.call("ListStateMachines", {}, sign=("AKID", "whatever"))[0], 200,
       "any key passes by default")
    addrs = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    addrs.discard("127.0.0.1")
    for a in sorted(addrs)[:1]:
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect((a, srv.port))
            check(False, f"not listening on {a}")
        except OSError:
            pass
        finally:
            s.close()
finally:
    srv.stop()
finish("serve/auth")
