#!/bin/sh
# A sequence without close (--allow-open) under a small fd limit: the fd store fills, sockleak
# closes the rest itself; the report leads with the rate before the cap (1 socket per cycle), what
# capped it and how many it closed, and the JSON's engine object holds those numbers.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_capped

ulimit -n 4096
set +e
"$SOCKLEAK" run --quiet --json "$TMP/c.json" --sequence socket,connect --allow-open --seconds 1 \
	--baseline 0.5s --quiesce-max 1s --no-teardown >"$TMP/c.txt" 2>"$TMP/c.err"
rc=$?
set -e
cat "$TMP/c.txt" "$TMP/c.err"
[ "$rc" -le 1 ] || die "expected a verdict (exit 0 or 1), got $rc"
rjq c '.engine.leak_capped == true and .engine.park_cap > 0 and
	.engine.left_open == .engine.park_cap' "the store was full: left_open is its capacity"
rjq c '.engine.closed_over_cap > 0' "sockleak says how many it closed itself"
rjq c '.engine.left_open / .engine.capped_at_cycle > 0.9' "about 1 socket per cycle before the cap"
open=$(jq '.engine.left_open' "$TMP/c.json")
at=$(jq '.engine.capped_at_cycle' "$TMP/c.json")
closed=$(jq '.engine.closed_over_cap' "$TMP/c.json")
head -1 "$TMP/c.txt" | tr -d , |
	grep -q "^LEAK CAPPED: $open sockets left open in the first $at cycles (1 per cycle) filled the fd store ($open sockets: what the fd limit leaves free); sockleak closed the $closed after that itself so every figure per cycle of what was kept is over those first $at cycles" ||
	die "the headline does not give the rate before the cap, the cap and what sockleak closed"
echo "ok: the headline gives 1 per cycle before the cap and $closed closed by sockleak"
# One truth: the verdict line, the JSON result and each metric give the rate before the cap.
rjq c '(.result.leaked_sockets_per_cycle * .engine.capped_at_cycle / .engine.left_open - 1) |
	fabs < 0.1' "the result's leak rate is the rate before the cap"
rjq c '.engine as $e | .result.metrics[] | select(.metric == "tcp.client") |
	.verdict == "LEAK" and ((.residual_per_cycle * $e.capped_at_cycle / .residual - 1) | fabs < 1e-9)' \
	"tcp.client's rate per cycle is its residual over the cycles before the cap"
rate=$(sed -n 2p "$TMP/c.txt" | sed -n 's/^LEAK: \([0-9.]*\) sockets\/cycle.*/\1/p')
awk -v r="$rate" 'BEGIN { exit !(r > 0.9 && r < 1.1) }' ||
	die "the verdict line gives '$rate' sockets/cycle, not the rate before the cap (about 1)"
echo "ok: the verdict line gives $rate sockets/cycle, the rate before the cap"
"$SOCKLEAK" report "$TMP/c.json" --text >"$TMP/c.re.txt"
diff "$TMP/c.txt" "$TMP/c.re.txt" >&2 || die "the re-rendered text differs"
echo "ok: the report of its JSON is the text it printed"
