#!/bin/sh
# Workers run in a namespace of their own and the caller's thread stays in the host's.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

host=$(readlink /proc/self/ns/net)
before=$(ns_snapshot)
"$SOCKLEAK" churn --seconds 30 --threads 2 --quiet >"$TMP/out" 2>&1 &
pid=$!
i=0
while [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
main=$(readlink /proc/$pid/task/$pid/ns/net)
others=$(for t in /proc/$pid/task/*; do readlink $t/ns/net; done | grep -Fxv "$host" | sort -u)
kill -INT $pid
set +e
wait $pid
set -e
[ "$main" = "$host" ] || die "the main thread left the host's namespace"
[ -n "$others" ] || die "no engine thread in a namespace of its own"
[ "$(echo "$others" | wc -l)" -eq 1 ] || die "engine threads in several namespaces: $others"
echo "ok: engine threads in $others, main thread in the host's"
[ "$(ns_snapshot)" = "$before" ] || die "network namespaces left behind"
echo "ok: the namespace is gone after exit"

j="$TMP/host.json"
churn "$j" --no-netns --ops 200 --transport unix
expect_jq "$j" '.netns == false and .cycles == 200' "--no-netns runs in the host's namespace"
