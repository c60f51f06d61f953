#!/bin/sh
cat >/dev/null
echo '{"errorType": "BadInput", "errorMessage": "nope"}'
exit 1
