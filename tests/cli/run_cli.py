#!/usr/bin/env python3
"""CLI cases: run aslrun with the arguments, files and standard input of each case in
tests/cli/cases/*.json and compare its exit status, stdout and stderr.

usage: run_cli.py ASLRUN CASES_DIR [--filter SUBSTR]

A case (one behaviour a file):
  "description": what it shows
  "files":   {"name": "text" or any JSON value (written as JSON)}, created in an empty
             directory that is the working directory of the run
  "args":    the arguments after "aslrun"
  "stdin":   text on standard input (default: nothing)
  "signal":  {"name": "SIGINT", "after": 0.5}: send it that many seconds after the start
  "env":     {"NAME": "value"}: added to the environment
  "tty":     true: stdout is a terminal (a pseudo-terminal; its "\r\n" read as "\n")
  "exit":    the expected exit status
  "stdout", "stderr": the exact text, or {"re": REGEX} (whole text), or {"json": VALUE}
             (stdout parsed as JSON; "<any>" and "<re:REGEX>" wildcards inside VALUE)
  "after":   {"file": expectation as for stdout}: files the run must leave behind
  "no_process_left": TEXT: no process whose command line holds TEXT may outlive the run
Prints a line per failing case and "N passed, N failed". Python standard library only.
"""

import json
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import time

ANY = "<any>"


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


def match(what, exp, text):
    """None when [text] meets [exp], else why not."""
    if isinstance(exp, str):
        return None if text == exp else "%s:\n--- got\n%s--- expected\n%s---" % (what, text, exp)
    if "re" in exp:
        return None if re.fullmatch(exp["re"], text, re.S) else "%s does not match /%s/:\n%s" % (
            what, exp["re"], text)
    if "json" in exp:
        try:
            value = json.loads(text)
        except ValueError:
            return "%s is not JSON:\n%s" % (what, text)
        return None if same(exp["json"], value) else "%s:\n--- got\n%s\n--- expected\n%s" % (
            what, json.dumps(value), json.dumps(exp["json"]))
    return "bad expectation for %s" % what


def run_case(aslrun, case):
    with tempfile.TemporaryDirectory(prefix="cli-") as tmp:
        for name, content in case.get("files", {}).items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
        stdin = case.get("stdin")
        tty = case.get("tty", False)
        if tty:
            master, slave = pty.openpty()
        env = dict(os.environ, **case.get("env", {}))
        proc = subprocess.Popen([aslrun] + case["args"], cwd=tmp, env=env,
                                stdout=slave if tty else subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if tty:
            os.close(slave)
        sig = case.get("signal")
        try:
            if sig:
                time.sleep(sig["after"])
                proc.send_signal(getattr(signal, sig["name"]))
            out, err = proc.communicate(stdin.encode("utf-8") if stdin is not None else None,
                                        timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return "timed out"
        if tty:
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the other end is closed
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            os.close(master)
            out = b"".join(chunks).replace(b"\r\n", b"\n")
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        problems = []
        if proc.returncode != case["exit"]:
            problems.append("exit %d, expected %d" % (proc.returncode, case["exit"]))
        for what, text in (("stdout", out), ("stderr", err)):
            why = match(what, case.get(what, ""), text)
            if why:
                problems.append(why)
        left = case.get("no_process_left")
        if left:
            time.sleep(0.2)  # a killed child is reaped by its parent; give the kernel a moment
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
                except OSError:
                    continue
                if left in cmdline and "run_cli.py" not in cmdline:
                    problems.append("process %s left behind: %s" % (pid, cmdline.strip()))
                    os.kill(int(pid), signal.SIGKILL)
        for name, exp in case.get("after", {}).items():
            try:
                with open(os.path.join(tmp, name), encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                problems.append("%s: %s" % (name, e))
                continue
            why = match(name, exp, text)
            if why:
                problems.append(why)
        return "\n  ".join(problems) if problems else None


def main(argv):
    flt = None
    if "--filter" in argv:
        i = argv.index("--filter")
        flt = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) != 2:
        print("usage: run_cli.py ASLRUN CASES_DIR [--filter SUBSTR]", file=sys.stderr)
        return 2
    aslrun = os.path.abspath(argv[0])
    passed = failed = 0
    for name in sorted(os.listdir(argv[1])):
        if not name.endswith(".json") or (flt and flt not in name):
            continue
        path = os.path.join(argv[1], name)
        try:
            with open(path, encoding="utf-8") as f:
                case = json.load(f)
            why = run_case(aslrun, case)
        except (OSError, ValueError, KeyError) as e:
            why = "unreadable case: %s" % e
        if why:
            failed += 1
            print("FAIL %s: %s" % (name, why))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
