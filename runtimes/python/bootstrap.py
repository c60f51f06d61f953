"""aslrun's Lambda-compatible Python worker: imports one handler the way the AWS Lambda Python
runtime (awslambdaric) does, then serves invocations from aslrun until its pipe closes.

Written for aslrun with the standard library only. It reproduces what a handler observes on
Lambda (context object, environment, sys.path, result serialisation, error payloads); aslrun
itself (src/handlers/python.c) owns timeouts, crashes and the REPORT line.

Protocol (file descriptors set up by aslrun):
  fd 3 (in):  b"Q <len> <request id> <trace id> <invoked arn>\\n" + event bytes, optionally
              preceded by b"F <crash|hang|oom>\\n": a fault to act out instead of the handler
  fd 4 (out): b"I <init us> <sys.executable>\\n" once init is done (even if it failed), then per
              invocation b"R <ok|err> <len> <duration us> <max rss kB> <exit after 0|1>\\n" + payload
  fd 1, 2:    the function's log; b"\\0aslrun:init\\0" ends init's output, b"\\0aslrun:done\\0" ends
              each invocation's.
"""

import os
import sys
import time

_T0 = time.perf_counter()
_REQ = os.fdopen(3, "rb")
_RESP = 4
_MARK_INIT = b"\0aslrun:init\0"
_MARK_END = b"\0aslrun:done\0"
# aslrun runs this file's text under this name (python -c), so its frames can be told apart
_SELF = "<aslrun-bootstrap>"

import json  # noqa: E402  (after the timer: import time is part of Lambda's init too)
import resource  # noqa: E402
import signal  # noqa: E402


def _version_env():
    return "AWS_Lambda_python%d.%d" % sys.version_info[:2]


os.environ.setdefault("AWS_EXECUTION_ENV", _version_env())
# Lambda 3.12 and later keep non-ASCII text as UTF-8; older runtimes escape it (awslambdaric
# lambda_runtime_marshaller)
_ENSURE_ASCII = os.environ["AWS_EXECUTION_ENV"] not in (
    "AWS_Lambda_python3.12", "AWS_Lambda_python3.13", "AWS_Lambda_python3.14", "AWS_Lambda_python3.15")


class FaultException(Exception):
    def __init__(self, error_type, message, trace=None):
        self.error_type = error_type
        self.msg = message
        self.trace = trace or []


def _payload(error_type, message, request_id, trace):
    # key order and spaced separators as the Python runtime sends them
    return json.dumps({"errorMessage": message, "errorType": error_type,
                       "requestId": request_id, "stackTrace": trace},
                      ensure_ascii=_ENSURE_ASCII).encode("utf-8")


def _frames(tb):
    import traceback
    frames = [f for f in traceback.extract_tb(tb) if f.filename != _SELF]
    return traceback.format_list(frames)


def _log_error(error_type, message, trace):
    # the record awslambdaric prints for an unhandled error (text log format)
    lines = ["[ERROR] %s: %s" % (error_type, message), "Traceback (most recent call last):"]
    lines += [t.rstrip("\n") for t in trace]
    sys.stdout.write("\r".join(lines) + "\n")


def _init():
    handler = os.environ.get("_HANDLER", "")
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultException("Runtime.BuiltInModuleConflict",
                             "Cannot use built-in module %s as a handler module" % modname)
    import importlib
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError",
                             "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, (e.text or "").strip())]
        raise FaultException("Runtime.UserCodeSyntaxError",
                             "Syntax error in module '%s': %s" % (modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound",
                             "Handler '%s' missing on module '%s'" % (fname, modname))


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self):
        self.cognito_identity_id = None
        self.cognito_identity_pool_id = None

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class LambdaContext(object):
    """The handler's second argument, with awslambdaric's attributes and methods."""

    def __init__(self, request_id, invoked_arn, deadline_ms):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.tenant_id = None
        self.client_context = None
        self.identity = CognitoIdentity()
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(round(time.time() * 1000)), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn, self.client_context, self.identity, self.tenant_id))


def _flush_log(mark):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os.write(1, mark)


def _send(kind, payload, started, exit_after):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    dur = int((time.perf_counter() - started) * 1e6)
    head = ("R %s %d %d %d %d\n" % (kind, len(payload), dur, rss, 1 if exit_after else 0)).encode()
    data = head + payload
    while data:
        n = os.write(_RESP, data)
        data = data[n:]


