#!/bin/sh
# The --json document: schema 1, every field with its type; "-" writes it to stdout.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

j="$TMP/s.json"
churn "$j" --ops 300 --threads 2
expect_jq "$j" '.schema == 1 and .command == "churn" and (.version | type) == "string"' "header"
expect_jq "$j" '(.sequence | type) == "string" and .preset == "kb171996" and .transport == "tcp"
	and .target == null and (.peer | test("^127\\.0\\.0\\.1:[0-9]+$")) and .netns == true' \
	"what ran"
expect_jq "$j" '.config | (.threads == 2 and .ops == 300 and .rate == 0 and .yield == false
	and .inject_leak == 0 and .allow_open == false and (.server_threads | type) == "number"
	and .server_close == "eof" and (.backlog | type) == "number" and (.seconds | type) ==
	"number")' "config"
expect_jq "$j" '(.cycles | type) == "number" and (.failed_cycles | type) == "number" and
	.seconds > 0 and .cycles_per_second > 0 and .threads.count == 2 and
	(.threads.min | type) == "number" and (.threads.max | type) == "number"' "counts"
expect_jq "$j" '.cpu.user_seconds >= 0 and .cpu.system_seconds > 0 and .cpu.user_share >= 0
	and .cpu.user_share <= 1' "cpu"
expect_jq "$j" '(.errors | type) == "array" and .errors_total == 0 and .leaked == 0 and
	.left_open == 0 and .leak_capped == false' "errors and leaks"
expect_jq "$j" '(.listen.overflows | type) == "number" and (.listen.drops | type) == "number"'\
	"listen queue counters"
expect_jq "$j" '.stopped_by == "ops" and .guard == null' "stop cause"

"$SOCKLEAK" churn --quiet --ops 50 --transport unix --json - >"$TMP/stdout" 2>"$TMP/stderr"
jq -e '.schema == 1 and .cycles == 50 and .listen == null' "$TMP/stdout" >/dev/null ||
	die "--json - did not write the document to stdout"
grep -q 'cycles ' "$TMP/stderr" || die "--json -: the text summary did not go to stderr"
echo "ok: --json - writes JSON to stdout and the summary to stderr"
