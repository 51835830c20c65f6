#!/bin/sh
# KB Q171996 sequence over tcp, graceful close: TIME_WAIT grows and is BOUNDED, never a LEAK.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_kb

# 40000 cycles: past the 30000 the socket counts need to decide, and past TIME_WAIT's cap.
srun kb 0 --ops 40000 --quiesce-max 8s
# BOUNDED; INCONCLUSIVE only from the host's slab caches, which another run on the machine moves.
rjq kb '.result.verdict == "BOUNDED" or (.result.verdict == "INCONCLUSIVE" and
	([.result.metrics[] | select(.decisive and .verdict == "INCONCLUSIVE") | .role] |
	 all(. == "slab")))' "overall BOUNDED (or INCONCLUSIVE only from the host's slab caches)"
rjq kb '[.result.metrics[] | select(.decisive and .role == "sockets") | .verdict] |
	all(. != "LEAK" and . != "BACKLOG")' "no socket figure LEAK or BACKLOG"
rjq kb '.result.verdict_metric != null' "the metric that made it is named"
for m in sockstat.TCP.tw tcp.state.TIME_WAIT; do
	rjq kb "$(metric $m) | .verdict == \"BOUNDED\" and .tw_explained" "$m BOUNDED: TIME_WAIT"
done
rjq kb "[.result.metrics[] | select(.role == \"time-wait\") | .verdict] |
	all(. == \"BOUNDED\" or . == \"CLEAN\")" "TIME_WAIT metrics are never worse than BOUNDED"
rjq kb "$(metric tcp.client) | .verdict == \"CLEAN\"" "no client socket kept"
rjq kb '.result.leaked_sockets_per_cycle == 0' "no leaked sockets"
# The tw figures: peak, pending after a quiesce shorter than 60 s, and the cap.
rjq kb '.result.time_wait.peak > 1000' "TIME_WAIT peak"
rjq kb '.result.time_wait.pending > 1000 and .result.time_wait.short_quiesce' \
	"TIME_WAIT still pending: quiesce shorter than 60 s"
rjq kb 'if .result.time_wait.peak < 0.8 * .result.cycles then .result.time_wait.capped and
	(.result.time_wait.recycled > 0 or .result.time_wait.overflow > 0) else true end' \
	"a TIME_WAIT that stopped growing is reported as capped, with the counter that says why"
grep -q "^  TIME_WAIT: peak" "$TMP/kb.txt" || die "text: no TIME_WAIT line"
says kb "still pending at the end: quiesce 8 s was shorter than TIME_WAIT's 60 s"
head -n 1 "$TMP/kb.txt" | grep -q '^BOUNDED: ' || die "text: verdict line not first"
awk 'length > 100 { exit 1 }' "$TMP/kb.txt" || die "text: a line wider than 100 columns"
echo "ok: text report: verdict first, TIME_WAIT said, within 100 columns"
