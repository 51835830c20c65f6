#!/bin/sh
# The progress line (on a terminal) ends at the final cycle count, whatever phase shows it last:
# the loop's own frames end with it, and a quiesce too short for a frame of its own, then
# teardown (the engine gone), go on showing it.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
command -v script >/dev/null || skip "needs script (util-linux) for a terminal"

# A quiesce too short for a frame of its own, then teardown: the line ends at the final count.
on_tty short --seconds 0.8 --baseline 0.5s --quiesce-max 0.2s
final=$(jq '.engine.cycles' "$TMP/short.json")
[ -s "$TMP/short.counts" ] || die "no progress line on the terminal"
frames=$(tr '\n' ' ' <"$TMP/short.counts")
awk '{ print $2 }' "$TMP/short.counts" | sort -n -c || die "the count went backwards: $frames"
last=$(awk '$1 == "churn" { n = $2 } END { print n + 0 }' "$TMP/short.counts")
[ "$last" -eq "$final" ] || die "churn's frames ended at $last cycles, the run made $final: $frames"
echo "ok: the loop's frames end at its final count ($final)"
last=$(tail -n 1 "$TMP/short.counts" | awk '{ print $2 }')
[ "$last" -eq "$final" ] || die "the progress line ended at $last cycles, the run made $final: $frames"
echo "ok: the progress line ends at the final count, in $(tail -n 1 "$TMP/short.counts" | cut -d' ' -f1)"
