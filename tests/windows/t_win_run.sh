#!/bin/sh
# sockleak.exe run under Wine: phases, the shared analysis and reports, a saved run re-rendered
# and compared with itself; the machine section says Windows.
set -eu
. "$TESTDIR/lib.sh"

rc=0
sl run --baseline 1 --seconds 2 --quiesce-max 2 --io overlapped-apc --json "$T/run.json" \
	--html "$T/run.html" >"$T/run.txt" 2>"$T/run.err" || rc=$?
cat "$T/run.txt"
[ "$rc" -le 1 ] || die "run: exit $rc ($(cat "$T/run.err"))"
v=$(jq -r .result.verdict "$T/run.json")
case $v in
CLEAN | BOUNDED | BACKLOG | LEAK | INCONCLUSIVE) echo "ok: verdict $v (exit $rc)" ;;
*) die "run: verdict '$v'" ;;
esac
# Exit 1 is a verdict of BACKLOG or LEAK, nothing else.
case $v in BACKLOG | LEAK) want=1 ;; *) want=0 ;; esac
check "exit code of $v" "$rc" "$want"
check "phases" "$(jq -r '[.phases[].name] | join(",")' "$T/run.json")" "baseline,churn,quiesce"
jq -r .machine.os "$T/run.json" | grep -q '^Windows' || die "machine.os is not Windows"
check "no namespace" "$(jq .machine.netns "$T/run.json")" false
jq -e '.series.columns[] | select(.name == "tcp.state.TIME_WAIT")' "$T/run.json" >/dev/null ||
	die "no tcp.state.TIME_WAIT column"
jq -e '.series.columns[] | select(.name == "pool.nonpaged.bytes")' "$T/run.json" >/dev/null ||
	die "no pool.nonpaged.bytes column"
# A probe that is off says so once, and the run goes on.
n=$(grep -c 'pooltag probe' "$T/run.err" || true)
[ "$n" -le 1 ] || die "the pooltag probe spoke $n times"
grep -q '<html' "$T/run.html" || die "no HTML report"

# The saved run, re-rendered and compared with itself, by the same shared code.
sl report "$T/run.json" --html "$T/again.html"
grep -q "$v" "$T/again.html" || die "re-rendered HTML lacks the verdict $v"
rc=0
sl compare "$T/run.json" "$T/run.json" >"$T/cmp.txt" || rc=$?
check "compare with itself: exit" "$rc" 0
grep -q SAME "$T/cmp.txt" || die "compare with itself: $(cat "$T/cmp.txt")"
echo "all checks passed"
