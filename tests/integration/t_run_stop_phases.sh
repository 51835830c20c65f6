#!/bin/sh
# Ctrl-C in churn moves the run on to quiesce and still gives a verdict on what ran; the phases
# it leaves are consistent (no negative length, no wrapped count); a second Ctrl-C ends quiesce.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq

# bg NAME ARGS...: sockleak run in the background, --server-threads 1 so that its churn shows as
# five tasks (main, server, sampler, client, controller); waits until it churns.
bg() {
	name=$1
	shift
	"$SOCKLEAK" run --quiet --server-threads 1 --json "$TMP/$name.json" "$@" \
		>"$TMP/$name.txt" 2>"$TMP/$name.err" &
	pid=$!
	wait_tasks $pid 5
}

# finish NAME WANT: waits for it; fails unless it exits WANT; shows what it wrote.
finish() {
	set +e
	wait $pid
	rc=$?
	set -e
	cat "$TMP/$1.txt" "$TMP/$1.err"
	[ $rc -eq "$2" ] || die "$1: expected exit $2, got $rc"
	echo "ok: $1 exits $2"
}

# The run, shorter: 5 s of churn, SIGINT 1 s into it (bg waited for the churn).
bg one --seconds 5 --baseline 0.5s --quiesce-max 3s
sleep 1
kill -INT $pid
finish one 130
grep -q "SIGINT: the loop stopped; quiescing for the verdict" "$TMP/one.err" ||
	die "the run does not say it moved on to quiesce"
rjq one '.run.stopped_by == "SIGINT" and .result.cycles > 0' "the JSON says SIGINT ended churn"
rjq one '[.phases[].name] == ["baseline", "churn", "quiesce"]' \
	"the run moved on to quiesce (and skipped teardown)"
rjq one 'all(.phases[]; .seconds >= 0)' "no phase has a negative length"
rjq one '(.phases | map(.cycles)) as $c | ($c == ($c | sort)) and all($c[]; . <= $c[-1]) and
	 $c[-1] == .result.cycles' "phase cycle counts never run backwards"
rjq one '.phases[2] as $q | $q.seconds > 0.2 and .series.rows > $q.row' \
	"quiesce ran and holds samples"
rjq one '.result.verdict != "INCONCLUSIVE" or .result.cycles_to_decide == null or
	.result.cycles_to_decide > .result.cycles' \
	"INCONCLUSIVE: a request for a longer run names more cycles than ran"
# The text's phases table: lengths and cycle counts as sane as the JSON's.
awk '/^Phases/ { on = 1; next } on && /^$/ { on = 0 } on && $2 ~ /^[0-9.-]+$/ {
	if ($4 < 0 || $6 > 1e12) { print "bad phase line: " $0; bad = 1 } } END { exit bad }' \
	"$TMP/one.txt" || die "the phases table has a negative length or a wrapped count"
echo "ok: the phases table is consistent"
says one "Interrupted by signal 2"

# A second Ctrl-C ends quiesce at once: what was measured is analysed and written.
bg two --seconds 30 --baseline 0.5s --quiesce-max 60s
sleep 0.5
kill -INT $pid
sleep 1
kill -INT $pid
t0=$(date +%s)
finish two 130
[ $(($(date +%s) - t0)) -le 10 ] || die "the second SIGINT did not end the run at once"
rjq two '[.phases[].name] == ["baseline", "churn", "quiesce"] and .phases[2].seconds < 30' \
	"the second SIGINT cut quiesce short"
rjq two '.result.verdict != null and .run.stopped_by == "SIGINT"' "the verdict was written"
