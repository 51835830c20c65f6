#!/bin/sh
# The memory guard stops a run's churn: the report says so first, the JSON says "stopped_by":
# "guard", and run exits 3 (as churn does). The shortage is faked through --guard-meminfo.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq

mi="$TMP/meminfo"
meminfo() {
	printf 'MemTotal:       25165824 kB\nMemFree:        %s kB\nMemAvailable:   %s kB\n' \
		"$1" "$1" >"$mi.new"
	mv "$mi.new" "$mi"
}

for cmd in run churn; do
	meminfo 20971520
	args="--seconds 60 --server-threads 1 --guard-meminfo $mi"
	[ $cmd = run ] && args="$args --baseline 0.5s --quiesce-max 2s"
	"$SOCKLEAK" $cmd --quiet --json "$TMP/$cmd.json" $args >"$TMP/$cmd.txt" 2>"$TMP/$cmd.err" &
	pid=$!
	tasks=5
	[ $cmd = churn ] && tasks=4
	wait_tasks $pid $tasks
	sleep 0.3
	# 100 MiB available: below the guard's floor of max(1 GiB, 10% of MemTotal).
	meminfo 102400
	t0=$(date +%s)
	set +e
	wait $pid
	rc=$?
	set -e
	cat "$TMP/$cmd.txt" "$TMP/$cmd.err"
	[ $rc -eq 3 ] || die "$cmd: expected exit 3 when the guard stops it, got $rc"
	[ $(($(date +%s) - t0)) -le 15 ] || die "$cmd: the guard did not stop the churn"
	echo "ok: $cmd exits 3"
	grep -q "memory guard: MemAvailable is 100 MiB" "$TMP/$cmd.err" ||
		die "$cmd: the guard's message is not on stderr"
done
head -n 1 "$TMP/run.txt" | grep -q "^Stopped early: memory guard: MemAvailable is 100 MiB" ||
	die "run: the report does not lead with the guard"
echo "ok: the run's report leads with the guard's stop"
rjq run '.run.stopped_by == "guard" and (.run.guard | test("MemAvailable is 100 MiB"))' \
	"run's JSON says the guard stopped it"
rjq run '.result.verdict != null and .result.cycles > 0' "run still gives a verdict on what ran"
jq -e '.stopped_by == "guard"' "$TMP/churn.json" >/dev/null || die "churn's JSON: stopped_by"
echo "ok: churn's JSON says the guard stopped it"
