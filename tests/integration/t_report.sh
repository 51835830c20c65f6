#!/bin/sh
# sockleak report and compare on saved runs: outputs, exit codes and the refusals' messages.
# The runs are the synthetic ones in tests/data (build/tests/test_json --write-fixtures tests/data).
. "$TESTDIR/lib.sh"

data="$TESTDIR/../data"
leak="$data/synthetic-leak.json"
clean="$data/synthetic-clean.json"

# Every output at once; the JSON written again is the same file.
check "report writes HTML, CSV and JSON" \
	"$SOCKLEAK" report "$leak" --html "$TMP/r.html" --csv "$TMP/r.csv" --json "$TMP/r.json"
check "the HTML is a page with a LEAK banner" grep -q 'class="banner v-leak"' "$TMP/r.html"
check "the JSON is schema 3" test "$(jq .schema "$TMP/r.json")" = 3
check "a schema-1 file's columns are described by name" \
	test "$(jq -r '.series.columns[] | select(.name == "tcp.client") | .traits | join(",")' \
		"$TMP/r.json")" = "netns,client,key"
rows=$(jq .series.rows "$TMP/r.json")
check "the CSV has a header and one line per row" test "$(wc -l <"$TMP/r.csv")" -eq $((rows + 1))
check "the CSV header starts with t,cycles,phase" \
	test "$(head -c 14 "$TMP/r.csv")" = "t,cycles,phase"
"$SOCKLEAK" report "$TMP/r.json" --json "$TMP/r2.json"
check "JSON -> report -> JSON is byte for byte the same" cmp "$TMP/r.json" "$TMP/r2.json"
check "stdout works as an output" sh -c "'$SOCKLEAK' report '$leak' --json - | jq -e '.result.verdict == \"LEAK\"' >/dev/null"

# Refusals: usage errors and files that are not ours exit 2 and say where.
expect_exit 2 "$SOCKLEAK" report
"$SOCKLEAK" report "$leak" >"$TMP/text.txt"
check "with no option, the text report: verdict line first" grep -q '^LEAK: ' "$TMP/text.txt"
check "the text report has the pool-tag table" grep -q '^Slab caches (pool tags)' "$TMP/text.txt"
expect_exit 2 "$SOCKLEAK" report "$leak" --bogus x
expect_exit 2 "$SOCKLEAK" report "$leak" --html - --csv -
expect_exit 2 "$SOCKLEAK" report "$leak" --text --json -
echo 'not json' >"$TMP/bad.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/bad.json" --html "$TMP/x.html" 2>"$TMP/err"
check "a non-JSON file is named with its line" grep -q "bad.json:1:[0-9]*: not valid JSON" "$TMP/err"
jq '.schema = 4' "$leak" >"$TMP/s3.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/s3.json" --html "$TMP/x.html" 2>"$TMP/err"
check "another schema is refused by number" grep -q "schema 4 is not supported" "$TMP/err"
jq 'del(.series.columns[3].values[7])' "$leak" >"$TMP/cut.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/cut.json" --html "$TMP/x.html" 2>"$TMP/err"
check "a damaged series is refused with its place" \
	grep -q "series.columns\[3\].values: expected 881 items" "$TMP/err"
# Text from a file reaches the terminal escaped: no byte of it acts on the terminal.
jq '.result.why = "\u001b[2J\u001b]0;owned\u0007 cleared" | .result.metrics[0].why = "\u009b31m red" |
    .machine.hostname = "h\u001b[5m"' "$leak" >"$TMP/esc.json"
"$SOCKLEAK" report "$TMP/esc.json" >"$TMP/esc.txt"
"$SOCKLEAK" compare "$TMP/esc.json" "$TMP/esc.json" >"$TMP/esc-cmp.txt" || true
check "the text report has no ESC, BEL or C1 byte" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\007]\\|\\302\\233')\" '$TMP/esc.txt'"
check "compare's table has no ESC byte" sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$TMP/esc-cmp.txt'"
check "they are shown as escapes" grep -qF '\x1b[2J\x1b]0;owned\x07 cleared' "$TMP/esc.txt"
check "a C1 control is shown as one" grep -qF '\u009b31m red' "$TMP/esc.txt"
check "compare shows the hostname escaped" grep -qF 'h\x1b[5m' "$TMP/esc-cmp.txt"
jq '.result.verdict_metric = "tcp.\u001b[31mnope"' "$leak" >"$TMP/esc2.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/esc2.json" 2>"$TMP/err"
check "an error message names it escaped" grep -qF "no column 'tcp.\x1b[31mnope'" "$TMP/err"
check "and holds no ESC byte" sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$TMP/err'"

# What the writer cannot produce is refused before any renderer computes with it.
jq '.series.fold = 63' "$leak" >"$TMP/fold.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/fold.json" --html "$TMP/x.html" 2>"$TMP/err"
check "a fold past 31 is refused with its place" \
	grep -q "series.fold: 63 is out of range \[0, 31\]" "$TMP/err"
jq '.phases[1].t = 1e6' "$leak" >"$TMP/overlap.json"
expect_exit 2 "$SOCKLEAK" report "$TMP/overlap.json" --text 2>"$TMP/err"
check "overlapping phases are refused with their place" grep -q "phases\[2\].t: .* phases overlap" "$TMP/err"
check "nothing of the refused reports is left" \
	test -z "$(find "$TMP" -name 'x.html' -o -name '.x.html.sockleak-*')"
