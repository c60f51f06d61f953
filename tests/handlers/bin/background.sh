#!/bin/sh
# leaves a child holding stdout open; aslrun must neither wait for it nor leave it behind
sleep 30 &
echo "$!" > "$1"
echo '{"ok": true}'
