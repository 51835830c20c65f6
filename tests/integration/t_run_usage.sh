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
bad --no-such-option
bad extra-argument
bad --transport sctp
bad --sequence 'socket,connect,sennd:64,close'

"$SOCKLEAK" run --help >"$TMP/help"
grep -q -- "--fail-on VERDICT" "$TMP/help" || die "--help lacks --fail-on"
grep -q "Exit codes: 0 CLEAN or BOUNDED" "$TMP/help" || die "--help lacks the exit codes"
echo "ok: --help exits 0 with the options and exit codes"
