# Helpers for integration tests: source it, then call need_root, die, check.
set -eu

die() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, cgroups, /proc/slabinfo)"
}

# check DESCRIPTION COMMAND...: runs the command, fails the test with the description if it fails.
check() {
	desc=$1
	shift
	if "$@"; then
		echo "ok: $desc"
	else
		die "$desc"
	fi
}

# expect_exit CODE COMMAND...: runs the command and fails unless it exits with CODE.
expect_exit() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || die "expected exit $want, got $got: $*"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
