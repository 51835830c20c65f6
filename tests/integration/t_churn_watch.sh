#!/bin/sh
# churn --watch in tmux: the live view shows the pools the KB sequence pushes; q stops the churn,
# the summary follows; --csv records the same pools without a terminal.
. "$TESTDIR/lib.sh"
need_root
command -v tmux >/dev/null || skip "needs tmux"

s=sockleak-churnwatch-$$
export TMUX=
tmux -L "$s" new-session -d -s "$s" -x 150 -y 45 \
	"'$SOCKLEAK' churn --watch --seconds 60 --json '$TMP/c.json'; echo \$? >'$TMP/rc'; sleep 60"
trap 'tmux -L "$s" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

check "draws the churn view" wait_pane '^sockleak watch: churn'
check "shows TIME_WAIT sockets of the run's netns" wait_pane '^tcp .*TIME_WAIT [1-9]'
check "shows the slab table" wait_pane '^slab cache'
tmux -L "$s" send-keys -t "$s" q
i=0
while [ ! -s "$TMP/rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "q ends the churn long before its 60 s" test -s "$TMP/rc"
check "exit code 0" test "$(cat "$TMP/rc")" = 0
check "summary printed after the view" wait_pane '^  stopped by'
check "view gone" sh -c "! grep -q '^slab cache' '$TMP/pane.txt'"
check "stopped by request" test "$(jq -r .stopped_by "$TMP/c.json")" = request
check "cycles ran" test "$(jq .cycles "$TMP/c.json")" -gt 0

# Without a terminal: --watch is refused, --csv records the pools.
expect_exit 2 "$SOCKLEAK" churn --watch --seconds 1 </dev/null >/dev/null
"$SOCKLEAK" churn --quiet --ops 20000 --csv "$TMP/c.csv" --interval 50ms >/dev/null
check "CSV header names the run's columns" \
	sh -c "head -n 1 '$TMP/c.csv' | grep -q '^t,cycles,phase,.*sockstat.TCP.tw'"
col=$(head -n 1 "$TMP/c.csv" | tr ',' '\n' | grep -nx 'cycles' | cut -d: -f1)
last=$(tail -n 1 "$TMP/c.csv" | cut -d, -f"$col")
check "CSV rows carry the engine's cycles (last row: $last)" test "${last%.*}" -gt 0
