# Helpers for the t_churn_* tests: source after lib.sh.

# churn JSON ARGS...: runs sockleak churn with --json JSON --quiet; fails the test unless exit 0.
churn() {
	out=$1
	shift
	"$SOCKLEAK" churn --quiet --json "$out" "$@" >"$out.txt" 2>"$out.err" ||
		{ cat "$out.txt" "$out.err" >&2; die "churn $* exited $?"; }
}

# jqv FILE EXPR: prints the value of a jq expression.
jqv() {
	jq -r "$2" "$1"
}

# expect_jq FILE EXPR DESCRIPTION: fails unless the jq expression is true.
expect_jq() {
	if jq -e "$2" "$1" >/dev/null; then
		echo "ok: $3"
	else
		jq -c '{cycles, failed_cycles, errors, stopped_by, leaked}' "$1" >&2
		die "$3 ($2)"
	fi
}

# Namespaces held by processes, and named ones: both must be unchanged after a run.
ns_snapshot() {
	{ lsns -t net -n -o NS 2>/dev/null | sort; ls /run/netns 2>/dev/null || true; } | tr '\n' ' '
}
