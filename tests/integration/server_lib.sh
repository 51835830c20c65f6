# Helpers for the t_server_* tests: source after lib.sh and run_lib.sh.
# The leaky server (tests/integration/leaky_server.c) is built here, into $TMP/leaky_server.
need_root
need_jq
command -v cc >/dev/null || skip "needs a C compiler for the leaky server"
cc -O2 -Wall -Wextra -Werror "$TESTDIR/leaky_server.c" -o "$TMP/leaky_server" ||
	die "leaky_server.c does not compile"
# The port is in the run's own namespace: nothing else uses it there.
PORT=7781

no_server_left() {
	! pgrep -f "$TMP/leaky_server" >/dev/null || die "a leaky server is still running"
	echo "ok: nothing left running"
}

# no_leftovers BEFORE: no leaky server runs, and the namespaces are those of BEFORE.
no_leftovers() {
	! pgrep -f "$TMP/leaky_server" >/dev/null || die "a leaky server is still running"
	[ "$(ns_snapshot)" = "$1" ] || die "a network namespace was left behind"
	echo "ok: nothing left running, no namespace left"
}
