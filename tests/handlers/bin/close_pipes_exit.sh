#!/bin/sh
# closes stdout and stderr without a word, then ends well
cat >/dev/null
exec 1>&- 2>&-
exit 0
