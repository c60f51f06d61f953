#!/usr/bin/env python3
"""The error-handling tutorial (examples/error-handling) gives AWS's results for every status code,
with the mock config and with the tutorial's real Python function, and the 429 run's history shows
three Call API attempts 1 s and 2 s apart, in virtual time too.

usage: example_error_handling.py ASLRUN EXAMPLE_DIR
Prints one line a problem and "N passed, N failed"; skips (77) without python3 for the handler.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

EXPECT = {
    "200": (0, '"The request has succeeded."\n', ""),
    "503": (1, "", "ServerUnavailable: The server is currently unable to handle the request.\n"),
    "429": (0, '"The request has succeeded."\n', ""),
    "999": (1, "", "An error of unknown type occurred: Unknown error!\n"),
}


def ms(ts):
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(round(t.timestamp() * 1000))


def check_429_history(path):
    with open(path) as f:
        events = json.load(f)["events"]
    attempts = [ms(e["timestamp"]) for e in events if e["type"] == "LambdaFunctionScheduled"]
    failures = [e for e in events if e["type"] == "LambdaFunctionFailed"]
    failed = [e["lambdaFunctionFailedEventDetails"]["error"] for e in failures]
    if len(attempts) != 4 or failed != ["TooManyRequestsException"] * 3:
        return "expected 3 failed attempts then a fourth call, got %d calls, errors %s" % (
            len(attempts), failed)
    # the back-off runs from a failure to the next call (the function's own time, real time
    # even in virtual time, is before the failure); aslrun's own work may add milliseconds
    ended = [ms(e["timestamp"]) for e in failures]
    gaps = [attempts[1] - ended[0], attempts[2] - ended[1]]
    if not (1000 <= gaps[0] < 1100 and 2000 <= gaps[1] < 2100):
        return "back-offs of %d ms and %d ms, expected 1000 and 2000" % tuple(gaps)
    types = [e["type"] for e in events]
    between = types[types.index("LambdaFunctionFailed"):types.index("TaskStateExited")]
    if "TaskStateEntered" in between:
        return "a retry exited and entered the state again: %s" % between
    return None


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[4], file=sys.stderr)
        return 2
    aslrun, example = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    if not shutil.which("python3"):
        print("python3 not found: skipped")
        return 77
    machine = os.path.join(example, "machine.json")
    mocks = os.path.join(example, "MockConfigFile.json")
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="example-") as tmp:
        for code, (rc, out, err) in sorted(EXPECT.items()):
            for how in ("mock", "python"):
                hist = os.path.join(tmp, "%s-%s.json" % (code, how))
                cmd = [aslrun, machine, "--input", '{"statuscode":"%s"}' % code, "--virtual-time",
                       "--history", hist]
                if how == "mock":
                    cmd += ["--mock-config", mocks, "--test-case", "Status" + code]
                p = subprocess.run(cmd, capture_output=True, timeout=60)
                got = (p.returncode, p.stdout.decode(), p.stderr.decode())
                why = None
                if got != (rc, out, err):
                    why = "got %r, expected %r" % (got, (rc, out, err))
                elif code == "429":
                    why = check_429_history(hist)
                if why:
                    failed += 1
                    print("FAIL %s with %s: %s" % (code, how, why))
                else:
                    passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
