# The Python functions of tools/soak's machines: small, quick, and one that fails now and then.
import random

CALLS = 0


def double(event, context):
    global CALLS
    CALLS += 1  # module state lives on in a warm worker
    return {"value": event["value"] * 2, "calls": CALLS}


def greet(event, context):
    return {"greeting": "hello " + str(event.get("name", "world")),
            "remaining_ms": context.get_remaining_time_in_millis() > 0}


class FlakyError(Exception):
    pass


def flaky(event, context):
    if random.random() < 0.3:
        raise FlakyError("try again")
    return {"ok": True, "n": event.get("n")}


def total(event, context):
    return {"total": sum(x["value"] for x in event["doubled"])}
