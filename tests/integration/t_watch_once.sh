#!/bin/sh
# sockleak watch --once (and a non-tty stdout) prints one snapshot with every section.
. "$TESTDIR/lib.sh"

sections='^sockleak watch: ^meminfo ^memcg ^proc ^sockstat ^tcp ^sockets ^unix ^netstat ^cost.us ^slab.cache'

has_sections() {
	for s in $sections; do
		grep -q "$s" "$1" || { echo "missing section $s in:"; cat "$1"; return 1; }
	done
}

"$SOCKLEAK" watch --once --top 0 >"$TMP/once.txt" 2>"$TMP/once.err"
check "--once prints every section" has_sections "$TMP/once.txt"
check "--once sockstat shows TCP" grep -q '^  TCP: inuse [0-9]' "$TMP/once.txt"
check "--once meminfo shows Slab" grep -q 'Slab [0-9.]*[KMG]' "$TMP/once.txt"
check "no line past 100 columns (netstat folded into a table)" \
	awk 'length > 100 { print; bad = 1 } END { exit bad }' "$TMP/once.txt"
check "netstat: a table of counters" \
	awk '/^netstat / { n = 1; next } n && /^          [A-Za-z]/ { n++ } END { exit !(n > 2) }' \
	"$TMP/once.txt"
check "one sample: no +objs, objs/s or +bytes" sh -c "! grep -qE '[+]objs|objs/s|[+]bytes' '$TMP/once.txt'"

# stdout not a terminal: the same snapshot, no screen codes.
"$SOCKLEAK" watch --top 5 | cat >"$TMP/pipe.txt"
check "non-tty stdout prints a snapshot" has_sections "$TMP/pipe.txt"
check "no escape codes in the snapshot" sh -c "! grep -q \"$(printf '\033')\" '$TMP/pipe.txt'"

# Usage and runtime errors.
expect_exit 2 "$SOCKLEAK" watch --interval soon
expect_exit 2 "$SOCKLEAK" watch --sort loudest
expect_exit 2 "$SOCKLEAK" watch extra
expect_exit 3 "$SOCKLEAK" watch --once --pid 1073741823
expect_exit 3 "$SOCKLEAK" watch --once --netns /nonexistent/netns
"$SOCKLEAK" watch --help | grep -q -- '--netns' || die "--help lists --netns"

# Another process: its fds and RSS.
sleep 30 &
spid=$!
"$SOCKLEAK" watch --once --pid "$spid" >"$TMP/pid.txt"
kill "$spid"
check "--pid titles the view" grep -q "^sockleak watch: pid $spid" "$TMP/pid.txt"
check "--pid reads its fds" grep -q '^proc .*fds [0-9]' "$TMP/pid.txt"

if [ "$(id -u)" -eq 0 ]; then
	check "root: per-cache slab lines" grep -q '^s  *TCP ' "$TMP/once.txt"
	check "root: merged socket caches named" grep -q 'holds .*tcp_bind_bucket' "$TMP/once.txt"
	# Each header ends where its column's values end.
	aligned() {
		awk '/^   cache/ { h = $0; next }
		     h && /^[s ][* ] / {
			n = split("objs bytes size", w, " ")
			for (i = 1; i <= n; i++) {
				e = index(h, " " w[i]) + length(w[i])
				if (substr($0, e, 1) == " " || substr($0, e + 1, 1) ~ /[0-9A-Za-z.]/) {
					print "column " w[i] " not aligned:"; print h; print; exit 1
				}
			}
			ok = 1; exit 0
		     }
		     END { if (!ok) { print "no slab table header with values under it"; exit 1 } }' "$1"
	}
	check "slab table: headers aligned with their values" aligned "$TMP/once.txt"

	# A fresh netns: no TCP sockets at all there, whatever the host has.
	ns=sockleak-t-$$
	ip netns add "$ns"
	trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
	"$SOCKLEAK" watch --once --netns "$ns" >"$TMP/ns.txt"
	check "--netns NAME titles the view" grep -q "^sockleak watch: netns $ns" "$TMP/ns.txt"
	# inuse and tw are per netns (orphan, alloc and mem are the kernel's host-wide counts).
	check "--netns reads that namespace's sockstat" grep -q '^  TCP: inuse 0 orphan [0-9]* tw 0 ' "$TMP/ns.txt"
	check "--netns: sockets used there" grep -q '^  sockets: used [01]$' "$TMP/ns.txt"
	# The TCP states that matter are always listed, zeros included, for scripts to grep.
	for st in ESTABLISHED SYN_RECV FIN_WAIT1 FIN_WAIT2 CLOSE_WAIT LAST_ACK TIME_WAIT LISTEN; do
		check "--netns: $st 0 listed" grep -qE "(^tcp +| )$st 0( |\$)" "$TMP/ns.txt"
	done

	# Unprivileged: slabinfo says why, once; everything else still works.
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKLEAK" watch --once \
		>"$TMP/user.txt" 2>"$TMP/user.err"
	check "unprivileged: slabinfo says why" grep -q 'slabinfo needs root: per-cache figures off' "$TMP/user.err"
	check "unprivileged: said once" test "$(grep -c slabinfo "$TMP/user.err")" -eq 1
	check "unprivileged: other sections work" grep -q '^  TCP: inuse' "$TMP/user.txt"

	# Unprivileged and another netns: the per-netns probes say why, host-wide ones go on.
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKLEAK" watch --once --netns "$ns" \
		>"$TMP/userns.txt" 2>"$TMP/userns.err"
	check "unprivileged netns: sockstat says why" grep -q 'sockstat probe off: cannot enter the network namespace' "$TMP/userns.err"
	check "unprivileged netns: meminfo still there" grep -q '^meminfo .*Slab' "$TMP/userns.txt"
fi
