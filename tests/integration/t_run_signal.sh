#!/bin/sh
# SIGINT during churn: the run still writes its JSON and exits 130, netns and cgroup gone.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq

before=$(ns_snapshot)
j="$TMP/int.json"
"$SOCKLEAK" run --seconds 120 --quiesce-max 5s --quiet --json "$j" >"$TMP/int.txt" 2>"$TMP/int.err" &
pid=$!
# Wait until it churns (client threads up, cycles counted), then interrupt it.
i=0
while [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 4
cg=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "sockleak.$pid" 2>/dev/null | head -n 1)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
cat "$TMP/int.txt" "$TMP/int.err"
[ $rc -eq 130 ] || die "SIGINT: expected exit 130, got $rc"
echo "ok: exit 130"
jq -e '.schema == 3 and .result.cycles > 0 and (.series.rows > 10)' "$j" >/dev/null ||
	die "SIGINT: JSON not written with the series"
echo "ok: JSON written with what was measured"
grep -q "Interrupted by signal 2" "$TMP/int.txt" || die "SIGINT: the report does not say so"
echo "ok: the report says it was interrupted"
"$SOCKLEAK" report "$j" --text | cmp -s - "$TMP/int.txt" ||
	die "SIGINT: the text re-rendered from the JSON differs from what the run printed"
echo "ok: the report of its JSON is the text it printed"
[ ! -d /proc/$pid ] || die "SIGINT: process still there"
[ "$(ns_snapshot)" = "$before" ] || die "SIGINT: network namespace left behind"
echo "ok: no namespace left behind"
if [ -n "$cg" ]; then
	[ ! -d "$cg" ] || die "SIGINT: cgroup $cg left behind"
	echo "ok: cgroup $cg removed"
else
	echo "ok: no cgroup was made (none available)"
fi
