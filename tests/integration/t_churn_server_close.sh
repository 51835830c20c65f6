#!/bin/sh
# Every --server-close mode on stream transports; immediate makes the CRR recv fail, by errno.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

for t in tcp unix; do
	for m in eof immediate never-read rst; do
		j="$TMP/$t-$m.json"
		churn "$j" --transport $t --server-close $m --ops 400 --threads 2
		expect_jq "$j" '.cycles + .failed_cycles == 400' "$t $m: every cycle ran"
		expect_jq "$j" ".config.server_close == \"$m\"" "$t $m: mode reported"
		[ $m = immediate ] && continue
		expect_jq "$j" '.cycles == 400' "$t $m: the KB sequence succeeds"
	done
	j="$TMP/$t-rst-crr.json"
	churn "$j" --transport $t --server-close rst --sequence crr --ops 400
	expect_jq "$j" '.cycles == 400' "$t rst: crr gets its answer before the reset"

	j="$TMP/$t-imm-crr.json"
	churn "$j" --transport $t --server-close immediate --sequence crr --ops 400
	expect_jq "$j" '.failed_cycles > 0 and .cycles + .failed_cycles == 400' \
		"$t immediate: crr cycles fail and the run goes on"
	expect_jq "$j" '.failed_cycles as $f | [.errors[] | select(.name == "ECONNRESET" or
		.name == "ENODATA" or .name == "EPIPE")] | map(.count) | add == $f' \
		"$t immediate: failures counted as resets, EOFs or broken pipes"
done
