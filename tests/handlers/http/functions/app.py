# Functions served over the Invoke API in the HTTP tests (tests/handlers/test_serve.c and the
# node tests): results, function errors, logs, timeouts and a result over Lambda's 6 MB limit.
import time


class CustomError(Exception):
    pass


def echo(event, context):
    return event


def boom(event, context):
    raise CustomError("bad thing")


def printer(event, context):
    print("hello from the handler")
    return {"printed": True}


def sleeper(event, context):
    time.sleep(event.get("s", 10))
    return "awake"


def big(event, context):
    return "a" * (7 * 1024 * 1024)
