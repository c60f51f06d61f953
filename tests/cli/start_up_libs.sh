#!/bin/sh
# aslrun must not link libcurl or libcrypto: each costs every process milliseconds of start-up
# (more than a small execution takes), so both are loaded with dlopen when first needed
# (src/handlers/netlib.c, src/util/digest.c). Fails when a change links one again.
# usage: start_up_libs.sh ASLRUN
set -eu
needed=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
bad=$(echo "$needed" | grep -E '^lib(curl|crypto|ssl)' || true)
if [ -n "$bad" ]; then
  echo "aslrun links $bad at start-up; load it with dlopen when first needed instead"
  exit 1
fi
echo "$needed" | grep -q '^libuv' || { echo "no libuv among NEEDED: is $1 aslrun?"; exit 1; }
echo "ok: $(echo "$needed" | tr '\n' ' ')"
