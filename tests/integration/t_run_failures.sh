#!/bin/sh
# Cycles that fail (a --target nobody listens on): the report leads with how they failed (op,
# errno, count), lists the engine's errors by op and errno, the JSON and HTML hold the same
# numbers, and a run whose cycles nearly all failed exits 3 unless --allow-failures.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_failures

# Port 1 on loopback: closed unless something on this machine listens there.
ss -Hltn 'sport = :1' | grep -q . && skip "something listens on 127.0.0.1:1"
short="--target 127.0.0.1:1 --seconds 1 --baseline 0.5s --quiesce-max 1s --no-teardown"

# shellcheck disable=SC2086
srun refused 3 $short --html "$TMP/refused.html"
grep -q -- "--allow-failures" "$TMP/refused.err" || die "stderr does not name --allow-failures"
echo "ok: the runtime error names --allow-failures"
rjq refused '.engine.cycles == 0 and .engine.failed_cycles > 0' "no cycle completed, all failed"
rjq refused '[.engine.errors[] | select(.op == "connect" and .name == "ECONNREFUSED")] |
	length == 1' "the JSON has connect ECONNREFUSED"
rjq refused '.engine.errors[0].count == .engine.failed_cycles' "every failure is that one"
n=$(jq '.engine.failed_cycles' "$TMP/refused.json")
# The text's numbers are plain with thousands separated: 43,274.
head -1 "$TMP/refused.txt" | tr -d , | grep -q "^FAILED CYCLES: $n of $n cycles failed (100%): connect ECONNREFUSED $n;" ||
	die "the headline does not say how the cycles failed"
echo "ok: the headline says connect ECONNREFUSED $n"
tr -d , <"$TMP/refused.txt" | grep -Eq "^  3 +connect +ECONNREFUSED +$n\$" ||
	die "the text report does not list the errors by op and errno"
echo "ok: the errors section lists op 3 connect ECONNREFUSED $n"
tr -d , <"$TMP/refused.html" | grep -q "Failed cycles</a>: $n of $n cycles failed (100%): connect ECONNREFUSED $n" ||
	die "the HTML page does not lead with the same numbers"
echo "ok: the HTML page leads with the same numbers"

# --allow-failures: the same run is intended; its verdict decides the exit code (INCONCLUSIVE: 0).
# shellcheck disable=SC2086
srun allowed 0 $short --allow-failures
rjq allowed '.config.allow_failures == true' "the JSON records --allow-failures"
says allowed "FAILED CYCLES:"
echo "ok: --allow-failures keeps the report's FAILED CYCLES headline"
