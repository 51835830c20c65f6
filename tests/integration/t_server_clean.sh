#!/bin/sh
# --server-cmd: a server that reads to EOF and closes keeps nothing: CLEAN or BOUNDED, exit 0, its
# figures watched, its fds back at their baseline at every sample of quiesce.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_clean
. "$TESTDIR/server_lib.sh"

srun clean 0 --server-cmd "$(in_ns clean) exec $TMP/leaky_server $PORT clean" \
	--target 127.0.0.1:$PORT --ops 600 --rate 600 --baseline 1s --quiesce-max 3s --no-teardown
rjq clean '.result.server.watched == true' "the server is watched"
rjq clean '.result.verdict == "CLEAN" or .result.verdict == "BOUNDED"' "CLEAN or BOUNDED"
rjq clean "$(metric server.fds) | .reason == \"back-at-baseline-exact\"" \
	"its fds back at their baseline, counted exactly"
rjq clean '[.result.metrics[] | select(.metric | startswith("server.") or
	startswith("port.server.")) | .verdict] | index("LEAK") == null' "no server figure is LEAK"
rjq clean '(.result.server.fds_per_cycle | fabs) < 0.1' "no server fd kept per cycle"
no_leftovers clean
