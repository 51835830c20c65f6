#!/bin/sh
# Reports written as root into a shared sticky directory: never through a link another user planted;
# FIFOs, devices and missing directories refused before any work (exit 2); a reader that went away
# is a write error (exit 3), not death by SIGPIPE; what a killed writer left is removed.
. "$TESTDIR/lib.sh"
need_root
command -v jq >/dev/null || skip "needs jq"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"

data="$TESTDIR/../data/synthetic-leak.json"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
# usage_exit NAME COMMAND...: exit 2 within 30 s, a message, nothing on stdout.
usage_exit() {
	name=$1
	shift
	set +e
	timeout 30 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	set -e
	cat "$TMP/$name.err"
	[ $rc -eq 2 ] || die "$name: expected exit 2 before any work, got $rc: $*"
	grep -q '^sockleak: ' "$TMP/$name.err" || die "$name: no message"
	[ ! -s "$TMP/$name.out" ] || die "$name: wrote output, so it did the work first"
	echo "ok: $name exits 2 before any work"
}

chmod 0711 "$TMP"
shared="$TMP/shared"
mkdir -m 1777 "$shared"
victim="$TMP/victim"
echo precious >"$victim"
# What a killed writer left 10 s ago (removed later), and a look-alike of another user (kept).
echo partial >"$shared/.old.json.sockleak-Ab3dE9"
as_nobody sh -c "echo theirs >'$shared/.theirs.json.sockleak-Zz9yX8'"
t_stale=$(date +%s)

# 1. Links planted by another user: at the temporary name the writer's pid gave before, at a name
# of the new shape, and at the report's own name.
"$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s --no-teardown \
	--json "$shared/out.json" >"$TMP/run.txt" 2>&1 &
pid=$!
as_nobody ln -s "$victim" "$shared/out.json.$pid.tmp"
as_nobody ln -s "$victim" "$shared/.out.json.sockleak-AAAAAA"
set +e
wait $pid
rc=$?
set -e
cat "$TMP/run.txt"
[ $rc -le 1 ] || die "run --json into the shared directory: exit $rc"
[ "$(cat "$victim")" = precious ] || die "the file behind a planted link was overwritten"
echo "ok: nothing written through the planted links"
[ -f "$shared/out.json" ] && [ ! -L "$shared/out.json" ] || die "out.json is not a regular file"
[ "$(stat -c %u:%a "$shared/out.json")" = "0:644" ] ||
	die "out.json: owner:mode $(stat -c %u:%a "$shared/out.json"), expected 0:644"
jq -e '.schema and .result.verdict' "$shared/out.json" >/dev/null || die "out.json is not the report"
echo "ok: the report is a regular file of root's, mode 0644"
[ -L "$shared/out.json.$pid.tmp" ] && [ -L "$shared/.out.json.sockleak-AAAAAA" ] ||
	die "the planted links were touched"

# A link as the report's own name is replaced, not followed.
as_nobody ln -s "$victim" "$shared/churn.json"
as_nobody ln -s "$victim" "$shared/link.json"
"$SOCKLEAK" churn --quiet --seconds 1 --json "$shared/churn.json" >/dev/null ||
	die "churn --json over a link"
"$SOCKLEAK" report "$data" --json "$shared/link.json" || die "report --json over a link"
[ "$(cat "$victim")" = precious ] || die "a report went through the link at its name"
[ ! -L "$shared/churn.json" ] && [ ! -L "$shared/link.json" ] || die "a link at the name stayed"
jq -e '.command == "churn"' "$shared/churn.json" >/dev/null || die "churn.json is not the report"
echo "ok: a link at the report's name is replaced, its target untouched"

# 2. Targets that are not regular files: refused before the run, never opened (no hang).
as_nobody mkfifo "$shared/fifo"
as_nobody ln -s "$shared/fifo" "$shared/to-fifo.json"
as_nobody ln -s /dev/zero "$shared/to-dev.html"
usage_exit run-fifo "$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s \
	--no-teardown --json "$shared/fifo"
