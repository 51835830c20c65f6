#!/bin/sh
# Every catalogue option, with its example value, works on every transport it is listed for.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

"$SOCKLEAK" churn --list-options | tail -n +2 >"$TMP/opts"
[ "$(wc -l <"$TMP/opts")" -ge 21 ] || die "catalogue too short"
n=0
while read -r syntax level example transports what; do
	name=${syntax%%=*}
	[ "$transports" = all ] && transports="tcp,tcp6,udp,udp6,unix,unix-dgram,mptcp"
	for t in $(echo "$transports" | tr ',' ' '); do
		j="$TMP/$name-$t.json"
		churn "$j" --transport $t --ops 20 \
			--sequence "socket,setsockopt:$name=$example,connect,send:1,close"
		jq -e '.cycles == 20' "$j" >/dev/null ||
			die "$name=$example on $t: $(jq -c .errors "$j")"
		n=$((n + 1))
	done
done <"$TMP/opts"
echo "ok: $n option and transport pairs ran without errors"
