#!/bin/sh
# The KB sequence with SO_LINGER 0 (abortive close, preset abort): no TIME_WAIT, CLEAN or BOUNDED.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_linger

srun abort 0 --sequence abort --ops 40000 --quiesce-max 8s
rjq abort '.result.verdict == "CLEAN" or .result.verdict == "BOUNDED"' "CLEAN or BOUNDED"
rjq abort '.result.time_wait.peak == 0' "no TIME_WAIT: the client reset every connection"
rjq abort "$(metric netstat.OutRsts) | .slope > 0.9" "one reset sent per cycle"
rjq abort "$(metric tcp.client) | .verdict == \"CLEAN\"" "no client socket kept"
rjq abort '.result.leaked_sockets_per_cycle == 0' "no leaked sockets"
