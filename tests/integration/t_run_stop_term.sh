#!/bin/sh
# SIGTERM and SIGHUP end a run at once with its reports (no quiesce). Three signals 0-150 ms apart
# during churn: the third leaves at once, and still no memory cgroup or namespace is left behind,
# and a report file is whole or absent.
. "$TESTDIR/lib.sh"
. "$TESTDIR/stop_lib.sh"
need_root
need_jq

# SIGTERM and SIGHUP: no quiesce to wait for; the reports are written, exit 128+N.
for sig in TERM HUP; do
	start $sig run --seconds 60 --baseline 0.5s --quiesce-max 60s
	sleep 0.3
	kill -$sig $pid
	t0=$(date +%s)
	finish $sig
	cat "$TMP/$sig.txt" "$TMP/$sig.err"
	want=143
	[ $sig = HUP ] && want=129
	[ $rc -eq $want ] || die "SIG$sig: expected exit $want, got $rc"
	[ $(($(date +%s) - t0)) -le 10 ] || die "SIG$sig: the run did not end at once"
	rjq $sig ".run.stopped_by == \"SIG$sig\" and .result.verdict != null and
		([.phases[].name] == [\"baseline\", \"churn\"])" "SIG$sig: reports written, no quiesce"
	says $sig "Interrupted by signal"
done

trials=0
for d in 0 50 100 150; do
	start thrice run --seconds 60 --baseline 0.5s --quiesce-max 60s --interval 20ms
	sleep 0.1
	for k in 1 2 3; do
		[ $k -eq 1 ] || sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1000 }')"
		kill -INT $pid 2>/dev/null || true
	done
	finish "3 signals ${d}ms apart"
	[ $rc -eq 130 ] || die "3 signals ${d}ms apart: expected exit 130, got $rc"
	if [ -e "$TMP/thrice.json" ]; then
		jq -e '.schema' "$TMP/thrice.json" >/dev/null ||
			die "3 signals ${d}ms apart: a partial JSON was left"
	fi
	rm -f "$TMP/thrice.json"
	trials=$((trials + 1))
done
echo "ok: $trials trials of three signals left no cgroup, namespace or partial JSON"
