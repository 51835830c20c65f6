#!/bin/sh
# A busy host: a process in another netns opens and keeps TCP sockets at a steady rate through a
# clean run. The socket caches it moves drift at one rate in baseline and quiesce: "host drift",
# not LEAK or INCONCLUSIVE; the run's own socket counts (exact in its netns) stay clean. Other
# caches (dentry, filp, proc_inode_cache) are the whole machine's: not asserted on.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
command -v python3 >/dev/null || skip "needs python3"
command -v ip >/dev/null || skip "needs ip"
TEST_NAME=t_run_host_drift

NS=sl-drift-$$
OPENER=
cleanup() {
	if [ -n "$OPENER" ]; then
		kill "$OPENER" 2>/dev/null || true
		wait "$OPENER" 2>/dev/null || true
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# 200 connections a second, both ends kept: 400 TCP sockets a second, for 30 s at most.
ip netns exec "$NS" python3 -c '
import resource, socket, time
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4096)
kept, t0 = [], time.monotonic()
for i in range(4000):
    c = socket.create_connection(ls.getsockname())
    a, _ = ls.accept()
    kept += [c, a]
    if i == 20:
        open("'"$TMP/opening"'", "w").close()
    time.sleep(max(0, t0 + (i + 1) / 200 - time.monotonic()))
time.sleep(30)
' &
OPENER=$!
i=0
while [ ! -e "$TMP/opening" ]; do
	kill -0 "$OPENER" 2>/dev/null || die "the background opener did not start"
	[ $i -lt 100 ] || die "the background opener opened nothing in 5 s"
	sleep 0.05
	i=$((i + 1))
done

srun drift 0 --sequence abort --seconds 3 --baseline 2s --quiesce-max 2.5s --no-teardown
kill -0 "$OPENER" 2>/dev/null || die "the background opener stopped before the run ended"
# A loaded machine makes the slabinfo probe sit out ticks: with too few samples of the TCP cache in
# the baseline (2 s at 10 Hz; a probe slower than its share is read every k-th tick) no rate can
# be fitted, and the test cannot judge what it is about.
rows=$(jq "[$(col_values slab.TCP.objs) | .[:20][] | select(. != null)] | length" "$TMP/drift.json")
[ "$rows" -ge 8 ] || skip "slabinfo sampled $rows of the baseline's 20 rows: machine too loaded"
rjq drift '.result.verdict != "LEAK"' "overall not LEAK"
rjq drift '[.result.metrics[] | select(.metric | test("^slab[.](TCP|TCPv6|sock_inode_cache)[.]")) |
	select(.verdict == "LEAK" or (.verdict == "INCONCLUSIVE" and (.nothing_seen | not)))] |
	length == 0' "the caches the other netns moves: neither LEAK nor INCONCLUSIVE"
# With too few slab samples for a fit (a loaded machine makes the slabinfo probe sit out ticks),
# the run's exact TCP count decides for the TCP cache it covers instead.
rjq drift "$(metric slab.TCP.objs) | .drift_per_second > 100 or
	.reason == \"covered-by-run-sockets\"" \
	"slab.TCP.objs: host drift taken off (its rate per second), or overruled by the exact count"
rjq drift '.result.drift_metric != null and .result.drift_metrics >= 1' \
	"the figure host drift explained most is named"
rjq drift "$(metric tcp.client) | .verdict != \"LEAK\" and .residual == 0" \
	"the run's own client sockets came back"
says drift "host drift"
says drift "not tied to cycles"
