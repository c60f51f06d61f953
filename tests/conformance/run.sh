#!/bin/sh
# Runs the AWS-recorded corpus of ../shared/conformance through the built aslrun, leaving out the
# features of later milestones. Run from the source root; skipped (exit 77) where ../shared is
# not beside the clone. usage: tests/conformance/run.sh ASLRUN
set -eu
if [ ! -f ../shared/conformance-run ] || [ ! -d ../shared/conformance ]; then
  echo "../shared/conformance not found beside the source tree: skipped"
  exit 77
fi
exec python3 ../shared/conformance-run "$1" ../shared/conformance --arg=--virtual-time \
  --without task,map,parallel,intrinsic,jsonata,variables
