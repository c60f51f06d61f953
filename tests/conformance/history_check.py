#!/usr/bin/env python3
"""History check of the AWS-recorded conformance corpus: for every case that carries a recorded
"history", run it through aslrun with --history and compare the event types, state names, Map
iteration indexes and error names with AWS's, in order.

usage: history_check.py ASLRUN CORPUS [--handlers] [--without F1,F2] [--filter SUBSTR] [--verbose]

A case matches:
  exact        the same events in the same order;
  interleaved  the same events, in an order that differs only where AWS's own order is not
               meaningful (shared/conformance/README.md, "Caveats"): events of concurrent Parallel
               branches or Map iterations may interleave, and the recorder re-sorted some Parallel
               histories. Checked as: the same events, in the same order outside Parallel and Map
               states, and the same multiset inside each of them;
  recorded-incomplete
               the recording lacks events AWS emits (the Parallel recordings have no
               ParallelStateSucceeded/Failed and, when nested, no inner ParallelStateExited);
               checked as: every recorded event is in our history, in the same order modulo the
               interleaving above, and what is missing is only those events.
Anything else is a mismatch and fails the check. --handlers runs the cases that need Lambda
functions too, writing each as a Python handler mapped in an aslrun.json (as conformance-run does).
Prints one line a mismatch and the counts; exits 1 if any case mismatched. Standard library only.
"""

import collections
import json
import os
import re
import subprocess
import sys
import tempfile

FEATURES = ("task", "map", "parallel", "intrinsic", "jsonata", "variables")
# events AWS records that the corpus's Parallel recordings left out
MISSING_IN_RECORDINGS = ("ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateExited")

HANDLER_TEMPLATE = """import json, time

BEHAVIOUR = json.loads(%r)


def handler(event, context):
    if BEHAVIOUR.get("sleep_seconds"):
        time.sleep(BEHAVIOUR["sleep_seconds"])
    if "raises" in BEHAVIOUR:
        error = BEHAVIOUR["raises"]
        raise type(error["error"], (Exception,), {})(error["message"])
    if "returns" in BEHAVIOUR:
        return BEHAVIOUR["returns"]
    if "payload" in BEHAVIOUR:
        return json.loads(BEHAVIOUR["payload"])
    return event
"""


def features(definition):
    text = json.dumps(definition)
    found = set()
    for kind in ("Task", "Map", "Parallel"):
        if re.search(r'"Type": "%s"' % kind, text):
            found.add(kind.lower())
    if re.search(r"States\.[A-Z][A-Za-z0-9]*\(", text):
        found.add("intrinsic")
    if '"JSONata"' in text or "{%" in text:
        found.add("jsonata")
    if '"Assign"' in text:
        found.add("variables")
    return found


def write_handlers(case, folder):
    functions = {}
    for i, (key, behaviour) in enumerate(sorted(case.get("handlers", {}).items())):
        if "payload_repeat" in behaviour:
            return None
        module = "fn_%d" % i
        with open(os.path.join(folder, module + ".py"), "w") as f:
            f.write(HANDLER_TEMPLATE % json.dumps(behaviour))
        m = re.match(r"arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)", key)
        functions[m.group(1) if m else key] = {"python": module + ".handler", "timeout": 900}
    path = os.path.join(folder, "aslrun.json")
    with open(path, "w") as f:
        json.dump({"functions": functions}, f)
    return path


def reduce(events):
    """Our history in the corpus's reduced form: (type, name, index, error)."""
    out = []
    for ev in events:
        name = index = error = None
        for key, val in ev.items():
            if key.endswith("EventDetails") and isinstance(val, dict):
                name = val.get("name")
                index = val.get("index")
                error = val.get("error")
        out.append((ev["type"], name, index, error))
    return out


def key_of(e, with_error):
    return (e[0], e[1], e[2], e[3] if with_error else None)


def recorded(case):
    return [(h["type"], h.get("name"), h.get("index"), h.get("error")) for h in case["history"]]


OPEN = ("ParallelStateEntered", "MapStateEntered")
CLOSE = {"ParallelStateEntered": "ParallelStateExited", "MapStateEntered": "MapStateExited"}


