#!/bin/sh
# A second signal at any moment still leaves no memory cgroup or namespace behind and the JSON
# whole; churn runs in a memory cgroup of its own. SIGTERM, SIGHUP and three signals:
# t_run_stop_term.
. "$TESTDIR/lib.sh"
. "$TESTDIR/stop_lib.sh"
need_root
need_jq

# churn has its own memory cgroup, as run does.
start churn churn --seconds 20
[ -n "$cg" ] || die "churn is not in a memory cgroup of its own: $(cat /proc/$pid/cgroup)"
echo "ok: churn runs in its own memory cgroup ($cg)"
kill -TERM $pid
finish churn
[ $rc -eq 143 ] || die "churn SIGTERM: expected exit 143, got $rc"
jq -e '.stopped_by == "SIGTERM"' "$TMP/churn.json" >/dev/null || die "churn: stopped_by"
echo "ok: churn stopped by SIGTERM, cgroup gone"

# Two signals, the second 0-150 ms after the first: whatever arrives when, the cgroup and
# namespace go and the JSON is written whole.
trials=0
for d in 0 20 40 60 90 120 150; do
	# start waited for the client thread: the loop churns; 0.1 s of it, then the signals.
	start twice run --seconds 60 --baseline 0.5s --quiesce-max 60s --interval 20ms
	sleep 0.1
	kill -INT $pid
	sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -INT $pid 2>/dev/null || true
	finish "2 signals ${d}ms apart"
	[ $rc -eq 130 ] || die "2 signals ${d}ms apart: expected exit 130, got $rc"
	jq -e '.result.verdict != null' "$TMP/twice.json" >/dev/null ||
		die "2 signals ${d}ms apart: the JSON was not written"
	rm -f "$TMP/twice.json"
	trials=$((trials + 1))
done
echo "ok: $trials trials of two signals left no cgroup or namespace and a whole JSON"
