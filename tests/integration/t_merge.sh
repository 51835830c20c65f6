#!/bin/sh
# sockleak merge on recorded reports (tests/data/sweep-shards: a two-variant sweep, its shards 1/2
# and 2/2, JSON and text): the shards merged give the whole sweep's table (its variants, numbers
# and names) with each shard's figures, its JSON, valid JUnit and an HTML index; a shard alone
# says which variant is missing (exit 3); reports of another matrix, version or kernel are refused
# with the reason (exit 2) unless --force.
. "$TESTDIR/lib.sh"

data="$TESTDIR/../data/sweep-shards"
xsd="$TESTDIR/../data/junit.xsd"
cp -r "$data" "$TMP/d"
cd "$TMP/d"

# rows FILE: the table's rows, blanks squeezed, each once (a sweep's output has them as each
# variant ends, then the whole table).
rows() {
	grep -E '^ +[0-9]+  ' "$1" | sed 's/  */ /g; s/^ //' | sort -u
}

set +e
"$SOCKLEAK" merge shard-1.json shard-2.json --json all.json --html html --junit all.xml \
	>merged.txt 2>merged.err
rc=$?
set -e
cat merged.txt merged.err
want=$(jq -r '.overall.exit_code' whole.json)
[ "$rc" -eq "$want" ] || die "merge of the two shards: exit $rc, the whole sweep's was $want"

# The whole sweep's variants, numbered and named alike; each row's figures are its shard's.
[ "$(rows merged.txt | awk '{ print $1, $2, $3 }')" = "$(rows whole.txt | awk '{ print $1, $2, $3 }')" ] ||
	die "the merged table's variants are not the whole sweep's: $(rows merged.txt) vs $(rows whole.txt)"
for i in 1 2; do
	rows "shard-$i.txt" | while read -r row; do
		rows merged.txt | grep -qxF "$row" || die "shard $i's row is not in the merged table: $row"
	done
done
echo "ok: the shards merged give the whole sweep's table, each variant's row as its shard measured it"

jq -e --slurpfile w whole.json '.kind == "sweep" and .matrix.id == $w[0].matrix.id and
	.shard == null and (.merged | length) == 2 and (.missing | length) == 0 and
	([.variants[] | [.index, .name]] == [$w[0].variants[] | [.index, .name]])' all.json >/dev/null ||
	die "the merged JSON is not the whole matrix's, from two reports: $(jq -c '{matrix, shard, missing}' all.json)"
echo "ok: the merged JSON has the whole matrix, both reports named, nothing missing"

xmllint --noout --schema "$xsd" all.xml 2>xmllint.err || die "all.xml is not valid JUnit: $(cat xmllint.err)"
[ "$(grep -c '<testcase ' all.xml)" -eq 2 ] || die "all.xml: expected two test cases"
echo "ok: the merged JUnit report is valid, one test case per variant"

# The HTML index: both variants in its table; without their run reports (the recorded data keeps
# only the sweeps' JSON; t_sweep checks --json-dir), no link, and merge says why.
test -s html/index.html || die "no html/index.html"
for n in $(jq -r '.variants[].name | gsub(" "; "_")' whole.json); do
	grep -q "$(echo "$n" | tr _ ' ')" html/index.html || die "html/index.html lacks the variant $n"
done
[ "$(grep -c 'href=' html/index.html)" -eq 0 ] || die "the index links reports that were not written"
grep -q "note: 2 measured variants without a run report" merged.err ||
	die "merge does not say why the index links no report: $(cat merged.err)"
echo "ok: the merged HTML index has both variants; without their run JSON, none linked, and said why"

# A shard alone: the other's variant is missing, by number and name; exit 3.
expect_exit 3 "$SOCKLEAK" merge shard-1.json >alone.txt 2>&1
name2=$(jq -r '.variants[] | select(.index == 2) | .name' whole.json)
grep -q "#2 $name2" alone.txt || die "merge of shard 1 alone does not name #2 $name2 as missing: $(cat alone.txt)"
echo "ok: a shard alone: '#2 $name2' missing, exit 3"

# Refusals: another matrix, another version, another kernel; --force joins them all the same.
jq '.matrix.settings |= sub("threads=1 "; "threads=2 ") | .matrix.id = "0123456789abcdef"' \
	shard-2.json >other-matrix.json
jq '.version = "0.0.1"' shard-2.json >other-version.json
jq '.machine.kernel = "6.1.0-other" | .variants[].kernel = "6.1.0-other"' shard-2.json >other-kernel.json
for c in "other-matrix:different matrices: their shared settings differ: threads=1 in shard-1.json, threads=2 in other-matrix.json" "other-version:sockleak 0.0.1" "other-kernel:6.1.0-other"; do
	f=${c%%:*}.json
	expect_exit 2 "$SOCKLEAK" merge shard-1.json "$f" --json refused.json >refused.txt 2>&1
	grep -q "^sockleak: merge: .*${c#*:}" refused.txt || die "merge with $f: no reason given: $(cat refused.txt)"
	test ! -e refused.json || die "merge with $f refused, yet wrote its --json"
	set +e
	"$SOCKLEAK" merge shard-1.json "$f" --force >forced.txt 2>&1
	rc=$?
	set -e
	[ "$rc" -le 1 ] || die "merge with $f --force: exit $rc: $(cat forced.txt)"
	grep -q "note: --force" forced.txt || die "merge with $f --force does not say what differs"
done
echo "ok: another matrix, version or kernel refused with the reason (exit 2); --force joins them, saying so"