def canonical(seq):
    """A history with the inside of every top-level Parallel or Map state (from its *Entered to
    its *Exited, or to the execution's end) replaced by the sorted multiset of its events: two
    histories that differ only in how concurrent branches or iterations interleaved, or in how
    the recorder sorted a Parallel, are then equal."""
    out = []
    i = 0
    while i < len(seq):
        e = seq[i]
        out.append(e)
        i += 1
        if e[0] not in OPEN:
            continue
        close = (CLOSE[e[0]], e[1])
        depth = 1
        inner = []
        while i < len(seq):
            t = seq[i]
            if (t[0], t[1]) == (e[0], e[1]):
                depth += 1
            elif (t[0], t[1]) == close:
                depth -= 1
                if depth == 0:
                    break
            elif t[0].startswith("Execution"):
                break
            inner.append(t)
            i += 1
        out.append(tuple(sorted(inner, key=repr)))
    return out


def compare(want, got):
    """'exact', 'interleaved', 'recorded-incomplete', or None (a mismatch). Errors are compared
    where the recording has one."""
    def plain(seq):
        return [key_of(e, False) for e in seq]
    errors_ok = all(w[3] is None or w[3] == g[3] for w, g in zip(want, got))
    if plain(want) == plain(got) and errors_ok:
        return "exact"
    want_c = collections.Counter(plain(want))
    got_c = collections.Counter(plain(got))
    if want_c == got_c and canonical(plain(want)) == canonical(plain(got)):
        return "interleaved"
    surplus = got_c - want_c
    if (any(e[0].startswith("Parallel") for e in want) and surplus and not (want_c - got_c)
            and all(k[0] in MISSING_IN_RECORDINGS for k in surplus)):
        trimmed = []
        for e in reversed(plain(got)):
            if surplus.get(e, 0) > 0:
                surplus[e] -= 1
                continue
            trimmed.append(e)
        trimmed.reverse()
        if canonical(trimmed) == canonical(plain(want)):
            return "recorded-incomplete"
    return None


def run(aslrun, path, case, use_handlers, timeout):
    with tempfile.TemporaryDirectory(prefix="history-") as tmp:
        d = os.path.join(tmp, "definition.json")
        i = os.path.join(tmp, "input.json")
        h = os.path.join(tmp, "history.json")
        with open(d, "w") as f:
            json.dump(case["definition"], f)
        with open(i, "w") as f:
            json.dump(case.get("input", {}), f)
        cmd = [aslrun, "run", d, "--input-file", i, "--describe", "--virtual-time", "--history", h]
        if use_handlers and "handlers" in case:
            config = write_handlers(case, tmp)
            if config is None:
                return None
            cmd += ["--config", config]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timed out"
        try:
            with open(h) as f:
                return json.load(f)["events"]
        except (OSError, ValueError, KeyError):
            return "no history written"


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = [a for a in argv if a.startswith("--")]
    flt = None
    without = set()
    for j, a in enumerate(argv):
        if a == "--filter":
            flt = argv[j + 1]
            args.remove(flt)
        if a == "--without":
            without = set(argv[j + 1].split(","))
            args.remove(argv[j + 1])
    if len(args) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    aslrun, corpus = os.path.abspath(args[0]), args[1]
    use_handlers = "--handlers" in opts
    verbose = "--verbose" in opts
    counts = collections.Counter()
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, name)
            if flt and flt not in path:
                continue
            with open(path) as f:
                case = json.load(f)
            if not isinstance(case, dict) or "history" not in case or "definition" not in case:
                continue
            if features(case["definition"]) & without:
                continue
            if "handlers" in case and not use_handlers:
                continue
            if case.get("machine_type") == "EXPRESS":
                continue
            events = run(aslrun, path, case, use_handlers,
                         max(30.0, float(case.get("timeout_seconds", 0))))
            if events is None:
                counts["skipped"] += 1
                continue
            if isinstance(events, str):
                counts["mismatch"] += 1
                print("MISMATCH %s: %s" % (path, events))
                continue
            want = recorded(case)
            got = reduce(events)
            how = compare(want, got)
            if how is None:
                counts["mismatch"] += 1
                print("MISMATCH %s:\n  aws:    %s\n  aslrun: %s" % (
                    path, [e[0] + ("(%s)" % e[1] if e[1] else "") for e in want],
                    [e[0] + ("(%s)" % e[1] if e[1] else "") for e in got]))
            else:
                counts[how] += 1
                if verbose and how != "exact":
                    print("%s %s" % (how.upper(), path))
    total = sum(counts[k] for k in ("exact", "interleaved", "recorded-incomplete", "mismatch"))
    print("%d histories: %d exact, %d interleaved, %d recorded-incomplete, %d mismatched%s" % (
        total, counts["exact"], counts["interleaved"], counts["recorded-incomplete"],
        counts["mismatch"], ", %d skipped" % counts["skipped"] if counts["skipped"] else ""))
    return 1 if counts["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
