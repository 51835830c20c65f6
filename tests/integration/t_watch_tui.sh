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

# Two samples: growth and rate columns, each header over its values; one slab row is enough
# to see that (numbers are right-aligned: a header ends where its values end).
check "growth and rate columns with two samples" wait_pane '+objs *objs/s'
aligned() {
	awk '/^   cache/ { h = $0; next }
	     h && /^[s ][* ] [^ ].* [-+0-9.]+[KMG]? *$/ {
		n = split("objs +objs objs/s bytes +bytes size", w, " ")
		for (i = 1; i <= n; i++) {
			e = index(h, " " w[i] " ") + length(w[i])
			if (!index(h, " " w[i] " ")) e = index(h, " " w[i]) + length(w[i])
			if (substr($0, e, 1) == " " || substr($0, e + 1, 1) ~ /[0-9A-Za-z.]/) {
				print "column " w[i] " not aligned:"; print h; print; exit 1
			}
		}
		ok = 1; exit 0
	     }
	     END { exit !ok }' "$TMP/pane.txt"
}
check "headers aligned with their values" aligned
tmux -L "$s" send-keys -t "$s" s
check "s sorts by size" wait_pane 'sort: size'
tmux -L "$s" send-keys -t "$s" r
check "r sorts by rate" wait_pane 'sort: rate'
# r sorts by what the objs/s column shows: its values descend, row after row.
descending() {
	n0=$(sed -n 's/.*samples \([0-9]*\).*/\1/p' "$TMP/pane.txt")
	wait_pane "samples $((n0 + 2))" >/dev/null
	awk '/^   cache/ { on = 1; next } on && /^[s ][* ] / {
		v = $(NF - 3) + 0
		if (seen && v > last + 1e-9) { print "objs/s rises: " last " then " v; exit 1 }
		last = v; seen = 1 }
	     END { exit !seen }' "$TMP/pane.txt"
}
check "r: rows in descending objs/s" descending
tmux -L "$s" send-keys -t "$s" g
check "g sorts by growth" wait_pane 'sort: growth'
tmux -L "$s" send-keys -t "$s" q
i=0
while [ ! -s "$TMP/rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "q quits" test -s "$TMP/rc"
check "exit code 0" test "$(cat "$TMP/rc")" = 0
tmux -L "$s" capture-pane -p -t "$s" >"$TMP/after.txt"
check "screen restored (no view left)" sh -c "! grep -q '^slab cache' '$TMP/after.txt'"

# A small terminal keeps the slab table, with fewer columns.
tmux -L "$s" kill-server 2>/dev/null
s=sockleak-tui-small-$$
trap 'tmux -L "$s" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
tmux -L "$s" new-session -d -s "$s" -x 64 -y 14 \
	"'$SOCKLEAK' watch --interval 200ms; sleep 60"
check "small terminal: the slab table is there" wait_pane '^slab caches'
check "small terminal: with cache rows" wait_pane '^[s ][* ] [^ ].* [0-9]'
check "small terminal: growth once there are two samples" wait_pane '^   cache.* [+]objs'
check "small terminal: the size column gave way" sh -c "! grep -q '^   cache.* size' '$TMP/pane.txt'"
check "small terminal: objs stayed" grep -q '^   cache.* objs' "$TMP/pane.txt"
tmux -L "$s" kill-server 2>/dev/null

# A change reads "NAME VALUE (+CHANGE)": a listener made in a namespace of our own moves its
# TCP figures by one, which the view shows with a blank before the parenthesis.
if [ "$(id -u)" -eq 0 ] && command -v socat >/dev/null; then
	ns=sockleak-tui-$$
	s=sockleak-tui-ns-$$
	ip netns add "$ns"
	cleanup() {
		set +e
		tmux -L "$s" kill-server 2>/dev/null
		[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
		ip netns del "$ns" 2>/dev/null
		rm -rf "$TMP"
		return 0
	}
	trap cleanup EXIT
	lpid=
	tmux -L "$s" new-session -d -s "$s" -x 150 -y 45 \
		"'$SOCKLEAK' watch --netns $ns --interval 200ms; sleep 60"
	check "netns view drawn" wait_pane 'samples [2-9]'
	ip netns exec "$ns" socat TCP-LISTEN:5555,reuseaddr /dev/null &
	lpid=$!
	check "tcp line: LISTEN 1 (+1)" wait_pane '^tcp .*LISTEN 1 (+1)'
	check "sockstat: inuse 1 (+1)" wait_pane 'TCP: inuse 1 (+1)'
	check "no change glued to its value" sh -c "! grep -q '[0-9](' '$TMP/pane.txt'"
	kill $lpid 2>/dev/null || true
fi
