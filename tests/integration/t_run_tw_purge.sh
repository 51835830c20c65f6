#!/bin/sh
# The default quiesce does not wait for TIME_WAIT: the run's netns takes its TIME_WAIT sockets
# with it at teardown, so the run settles seconds after the loop and says where they went.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_tw_purge

# No --quiesce-max: the default maximum (90 s) is there, but TIME_WAIT must not hold quiesce.
srun tw 0 --ops 40000 --baseline 1s --no-teardown
rjq tw '.run.settled' "quiesce settled"
rjq tw '.result.time_wait.pending > 1000 and .result.time_wait.purged and
	(.result.time_wait.short_quiesce | not)' \
	"TIME_WAIT sockets still pending when quiesce settled, left to the netns's purge"
rjq tw '.result.verdict == "BOUNDED" or (.result.verdict == "INCONCLUSIVE" and
	([.result.metrics[] | select(.decisive and .verdict == "INCONCLUSIVE") | .role] |
	 all(. == "slab")))' "overall BOUNDED (or INCONCLUSIVE only from the host's slab caches)"
for m in sockstat.TCP.tw tcp.state.TIME_WAIT; do
	rjq tw "$(metric $m) | .verdict == \"BOUNDED\" and .reason == \"time-wait-purged-with-netns\"" \
		"$m BOUNDED: left to the purge"
done
rjq tw "$(metric tcp.client) | .verdict == \"CLEAN\"" "no client socket kept"
says tw "went with the run's netns at teardown"
echo "t_run_tw_purge: ok"
