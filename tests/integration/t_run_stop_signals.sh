#!/bin/sh
# SIGTERM and SIGHUP end a run at once with its reports; a second or third signal at any moment
# still leaves no memory cgroup or namespace behind; churn runs in a memory cgroup of its own.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq

named=$(ls /run/netns 2>/dev/null || true)

# start NAME CMD ARGS...: sockleak CMD in the background with one server thread, so that churn
# shows as five tasks (main, server, sampler, client, controller; churn has no sampler); waits
# until it churns and finds its memory cgroup ($cg, "" when none).
start() {
	name=$1
	tasks=5
	[ "$2" = churn ] && tasks=4
	shift
	"$SOCKLEAK" "$@" --quiet --server-threads 1 --json "$TMP/$name.json" \
		>"$TMP/$name.txt" 2>"$TMP/$name.err" &
	pid=$!
	wait_tasks $pid $tasks
	cg=""
	grep -q "/sockleak.$pid\$" /proc/$pid/cgroup &&
		cg=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "sockleak.$pid" | head -n 1)
	# The run's own netns: the one its client thread entered (the main thread stays home).
	ns=$(for t in /proc/$pid/task/*; do readlink $t/ns/net; done | sort -u |
		grep -vxF "$(readlink /proc/$pid/ns/net)" | head -n 1)
	[ -n "$ns" ] || die "$name: no netns of its own"
	return 0
}

# finish NAME: waits; leaves the exit code in $rc; fails if its cgroup or a namespace is left.
finish() {
	set +e
	wait $pid
	rc=$?
	set -e
	if [ -n "$cg" ] && [ -d "$cg" ]; then
		rmdir "$cg" 2>/dev/null || true
		die "$1: memory cgroup $cg left behind (exit $rc)"
	fi
	# Other runs on the host make and drop namespaces: only this run's own must be gone.
	ns_held "$ns" && die "$1: its network namespace $ns is still held"
	[ "$(ls /run/netns 2>/dev/null || true)" = "$named" ] || die "$1: a named netns was left"
	return 0
}

# ns_held NS: whether a sockleak thread is still in the namespace (net:[inode]). Other programs
# on the host make namespaces too, and a freed inode number is handed out again at once.
ns_held() {
	for f in $(find /proc/[0-9]*/task/*/ns/net -maxdepth 0 \
		-lname "net:\\[$(echo "$1" | tr -dc 0-9)\\]" 2>/dev/null); do
		[ "$(cat "${f%/ns/net}/comm" 2>/dev/null)" = sockleak ] && return 0
	done
	return 1
}

# churn has its own memory cgroup, as run does.
start churn churn --seconds 20
[ -n "$cg" ] || die "churn is not in a memory cgroup of its own: $(cat /proc/$pid/cgroup)"
echo "ok: churn runs in its own memory cgroup ($cg)"
kill -TERM $pid
finish churn
[ $rc -eq 143 ] || die "churn SIGTERM: expected exit 143, got $rc"
jq -e '.stopped_by == "SIGTERM"' "$TMP/churn.json" >/dev/null || die "churn: stopped_by"
echo "ok: churn stopped by SIGTERM, cgroup gone"

# SIGTERM and SIGHUP: no quiesce to wait for; the reports are written, exit 128+N.
for sig in TERM HUP; do
	start $sig run --seconds 60 --baseline 0.5s --quiesce-max 60s
	sleep 0.3
	kill -$sig $pid
	t0=$(date +%s)
	finish $sig
	cat "$TMP/$sig.txt" "$TMP/$sig.err"
	want=143
	[ $sig = HUP ] && want=129
	[ $rc -eq $want ] || die "SIG$sig: expected exit $want, got $rc"
	[ $(($(date +%s) - t0)) -le 10 ] || die "SIG$sig: the run did not end at once"
	rjq $sig ".run.stopped_by == \"SIG$sig\" and .result.verdict != null and
		([.phases[].name] == [\"baseline\", \"churn\"])" "SIG$sig: reports written, no quiesce"
	says $sig "Interrupted by signal"
done

# Two signals, the second 0-150 ms after the first, then three: whatever arrives when, the cgroup
# and namespace go; with two, the JSON is written whole.
trials=0
for d in 0 20 40 60 90 120 150 0 50 100 150; do
	n=2
	[ $trials -ge 7 ] && n=3
	start twice run --seconds 60 --baseline 0.5s --quiesce-max 60s --interval 20ms
	sleep 0.5
	kill -INT $pid
	k=1
	while [ $k -lt $n ]; do
		sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1000 }')"
		kill -INT $pid 2>/dev/null || true
		k=$((k + 1))
	done
	finish "$n signals ${d}ms apart"
	[ $rc -eq 130 ] || die "$n signals ${d}ms apart: expected exit 130, got $rc"
	if [ $n -eq 2 ]; then
		jq -e '.result.verdict != null' "$TMP/twice.json" >/dev/null ||
			die "2 signals ${d}ms apart: the JSON was not written"
	elif [ -e "$TMP/twice.json" ]; then
		jq -e '.schema' "$TMP/twice.json" >/dev/null ||
			die "3 signals ${d}ms apart: a partial JSON was left"
	fi
	rm -f "$TMP/twice.json"
	trials=$((trials + 1))
done
echo "ok: $trials trials of two or three signals left no cgroup or namespace"
