#!/bin/sh
# Every transport runs the KB and CRR presets for an exact number of cycles without errors.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

for t in tcp tcp6 udp udp6 unix unix-dgram mptcp; do
	for p in kb171996 crr; do
		j="$TMP/$t-$p.json"
		set +e
		"$SOCKLEAK" churn --quiet --transport $t --sequence $p --ops 600 --threads 2 \
			--json "$j" >"$j.txt" 2>"$j.err"
		rc=$?
		set -e
		if [ $t = mptcp ] && [ $rc -eq 3 ] && grep -q 'refuses MPTCP' "$j.err"; then
			echo "note: this kernel refuses MPTCP: $(cat "$j.err")"
			continue
		fi
		[ $rc -eq 0 ] || { cat "$j.txt" "$j.err"; die "$t $p exited $rc"; }
		expect_jq "$j" '.cycles == 600 and .failed_cycles == 0 and .errors_total == 0' \
			"$t $p: 600 cycles, no errors"
		expect_jq "$j" ".transport == \"$t\" and .preset == \"$p\" and .stopped_by == \"ops\"" \
			"$t $p: transport, preset and stop cause reported"
	done
done
