#!/bin/sh
# Man pages: sockleak(1) and one per command, built from doc/*.scd with the options of the
# command's own table; they render with man -l, and make install puts them (and the completion)
# under PREFIX in DESTDIR.
. "$TESTDIR/lib.sh"

command -v man >/dev/null || skip "man is not installed (scripts/deps.sh installs man-db)"
build=$(dirname "$SOCKLEAK")
repo=$(readlink -f "$TESTDIR/../..")
commands="run sweep merge churn watch report compare vm"

render() {
	MANWIDTH=80 man --warnings -l "$1" >"$TMP/page" 2>"$TMP/warn" || die "man -l $1 failed"
	[ ! -s "$TMP/warn" ] || die "man -l $1 warns: $(cat "$TMP/warn")"
}

render "$build/man/sockleak.1"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS SEQUENCES PRESETS TRANSPORTS 'SOCKET OPTIONS' \
	'EXIT STATUS' 'SEE ALSO'; do
	grep -q "^$s" "$TMP/page" || die "sockleak(1) has no $s section"
done
for c in $commands; do
	grep -q "sockleak-$c(1)" "$TMP/page" || die "sockleak(1) does not name sockleak-$c(1)"
done
# The catalogues come from the engine's tables: every preset and socket option is there.
"$SOCKLEAK" run --list-presets | awk '/^[a-z]/ { print $1 }' >"$TMP/presets"
"$SOCKLEAK" run --list-options | awk 'NR > 1 { sub(/=.*/, "", $1); print $1 }' >"$TMP/sockopts"
while read -r w; do
	grep -q "$w" "$TMP/page" || die "sockleak(1) lacks '$w'"
done <"$TMP/presets"
while read -r w; do
	grep -q "^ *$w=" "$TMP/page" || die "sockleak(1) lacks the socket option $w"
done <"$TMP/sockopts"
# The ops of the sequence language, as a bad sequence's message lists them for tcp.
ops=$("$SOCKLEAK" churn --sequence nosuch 2>&1 | sed -n 's/^  ops[^:]*: //p')
[ -n "$ops" ] || die "no list of ops in a bad sequence's message"
for op in $ops; do
	grep -qF -- "$op" "$TMP/page" || die "sockleak(1) lacks the op $op"
done
echo "ok: sockleak(1) renders, names every command, op, preset and socket option"

for c in $commands; do
	page="$build/man/sockleak-$c.1"
	[ -f "$page" ] || die "no man page for $c"
	render "$page"
	grep -q "^NAME" "$TMP/page" && grep -q "sockleak-$c - " "$TMP/page" || die "$c: NAME"
	grep -q "^SYNOPSIS" "$TMP/page" && grep -q "^ *sockleak $c " "$TMP/page" || die "$c: SYNOPSIS"
	grep -q "^EXIT STATUS" "$TMP/page" || die "$c: no EXIT STATUS"
	# Every option --help lists is in OPTIONS, and nothing else claims to be one.
	"$SOCKLEAK" "$c" --help | grep -o '^  \(-., \|    \)--[a-z-]*' | sed 's/.*--/--/' | sort -u >"$TMP/h"
	sed -n '/^OPTIONS/,/^[A-Z]/p' "$TMP/page" | grep -o '^       \(-., \)\?--[a-z-]*' |
		sed 's/.*--/--/' | sort -u >"$TMP/m"
	diff "$TMP/h" "$TMP/m" >"$TMP/d" || die "$c: options of --help and the man page differ: $(cat "$TMP/d")"
done
echo "ok: sockleak-CMD(1) for every command renders, with the options --help lists"

# make install: PREFIX and DESTDIR; man finds the pages there, bash-completion's directory has
# the completion; make uninstall takes them away.
dest="$TMP/dest"
make -s -C "$repo" BUILD="$build" DESTDIR="$dest" PREFIX=/usr/local install >"$TMP/make" 2>&1 ||
	die "make install failed: $(cat "$TMP/make")"
[ -x "$dest/usr/local/bin/sockleak" ] || die "install: no binary"
[ -f "$dest/usr/local/share/bash-completion/completions/sockleak" ] || die "install: no completion"
for c in "" $(printf -- '-%s ' $commands); do
	[ -f "$dest/usr/local/share/man/man1/sockleak$c.1" ] || die "install: no sockleak$c.1"
done
MANWIDTH=80 man -M "$dest/usr/local/share/man" sockleak-run >"$TMP/page" 2>&1 ||
	die "man -M DESTDIR/usr/local/share/man sockleak-run: $(cat "$TMP/page")"
grep -q -- '--fail-on' "$TMP/page" || die "the installed sockleak-run(1) lacks --fail-on"
make -s -C "$repo" BUILD="$build" DESTDIR="$dest" PREFIX=/usr/local uninstall >"$TMP/make" 2>&1 ||
	die "make uninstall failed: $(cat "$TMP/make")"
[ -z "$(find "$dest" -type f)" ] || die "uninstall left: $(find "$dest" -type f)"
echo "ok: make install puts binary, man pages and completion under DESTDIR/PREFIX; uninstall removes them"
