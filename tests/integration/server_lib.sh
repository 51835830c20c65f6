# Helpers for the t_server_* tests: source after lib.sh and run_lib.sh.
# The leaky server (tests/integration/leaky_server.c) is built here, into $TMP/leaky_server.
need_root
need_jq
command -v cc >/dev/null || skip "needs a C compiler for the leaky server"
cc -O2 -Wall -Wextra -Werror "$TESTDIR/leaky_server.c" -o "$TMP/leaky_server" ||
	die "leaky_server.c does not compile"
# The port is in the run's own namespace: nothing else uses it there.
PORT=7781

# in_ns NAME: the start of a server command that writes the network namespace it runs in (the
# run's own) to $TMP/NAME.ns, for no_leftovers. Other people's runs make and drop namespaces on
# the same host at the same time: only this one's is looked at.
in_ns() {
	echo "readlink /proc/self/ns/net >$TMP/$1.ns;"
}

no_server_left() {
	! pgrep -f "$TMP/leaky_server" >/dev/null || die "a leaky server is still running"
	echo "ok: nothing left running"
}

# no_leftovers NAME: no leaky server runs, and the namespace the server of run NAME ran in (see
# in_ns) is held by no process that was there when the run ended. Namespace numbers are reused:
# one made later by someone else's run has the same number, and its processes started after ours.
no_leftovers() {
	no_server_left
	[ -s "$TMP/$1.ns" ] || die "$1: the server never said which namespace it ran in"
	ns=$(cat "$TMP/$1.ns")
	[ "$ns" != "$(readlink /proc/self/ns/net)" ] || die "$1: the server ran in the host's netns"
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] || continue
		start=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f20) || continue
		[ -z "$start" ] || [ "$start" -gt "$(cat "$TMP/$1.end")" ] ||
			die "$1: process ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline")) still holds the" \
				"run's namespace $ns"
	done
	echo "ok: $1: no process holds the run's namespace ($ns)"
}

# real_server NAME BINARY PORT SEQUENCE CMD: a real server from Debian (scripts/deps.txt) started
# with --server-cmd CMD on 127.0.0.1:PORT and asked SEQUENCE 1000 times: CLEAN or BOUNDED, exit 0,
# its fds and the run's sockets back at their baseline at every sample of quiesce (counted
# exactly: CLEAN), its section in the report, stopped with SIGTERM, nothing of the run left.
real_server() {
	command -v "$2" >/dev/null || skip "needs $2 (scripts/deps.sh installs it)"
	srun "$1" 0 --server-cmd "$(in_ns "$1") $5" --target "127.0.0.1:$3" --sequence "$4" \
		--ops 1000 --rate 1000 --baseline 1s --quiesce-max 3s --no-teardown
	rjq "$1" '.result.server.watched == true and .result.server.exact == true' \
		"the server is watched, its counts exact"
	rjq "$1" '.result.verdict == "CLEAN" or .result.verdict == "BOUNDED"' "CLEAN or BOUNDED"
	rjq "$1" '[.result.metrics[] | select(.metric | startswith("server.") or
		startswith("port.server.")) | .verdict] | index("LEAK") == null' \
		"no figure of the server is LEAK"
	rjq "$1" "[($(metric server.fds)), ($(metric tcp.client))] | map(.verdict == \"CLEAN\" and
		.reason == \"back-at-baseline-exact\") | all" \
		"the server's fds and the client sockets: back at their baseline, counted exactly"
	rjq "$1" '.run.server_stopped == "exited with status 0 after SIGTERM"' \
		"the server stopped at SIGTERM"
	says "$1" "Your server (its processes, and its port's sockets counted in the run's own netns"
	says "$1" "Its fds: "
	pgrep -f "$TMP" >/dev/null && die "a process of the run is still running"
	no_leftovers "$1"
}
