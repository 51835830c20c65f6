#!/bin/sh
# --confirm: N and 3N cycles. An injected leak's residual scales (LEAK); a clean run's does not.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_confirm

# Abortive close (no TIME_WAIT) keeps each run short: 30 then 90 client sockets kept.
srun leak 1 --sequence abort --ops 3000 --inject-leak 100 --confirm --quiesce-max 8s --no-teardown
rjq leak '.confirm.verdict == "LEAK" and .confirm.final == "LEAK"' "confirmed LEAK"
rjq leak '.confirm.cycles_a == 3000 and .confirm.cycles_b == 9000' "N and 3N cycles"
rjq leak '[.confirm.metrics[] | select(.metric == "tcp.client")][0] |
	.verdict == "LEAK" and .residual_a == 30 and .residual_b == 90 and .expected == 3' \
	"tcp.client kept 30 then 90 sockets: a ratio of 3"
rjq leak '[.confirm.metrics[] | select(.metric == "tcp.client")][0] |
	(.per_cycle - 0.01 | fabs) <= 0.001' "the leak model's rate is the injected one"
grep -q '^Confirm: LEAK' "$TMP/leak.txt" || die "text: no Confirm line"
echo "ok: text report: Confirm: LEAK"

# The comparison survives a JSON round trip, and the other reports show it.
"$SOCKLEAK" report --json "$TMP/again.json" "$TMP/leak.json" || die "report --json failed"
[ "$(jq -S .confirm "$TMP/leak.json")" = "$(jq -S .confirm "$TMP/again.json")" ] ||
	die "report --json lost or changed the confirm object"
echo "ok: confirm object read back unchanged"
"$SOCKLEAK" report "$TMP/leak.json" | grep -q '^Confirm: LEAK' || die "report --text: no Confirm"
echo "ok: report --text shows the confirmation"
"$SOCKLEAK" report --html "$TMP/leak.html" "$TMP/leak.json" || die "report --html failed"
grep -q 'id="confirm"' "$TMP/leak.html" || die "html: no confirmation section"
echo "ok: html has the confirmation section"

# Ground truth the other way: nothing kept, nothing scales, exit 0 (the run's exact socket counts
# back at their baseline decide CLEAN at any length).
srun clean 0 --sequence abort --ops 10000 --confirm --quiesce-max 8s --no-teardown
rjq clean '.confirm.verdict == "CLEAN" or .confirm.verdict == "BOUNDED"' "clean run not confirmed LEAK"
rjq clean '.confirm.final != "LEAK" and .confirm.final != "BACKLOG"' "final verdict exits 0"
rjq clean '[.confirm.metrics[] | select(.metric == "tcp.client")] | length == 0' \
	"no client sockets kept in either run"
