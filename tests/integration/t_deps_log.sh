#!/bin/sh
# scripts/deps.sh as root keeps its apt-get log in a file made by mktemp, never through a link
# planted at a fixed name in /tmp; the log is named when apt-get fails and removed when it works.
. "$TESTDIR/lib.sh"
need_root

# apt-get and dpkg-query stand-ins: one package missing, apt-get fails, then succeeds.
mkdir "$TMP/bin" "$TMP/scripts" "$TMP/tmp"
cat >"$TMP/bin/dpkg-query" <<'X'
#!/bin/sh
echo not-installed
X
cat >"$TMP/bin/apt-get" <<'X'
#!/bin/sh
echo "apt-get $*"
[ -e "$APT_OK" ]
X
chmod +x "$TMP/bin/dpkg-query" "$TMP/bin/apt-get"
cp "$TESTDIR/../../scripts/deps.sh" "$TMP/scripts/"
echo "sockleak-test-package  why" >"$TMP/scripts/deps.txt"

echo precious >"$TMP/victim"
planted=""
for p in /tmp/sockleak-deps.log "$TMP/tmp/sockleak-deps.log"; do
	if [ ! -e "$p" ] && [ ! -L "$p" ]; then
		ln -s "$TMP/victim" "$p"
		planted="$planted $p"
	fi
done
trap 'rm -f $planted; rm -rf "$TMP"' EXIT

set +e
PATH="$TMP/bin:$PATH" TMPDIR="$TMP/tmp" APT_OK="$TMP/ok" sh "$TMP/scripts/deps.sh" 2>"$TMP/err"
rc=$?
set -e
cat "$TMP/err"
[ $rc -eq 1 ] || die "deps.sh with apt-get failing: exit $rc, expected 1"
[ "$(cat "$TMP/victim")" = precious ] || die "the log was written through a planted link"
echo "ok: nothing written through a link at a fixed name"
log=$(sed -n 's/^sockleak: apt-get failed; full log in //p' "$TMP/err")
[ -f "$log" ] && [ ! -L "$log" ] && grep -q "apt-get install" "$log" ||
	die "the log named ($log) is not the apt-get log"
case $log in "$TMP/tmp/sockleak-deps."*) ;; *) die "the log is not under TMPDIR: $log" ;; esac
echo "ok: the failure names its log, made by mktemp under TMPDIR"

touch "$TMP/ok"
PATH="$TMP/bin:$PATH" TMPDIR="$TMP/tmp" APT_OK="$TMP/ok" sh "$TMP/scripts/deps.sh" 2>"$TMP/err" ||
	die "deps.sh with apt-get working failed"
[ "$(find "$TMP/tmp" -name 'sockleak-deps.??????' | wc -l)" -eq 1 ] ||
	die "a successful install left its log"
echo "ok: a successful install removes its log"
