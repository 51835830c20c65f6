# Helpers of the signal tests (t_run_stop_signals, t_run_stop_term): a run started in the
# background and found churning, and what must be gone once it ended.
. "$TESTDIR/run_lib.sh"

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
