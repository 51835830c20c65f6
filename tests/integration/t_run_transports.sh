#!/bin/sh
# The KB sequence over UDP and over UNIX stream sockets: neither leaks.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_transports

for tr in udp unix; do
	srun "$tr" 0 --transport "$tr" --ops 40000 --quiesce-max 8s --no-teardown
	rjq "$tr" '.result.verdict == "CLEAN" or .result.verdict == "BOUNDED"' "$tr: CLEAN or BOUNDED"
	rjq "$tr" '[.result.metrics[] | select(.decisive and .verdict == "LEAK")] | length == 0' \
		"$tr: no decisive metric LEAK"
	rjq "$tr" '.result.leaked_sockets_per_cycle == 0' "$tr: no leaked sockets"
	rjq "$tr" '.result.time_wait.peak == 0' "$tr: no TIME_WAIT"
done