grep -q "is a FIFO" "$TMP/run-fifo.err" || die "the message does not say it is a FIFO"
usage_exit run-link-fifo "$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s \
	--no-teardown --json "$shared/to-fifo.json"
usage_exit churn-link-dev "$SOCKLEAK" churn --quiet --seconds 1 --csv "$shared/to-dev.html"
usage_exit report-link-dev "$SOCKLEAK" report "$data" --html "$shared/to-dev.html"
[ -p "$shared/fifo" ] || die "the FIFO was replaced"

# 3. Every output path is checked before the work, for every command.
nx=/nonexistent/dir
usage_exit run-nodir "$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s \
	--no-teardown --json "$nx/x.json"
usage_exit run-nodir-html "$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s \
	--no-teardown --html "$nx/x.html"
usage_exit run-nodir-csv "$SOCKLEAK" run --quiet --seconds 1 --baseline 1s --quiesce-max 1s \
	--no-teardown --csv "$nx/x.csv"
grep -q -- "--csv $nx/x.csv: no directory $nx" "$TMP/run-nodir-csv.err" ||
	die "the message does not name the option and the directory"
usage_exit churn-nodir "$SOCKLEAK" churn --quiet --seconds 1 --json "$nx/x.json"
usage_exit sweep-nodir "$SOCKLEAK" sweep --quiet --transports tcp --presets kb171996 \
	--budget 20s --json "$nx/x.json"
usage_exit sweep-nodir-html "$SOCKLEAK" sweep --quiet --transports tcp --presets kb171996 \
	--budget 20s --html "$nx/html"
usage_exit report-nodir "$SOCKLEAK" report "$data" --csv "$nx/x.csv"
usage_exit compare-nodir "$SOCKLEAK" compare "$data" "$data" --json "$nx/x.json"

# 4. A reader that went away: exit 3 with a message, not death by SIGPIPE (141).
for out in "--json -" "--text"; do
	# shellcheck disable=SC2086
	{
		sleep 0.3
		set +e
		"$SOCKLEAK" report "$data" $out 2>"$TMP/pipe.err"
		echo $? >"$TMP/pipe.rc"
	} | (exec 0<&- && sleep 1)
	cat "$TMP/pipe.err"
	[ "$(cat "$TMP/pipe.rc")" -eq 3 ] ||
		die "report $out into a closed pipe: exit $(cat "$TMP/pipe.rc"), expected 3"
	grep -q "cannot write standard output" "$TMP/pipe.err" || die "no message for EPIPE"
	echo "ok: report $out into a closed pipe exits 3 and says so"
done

# 5. What a killed writer left is removed by the next run that writes there, in one line.
while [ $(($(date +%s) - t_stale)) -le 11 ]; do sleep 1; done
"$SOCKLEAK" report "$data" --json "$shared/again.json" 2>"$TMP/sweep.err"
cat "$TMP/sweep.err"
[ ! -e "$shared/.old.json.sockleak-Ab3dE9" ] || die "the stale temporary file is still there"
grep -q "removed 1 temporary file that killed runs left in $shared: .old.json.sockleak-Ab3dE9" \
	"$TMP/sweep.err" || die "its removal was not said"
[ -e "$shared/.theirs.json.sockleak-Zz9yX8" ] || die "another user's file was removed"
[ -L "$shared/.out.json.sockleak-AAAAAA" ] || die "a planted link was removed or followed"
echo "ok: a killed writer's temporary file removed and said; others' files left alone"
left=$(find "$shared" -name '.*.sockleak-*' ! -name '.theirs.json.sockleak-Zz9yX8' \
	! -name '.out.json.sockleak-AAAAAA')
[ -z "$left" ] || die "temporary files left behind: $left"
echo "ok: no temporary file of sockleak's left"
