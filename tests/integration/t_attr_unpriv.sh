#!/bin/sh
# --attribute without root: one line says why, the run completes without it, and its exit code
# is what it is without --attribute.
. "$TESTDIR/lib.sh"
need_root # to become nobody
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"

cd "$TMP"
chmod 755 "$TMP"
mkdir "$TMP/out"
chown nobody "$TMP/out"
run_as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$SOCKLEAK" run --ops 2000 --baseline 0.5 --quiesce-max 1s --quiet "$@"
}
set +e
run_as_nobody --json "$TMP/out/plain.json" >"$TMP/plain.txt" 2>"$TMP/plain.err"
plain=$?
run_as_nobody --attribute >"$TMP/attr.txt" 2>"$TMP/attr.err"
attr=$?
set -e
cat "$TMP/attr.err"
[ "$plain" -le 1 ] || die "the run without --attribute failed as nobody (exit $plain)"
[ "$attr" -eq "$plain" ] || die "exit $attr with --attribute, $plain without"
echo "ok: same exit code ($attr) with and without --attribute"
n=$(grep -c -- "--attribute" "$TMP/attr.err" || true)
[ "$n" -eq 1 ] || die "expected one line about --attribute on stderr, got $n"
grep -q -- "--attribute: needs root.*; the run goes on without it" "$TMP/attr.err" ||
	die "the line says what is missing"
echo "ok: one line says why"
grep -q "^Where it was allocated" "$TMP/attr.txt" || die "the report has no attribution section"
grep -q "not attributed: needs root" "$TMP/attr.txt" || die "the report says why not"
echo "ok: the report says it was not attributed, and why"

# Without root there is no memory cgroup of its own: the report says that, not "--no-cgroup",
# which was not given; the JSON keeps the reason, so the re-rendered report says the same.
grep -q "^Memory cgroup: not root" "$TMP/plain.txt" || die "the report does not say why no cgroup"
grep -q -- "--no-cgroup" "$TMP/plain.txt" && die "the report blames --no-cgroup, not given"
jq -e '.run.cgroup_why | startswith("not root")' "$TMP/out/plain.json" >/dev/null ||
	die "the JSON does not keep the reason"
"$SOCKLEAK" report "$TMP/out/plain.json" --text >"$TMP/again.txt"
grep -q "^Memory cgroup: not root" "$TMP/again.txt" || die "the re-rendered report lost the reason"
echo "ok: without root, the report and its re-rendering say why there is no memory cgroup"
