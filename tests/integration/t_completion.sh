#!/bin/sh
# Bash completion: installed where bash-completion looks, loaded by bash-completion's own loader,
# it offers the commands, each command's options, and values from sockleak's tables (presets,
# transports, ops, socket options, verdicts) and files.
. "$TESTDIR/lib.sh"

[ -f /usr/share/bash-completion/bash_completion ] ||
	skip "bash-completion is not installed (scripts/deps.sh installs it)"
build=$(dirname "$SOCKLEAK")
repo=$(readlink -f "$TESTDIR/../..")
dest="$TMP/dest"
make -s -C "$repo" BUILD="$build" DESTDIR="$dest" PREFIX=/usr/local install >"$TMP/make" 2>&1 ||
	die "make install failed: $(cat "$TMP/make")"

# complete LINE: what Tab offers at the end of LINE, one per line, sorted, in an interactive-like
# bash where bash-completion loads sockleak's completion on demand from the installed tree.
complete_line() {
	PATH="$dest/usr/local/bin:$PATH" XDG_DATA_DIRS="$dest/usr/local/share" \
		bash --norc --noprofile -c '
		. /usr/share/bash-completion/bash_completion
		_completion_loader sockleak
		complete -p sockleak | grep -q -- "-F _sockleak" || { echo "not loaded" >&2; exit 1; }
		COMP_LINE=$1 COMP_POINT=${#1}
		read -ra COMP_WORDS <<<"$1"
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_sockleak
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$1" >"$TMP/got" ||
		die "completion of '$1' failed"
}

expect() { # LINE WORD...: each WORD is offered
	complete_line "$1"
	shift
	for w in "$@"; do
		grep -qxF -- "$w" "$TMP/got" || die "'$line' does not offer '$w': $(tr '\n' ' ' <"$TMP/got")"
	done
}

line='sockleak '
expect "$line" run sweep merge churn watch report compare vm help
line='sockleak help r'
expect "$line" run report
echo "ok: commands, and help's topics"

for c in run sweep merge churn watch report compare vm; do
	"$SOCKLEAK" "$c" --help | grep -o '^  \(-., \|    \)--[a-z-]*' | sed 's/.*--/--/' >"$TMP/opts"
	line="sockleak $c --"
	complete_line "$line"
	while read -r o; do
		grep -qxF -- "$o" "$TMP/got" || die "'$line' does not offer $o"
	done <"$TMP/opts"
done
echo "ok: every option each command's --help lists is offered"

line='sockleak run --sequence '
expect "$line" $("$SOCKLEAK" run --list-presets | awk '/^[a-z]/ { print $1 }') socket
line='sockleak run --sequence=cr'
expect "$line" crr
line='sockleak run --sequence socket,setsockopt:SO_LI'
expect "$line" SO_LINGER=
line='sockleak run --sequence socket,c'
expect "$line" socket,connect socket,close
echo "ok: presets, ops and socket options for --sequence"

line='sockleak churn --transport '
expect "$line" tcp tcp6 udp udp6 unix unix-dgram mptcp
line='sockleak sweep --transports tcp,u'
expect "$line" tcp,udp tcp,unix-dgram
line='sockleak sweep --options TCP_'
expect "$line" $("$SOCKLEAK" run --list-options | awk -F= 'NR > 1 && /^TCP_/ { print $1 }')
line='sockleak run --fail-on '
expect "$line" leak backlog inconclusive bounded
line='sockleak watch -s '
expect "$line" growth rate size
echo "ok: transports, socket options, verdicts and sort keys"

line='sockleak vm --accel '
expect "$line" auto kvm tcg
line='sockleak vm --kernel /boot/vmlinuz -- '
expect "$line" run sweep churn report compare
line='sockleak vm --kernel /boot/vmlinuz --quiet -- run --fail-on '
expect "$line" leak backlog inconclusive bounded
echo "ok: vm's options, then the command it runs after --, with that command's options"

mkdir "$TMP/runs"
: >"$TMP/runs/old.json"
: >"$TMP/runs/new.json"
line="sockleak compare $TMP/runs/o"
expect "$line" "$TMP/runs/old.json"
line="sockleak merge $TMP/runs/old.json $TMP/runs/n"
expect "$line" "$TMP/runs/new.json"
line="sockleak run --json $TMP/runs/n"
expect "$line" "$TMP/runs/new.json"
echo "ok: files for operands and file options"
