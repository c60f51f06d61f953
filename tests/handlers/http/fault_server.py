"""A misbehaving Lambda Invoke API endpoint for tests/handlers/test_http_faults.c.

The function name in POST /2015-03-31/functions/NAME/invocations picks the behaviour (the fn_
methods). Prints its port on stdout, then serves until stdin is closed. With --tls it serves
HTTPS with the test certificate in tls/ (for localhost and 127.0.0.1, valid until 2125). Written apart from
aslrun's own server on purpose: the client is checked against code it does not share.
"""
import base64
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUEST_ID = "11111111-2222-3333-4444-555555555555"
LIMIT = 6291456


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=None, error_type=None):
        self.send_response(status)
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("x-amzn-RequestId", REQUEST_ID)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = self.path.split("?")[0].split("/")
        name = urllib.parse.unquote(parts[3]) if len(parts) == 5 else ""
        if "function:" in name:  # a full or partial ARN
            name = name.split("function:", 1)[1].split(":")[0]
        getattr(self, "fn_" + name, self.fn_missing)(body)

    def fn_missing(self, body):
        self.answer(404, json.dumps({"Type": "User", "Message": "Function not found: x"}).encode(),
                    error_type="ResourceNotFoundException")

    def fn_Throttle(self, body):
        self.answer(429, json.dumps({"Reason": "ConcurrentInvocationLimitExceeded", "Type": "User",
                                     "message": "Rate Exceeded."}).encode(),
                    headers={"Retry-After": "1"}, error_type="TooManyRequestsException")

    def fn_Internal(self, body):
        self.answer(500, b"Internal Server Error", headers={"Content-Type": "text/plain"})

    def fn_Service(self, body):
        self.answer(500, json.dumps({"Type": "Service",
                                     "Message": "Lambda had an internal error"}).encode(),
                    error_type="ServiceException:http://internal.amazon.com/coral/com.amazonaws/")

    def fn_Gateway(self, body):
        self.answer(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                    headers={"Content-Type": "text/html"})

    def fn_NotReady(self, body):
        self.answer(502, json.dumps({"Type": "User", "message": "The function is inactive"}).encode(),
                    error_type="ResourceNotReadyException")

    def fn_Denied(self, body):
        self.answer(403, json.dumps({"Message": "User: arn:aws:iam::1:user/u is not authorized"})
                    .encode(), error_type="AccessDeniedException")

    def fn_BodyCode(self, body):
        self.answer(400, json.dumps({"__type": "com.amazon.coral#InvalidParameterValueException",
                                     "message": "bad value"}).encode())

    def fn_Hang(self, body):
        time.sleep(30)

    def fn_HangBody(self, body):
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b'{"partial"')
        self.wfile.flush()
        time.sleep(30)

    def fn_Truncated(self, body):
        self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"")

    def fn_Garbage(self, body):
        self.raw(b"hello, this is not HTTP\r\n\r\n")

    def fn_Close(self, body):
        self.raw(b"")

    def fn_Huge(self, body):
        self.answer(200, b'"' + b"a" * (7 * 1024 * 1024) + b'"')

    def fn_HugeError(self, body):
        self.answer(500, b"x" * (7 * 1024 * 1024))

    def fn_Reset(self, body):
        # a connection reset: close with SO_LINGER 0, so the kernel sends RST instead of FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(self.connection.detach())  # no shutdown() first: that would send FIN
        self.close_connection = True

    def trickle(self, body, delay):
        payload = b'{"trickled": true, "pad": "' + b"." * 40 + b'"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.flush()
        for i in range(len(payload)):
            self.wfile.write(payload[i:i + 1])
            self.wfile.flush()
            time.sleep(delay)

    def fn_Trickle(self, body):
        self.trickle(body, 0.1)  # 5 s for the body: past a 1 s timeout

    def fn_TrickleFast(self, body):
        self.trickle(body, 0.005)  # a byte at a time, all within the timeout

    def fn_Huge10(self, body):
        self.answer(200, b'"' + b"a" * (10 * 1024 * 1024) + b'"')

    def fn_Unavailable(self, body):
        self.answer(503, b"Service Unavailable", headers={"Content-Type": "text/plain"})

    def fn_FnError(self, body):
        log = base64.b64encode(b"START RequestId: r\nsomething went wrong\nEND RequestId: r\n")
        self.answer(200, json.dumps({"errorMessage": "bad input", "errorType": "ValueError"})
                    .encode(), headers={"X-Amz-Function-Error": "Unhandled",
                                        "X-Amz-Log-Result": log.decode(),
                                        "X-Amz-Executed-Version": "7"})

    def fn_NoType(self, body):
        self.answer(200, b'{"errorMessage":"2025-03-25T14:59:02.758Z r Task timed out after 3.00 '
                         b'seconds"}', headers={"X-Amz-Function-Error": "Unhandled"})

    def fn_LogBad(self, body):
        self.answer(200, b"1", headers={"X-Amz-Log-Result": "!!not base64!!"})

    def fn_Headers(self, body):
        info = {"path": self.path, "body": body.decode("utf-8", "replace"),
                "headers": {k.lower(): v for k, v in self.headers.items()}}
        self.answer(200, json.dumps(info).encode())

    def fn_Slow(self, body):
        time.sleep(0.3)
        self.answer(200, b'{"ok": true}')

    def fn_TooLarge(self, body):
        if len(body) > LIMIT:
            self.answer(413, json.dumps({"Type": "User", "message": "Request must be smaller than "
                                         "6291456 bytes for the InvokeFunction operation"}).encode(),
                        error_type="RequestTooLargeException")
        else:
            self.answer(200, b"{}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 40 clients connect at once

    def handle_error(self, request, client_address):
        pass  # clients that hang up (cancelled calls) are part of the tests


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if "--tls" in sys.argv:
        here = os.path.dirname(os.path.abspath(__file__))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(here, "tls", "cert.pem"), os.path.join(here, "tls", "key.pem"))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the test closes our stdin (or dies)


if __name__ == "__main__":
    main()
