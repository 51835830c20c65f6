#!/bin/sh
# --server-cmd: a command whose first process exits early (a server that goes to the background)
# is a runtime error with a clear message, exit 3, nothing left running and the run's namespace
# gone; so is a server that fails at once, its own last words in the message.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_early_exit
. "$TESTDIR/server_lib.sh"

# The shell exits at once; its child listens only later, in the background.
srun daemon 3 --server-cmd "$(in_ns daemon) (sleep 0.5; exec $TMP/leaky_server $PORT clean) &" \
	--target 127.0.0.1:$PORT --ops 100 --baseline 1s --quiesce-max 3s
grep -q "the server must stay in the foreground" "$TMP/daemon.err" ||
	die "no message saying the server must stay in the foreground"
grep -q "exited with status 0 before 127.0.0.1:$PORT accepted" "$TMP/daemon.err" ||
	die "the message does not say how the first process ended"
no_leftovers daemon

# A server that fails at once: its own words are in the message.
srun fail 3 --server-cmd "$(in_ns fail) echo 'cannot bind: no such luck' >&2; exit 4" \
	--target 127.0.0.1:$PORT --ops 100 --baseline 1s
grep -q "exited with status 4" "$TMP/fail.err" || die "the exit status is not said"
grep -q "cannot bind: no such luck" "$TMP/fail.err" || die "its last lines are not shown"
no_leftovers fail
