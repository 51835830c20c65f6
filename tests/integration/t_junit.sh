#!/bin/sh
# JUnit XML for CI: run --junit, report --junit (sweep and merge: t_merge), validated with xmllint
# against the schema Jenkins and GitLab read (tests/data/junit.xsd).
. "$TESTDIR/lib.sh"

command -v xmllint >/dev/null || skip "xmllint is not installed (scripts/deps.sh installs libxml2-utils)"
xsd="$TESTDIR/../data/junit.xsd"
valid() {
	xmllint --noout --schema "$xsd" "$1" 2>"$TMP/xmllint" || die "$1 is not valid JUnit: $(cat "$TMP/xmllint")"
}
# The schema means something: a case without a name, or a count that is no number, is refused.
printf '<testsuites><testsuite name="s" tests="1"><testcase classname="c"/></testsuite></testsuites>' >"$TMP/bad.xml"
xmllint --noout --schema "$xsd" "$TMP/bad.xml" 2>/dev/null && die "the schema takes a case without a name"
printf '<testsuites><testsuite name="s" tests="one"/></testsuites>' >"$TMP/bad.xml"
xmllint --noout --schema "$xsd" "$TMP/bad.xml" 2>/dev/null && die "the schema takes tests=\"one\""
echo "ok: the schema refuses what CI systems would"

# A recorded leak: the verdict case fails with the verdict line, every decisive metric is a case,
# the counts add up, the text report is the output.
gzip -dc "$TESTDIR/../data/golden/leak.json.gz" >"$TMP/leak.json"
"$SOCKLEAK" report "$TMP/leak.json" --junit "$TMP/leak.xml"
valid "$TMP/leak.xml"
xpath() { xmllint --xpath "$1" "$2"; }
[ "$(xpath 'string(//testcase[@name="verdict"]/failure/@type)' "$TMP/leak.xml")" = LEAK ] ||
	die "leak: the verdict case does not fail with LEAK"
xpath 'string(//testcase[@name="verdict"]/failure/@message)' "$TMP/leak.xml" |
	grep -q '^LEAK: 0.000994 sockets/cycle (injected 0.00100), .*per leaked client socket)$' ||
	die "leak: the message is not the whole verdict line"
n=$(xpath 'count(//testcase)' "$TMP/leak.xml")
fails=$(xpath 'count(//testcase/failure)' "$TMP/leak.xml")
[ "$(xpath 'string(/testsuites/testsuite/@tests)' "$TMP/leak.xml")" = "$n" ] || die "leak: tests="
[ "$(xpath 'string(/testsuites/testsuite/@failures)' "$TMP/leak.xml")" = "$fails" ] || die "leak: failures="
want=$(($(jq '[.result.metrics[] | select(.decisive)] | length' "$TMP/leak.json") + 1))
[ "$n" -eq "$want" ] || die "leak: $n cases, expected the verdict and $((want - 1)) decisive metrics"
xpath 'string(//testcase[@name="tcp.client"]/failure/@type)' "$TMP/leak.xml" | grep -qx LEAK ||
	die "leak: tcp.client does not fail"
xpath 'string(/testsuites/testsuite/system-out)' "$TMP/leak.xml" | grep -q '^Why' ||
	die "leak: the text report is not the suite's output"
echo "ok: report --junit of a recorded leak: verdict case fails with its line, $n cases, $fails failures"

# A recorded KB run (BOUNDED): nothing fails at the default --fail-on.
gzip -dc "$TESTDIR/../data/golden/kb.json.gz" >"$TMP/kb.json"
"$SOCKLEAK" report "$TMP/kb.json" --junit "$TMP/kb.xml"
valid "$TMP/kb.xml"
[ "$(xpath 'count(//failure)' "$TMP/kb.xml")" -eq 0 ] || die "kb: a BOUNDED run has failures"
echo "ok: a BOUNDED run's JUnit has no failure"

# A short real run writes it too, and its failures follow --fail-on as the exit code does.
need_root
set +e
# At the widest text (COLUMNS=400) the verdict line is one line, as the JUnit message is.
COLUMNS=400 "$SOCKLEAK" run --seconds 1 --baseline 0.5 --quiesce-max 3 --no-teardown --quiet \
	--fail-on bounded --junit "$TMP/run.xml" >"$TMP/run.txt" 2>&1
rc=$?
set -e
[ $rc -le 1 ] || die "run exited $rc: $(cat "$TMP/run.txt")"
valid "$TMP/run.xml"
f=$(xpath 'count(//testcase[@name="verdict"]/failure)' "$TMP/run.xml")
[ "$f" -eq "$rc" ] || die "run: exit $rc but the verdict case has $f failures"
head -n 1 "$TMP/run.txt" >"$TMP/line"
[ "$(xpath 'string(//testcase[@name="verdict"]/*/@message)' "$TMP/run.xml")" = "$(cat "$TMP/line")" ] ||
	[ "$rc" -eq 0 ] || die "run: the message is not the verdict line it printed"
echo "ok: run --junit: valid, the verdict case fails exactly when the run exits 1"
