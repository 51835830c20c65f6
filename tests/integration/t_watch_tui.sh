#!/bin/sh
# Drives the live view in tmux: it draws every section, sort keys switch, q quits cleanly.
. "$TESTDIR/lib.sh"
command -v tmux >/dev/null || skip "needs tmux"

s=sockleak-tui-$$
export TMUX=
tmux -L "$s" new-session -d -s "$s" -x 150 -y 45 \
	"'$SOCKLEAK' watch --interval 200ms; echo \$? >'$TMP/rc'; sleep 60"
trap 'tmux -L "$s" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

check "draws the header" wait_pane '^sockleak watch: host'
for sec in '^meminfo' '^sockstat' '^tcp' '^unix' '^netstat' '^slab cache'; do
	check "draws $sec" wait_pane "$sec"
done
check "starts sorted by growth" wait_pane 'sort: growth'
check "samples go on" wait_pane 'samples [3-9]'
tmux -L "$s" send-keys -t "$s" s
check "s sorts by size" wait_pane 'sort: size'
tmux -L "$s" send-keys -t "$s" r
check "r sorts by rate" wait_pane 'sort: rate'
tmux -L "$s" send-keys -t "$s" g
check "g sorts by growth" wait_pane 'sort: growth'
tmux -L "$s" send-keys -t "$s" q
i=0
while [ ! -s "$TMP/rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "q quits" test -s "$TMP/rc"
check "exit code 0" test "$(cat "$TMP/rc")" = 0
tmux -L "$s" capture-pane -p -t "$s" >"$TMP/after.txt"
check "screen restored (no view left)" sh -c "! grep -q '^slab cache' '$TMP/after.txt'"
