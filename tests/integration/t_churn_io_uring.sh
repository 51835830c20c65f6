#!/bin/sh
# --api io_uring runs the KB sequence and crr (cycles/s reported, nothing failed), with and
# without direct descriptors; a full send buffer with dontwait does not block; what a direct
# descriptor cannot do is refused.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

for s in kb171996 crr; do
	for mode in "" --fixed-files --sqpoll; do
		j="$TMP/uring-$s$mode.json"
		churn "$j" --api io_uring $mode --sequence $s --ops 4000 --threads 2
		expect_jq "$j" '.config.api == "io_uring" and .cycles == 4000 and .failed_cycles == 0
			and .cycles_per_second > 0' "io_uring $s $mode: $(jqv "$j" .cycles_per_second | cut -d. -f1) cycles/s"
		grep -q "on io_uring" "$j.txt" || die "the summary does not say io_uring"
	done
done

# Close with a full send buffer, against a server that never reads: must not block.
full='socket,setsockopt:SO_LINGER=1:0,setsockopt:SO_SNDBUF=4096,connect,send:1M:dontwait,close'
for api in syscalls io_uring; do
	j="$TMP/full-$api.json"
	timeout 60 "$SOCKLEAK" churn --quiet --json "$j" --api $api --sequence "$full" \
		--server-close never-read --ops 2000 >"$j.txt" 2>&1 || die "$api: full buffer blocked"
	expect_jq "$j" '.cycles == 2000 and .failed_cycles == 0 and .would_block[0].count == 2000
		and .would_block[0].text == "send:1M:dontwait"' "$api: full send buffer, every send would block"
	grep -q "would block" "$j.txt" || die "$api: the summary does not count would-blocks"
done

expect_exit 2 "$SOCKLEAK" churn --api io_uring --fixed-files --transport unix --sequence scm-self \
	--ops 1 2>"$TMP/fixed.err"
grep -q "direct descriptor has no fd" "$TMP/fixed.err" || die "--fixed-files refusal unclear"
expect_exit 2 "$SOCKLEAK" churn --sqpoll --ops 1 2>"$TMP/sqpoll.err"
grep -q "is for --api io_uring" "$TMP/sqpoll.err" || die "--sqpoll without io_uring unclear"
expect_exit 2 "$SOCKLEAK" churn --api uring --ops 1 2>"$TMP/api.err"
grep -q "syscalls io_uring" "$TMP/api.err" || die "--api choices not listed"
echo "ok: refusals"
