#!/bin/sh
# --fail-on VERDICT: exit 1 at that verdict or worse (clean < bounded < inconclusive < backlog <
# leak), else 0; the verdict is the same whatever the gate.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_fail_on

# A TIME_WAIT-bounded run: BOUNDED fails only when bounded is the gate.
srun bounded 1 --ops 40000 --quiesce-max 6s --no-teardown --fail-on bounded
rjq bounded '.result.verdict == "BOUNDED" or .result.verdict == "INCONCLUSIVE"' \
	"BOUNDED (or INCONCLUSIVE, from another run on the machine), gated on bounded: exit 1"
rjq bounded '.config.fail_on | index("BOUNDED") != null and index("CLEAN") == null' \
	"the gate recorded: BOUNDED and worse"

# A fast leak: one socket every 100 cycles fails every gate; --fail-on leak is the loosest.
srun leak 1 --ops 20000 --inject-leak 100 --quiesce-max 6s --no-teardown --fail-on leak
rjq leak '.result.verdict == "LEAK"' "LEAK, gated on leak: exit 1"
rjq leak '.config.fail_on == ["LEAK"]' "the gate recorded: LEAK only"
