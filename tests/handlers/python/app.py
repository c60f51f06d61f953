# Lambda handlers for tests/handlers/test_python.c: one per behaviour the runtime must reproduce.
import logging
import os
import signal
import sys
import time

COUNT = 0


class CustomError(Exception):
    pass


def echo(event, context):
    return event


def counter(event, context):
    global COUNT
    COUNT += 1
    return {"count": COUNT, "pid": os.getpid()}


def ctx(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": context.identity.cognito_identity_id,
        "client_context": context.client_context,
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "env": {k: os.environ.get(k) for k in (
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
            "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "_HANDLER", "TZ", "STAGE")},
        "trace": os.environ.get("_X_AMZN_TRACE_ID", "")[:7],
    }


def printer(event, context):
    print("hello from the handler")
    logging.getLogger().warning("a warning")
    return 1


def helper():
    raise CustomError("bad thing")


def boom(event, context):
    helper()


def exit3(event, context):
    sys.exit(3)


def exit0(event, context):
    sys.exit()


def sleeper(event, context):
    print("going to sleep")
    time.sleep(event.get("s", 10))
    return "awake"


def hog(event, context):
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(16 * 1024 * 1024))
    return len(blocks)


def unserialisable(event, context):
    return {1, 2}


def segv(event, context):
    os.kill(os.getpid(), signal.SIGSEGV)


def unicode(event, context):
    return {"text": "caf\u00e9"}


def two_args_only(event):
    return event
