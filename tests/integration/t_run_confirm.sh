#!/bin/sh
# --confirm: N and 3N cycles. An injected leak's residual scales (LEAK); a clean run's does not.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_confirm

# Abortive close (no TIME_WAIT) keeps each run short: 30 then 90 client sockets kept.
srun leak 1 --sequence abort --ops 30000 --inject-leak 1000 --confirm --quiesce-max 8s --no-teardown
rjq leak '.confirm.verdict == "LEAK" and .confirm.final == "LEAK"' "confirmed LEAK"
rjq leak '.confirm.cycles_a == 30000 and .confirm.cycles_b == 90000' "N and 3N cycles"
rjq leak '[.confirm.metrics[] | select(.metric == "tcp.client")][0] |
	.verdict == "LEAK" and .residual_a == 30 and .residual_b == 90 and .expected == 3' \
	"tcp.client kept 30 then 90 sockets: a ratio of 3"
rjq leak '[.confirm.metrics[] | select(.metric == "tcp.client")][0] |
	(.per_cycle - 0.001 | fabs) <= 0.0001' "the leak model's rate is the injected one"
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

# Ground truth the other way: nothing kept, nothing scales, exit 0 (60000 cycles: enough for the
# in-flight sockets' noise to rule out a leak of 1 in 10000).
srun clean 0 --sequence abort --ops 60000 --confirm --quiesce-max 8s --no-teardown
rjq clean '.confirm.verdict == "CLEAN" or .confirm.verdict == "BOUNDED"' "clean run not confirmed LEAK"
rjq clean '.confirm.final != "LEAK" and .confirm.final != "BACKLOG"' "final verdict exits 0"
rjq clean '[.confirm.metrics[] | select(.metric == "tcp.client")] | length == 0' \
	"no client sockets kept in either run"
