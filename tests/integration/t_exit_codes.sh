#!/bin/sh
# The exit-code table, row by row, and which code wins when several apply: 2 before any work, then
# 128+N (a signal, even after a handled Ctrl-C that still gave a verdict), then 3 (a runtime error,
# the memory guard, an output that did not arrive), then 1 (the verdict), then 0; and that the
# table, with that order, is where users read it: --help, run --help, sockleak(1), README.
. "$TESTDIR/lib.sh"
need_root
command -v jq >/dev/null || skip "needs jq"

data="$TESTDIR/../data"
leak="$data/synthetic-leak.json"
clean="$data/synthetic-clean.json"
short="--quiet --seconds 1 --baseline 0.5s --quiesce-max 1s --no-teardown --server-threads 1"

# code WANT WHAT COMMAND...: runs it (stdout to $TMP/out) and checks its exit code.
code() {
	want=$1
	what=$2
	shift 2
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || { cat "$TMP/err"; die "$what: exit $got, expected $want"; }
	echo "ok: $what: $want"
}

# reap PID: waits for the background command; its exit code in $got.
reap() {
	set +e
	wait "$1"
	got=$?
	set -e
}

# to_closed_pipe CMD...: runs it with stdout a pipe nobody reads any more; its exit code in $got.
to_closed_pipe() {
	{
		sleep 0.3
		set +e
		"$@" 2>"$TMP/err"
		echo $? >"$TMP/rc"
	} | (exec 0<&-)
	got=$(cat "$TMP/rc")
}

# The table says which code wins.
"$SOCKLEAK" --help | tr '\n' ' ' | grep -q "When several apply: 128+N, then 3, then 1" ||
	die "sockleak --help does not say which exit code wins"
"$SOCKLEAK" run --help | tr '\n' ' ' |
	grep -q "When several apply: 128+N (even after a Ctrl-C that still gave a verdict), then 3" ||
	die "sockleak run --help does not say which exit code wins"
if command -v man >/dev/null; then
	MANWIDTH=200 man -l "$(dirname "$SOCKLEAK")/man/sockleak.1" 2>/dev/null | tr -s ' \n' '  ' |
		grep -q "When several apply, the first of these wins: 2" ||
		die "sockleak(1) does not say which exit code wins"
fi
readme="$TESTDIR/../../README.md"
grep -q "^When several apply, the first of these wins:" "$readme" ||
	die "README does not say which exit code wins"
echo "ok: --help, run --help, sockleak(1) and README say which code wins"

# Row 0 and row 1, and 1 from a verdict (compare's REGRESSION is deterministic on saved runs).
code 0 "a command that did what it was asked" "$SOCKLEAK" report "$leak" --json "$TMP/r.json"
code 0 "compare: SAME" "$SOCKLEAK" compare "$leak" "$leak"
code 1 "compare: REGRESSION" "$SOCKLEAK" compare "$clean" "$leak"

# Row 2: before any work, whatever else the command line holds.
code 2 "an unknown option" "$SOCKLEAK" run --bogus
code 2 "a duration past a day and an unwritable output" "$SOCKLEAK" run --seconds 1e99 \
	--json /nonexistent/dir/x.json
code 2 "an output that cannot be written, before the baseline" "$SOCKLEAK" run $short \
	--json /nonexistent/dir/x.json
[ ! -s "$TMP/out" ] || die "it ran before refusing"
code 2 "an input that is not a report" "$SOCKLEAK" report /etc/hostname

# 3 over 1: a REGRESSION whose table did not arrive (EPIPE).
to_closed_pipe "$SOCKLEAK" compare "$clean" "$leak"
[ "$got" -eq 3 ] || die "compare REGRESSION into a closed pipe: exit $got, expected 3"
echo "ok: a write error (3) beats the verdict (1)"

# 3 over 1: the memory guard stops a run whose verdict fails (--fail-on bounded fails them all
# but CLEAN, and a stopped churn is not CLEAN).
mi="$TMP/meminfo"
printf 'MemTotal: 25165824 kB\nMemFree: 102400 kB\nMemAvailable: 102400 kB\n' >"$mi"
code 3 "the guard (3) beats a failing verdict" "$SOCKLEAK" run $short --guard-meminfo "$mi" \
	--fail-on bounded --json "$TMP/g.json"
jq -e '.run.stopped_by == "guard"' "$TMP/g.json" >/dev/null || die "the guard did not stop it"

# 128+N over 1: a Ctrl-C the run handled: it moved on to quiesce and still gave a verdict.
# shellcheck disable=SC2086
"$SOCKLEAK" run $short --seconds 30 --fail-on bounded --json "$TMP/i.json" >"$TMP/i.txt" \
	2>"$TMP/i.err" &
pid=$!
sleep 1.2
kill -INT $pid
reap $pid
[ "$got" -eq 130 ] || { cat "$TMP/i.err"; die "a handled SIGINT with a verdict: exit $got, expected 130"; }
jq -e '.result.verdict and .run.signal == 2' "$TMP/i.json" >/dev/null ||
	die "the interrupted run gave no verdict"
grep -q "Interrupted by signal 2" "$TMP/i.txt" || die "the report does not say it was interrupted"
echo "ok: a handled Ctrl-C that still gave a verdict: 130, over the verdict"

# 128+N over 3: a signal and a write error (the text report into a pipe nobody reads).
rm -f "$TMP/rc" "$TMP/pid"
{
	# shellcheck disable=SC2086
	"$SOCKLEAK" run $short --seconds 30 --json "$TMP/t.json" 2>"$TMP/t.err" &
	echo $! >"$TMP/pid"
	set +e
	wait $!
	echo $? >"$TMP/rc"
} | (exec 0<&-) &
pipeline=$!
sleep 1.2
kill -TERM "$(cat "$TMP/pid")"
wait $pipeline || true
got=$(cat "$TMP/rc")
[ "$got" -eq 143 ] || { cat "$TMP/t.err"; die "SIGTERM and EPIPE: exit $got, expected 143"; }
grep -q "cannot write standard output" "$TMP/t.err" || die "the write error was not said"
echo "ok: a signal (143) beats a write error (3)"

# 128+N over 3: a signal and the memory guard at once.
printf 'MemTotal: 25165824 kB\nMemFree: 20971520 kB\nMemAvailable: 20971520 kB\n' >"$mi"
# shellcheck disable=SC2086
"$SOCKLEAK" run $short --seconds 30 --guard-meminfo "$mi" --json "$TMP/gs.json" >/dev/null \
	2>"$TMP/gs.err" &
pid=$!
sleep 1.2
printf 'MemTotal: 25165824 kB\nMemFree: 102400 kB\nMemAvailable: 102400 kB\n' >"$mi.new"
mv "$mi.new" "$mi"
sleep 0.3
kill -HUP $pid
reap $pid
[ "$got" -eq 129 ] || { cat "$TMP/gs.err"; die "the guard and SIGHUP: exit $got, expected 129"; }
jq -e '.run.guard != null and .run.signal == 1' "$TMP/gs.json" >/dev/null ||
	die "not both the guard and the signal: $(jq -c .run "$TMP/gs.json")"
echo "ok: a signal (129) beats the guard (3)"
