#!/bin/sh
# Runs one node test of this folder against the npm packages pinned in package-lock.json, which
# `npm ci` installs once per build directory (under a lock: the node tests may start together).
# Skips (exit 77) when node or npm is missing: tools/install-deps installs them.
# Usage: run.sh SOURCE_DIR WORK_DIR SCRIPT.mjs ARGS...
set -eu
src=$1
work=$2
script=$3
shift 3
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "skipped: node and npm are needed (the AWS SDK for JavaScript drives aslrun serve)"
  exit 77
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "skipped: node $major is too old for the AWS SDK for JavaScript v3 (18 or later)"
  exit 77
fi
mkdir -p "$work"
(
  flock 9
  if [ ! -d "$work/node_modules" ] || ! cmp -s "$src/package-lock.json" "$work/package-lock.json"; then
    cp "$src/package.json" "$src/package-lock.json" "$work/"
    rm -rf "$work/node_modules"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  cp "$src/$script" "$work/$script"
) 9>"$work/.lock"
cd "$work"
exec node "$work/$script" "$@"
