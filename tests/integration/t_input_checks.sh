#!/bin/sh
# Hostile or mistaken input is refused before any work (exit 2, a message saying what to give):
# durations past a day, a port that is not one, a sysctl key with a path in it, and another host
# as --target without a rate. Every sockleak here runs in a network namespace of the test's own
# (unshare -n), so nothing, refused or not, can send a packet off this host.
. "$TESTDIR/lib.sh"
need_root
command -v unshare >/dev/null || skip "needs unshare (util-linux)"

# refused WHAT COMMAND...: exit 2, a message, nothing on stdout, within 20 s.
refused() {
	what=$1
	shift
	set +e
	timeout 20 unshare -n "$SOCKLEAK" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	cat "$TMP/err"
	[ $rc -eq 2 ] || die "$what: expected exit 2, got $rc: sockleak $*"
	grep -q '^sockleak: ' "$TMP/err" || die "$what: no message"
	[ ! -s "$TMP/out" ] || die "$what: it did the work first"
	echo "ok: $what refused (exit 2)"
}

# accepted WHAT COMMAND...: not a usage error (the cycles may fail: nothing listens).
accepted() {
	what=$1
	shift
	set +e
	timeout 20 unshare -n sh -c 'ip link set lo up; ip addr add 198.51.100.7/32 dev lo; "$@"' \
		sh "$SOCKLEAK" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	cat "$TMP/err"
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || die "$what: expected it to run, got exit $rc: sockleak $*"
	echo "ok: $what accepted (exit $rc)"
}

# Durations: at most a day, for every duration option; the budget of a dry run stays sane.
refused "--seconds 1e99" churn --seconds 1e99
refused "--seconds 25h" run --seconds 25h
grep -q "at most 24h" "$TMP/err" || die "the message does not give the bound"
refused "--baseline 1e300" run --baseline 1e300
refused "--quiesce-max 2d" run --quiesce-max 2d
refused "--warmup 1e99" run --warmup 1e99
refused "--interval 1e99" churn --interval 1e99
refused "sweep --dry-run --seconds 1e99" sweep --dry-run --seconds 1e99
refused "sweep --budget 1e99" sweep --dry-run --budget 1e99

# A port is 1-65535, as watch --port says.
refused "--target 127.0.0.1:99999" churn --seconds 1 --target 127.0.0.1:99999
grep -q "not a port (1-65535)" "$TMP/err" || die "the message does not give the range"
refused "--target 127.0.0.1:0" run --seconds 1 --target 127.0.0.1:0
refused "--target [::1]:65536" churn --transport tcp6 --seconds 1 --target '[::1]:65536'

# A sysctl key is a dotted name under net., never a path.
refused "--netns-sysctl with ../" churn --seconds 1 --netns-sysctl 'net.ipv4/../x=1'
grep -q "no '/'" "$TMP/err" || die "the message does not say what a key may hold"
refused "--netns-sysctl with an empty part" churn --seconds 1 --netns-sysctl 'net.ipv4..x=1'

# Another host is churned only at a rate asked for: --rate R, or --rate max on purpose.
refused "a remote --target without --rate" churn --seconds 1 --target 198.51.100.1:9
grep -q "give --rate R" "$TMP/err" && grep -q -- "--rate max" "$TMP/err" ||
	die "the message does not say how to go on"
refused "a remote --target for run without --rate" run --seconds 1 --target 198.51.100.1:9
accepted "a remote --target with --rate 20" churn --seconds 0.5 --quiet --rate 20 \
	--target 198.51.100.1:9
accepted "a remote --target with --rate max" churn --seconds 0.5 --quiet --rate max \
	--target 198.51.100.1:9
accepted "an address of this host's own" churn --seconds 0.5 --quiet --target 198.51.100.7:9
accepted "loopback" churn --seconds 0.5 --quiet --target 127.0.0.1:9
refused "--rate 0" churn --seconds 1 --rate 0
refused "--rate soon" churn --seconds 1 --rate soon
