#!/bin/sh
cat >/dev/null
echo "line one" >&2
echo "something broke" >&2
exit 2
