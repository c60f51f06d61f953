# Python functions that misbehave, one per row of the handler fault matrix (tests/handlers/faults.md,
# run by test_fault_matrix.c). Each does to aslrun what a broken Lambda function can do to Lambda.
import os
import signal
import sys
import time


def segv(event, context):
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)


def exit2(event, context):
    sys.exit(2)


def sleep_past_timeout(event, context):
    print("going to sleep")
    time.sleep(60)


def hog(event, context):
    blocks = []
    while True:
        blocks.append(bytearray(16 * 1024 * 1024))


def print_100mb(event, context):
    line = "x" * 1023 + "\n"
    chunk = line * 1024
    for _ in range(100):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return {"printed": 100 * 1024 * 1024}


def bad_frame(event, context):
    # the runtime's response descriptor (fd 4): a frame the bootstrap would never write
    os.write(4, b"{\"not\": \"a frame\"\n")
    time.sleep(60)


def not_json(event, context):
    # bytes go back as they are (awslambdaric sends them with content type application/unknown)
    return b"{\"unterminated\": [1, 2"


def close_pipes(event, context):
    for fd in (0, 1, 2, 3, 4):
        try:
            os.close(fd)
        except OSError:
            pass
    return {"unreachable": True}


def close_pipes_and_stay(event, context):
    for fd in (0, 1, 2, 3, 4):
        try:
            os.close(fd)
        except OSError:
            pass
    time.sleep(60)


def fork_child(event, context):
    # a child that outlives the invocation and holds every descriptor the worker has
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    with open(event["pidfile"], "w") as f:
        f.write(str(pid))
    return {"child": True}
