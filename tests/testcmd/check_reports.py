#!/usr/bin/env python3
"""`aslrun test --junit` is valid JUnit XML (checked with xmllint against junit.xsd) and `--tap`
is valid TAP version 13 (checked by the small TAP parser below), on fixtures with passing,
failing, skipped and unrunnable cases, an unusable file, and text that needs escaping.

usage: check_reports.py ASLRUN FIXTURES_DIR XSD junit|tap
Exits 77 (skipped) for junit when xmllint (Debian's libxml2-utils) is missing."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(aslrun, fixtures, extra):
    return subprocess.run([aslrun, "test", "-j", "3"] + extra + [fixtures], capture_output=True,
                          text=True, timeout=120)


def check_junit(aslrun, fixtures, xsd):
    if not shutil.which("xmllint"):
        print("xmllint not found (Debian package libxml2-utils): skipped")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.xml")
        p = run(aslrun, fixtures, ["--junit", out])
        if p.returncode != 1:
            print("exit %d, expected 1 (a case fails)\n%s%s" % (p.returncode, p.stdout, p.stderr))
            return 1
        v = subprocess.run(["xmllint", "--noout", "--schema", xsd, out], capture_output=True,
                           text=True)
        if v.returncode != 0:
            print("not valid JUnit XML:\n%s" % v.stderr)
            return 1
        text = open(out, encoding="utf-8").read()
        # what CI systems read: counts, names escaped and back, the failure's message
        import xml.etree.ElementTree as ET
        root = ET.fromstring(text)
        suites = root.findall("testsuite")
        names = [c.get("name") for s in suites for c in s.findall("testcase")]
        want = ["(test file)", "nothing to do <&>", 'review "quoted" # not a directive',
                "wrong on purpose", "rejected with a bad item", "a malformed mock", "later"]
        problems = []
        if names != want:
            problems.append("test case names %s, expected %s" % (names, want))
        if (root.get("tests"), root.get("failures"), root.get("errors")) != ("7", "1", "2"):
            problems.append("testsuites counts %s" % dict(root.attrib))
        fail = [c for s in suites for c in s.findall("testcase") if c.find("failure") is not None]
        if len(fail) != 1 or not fail[0].find("failure").get("message").startswith(
                'output differs: expected "not reviewed \\u0001 <b>", got "reviewed"'):
            problems.append("failure message: %r" % [f.find("failure").get("message") for f in fail])
        skipped = [c for s in suites for c in s.findall("testcase") if c.find("skipped") is not None]
        if len(skipped) != 1 or skipped[0].find("skipped").get("message") != "not written yet":
            problems.append("skipped: %r" % skipped)
        for p_ in problems:
            print(p_)
        return 1 if problems else 0


YAML_LINE = re.compile(r'^  (  - |    )?[a-z_]+: (".*"|-?[0-9.]+)$|^  [a-z_]+:$')


def parse_tap(text):
    """A small TAP 13 parser: returns (plan, points) or raises ValueError with the line."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "TAP version 13":
        raise ValueError("first line is not 'TAP version 13'")
    plan = None
    points = []
    in_yaml = False
    for n, line in enumerate(lines[1:], 2):
        if in_yaml:
            if line == "  ...":
                in_yaml = False
                continue
            if not YAML_LINE.match(line):
                raise ValueError("line %d: not a YAML line of the block: %r" % (n, line))
            m = re.match(r'^  (?:  - |    )?[a-z_]+: (".*")$', line)
            if m:
                json.loads(m.group(1))  # a YAML double-quoted scalar written with JSON's escapes
            continue
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            if plan is not None:
                raise ValueError("line %d: a second plan" % n)
            plan = int(m.group(1))
            continue
        m = re.match(r"^(not ok|ok) (\d+)(?: - ((?:[^#\\]|\\.)*))?(?: # (SKIP|TODO)\b ?(.*))?$", line)
        if m:
            if int(m.group(2)) != len(points) + 1:
                raise ValueError("line %d: test point %s out of order" % (n, m.group(2)))
            points.append((m.group(1) == "ok", m.group(3), m.group(4)))
            continue
        if line == "  ---":
            if not points:
                raise ValueError("line %d: YAML block before any test point" % n)
            in_yaml = True
            continue
        if line.startswith("#"):
            continue
        raise ValueError("line %d: not TAP: %r" % (n, line))
    if in_yaml:
        raise ValueError("a YAML block is not closed")
    if plan is None or plan != len(points):
        raise ValueError("plan %s for %d test points" % (plan, len(points)))
    return plan, points


def check_tap(aslrun, fixtures):
    p = run(aslrun, fixtures, ["--tap"])
    if p.returncode != 1:
        print("exit %d, expected 1\n%s%s" % (p.returncode, p.stdout, p.stderr))
        return 1
    try:
        plan, points = parse_tap(p.stdout)
    except ValueError as e:
        print("invalid TAP: %s\n%s" % (e, p.stdout))
        return 1
    got = [(ok, desc, directive) for ok, desc, directive in points]
    want = [(False, "%s/broken.test.json" % fixtures, None),
            (True, "%s/mixed.test.json: nothing to do <&>" % fixtures, None),
            (True, '%s/mixed.test.json: review "quoted" \\# not a directive' % fixtures, None),
            (False, "%s/mixed.test.json: wrong on purpose" % fixtures, None),
            (True, "%s/mixed.test.json: rejected with a bad item" % fixtures, None),
            (False, "%s/mixed.test.json: a malformed mock" % fixtures, None),
            (True, "%s/mixed.test.json: later" % fixtures, "SKIP")]
    if got != want:
        print("test points:\n%s\nexpected:\n%s" % ("\n".join(map(str, got)), "\n".join(map(str, want))))
        return 1
    # the parser itself refuses broken TAP
    for bad in ("TAP version 13\n1..2\nok 1\n", "TAP version 13\n1..1\nok 2\n",
                "TAP version 13\n1..1\nnot ok 1\n  ---\n  message: x\n  ...\n", "1..1\nok 1\n",
                "TAP version 13\n1..1\nok 1\n  ---\n  message: \"x\"\n"):
        try:
            parse_tap(bad)
        except ValueError:
            continue
        print("the TAP parser accepted %r" % bad)
        return 1
    return 0


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[4], file=sys.stderr)
        return 2
    aslrun, fixtures, xsd, what = os.path.abspath(argv[0]), argv[1], argv[2], argv[3]
    return check_junit(aslrun, fixtures, xsd) if what == "junit" else check_tap(aslrun, fixtures)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
