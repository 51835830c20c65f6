# SCM_RIGHTS cycles over unix and unix-dgram (t_run_scm_*): the sockets held in flight show in the
# run's exact UNIX socket count while the loop runs, the garbage collector returns them after,
# and a variant that closes every descriptor without passing any is CLEAN.
#
# scm_runs PRESET-TRANSPORT...: the runs go side by side, started together with the same phases:
# each counts its sockets in a network namespace of its own (exact), and what the host-wide slab
# caches see of the others rises in the same churn and comes back in the same quiesce. Two or
# three at once on two cores: more would slow each loop until the collector keeps up with it
# and nothing is seen in flight. "none" is socketpair,close.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq

scm_runs() {
	short="--baseline 1s --seconds 2 --quiesce-max 15s --no-teardown"
	names="$*"
	for n in $names; do
		p=${n%-unix*}
		t=unix${n#"$p"-unix}
		seq=$p
		[ $p = none ] && seq=socketpair,close
		"$SOCKLEAK" run --quiet --json "$TMP/$n.json" --transport $t --sequence $seq $short \
			>"$TMP/$n.txt" 2>"$TMP/$n.err" &
		echo $! >"$TMP/$n.pid"
	done
	for n in $names; do
		set +e
		wait "$(cat "$TMP/$n.pid")"
		echo $? >"$TMP/$n.rc"
		set -e
	done
	for n in $names; do
		cp "$TMP/$n.txt" "$ARTIFACTS/$TEST_NAME-$n.txt"
		cp "$TMP/$n.json" "$ARTIFACTS/$TEST_NAME-$n.json" 2>/dev/null || true
		rc=$(cat "$TMP/$n.rc")
		[ "$rc" -le 1 ] || { cat "$TMP/$n.err"; die "$n: exit $rc"; }
		"$SOCKLEAK" report "$TMP/$n.json" --text >"$TMP/$n.re.txt"
		diff "$TMP/$n.txt" "$TMP/$n.re.txt" >&2 || die "$n: the text re-rendered from its JSON differs"
		rjq $n '.engine.failed_cycles == 0 and .engine.cycles > 1000' "$n: cycles, none failed"
		# Another task's slab cache may leave the run INCONCLUSIVE: that alone is allowed (metrics
		# that showed nothing at this length do not make the verdict).
		rjq $n '.result.verdict != "INCONCLUSIVE" or ([.result.metrics[] | select(.decisive and
			.verdict == "INCONCLUSIVE" and (.nothing_seen | not)) | .role] | all(. == "slab"))' \
			"$n: INCONCLUSIVE, if at all, from slab caches only"
		rjq $n '[.result.metrics[] | select(.role == "sockets") | .verdict] |
			all(. != "LEAK")' "$n: no socket figure LEAK"
		case $n in
		none-*)
			[ "$rc" -eq 0 ] || die "$n: expected exit 0, got $rc"
			# Descriptors closed without passing any: nothing in flight, nothing to collect. Its
			# sockets are CLEAN; slab caches and memcg see objects freed after an RCU grace
			# period come and go (BOUNDED at most), as with any churn of sockets.
			rjq $n "$(metric unix.sockets) | .peak < 20 and .verdict == \"CLEAN\"" \
				"$n: unix.sockets CLEAN, no sockets in flight"
			rjq $n '[.result.metrics[] | select(.decisive and .role == "sockets") | .verdict] |
				all(. == "CLEAN" or . == "INCONCLUSIVE")' "$n: no socket count grew"
			rjq $n '[.result.metrics[] | select(.decisive) |
				select(.verdict == "BOUNDED" or .verdict == "BACKLOG" or .verdict == "LEAK") |
				.role] | all(. == "slab" or . == "memcg")' "$n: only slab caches and memcg moved"
			;;
		*)
			# BOUNDED or BACKLOG (Linux 6.18 collects them: BOUNDED); never a LEAK.
			rjq $n '.result.verdict != "LEAK" and .result.verdict != "CLEAN"' \
				"$n: BOUNDED or BACKLOG ($(jq -r .result.verdict "$TMP/$n.json"))"
			rjq $n "$(metric unix.sockets) | .verdict == \"BOUNDED\" or .verdict == \"BACKLOG\"" \
				"$n: unix.sockets BOUNDED or BACKLOG"
			# A cycle is closed when its last op returns: only sockets in flight are counted.
			rjq $n "$(metric unix.sockets) | .peak >= 20" "$n: sockets held in flight during churn"
			rjq $n "$(metric unix.sockets) | .residual == 0" "$n: the collector returned them all"
			;;
		esac
	done
}
