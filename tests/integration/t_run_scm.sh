#!/bin/sh
# SCM_RIGHTS cycles over unix and unix-dgram: the sockets held in flight show in the run's exact
# UNIX socket count while the loop runs, the garbage collector returns them after, and a
# variant that closes every descriptor without passing any is CLEAN.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_scm

short="--baseline 1s --seconds 2 --quiesce-max 15s --no-teardown"
for t in unix unix-dgram; do
	for p in scm-self scm-cross scm-triangle; do
		n=$p-$t
		# BOUNDED or BACKLOG (Linux 6.18 collects them: BOUNDED); never a LEAK.
		set +e
		"$SOCKLEAK" run --quiet --json "$TMP/$n.json" --transport $t --sequence $p \
			$short >"$TMP/$n.txt" 2>"$TMP/$n.err"
		rc=$?
		set -e
		cp "$TMP/$n.txt" "$ARTIFACTS/$TEST_NAME-$n.txt"
		[ $rc -le 1 ] || { cat "$TMP/$n.err"; die "$n: exit $rc"; }
		# Another task's slab cache may leave the run INCONCLUSIVE: that alone is allowed.
		rjq $n '.result.verdict == "BOUNDED" or .result.verdict == "BACKLOG" or
			(.result.verdict == "INCONCLUSIVE" and ([.result.metrics[] |
			 select(.decisive and .verdict == "INCONCLUSIVE") | .role] | all(. == "slab")))' \
			"$n: BOUNDED or BACKLOG ($(jq -r .result.verdict "$TMP/$n.json"))"
		rjq $n "$(metric unix.sockets) | .verdict == \"BOUNDED\" or .verdict == \"BACKLOG\"" \
			"$n: unix.sockets BOUNDED or BACKLOG"
		rjq $n '.engine.failed_cycles == 0 and .engine.cycles > 1000' "$n: cycles, none failed"
		# A cycle is closed when its last op returns: only sockets in flight are counted.
		rjq $n "$(metric unix.sockets) | .peak >= 20" "$n: sockets held in flight during churn"
		rjq $n "$(metric unix.sockets) | .residual == 0" "$n: the collector returned them all"
		rjq $n '[.result.metrics[] | select(.role == "sockets") | .verdict] |
			all(. != "LEAK")' "$n: no socket figure LEAK"
	done
	# Descriptors closed without passing any: nothing in flight, nothing to collect.
	n=none-$t
	srun $n 0 --transport $t --sequence socketpair,close $short
	# Its sockets are CLEAN; slab caches and memcg see objects freed after an RCU grace period
	# come and go (BOUNDED at most), as with any churn of sockets.
	rjq $n "$(metric unix.sockets) | .peak < 20 and .verdict == \"CLEAN\"" \
		"$n: unix.sockets CLEAN, no sockets in flight"
	rjq $n '[.result.metrics[] | select(.decisive and .role == "sockets") | .verdict] |
		all(. == "CLEAN" or . == "INCONCLUSIVE")' "$n: no socket count grew"
	rjq $n '[.result.metrics[] | select(.decisive) |
		select(.verdict == "BOUNDED" or .verdict == "BACKLOG" or .verdict == "LEAK") |
		.role] | all(. == "slab" or . == "memcg")' "$n: only slab caches and memcg moved"
done
