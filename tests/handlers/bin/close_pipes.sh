#!/bin/sh
# closes stdin, stdout and stderr, then goes on running until its timeout
exec 0<&- 1>&- 2>&-
sleep 30
