#!/bin/sh
# --inject-leak 400: LEAK, exit 1, 0.0025 leaked sockets per cycle, the socket caches named.
# 150 sockets leaked in 60,000 cycles (about 4 s of churn; quiesce not held by TIME_WAIT).
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_leak

srun leak 1 --ops 60000 --inject-leak 400
rjq leak '.result.verdict == "LEAK"' "overall LEAK"
rjq leak '.result.injected_per_cycle == 0.0025' "injected rate recorded"
rjq leak '(.result.leaked_sockets_per_cycle - 0.0025 | fabs) <= 0.00025' \
	"estimated leaked sockets per cycle within 10% of 0.0025"
rjq leak '.result.verdict_metric == "tcp.client"' "the leak rate comes from the client count"
rjq leak "$(metric tcp.client) | .verdict == \"LEAK\"" "tcp.client LEAK"
rjq leak "$(metric tcp.server) | .verdict == \"LEAK\"" "the server holds the accepted ends"
# The pool-tag table: the TCP socket cache and the socket inodes, and only caches of sockets.
rjq leak '[.result.pool_tags[] | select(.verdict == "LEAK") | .cache] | index("TCP") != null' \
	"pool tags: TCP LEAK"
rjq leak '[.result.pool_tags[] | select(.cache == "TCP")][0].bytes_per_cycle > 2' \
	"pool tags: TCP keeps bytes per cycle"
# The socket inodes (300 of them) are named too, unless other tasks move that cache by more than
# half of that from one sample to the next (its noise): then they cannot be told apart.
rjq leak '([.result.pool_tags[] | select(.cache == "sock_inode_cache" and .verdict == "LEAK")] |
	length == 1) or ([.result.metrics[] | select(.metric == "slab.sock_inode_cache.objs")][0] |
	.noise > 150)' "pool tags: sock_inode_cache LEAK (unless other tasks' noise hides 300 objects)"
head -n 1 "$TMP/leak.txt" | grep -Eq '^LEAK: 0\.002[2-7][0-9]* sockets/cycle \(injected 0\.00250\)' ||
	die "text: the verdict line shows estimated beside injected"
grep -q '^Slab caches (pool tags)' "$TMP/leak.txt" || die "text: no pool-tag table"
echo "ok: text report: LEAK line first, pool-tag table"
