#!/bin/sh
# dies of a segmentation fault, as a crashing native program does
cat >/dev/null
kill -SEGV $$
