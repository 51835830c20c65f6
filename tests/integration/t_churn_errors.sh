#!/bin/sh
# Failed ops are counted by op and errno and do not stop the run; a churn whose cycles nearly all
# failed exits 3 unless --allow-failures says that is intended (as run does).
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

j="$TMP/cc.json"
churn "$j" --sequence 'socket,setsockopt:TCP_CONGESTION=nonexistent,connect,close' --ops 50 \
	--allow-failures
expect_jq "$j" '.cycles == 0 and .failed_cycles == 50' "every cycle failed, the run went on"
expect_jq "$j" '.config.allow_failures == true' "the JSON records --allow-failures"
expect_jq "$j" '.errors == [{"index": 1, "op": "setsockopt", "text":
	"setsockopt:TCP_CONGESTION=nonexistent", "errno": 2, "name": "ENOENT", "count": 50}]' \
	"counted as setsockopt ENOENT"
grep -q 'setsockopt:TCP_CONGESTION=nonexistent *ENOENT *50' "$j.txt" ||
	die "the text summary lacks the error line"

# Port exhaustion in the run's namespace: ten ephemeral ports, TIME_WAIT holds them.
j="$TMP/ports.json"
churn "$j" --netns-sysctl 'net.ipv4.ip_local_port_range=40000 40009' --ops 300 --allow-failures
expect_jq "$j" '.cycles + .failed_cycles == 300 and .cycles >= 1' "the run went on"
expect_jq "$j" '[.errors[] | select(.op == "connect" and .name == "EADDRNOTAVAIL")] |
	.[0].count > 0' "port exhaustion counted as connect EADDRNOTAVAIL"

# Nothing listens on the host's loopback port 1: the user's target refuses.
if ss -Hltn 'sport = :1' | grep -q .; then
	echo "note: something listens on port 1; skipping the refused-target case"
else
	j="$TMP/refused.json"
	churn "$j" --target 127.0.0.1:1 --ops 20 --allow-failures
	expect_jq "$j" '.failed_cycles == 20 and .errors[0].name == "ECONNREFUSED" and
		.errors[0].op == "connect" and .netns == false' "--target refused: ECONNREFUSED"
	# Without --allow-failures: exit 3, the summary and JSON still written, stderr says why.
	j="$TMP/refused3.json"
	rc=0
	"$SOCKLEAK" churn --quiet --json "$j" --target 127.0.0.1:1 --ops 20 >"$j.txt" 2>"$j.err" ||
		rc=$?
	[ "$rc" -eq 3 ] || { cat "$j.err" >&2; die "all cycles failed: expected exit 3, got $rc"; }
	grep -q -- "100% of the cycles failed.*--allow-failures" "$j.err" ||
		die "stderr does not say the cycles failed and name --allow-failures"
	grep -q 'connect *ECONNREFUSED *20' "$j.txt" || die "the summary lacks the errors"
	expect_jq "$j" '.failed_cycles == 20 and .config.allow_failures == false' \
		"exit 3: the summary and JSON are still written"
fi
