#!/bin/sh
# --target: churn against the user's own server (socat here), in the host's namespace.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root
command -v socat >/dev/null || skip "needs socat (scripts/deps.sh installs it)"

sock="$TMP/server.sock"
socat -u UNIX-LISTEN:"$sock",fork OPEN:/dev/null &
spid=$!
trap 'kill $spid 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
j="$TMP/t.json"
churn "$j" --transport unix --target "$sock" --ops 100
expect_jq "$j" ".cycles == 100 and .target == \"$sock\" and .peer == \"$sock\" and
	.netns == false and .listen == null" "100 cycles against the user's UNIX server"
