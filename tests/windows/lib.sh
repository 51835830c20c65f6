# Helpers of the Windows tests: sockleak.exe under Wine, checks that say what differed.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

die() {
	echo "FAIL: $*" >&2
	exit 1
}

# Runs sockleak.exe with the arguments; Wine's own chatter is left out of stderr.
sl() {
	wine "$SOCKLEAK_EXE" "$@"
}

check() { # what, got, want
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
	echo "ok: $1 ($2)"
}

# expect_usage TEXT ARGS...: exit 2 and TEXT in the message.
expect_usage() {
	want=$1
	shift
	rc=0
	sl "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 2 ] || die "sockleak $*: exit $rc, want 2 ($(cat "$T/err"))"
	grep -q -- "$want" "$T/err" || die "sockleak $*: no '$want' in: $(cat "$T/err")"
	echo "ok: sockleak $* refused (exit 2)"
}
