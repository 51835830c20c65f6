#!/bin/sh
# netns-kb: a network namespace made and dropped every cycle. The kernel frees namespaces in a
# workqueue that a free-running loop outpaces: BACKLOG ("clean-up work lagged the loop"), never
# LEAK; at a tenth of that rate the clean-up keeps up. Timing-bound: out of the sanitizer pass.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_netns_kb

ns0=$(ns_snapshot)
srun fast 1 --sequence netns-kb --seconds 10 --baseline 2s --quiesce-max 20s --no-teardown
rjq fast '.result.verdict == "BACKLOG"' "free-running: BACKLOG"
rjq fast '.engine.failed_cycles == 0 and .engine.cycles > 5000' "cycles, none failed"
rjq fast "$(metric slab.net_namespace.objs) | .verdict == \"BACKLOG\" and .residual < .peak / 4" \
	"namespaces pending while the loop ran, gone after"
rjq fast '[.result.metrics[] | select(.decisive) | .verdict] | all(. != "LEAK")' "no LEAK"
grep -q "clean-up work lagged the loop, caught up [0-9.]* s after" "$TMP/fast.txt" ||
	die "the text does not say the clean-up lagged and when it caught up"
echo "ok: the report says the clean-up lagged the loop and when it caught up"
[ "$(ns_snapshot)" = "$ns0" ] || die "namespaces left behind"
echo "ok: no namespace left behind"

rate=$(jq '.engine.cycles_per_second / 10 | floor' "$TMP/fast.json")
srun slow 0 --sequence netns-kb --seconds 10 --rate "$rate" --baseline 2s --quiesce-max 20s \
	--no-teardown
rjq slow '.result.verdict == "BOUNDED" or .result.verdict == "CLEAN" or
	(.result.verdict == "INCONCLUSIVE" and
	 ([.result.metrics[] | select(.decisive and .verdict == "INCONCLUSIVE") | .role] |
	  all(. == "slab")))' "at a tenth of the rate ($rate/s): BOUNDED or CLEAN"
rjq slow "$(metric slab.net_namespace.objs) | .verdict != \"BACKLOG\"" "the clean-up kept up"
