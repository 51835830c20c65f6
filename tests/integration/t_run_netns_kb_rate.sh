#!/bin/sh
# netns-kb at a tenth of its free-running rate: the namespace clean-up keeps up (not BACKLOG) and
# the run is BOUNDED or CLEAN. Timing-bound: out of the sanitizer pass.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_netns_kb_rate

ns0=$(ns_snapshot)
"$SOCKLEAK" churn --quiet --json "$TMP/free.json" --sequence netns-kb --seconds 1 >/dev/null
rate=$(jq '.cycles_per_second / 10 | floor' "$TMP/free.json")
[ "$rate" -ge 50 ] || die "free-running at $(jq .cycles_per_second "$TMP/free.json")/s"
srun slow 0 --sequence netns-kb --seconds 4 --rate "$rate" --baseline 1s --quiesce-max 20s \
	--no-teardown
# Another task's slab cache may leave it INCONCLUSIVE (metrics that showed nothing at this
# length do not make the verdict).
rjq slow '.result.verdict == "BOUNDED" or .result.verdict == "CLEAN" or
	(.result.verdict == "INCONCLUSIVE" and ([.result.metrics[] | select(.decisive and
	 .verdict == "INCONCLUSIVE" and (.nothing_seen | not)) | .role] | all(. == "slab")))' \
	"at a tenth of the rate ($rate/s): BOUNDED or CLEAN"
rjq slow "$(metric slab.net_namespace.objs) | .verdict != \"BACKLOG\"" "the clean-up kept up"
[ "$(ns_snapshot)" = "$ns0" ] || die "namespaces left behind"
echo "ok: no namespace left behind"
