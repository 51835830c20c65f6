#!/bin/sh
# SIGINT and SIGTERM stop churn cleanly: summary and JSON written, threads and namespace gone.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

before=$(ns_snapshot)
for sig in INT TERM; do
	j="$TMP/$sig.json"
	"$SOCKLEAK" churn --seconds 120 --threads 2 --json "$j" >"$j.txt" 2>"$j.err" &
	pid=$!
	# Wait until it churns (its client threads exist), then signal it.
	i=0
	while [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	kill -$sig $pid
	set +e
	wait $pid
	rc=$?
	set -e
	cat "$j.txt"
	want=130
	[ $sig = TERM ] && want=143
	[ $rc -eq $want ] || die "SIG$sig: expected exit $want, got $rc"
	grep -q "stopped by    SIG$sig" "$j.txt" || die "SIG$sig: summary lacks the stop cause"
	expect_jq "$j" ".stopped_by == \"SIG$sig\" and .cycles > 0 and .seconds < 60" \
		"SIG$sig: JSON written with the stop cause"
	[ ! -d /proc/$pid ] || die "SIG$sig: process still there"
done
[ "$(ns_snapshot)" = "$before" ] || die "network namespaces left behind"
echo "ok: no namespace left behind"
