#!/bin/sh
# compare on real runs: a clean run against an --inject-leak run is a REGRESSION (exit 1), two
# clean runs are the SAME (exit 0), the leak against the clean one an IMPROVEMENT (exit 0).
. "$TESTDIR/lib.sh"

"$SOCKLEAK" run --help >/dev/null 2>&1 ||
	skip "needs 'sockleak run' (not built yet); t_report covers compare on saved runs meanwhile"
need_root

# Short runs: the server resets, so no TIME_WAIT holds the quiesce phase open.
quiesce=""
"$SOCKLEAK" run --help | grep -q -- '--quiesce-max' && quiesce="--quiesce-max 10"
for name in clean1 clean2; do
	# shellcheck disable=SC2086
	expect_exit 0 "$SOCKLEAK" run --seconds 2 --baseline 2s --server-close rst --no-teardown $quiesce --json "$TMP/$name.json"
done
# shellcheck disable=SC2086
expect_exit 1 "$SOCKLEAK" run --seconds 2 --baseline 2s --server-close rst --no-teardown --inject-leak 1000 $quiesce \
	--json "$TMP/leak.json"

expect_exit 1 "$SOCKLEAK" compare "$TMP/clean1.json" "$TMP/leak.json" --json "$TMP/cmp.json" \
	>"$TMP/out"
cat "$TMP/out"
check "clean -> injected leak is a REGRESSION" test "$(jq -r .outcome "$TMP/cmp.json")" = REGRESSION
check "a socket count regressed" jq -e '[.metrics[] | select(.outcome == "REGRESSION") |
	.metric | select(test("client|inuse|sockets"))] | length > 0' "$TMP/cmp.json"

expect_exit 0 "$SOCKLEAK" compare "$TMP/clean1.json" "$TMP/clean2.json" >"$TMP/out"
cat "$TMP/out"
check "two clean runs are the SAME" grep -q "^sockleak compare: SAME" "$TMP/out"

expect_exit 0 "$SOCKLEAK" compare "$TMP/leak.json" "$TMP/clean1.json" >"$TMP/out"
check "the leak against a clean run is an IMPROVEMENT" \
	grep -q "^sockleak compare: IMPROVEMENT" "$TMP/out"
