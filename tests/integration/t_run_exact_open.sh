#!/bin/sh
# Ground truth for the run's exact socket counts: --inject-leak 5000 over 10000 cycles leaves 2
# client sockets open (and their 2 server ends), too few to rise out of churn's in-flight sockets
# and under the 3 that any other figure must keep. Counted exactly in the run's own netns and still
# open at every sample of the quiesce tail, they are a LEAK of 2 per 10000 cycles, and the
# headline says which figure decided it and why. The same run without the injected leak stays
# free of LEAK.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_exact_open

args="--sequence abort --ops 10000 --baseline 1s --quiesce-max 2s --no-teardown"
# shellcheck disable=SC2086
srun leak 1 $args --inject-leak 5000
rjq leak '.result.verdict == "LEAK"' "2 sockets left open in 10000 cycles are a LEAK"
rjq leak "$(metric tcp.client) | .verdict == \"LEAK\" and .reason == \"kept-open\" and
	.residual == 2 and .residual_per_cycle == 2 / 10000" \
	"tcp.client: kept 2 open, 0.0002 per cycle, as an exact count"
rjq leak "$(metric tcp.server) | .verdict == \"LEAK\" and .residual == 2" \
	"tcp.server: the 2 server ends kept open"
rjq leak '.result.leaked_sockets_per_cycle == 2 / 10000' "the headline's rate is 2 per 10000"
rjq leak '.result.metrics[0].metric == "tcp.client" and .result.metrics[0].decided' \
	"the figure the rate comes from decided, listed first"
tr '\n' ' ' <"$TMP/leak.txt" | tr -s ' ' |
	grep -q "decided by tcp.client: an exact count of the run's own netns, open at every sample" ||
	die "the headline does not say which figure decided and why"
echo "ok: the headline says which figure decided the leak and why"

# shellcheck disable=SC2086
srun clean 0 $args
rjq clean '.result.verdict != "LEAK"' "the same run without the injected leak is not a LEAK"
rjq clean '[.result.metrics[] | select(.reason == "kept-open")] | length == 0' \
	"no count kept a socket open"
