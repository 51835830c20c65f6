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

# wait_pane PATTERN: waits (~10 s at most) until tmux session $s (server -L $s) shows PATTERN;
# the pane's text is left in $TMP/pane.txt.
wait_pane() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$s" capture-pane -p -t "$s" >"$TMP/pane.txt"
		grep -q "$1" "$TMP/pane.txt" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "pane never showed '$1':"
	cat "$TMP/pane.txt"
	return 1
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