def _read_request():
    fault = None
    line = _REQ.readline()
    if line.startswith(b"F "):
        fault = line[2:].decode("utf-8").strip()
        line = _REQ.readline()
    if not line.endswith(b"\n"):
        return None
    parts = line.decode("utf-8").rstrip("\n").split(" ", 4)
    length, request_id, trace_id, arn = int(parts[1]), parts[2], parts[3], parts[4]
    body = _REQ.read(length)
    if len(body) < length:
        return None
    return request_id, trace_id, arn, body, fault


def _act_out(fault):
    # fault injection (aslrun run --fault): what the function's sandbox would do, for real
    if fault == "crash":
        signal.signal(signal.SIGSEGV, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGSEGV)
    elif fault == "hang":
        while True:  # until the function's timeout, or the Task's, ends the sandbox
            time.sleep(3600)
    elif fault == "oom":
        # allocate as a leak does, until the memory size (RLIMIT_AS) refuses with MemoryError;
        # past the size in any case (no limit could be set), the sandbox is killed all the same
        mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128") or 128)
        hog = []
        while len(hog) * 16 < mb + 64:
            hog.append(bytearray(16 * 1024 * 1024))
        _die()


def _limit_memory():
    mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0") or 0)
    if mb <= 0:
        return
    # the limit is on address space: what the interpreter has mapped so far plus the function's
    # memory, an approximation of Lambda's limit on the whole sandbox
    with open("/proc/self/statm") as f:
        vsz = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = vsz + mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _encode(result):
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    return json.dumps(result, ensure_ascii=_ENSURE_ASCII, allow_nan=True).encode("utf-8")


def _die():
    # out of memory: Lambda kills the sandbox, and aslrun reports the signal as Lambda does
    os.kill(os.getpid(), signal.SIGKILL)


def main():
    os.dup2(1, 2)  # one log stream, in the order the function wrote it
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # sys.path as on Lambda: the task root first (python -c put the working directory there)
    sys.path[:] = [task_root] + [p for p in sys.path if p]
    timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    init_error = None
    handler = None
    try:
        _limit_memory()
    except (OSError, ValueError):
        pass
    try:
        handler = _init()
    except FaultException as e:
        init_error = _payload(e.error_type, e.msg, "", e.trace)
        _log_error(e.error_type, e.msg, e.trace)
    except MemoryError:
        init_error = b""
    except Exception as e:  # an error raised by the module's own top-level code
        trace = _frames(sys.exc_info()[2])
        init_error = _payload(type(e).__name__, str(e), "", trace)
        _log_error(type(e).__name__, str(e), trace)
    init_us = int((time.perf_counter() - _T0) * 1e6)
    _flush_log(_MARK_INIT)
    os.write(_RESP, ("I %d %s\n" % (init_us, sys.executable)).encode())
    while True:
        req = _read_request()
        if req is None:
            return 0
        request_id, trace_id, arn, body, fault = req
        started = time.perf_counter()
        if init_error is not None:
            # Lambda answers the pending invoke with the init error, then starts over (cold)
            if init_error == b"":
                _die()
            _flush_log(_MARK_END)
            _send("err", init_error, started, True)
            return 1
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
        deadline = int(round(time.time() * 1000)) + int(timeout_s * 1000)
        try:
            try:
                event = json.loads(body)
            except ValueError as e:
                raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            if fault:
                _act_out(fault)
            result = handler(event, LambdaContext(request_id, arn, deadline))
            try:
                payload = _encode(result)
            except (TypeError, ValueError) as e:
                raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
            kind = "ok"
        except FaultException as e:
            payload = _payload(e.error_type, e.msg, request_id, e.trace)
            _log_error(e.error_type, e.msg, e.trace)
            kind = "err"
        except MemoryError:
            _die()
        except Exception as e:
            trace = _frames(sys.exc_info()[2])
            payload = _payload(type(e).__name__, str(e), request_id, trace)
            _log_error(type(e).__name__, str(e), trace)
            kind = "err"
        _flush_log(_MARK_END)
        _send(kind, payload, started, False)


if __name__ == "__main__":
    sys.exit(main())
