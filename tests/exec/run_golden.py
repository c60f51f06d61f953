#!/usr/bin/env python3
"""Golden executions: run each case of tests/exec/<area>/<behaviour>.json through aslrun and
compare with what it expects.

usage: run_golden.py ASLRUN PATH... [--filter SUBSTR]

A case is in the format of ../shared/conformance (see its README): "definition", "input",
"expect" ({"status", "output"} or {"status", "error", "cause"}), optional "history" (events in
order, each {"type"} with optional "name", "index", "error", "id", "previous", "elapsed" and
"elapsed_at_most" (ms since ExecutionStarted in virtual time, which real work may delay by
less than SLACK_MS) and "details" (members the event's details must have,
compared as values)), "duration_ms" (ExecutionStarted to the final event), plus "args" (more arguments for aslrun run) and "description". Task
handlers: "config" is written as DIR/aslrun.json (found beside the machine), "mock_config" as
DIR/mocks.json and passed with --mock-config and "test_case", "files" ({name: text}) are written
into DIR (handler scripts). In expected values, "<any>" matches any value and "<re:REGEX>" any
string that REGEX matches in full. Each case runs as

    aslrun run DIR/<case name>.json --input-file DIR/input.json --describe --virtual-time
           --history DIR/history.json [--mock-config DIR/mocks.json --test-case T] [args...]

so the state machine is named after the case file. Every history is also checked for what any
history must be: ids 1, 2, ... in order, each previousEventId smaller than its id, timestamps
that never go back, ExecutionStarted first and one final execution event last.
Prints one line per failing case and "N passed, N failed"; exits 1 when anything failed.
Python standard library only.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

ANY = "<any>"
FINAL = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


def same(exp, act):
    if isinstance(exp, str) and exp == ANY:
        return True
    if isinstance(exp, str) and exp.startswith("<re:") and exp.endswith(">"):
        return isinstance(act, str) and re.fullmatch(exp[4:-1], act, re.S) is not None
    if isinstance(exp, bool) or isinstance(act, bool):
        return isinstance(exp, bool) and isinstance(act, bool) and exp == act
    if isinstance(exp, (int, float)) and isinstance(act, (int, float)):
        return type(exp) is type(act) and exp == act
    if isinstance(exp, dict):
        return isinstance(act, dict) and set(exp) == set(act) and all(same(exp[k], act[k]) for k in exp)
    if isinstance(exp, list):
        return isinstance(act, list) and len(exp) == len(act) and all(same(e, a) for e, a in zip(exp, act))
    return type(exp) is type(act) and exp == act


def short(v, n=200):
    t = json.dumps(v, ensure_ascii=False)
    return t if len(t) <= n else t[: n - 3] + "..."


def check_result(expect, result):
    if not isinstance(result, dict):
        return "no --describe object on stdout"
    if result.get("status") != expect["status"]:
        return "status %s (%s: %s), expected %s" % (
            result.get("status"), result.get("error"), short(result.get("cause")), expect["status"])
    if expect["status"] == "SUCCEEDED":
        if not same(expect.get("output"), result.get("output")):
            return "output %s, expected %s" % (short(result.get("output")), short(expect.get("output")))
        return None
    for key in ("error", "cause"):
        if not same(expect.get(key), result.get(key)):
            return "%s %s, expected %s" % (key, short(result.get(key)), short(expect.get(key)))
    return None


def event_name(ev):
    for key, val in ev.items():
        if key.endswith("EventDetails") and isinstance(val, dict) and "name" in val:
            return val["name"]
    return None


def event_error(ev):
    for key, val in ev.items():
        if key.endswith("EventDetails") and isinstance(val, dict) and "error" in val:
            return val["error"]
    return None


def event_details(ev):
    for key, val in ev.items():
        if key.endswith("EventDetails") and isinstance(val, dict):
            return val
    return {}


def event_index(ev):
    return event_details(ev).get("index")


# virtual time is real time plus the waits it skipped, so real work (slower under sanitizers)
# may add a few milliseconds to an expected instant; it never takes any away
SLACK_MS = 100


def late_by(actual, expected):
    return not 0 <= actual - expected < SLACK_MS


def ms_of(ts):
    """Milliseconds of an ISO 8601 UTC timestamp with milliseconds (for elapsed times)."""
    import datetime
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(round(t.timestamp() * 1000))


def check_history_shape(events):
    if not events or events[0].get("type") != "ExecutionStarted":
        return "the history does not start with ExecutionStarted"
    if events[-1].get("type") not in FINAL:
        return "the history does not end with an execution event"
    last_ts = ""
    for i, ev in enumerate(events, 1):
        if ev.get("id") != i:
            return "event %d has id %s" % (i, ev.get("id"))
        prev = ev.get("previousEventId")
        if not isinstance(prev, int) or not 0 <= prev < i:
            return "event %d has previousEventId %s" % (i, prev)
        ts = ev.get("timestamp")
        if not isinstance(ts, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", ts):
            return "event %d has timestamp %s" % (i, short(ts))
        if ts < last_ts:
            return "event %d goes back in time (%s after %s)" % (i, ts, last_ts)
        last_ts = ts
        for key in ("input", "output"):
            for k, val in ev.items():
                if k.endswith("EventDetails") and isinstance(val, dict) and key in val:
                    try:
                        json.loads(val[key])
                    except (TypeError, ValueError):
                        return "event %d: %s.%s is not JSON text" % (i, k, key)
    return None


def check_history(expected, events):
    got = [(e.get("type"), event_name(e)) for e in events]
    want = [(e["type"], e.get("name")) for e in expected]
    if got != want:
        return "history %s, expected %s" % (short(got, 400), short(want, 400))
    start = ms_of(events[0]["timestamp"])
    for exp, ev in zip(expected, events):
        if "index" in exp and event_index(ev) != exp["index"]:
            return "%s has index %s, expected %s" % (exp["type"], event_index(ev), exp["index"])
        if "elapsed" in exp and late_by(ms_of(ev["timestamp"]) - start, exp["elapsed"]):
            return "%s (event %d) at %d ms, expected %d ms" % (
                exp["type"], ev["id"], ms_of(ev["timestamp"]) - start, exp["elapsed"])
        if "elapsed_at_most" in exp and ms_of(ev["timestamp"]) - start > exp["elapsed_at_most"]:
            return "%s (event %d) at %d ms, expected at most %d ms" % (
                exp["type"], ev["id"], ms_of(ev["timestamp"]) - start, exp["elapsed_at_most"])
        if "details" in exp:
            got_d = event_details(ev)
            for k, v in exp["details"].items():
                if k not in got_d or not same(v, got_d[k]):
                    return "%s (event %d) has %s %s, expected %s" % (
                        exp["type"], ev["id"], k, short(got_d.get(k)), short(v))
        if "error" in exp and event_error(ev) != exp["error"]:
            return "%s has error %s, expected %s" % (exp["type"], event_error(ev), exp["error"])
        if "id" in exp and ev.get("id") != exp["id"]:
            return "%s has id %s, expected %s" % (exp["type"], ev.get("id"), exp["id"])
        if "previous" in exp and ev.get("previousEventId") != exp["previous"]:
            return "%s has previousEventId %s, expected %s" % (
                exp["type"], ev.get("previousEventId"), exp["previous"])
    return None


def run_case(aslrun, path):
    with open(path, encoding="utf-8") as f:
        case = json.load(f)
    name = os.path.splitext(os.path.basename(path))[0]
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        def_path = os.path.join(tmp, name + ".json")
        in_path = os.path.join(tmp, "input.json")
        hist_path = os.path.join(tmp, "history.json")
        with open(def_path, "w", encoding="utf-8") as f:
            json.dump(case["definition"], f)
        with open(in_path, "w", encoding="utf-8") as f:
            json.dump(case.get("input", {}), f)
        cmd = [aslrun, "run", def_path, "--input-file", in_path, "--describe", "--virtual-time",
               "--history", hist_path]
        if "config" in case:
            with open(os.path.join(tmp, "aslrun.json"), "w", encoding="utf-8") as f:
                json.dump(case["config"], f)
        if "mock_config" in case:
            mock_path = os.path.join(tmp, "mocks.json")
            with open(mock_path, "w", encoding="utf-8") as f:
                json.dump(case["mock_config"], f)
            cmd += ["--mock-config", mock_path, "--test-case", case["test_case"]]
        for fname, text in case.get("files", {}).items():
            with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
                f.write(text)
        cmd += case.get("args", [])
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        except subprocess.TimeoutExpired:
            return "timed out"
        want_rc = 0 if case["expect"]["status"] == "SUCCEEDED" else 1
        if proc.returncode != want_rc:
            return "exit %d, expected %d; stderr: %s" % (
                proc.returncode, want_rc, proc.stderr.decode("utf-8", "replace").strip()[:300])
        try:
            result = json.loads(proc.stdout.decode("utf-8"))
        except ValueError:
            return "stdout is not one JSON object: %s" % short(proc.stdout.decode("utf-8", "replace"))
        why = check_result(case["expect"], result)
        if why:
            return why
        try:
            with open(hist_path, encoding="utf-8") as f:
                events = json.load(f)["events"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            return "history file unreadable: %s" % e
        why = check_history_shape(events)
        if why:
            return why
        if "duration_ms" in case:
            took = ms_of(events[-1]["timestamp"]) - ms_of(events[0]["timestamp"])
            if late_by(took, case["duration_ms"]):
                return "the execution took %d ms (virtual), expected %d ms" % (took, case["duration_ms"])
        if "history" in case:
            return check_history(case["history"], events)
    return None


def find(paths):
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append(p)
            continue
        for root, dirs, files in os.walk(p):
            dirs.sort()
            out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".json"))
    return out


def main(argv):
    flt = None
    if "--filter" in argv:
        i = argv.index("--filter")
        flt = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    aslrun, paths = os.path.abspath(argv[0]), argv[1:]
    passed = failed = 0
    for path in find(paths):
        if flt and flt not in path:
            continue
        try:
            why = run_case(aslrun, path)
        except (OSError, ValueError, KeyError) as e:
            why = "unreadable case: %s" % e
        if why:
            failed += 1
            print("FAIL %s: %s" % (path, why))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