expect_exit 2 "$SOCKLEAK" report "$TMP/nonexistent.json" --html "$TMP/x.html"
# An output that cannot be written is a usage error, found before the report is read.
expect_exit 2 "$SOCKLEAK" report "$leak" --html "$TMP/no/such/dir/x.html"
check "nothing is left behind by a failed write" test ! -e "$TMP/x.html"

# compare: B against A.
expect_exit 1 "$SOCKLEAK" compare "$clean" "$leak" >"$TMP/out"
check "clean -> leak is a REGRESSION" grep -q "^sockleak compare: REGRESSION" "$TMP/out"
check "the leaking client sockets are named" grep -q "^REGRESSION  tcp.client" "$TMP/out"
expect_exit 0 "$SOCKLEAK" compare "$leak" "$clean" >"$TMP/out"
check "leak -> clean is an IMPROVEMENT" grep -q "^sockleak compare: IMPROVEMENT" "$TMP/out"
expect_exit 0 "$SOCKLEAK" compare "$clean" "$clean" >"$TMP/out"
check "a run against itself is the SAME" grep -q "^sockleak compare: SAME" "$TMP/out"
expect_exit 1 "$SOCKLEAK" compare "$clean" "$leak" --json "$TMP/cmp.json" >/dev/null
check "--json holds the outcome" test "$(jq -r .outcome "$TMP/cmp.json")" = REGRESSION
check "--json holds every metric compared" \
	test "$(jq '.metrics | length' "$TMP/cmp.json")" -eq "$(jq '.result.metrics | length' "$clean")"
expect_exit 1 "$SOCKLEAK" compare "$clean" "$leak" --json - 2>/dev/null >"$TMP/cmp2.json"
check "--json - leaves stdout to the JSON" jq -e '.outcome == "REGRESSION"' "$TMP/cmp2.json"

# Runs of different sequences or transports are refused unless forced.
jq '.config.sequence = "socket,connect,close"' "$leak" >"$TMP/other.json"
expect_exit 2 "$SOCKLEAK" compare "$clean" "$TMP/other.json" 2>"$TMP/err"
check "different sequences are refused, with both named" grep -q "different sequences" "$TMP/err"
expect_exit 1 "$SOCKLEAK" compare --force "$clean" "$TMP/other.json" >/dev/null 2>&1
jq '.config.transport = "udp"' "$leak" >"$TMP/udp.json"
expect_exit 2 "$SOCKLEAK" compare "$clean" "$TMP/udp.json" 2>"$TMP/err"
check "different transports are refused" grep -q "transports: A tcp, B udp" "$TMP/err"
expect_exit 2 "$SOCKLEAK" compare "$clean"
expect_exit 2 "$SOCKLEAK" compare "$clean" "$TMP/bad.json"
expect_exit 2 "$SOCKLEAK" compare --alpha 2 "$clean" "$leak"
echo "report and compare behave"

# Another kind of report is named as such, with what to use instead, not "series: missing".
printf '{"schema": 1, "tool": "sockleak", "kind": "sweep", "variants": []}\n' >"$TMP/s.json"
set +e
"$SOCKLEAK" report "$TMP/s.json" >/dev/null 2>"$TMP/kind.err"
rc=$?
"$SOCKLEAK" compare "$TMP/s.json" "$TMP/s.json" >/dev/null 2>"$TMP/kind2.err"
rc2=$?
set -e
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] || die "a sweep report given to report/compare: exit $rc/$rc2, not 2"
grep -q "s.json is a sweep report, not a run" "$TMP/kind.err" || die "report: $(cat "$TMP/kind.err")"
grep -q "sockleak merge" "$TMP/kind.err" || die "report: does not say what to use instead"
grep -q "s.json is a sweep report, not a run" "$TMP/kind2.err" || die "compare: $(cat "$TMP/kind2.err")"
grep -q 'missing' "$TMP/kind.err" && die "report: still says something is missing"
echo "ok: a sweep report given to report or compare is named as one, exit 2"
check "a run's JSON says kind run" test "$(jq -r .kind "$TMP/r.json")" = run

# The width the run printed at travels with it: report without --width, COLUMNS or a terminal
# uses it, so the text is the same; --width overrides it.
jq '.run = { signal: 0, guard: null, settled: true, unsettled: null, quiesce_max: 90,
	     cgroup: true, cgroup_why: null, text_width: 80 }' "$TMP/r.json" >"$TMP/w80.json"
env -u COLUMNS "$SOCKLEAK" report "$TMP/w80.json" >"$TMP/t80"
"$SOCKLEAK" report "$TMP/w80.json" --width 80 >"$TMP/t80b"
cmp -s "$TMP/t80" "$TMP/t80b" || die "report does not use the run's text_width"
"$SOCKLEAK" report "$TMP/w80.json" --width 100 >"$TMP/t100"
cmp -s "$TMP/t80" "$TMP/t100" && die "--width 100 did not override the run's 80"
echo "ok: report re-renders at the run's width unless told another"
