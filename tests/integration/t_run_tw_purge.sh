#!/bin/sh
# The default quiesce does not wait for TIME_WAIT: the run's netns takes its TIME_WAIT sockets
# with it at teardown, so the run settles seconds after the loop and says where they went.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_tw_purge

# No --quiesce-max: the default maximum is 12 s, and TIME_WAIT must not hold quiesce.
srun tw 0 --ops 40000 --baseline 1s --no-teardown
rjq tw '.run.settled or (.run.unsettled | test("TIME_WAIT") | not)' \
	"quiesce did not wait for TIME_WAIT"
rjq tw '.run.quiesce_max == 12' "the default quiesce maximum with a netns of its own"
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

# sock_diag's figures (tcp.*) cost milliseconds a sample: sampled less often, but regularly, and
# enough of them in every phase to be judged and drawn; the report says how often.
samples="$(col_values tcp.client) as \$v | [range(0; .series.rows) | select(\$v[.] != null)]"
rjq tw ". as \$top | [$samples | .[] | \$top.series.phase[.]] as \$p |
	[\"baseline\", \"churn\", \"quiesce\"] | all(. as \$ph | [\$p[] | select(. == \$ph)] |
	length >= 3)" "tcp.client: at least 3 samples in each phase"
rjq tw "$samples | [range(1; length) as \$i | .[\$i] - .[\$i - 1]] | max <= 5" \
	"tcp.client: sampled at least every 5th row (500 ms)"
says tw "sockdiag"
tr '\n' ' ' <"$TMP/tw.txt" | tr -s ' ' | grep -Eq "sockdiag [0-9]+ us \(sampled every [0-9]+ ms\)" ||
	die "the report does not say how often sock_diag was sampled"
echo "t_run_tw_purge: ok"
