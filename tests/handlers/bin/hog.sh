#!/bin/sh
# a child that fills its memory 16 MB at a time (to 2 GB at most, should nothing stop it)
cat >/dev/null
exec python3 -c '
import time
blocks = []
for _ in range(128):
    blocks.append(b"x" * (16 << 20))
    time.sleep(0.005)
time.sleep(30)
'
