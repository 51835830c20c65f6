#!/bin/sh
# sockleak run: bad options exit 2 with a message that says what to do; --help exits 0.
. "$TESTDIR/lib.sh"

bad() {
	set +e
	"$SOCKLEAK" run "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	cat "$TMP/err"
	[ $rc -eq 2 ] || die "run $*: expected exit 2, got $rc"
	grep -q '^sockleak: ' "$TMP/err" || die "run $*: no message"
	[ ! -s "$TMP/out" ] || die "run $*: wrote a report"
	echo "ok: run $* exits 2"
}

bad --fail-on sometimes
grep -q "choose leak, backlog, inconclusive or bounded" "$TMP/err" ||
	die "--fail-on: the choices are not named"
echo "ok: --fail-on names its choices"
bad --quiesce-max soon
bad --baseline 100ms
bad --interval 0
bad --warmup 10s --seconds 5
bad --json
bad --full-series --ops 10
grep -q -- "--full-series shapes the JSON report: give --json FILE too" "$TMP/err" ||
	die "--full-series without --json: not said"
for cmd in "sweep --full-series --dry-run" "report --full-series $TESTDIR/../data/synthetic-clean.json"; do
	set +e
	# shellcheck disable=SC2086
	"$SOCKLEAK" $cmd >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ $rc -eq 2 ] && grep -q -- "--full-series shapes .*JSON report: give --json" "$TMP/err" ||
		die "$cmd: expected exit 2 saying --full-series needs a JSON output, got $rc: $(cat "$TMP/err")"
	echo "ok: $cmd exits 2: --full-series needs a JSON output"
done
bad --no-such-option
bad extra-argument
bad --transport sctp
bad --sequence 'socket,connect,sennd:64,close'

"$SOCKLEAK" run --help >"$TMP/help"
grep -q -- "--fail-on VERDICT" "$TMP/help" || die "--help lacks --fail-on"
grep -q "Exit codes: 0 CLEAN or BOUNDED" "$TMP/help" || die "--help lacks the exit codes"
echo "ok: --help exits 0 with the options and exit codes"
