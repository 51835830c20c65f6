#!/bin/sh
# --server-cmd: a server that keeps the fd of every connection ending in a reset is LEAK on its
# own fds, one per cycle (within 10%), started in the run's namespace and stopped at the end.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_leak
. "$TESTDIR/server_lib.sh"

srun leak 1 --server-cmd "$(in_ns leak) exec $TMP/leaky_server $PORT rst-fd" \
	--target 127.0.0.1:$PORT \
	--sequence abort --ops 600 --rate 600 --baseline 1s --quiesce-max 3s --no-teardown
rjq leak '.result.server.watched == true' "the server is watched"
rjq leak '.result.server.exact == true' "its counts are exact (the run's own namespace)"
rjq leak '.result.verdict == "LEAK"' "overall LEAK"
rjq leak "$(metric server.fds) | .verdict == \"LEAK\"" "server.fds LEAK"
rjq leak '(.result.server.fds_per_cycle - 1 | fabs) <= 0.1' "server fds per cycle within 10% of 1"
rjq leak '.result.server.fd_limit > 0' "the server's fd limit read"
says leak "Its fds: LEAK, 1.00 kept per cycle (its fd limit:"
no_leftovers leak
