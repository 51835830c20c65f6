#!/bin/sh
# --attribute-sample 16: the stack is walked for 1 in 16 allocations, every object still tracked.
# A leak of 2,000 connections leaves 2,000 client and 2,000 server TCP sockets, both allocated
# at sk_prot_alloc: the two stacks share that call site's 4,000 sockets, estimated from about
# 250 walked ones. Their sum is exact; each one's estimate carries a 95% interval, and the truth
# (the engine's count of kept connections) must lie within twice its half width: a correct
# interval misses that by chance once in 10,000 runs a stack (within once: 1 in 20, by design).
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_attr_sample

srun leak 1 --attribute-sample 16 --ops 20000 --inject-leak 10 --baseline 0.5 --quiesce-max 2s \
	--no-teardown
attr_on leak
A=.attribution
rjq leak "$A.sample_every == 16" "the JSON says stacks were sampled 1 in 16"
CLIENT=$(attr_stk inet_create sk_alloc)
SERVER=$(attr_stk tcp_v4_syn_recv_sock sk_clone_lock)
rjq leak "$CLIENT | length == 1" "a LEAK stack of TCP through inet_create -> sk_alloc"
rjq leak "$SERVER | length == 1" "a LEAK stack of TCP through tcp_v4_syn_recv_sock -> sk_clone_lock"
rjq leak ".engine.leaked >= 1900" "the engine kept about 2,000 connections"
# The call site's total is exact: both ends of every kept connection.
rjq leak "(($CLIENT[0].objects_kept + $SERVER[0].objects_kept) - .engine.leaked * 2 | fabs)
	<= 0.02 * .engine.leaked * 2" "the two estimates add up to the leaked sockets (within 2%)"
for S in "$CLIENT" "$SERVER"; do
	rjq leak "$S[0].kept_pm > 0 and $S[0].kept_pm < 0.3" \
		"an estimate with a useful interval ($(jq -r "$S[0].kept_pm" "$TMP/leak.json"))"
	rjq leak "($S[0].objects_kept - .engine.leaked | fabs) <= 2 * $S[0].kept_pm * $S[0].objects_kept" \
		"the truth ($(jq -r .engine.leaked "$TMP/leak.json")) within the interval of the estimate ($(jq -r "$S[0].objects_kept" "$TMP/leak.json"))"
done
says leak "stacks sampled 1 in 16 allocations; per-stack counts are estimates"
says leak "estimated from sampled stacks: kept and per cycle +-"
echo "ok: the text report says the stacks were sampled, and each estimate's interval"
