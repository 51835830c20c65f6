#!/bin/sh
# The terminal's habits: help on a topic, where to start, one style of usage error, text wrapped
# to the terminal's width.
. "$TESTDIR/lib.sh"

commands="run sweep merge churn watch report compare"

# sockleak help CMD prints what CMD --help prints; an unknown topic is a usage error.
for c in $commands; do
	"$SOCKLEAK" help "$c" >"$TMP/help"
	"$SOCKLEAK" "$c" --help >"$TMP/own"
	cmp -s "$TMP/help" "$TMP/own" || die "help $c differs from $c --help"
	head -n 1 "$TMP/help" | grep -q "^Usage: sockleak $c " || die "help $c: not $c's usage"
	grep -q "man sockleak-$c" "$TMP/help" || die "$c --help does not point to its man page"
	grep -q 'README' "$TMP/help" && die "$c --help points to README, not the manual"
done
echo "ok: help CMD is CMD --help, and points to man sockleak-CMD"
expect_exit 2 "$SOCKLEAK" help nosuch 2>"$TMP/err"
grep -q "^sockleak: help: no help on 'nosuch'" "$TMP/err" || die "help nosuch: $(cat "$TMP/err")"
grep -q "run sweep merge churn" "$TMP/err" || die "help nosuch: the topics are not named"
"$SOCKLEAK" help >"$TMP/top"
grep -q '^Commands:' "$TMP/top" || die "help: no command list"
echo "ok: help nosuch exits 2 naming the topics; bare help is the top level"

# Bare sockleak says where to start and how long that takes.
expect_exit 2 "$SOCKLEAK" 2>"$TMP/bare"
grep -q "Start with 'sockleak run'" "$TMP/bare" || die "bare: no starting point"
grep -q 'about [0-9]*s in all, at most [0-9]*s' "$TMP/bare" || die "bare: no length of the default run"
echo "ok: bare sockleak says where to start and how long the default run takes"

# One style of usage error: "sockleak: CMD: what", then where to read more.
usage_err() {
	c=$1
	shift
	set +e
	"$SOCKLEAK" "$c" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ $rc -eq 2 ] || die "$c $*: exit $rc, not 2"
	head -n 1 "$TMP/err" | grep -q "^sockleak: $c: " ||
		die "$c $*: first line is not 'sockleak: $c: ...': $(head -n 1 "$TMP/err")"
	tail -n 1 "$TMP/err" | grep -qF "Try 'sockleak $c --help'" ||
		die "$c $*: no hint to --help: $(tail -n 1 "$TMP/err")"
	[ "$(grep -c "Try 'sockleak" "$TMP/err")" -eq 1 ] || die "$c $*: hint given twice"
}
for c in $commands; do
	usage_err "$c" --no-such-option
done
usage_err run extra-argument
usage_err run --threads 0
usage_err run --sequence 'socket,sennd,close'
usage_err churn --transport sctp
usage_err sweep --budget soon
usage_err watch --interval 0
usage_err report
usage_err compare only-one.json
echo "ok: every command's usage errors read 'sockleak: CMD: ...' and end with the --help hint"

# Help wraps to COLUMNS; without COLUMNS and a terminal, to 100.
for w in 60 80 132; do
	COLUMNS=$w "$SOCKLEAK" run --help >"$TMP/h$w"
	awk -v w=$w 'length > w && !/^ *-/ { print; bad = 1 } END { exit bad }' "$TMP/h$w" ||
		die "run --help at COLUMNS=$w has longer lines (above)"
done
awk 'length > 100 { bad = 1 } END { exit bad }' "$TMP/h132" &&
	die "COLUMNS=132 did not widen the help"
env -u COLUMNS "$SOCKLEAK" run --help >"$TMP/h"
awk 'length > 100 && !/^ *-/ { bad = 1 } END { exit bad }' "$TMP/h" ||
	die "not a terminal: help wider than 100 columns"
awk 'length > 90 { n++ } END { exit !(n > 0) }' "$TMP/h" ||
	die "not a terminal: help not wrapped at 100 (no line past 90)"
echo "ok: help wraps to COLUMNS, else 100 when not a terminal"

# The text report wraps at the width it is given (--width, else COLUMNS, else 100), and the same
# width gives the same text.
gzip -dc "$TESTDIR/../data/golden/leak.json.gz" >"$TMP/leak.json"
env -u COLUMNS "$SOCKLEAK" report "$TMP/leak.json" >"$TMP/r100"
"$SOCKLEAK" report "$TMP/leak.json" --width 100 >"$TMP/w100"
cmp -s "$TMP/r100" "$TMP/w100" || die "report: --width 100 differs from the default (100)"
"$SOCKLEAK" report "$TMP/leak.json" --width 80 >"$TMP/w80"
COLUMNS=80 "$SOCKLEAK" report "$TMP/leak.json" >"$TMP/c80"
cmp -s "$TMP/w80" "$TMP/c80" || die "report: --width 80 differs from COLUMNS=80"
# Prose (the verdict and Why sections) wraps at 80; table rows narrow their name column.
awk 'BEGIN { prose = 1 } /^Why/ { prose = 1 } /^$/ { prose = 0 }
     (prose && length > 80) || length > 90 { print; bad = 1 } END { exit bad }' "$TMP/w80" ||
	die "report --width 80: prose past 80 columns or tables past 90, above"
grep -q '^Why' "$TMP/w80" || die "report --width 80: no Why section"
"$SOCKLEAK" report "$TMP/leak.json" --width 140 >"$TMP/w140"
awk 'length > 100 { n++ } END { exit !(n > 0) }' "$TMP/w140" || die "report --width 140: not wider"
cmp -s "$TMP/w80" "$TMP/w140" && die "report: the width changed nothing"
echo "ok: report re-renders at the width it is given; the same width gives the same text"
