#!/bin/sh
# A quiesce that reached its maximum gives the reason it was not settled (what still moved), not
# that it was shorter than its phases table says it was; text and JSON say the same.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
command -v script >/dev/null || skip "needs script (util-linux) for a terminal"

# --quiesce-max 5s (TIME_WAIT then waits to expire: never settled): quiesce lasts its 5 s, as
# the phases table says, and the reason is what still moved, not that it was too short.
on_tty max --seconds 1 --baseline 0.5s --quiesce-max 5s --no-teardown
jq -e '.phases[] | select(.name == "quiesce") | .seconds >= 5' "$TMP/max.json" >/dev/null ||
	die "quiesce lasted less than its maximum"
jq -e '.run.settled == false' "$TMP/max.json" >/dev/null || die "quiesce settled with TIME_WAIT pending"
why=$(jq -r '.run.unsettled' "$TMP/max.json")
case $why in
*short* | *shorter*) die "quiesce lasted its 5 s, yet: $why" ;;
esac
grep -q "^Quiesce reached its maximum (5s) before everything settled: $why" "$TMP/max.tty" ||
	die "the text does not give the reason the JSON keeps"
echo "ok: quiesce at its maximum says what still moved: $why"
