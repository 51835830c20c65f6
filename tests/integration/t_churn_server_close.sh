#!/bin/sh
# Every --server-close mode on stream transports; immediate makes the CRR recv fail, by errno.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

for t in tcp unix; do
	for m in eof immediate never-read rst; do
		j="$TMP/$t-$m.json"
		churn "$j" --transport $t --server-close $m --ops 400 --threads 2 --allow-failures
		expect_jq "$j" '.cycles + .failed_cycles == 400' "$t $m: every cycle ran"
		expect_jq "$j" ".config.server_close == \"$m\"" "$t $m: mode reported"
		[ $m = immediate ] && continue
		expect_jq "$j" '.cycles == 400' "$t $m: the KB sequence succeeds"
	done
	j="$TMP/$t-rst-crr.json"
	churn "$j" --transport $t --server-close rst --sequence crr --ops 400
	expect_jq "$j" '.cycles == 400' "$t rst: crr gets its answer before the reset"

	j="$TMP/$t-imm-crr.json"
	churn "$j" --transport $t --server-close immediate --sequence crr --ops 400 --allow-failures
	expect_jq "$j" '.failed_cycles > 0 and .cycles + .failed_cycles == 400' \
		"$t immediate: crr cycles fail and the run goes on"
	expect_jq "$j" '.failed_cycles as $f | [.errors[] | select(.name == "ECONNRESET" or
		.name == "ENODATA" or .name == "EPIPE")] | map(.count) | add == $f' \
		"$t immediate: failures counted as resets, EOFs or broken pipes"
done

# --server-sequence scripts the accept side; the modes above are its presets.
for t in tcp unix; do
	j="$TMP/$t-ss.json"
	churn "$j" --transport $t --sequence 'socket,connect,send:64,recv:1,close' \
		--server-sequence 'accept,recv:64,send:1,close' --ops 400 --threads 2
	expect_jq "$j" '.cycles == 400 and .config.server_sequence == "accept,recv:64,send:1,close"' \
		"$t: the server reads 64 bytes and answers 1, as scripted"
	j="$TMP/$t-ss-rst.json"
	churn "$j" --transport $t --sequence 'socket,connect,send:64,close' \
		--server-sequence 'accept,shutdown:wr,drain,close:rst' --ops 400
	expect_jq "$j" '.cycles == 400' "$t: shutdown, drain and a reset close"
done
expect_exit 2 "$SOCKLEAK" churn --sequence 'socket,connect,recv:1,close' \
	--server-sequence 'accept,shutdown:wr,close' --ops 1 2>"$TMP/ss.err"
grep -q "wait for 1 bytes" "$TMP/ss.err" || die "a server that never answers the recv: unclear"
expect_exit 2 "$SOCKLEAK" churn --server-sequence 'accept,snd:1,close' --ops 1 2>"$TMP/ss2.err"
grep -q "unknown server op 'snd'" "$TMP/ss2.err" && grep -q "\^~~" "$TMP/ss2.err" ||
	die "a bad server op has no caret"
expect_exit 2 "$SOCKLEAK" churn --server-sequence 'accept,close' --server-close rst --ops 1 \
	2>/dev/null
expect_exit 2 "$SOCKLEAK" churn --transport udp --server-sequence 'accept,close' --ops 1 \
	2>/dev/null
echo "ok: --server-sequence refusals"
