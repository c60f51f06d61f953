#!/bin/sh
# Runs the AWS-recorded corpus of ../shared/conformance through the built aslrun, then checks the
# recorded histories (history_check.py). With --handlers, the cases that call Lambda functions
# run too, each function written as a real Python handler (needs python3). The cases listed in
# known_failures.txt cannot pass (each line says why) and may fail, no others. The cases
# recorded on Express machines run as Express executions (aslrun run --express). Run from the
# source root; skipped (exit 77) where ../shared is not beside the clone.
# usage: tests/conformance/run.sh ASLRUN [--handlers]
set -eu
if [ ! -f ../shared/conformance-run ] || [ ! -d ../shared/conformance ]; then
  echo "../shared/conformance not found beside the source tree: skipped"
  exit 77
fi
aslrun=$1
shift
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
python3 ../shared/conformance-run "$aslrun" ../shared/conformance --arg=--virtual-time \
  --strict-cause "$@" >"$out" || true
# the cases recorded on Express machines, run as Express executions (aslrun run --express)
express=$(grep -rl '"machine_type": "EXPRESS"' ../shared/conformance | sort)
if [ -n "$express" ]; then
  # shellcheck disable=SC2086 # one argument a case file
  python3 ../shared/conformance-run "$aslrun" $express --express --arg=--express \
    --arg=--virtual-time --strict-cause "$@" >>"$out" || true
fi
cat "$out"
python3 - "$out" "$here/known_failures.txt" <<'PY' || status=1
import re, sys
failed = set()
for line in open(sys.argv[1]):
    m = re.match(r"FAIL \S*?/conformance/(\S+?): ", line)
    if m:
        failed.add(m.group(1))
known = set()
for line in open(sys.argv[2]):
    if line.strip() and not line.startswith("#"):
        known.add(line.split("\t")[0])
if not any(re.match(r"\d+ passed, \d+ failed", l) for l in open(sys.argv[1])):
    sys.exit("conformance-run printed no summary")
unexpected = sorted(failed - known)
for case in unexpected:
    print("unexpected failure: %s" % case)
sys.exit(1 if unexpected else 0)
PY
python3 "$here/history_check.py" "$aslrun" ../shared/conformance "$@" || status=1
exit $status
