#!/bin/sh
# Replays a fuzz target over its seed corpus (written now by tools/fuzz-seeds.py from the test
# data) and over the inputs it once failed on (tests/hardening/fuzz/TARGET, when present).
# usage: replay.sh REPLAY_PROGRAM TARGET SOURCE_ROOT WORK_DIR
set -eu
prog=$1 target=$2 root=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
python3 "$root/tools/fuzz-seeds.py" "$target" "$work" >/dev/null
if [ -d "$root/tests/hardening/fuzz/$target" ]; then
  exec "$prog" "$work" "$root/tests/hardening/fuzz/$target"
fi
exec "$prog" "$work"
