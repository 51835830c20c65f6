#!/bin/sh
# A run killed with SIGKILL leaves its memory cgroup; the next run removes it, even when it starts
# in another cgroup, and says so in one line. A cgroup whose run is alive stays.
. "$TESTDIR/lib.sh"
need_root

# This shell's memory cgroup (v1 "memory" line, or v2 "0::" with the controller).
mnt=$(awk '/ - cgroup / && / [^ ]*memory/ { print $5; exit }' /proc/self/mountinfo)
rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3; exit }' /proc/self/cgroup)
if [ -z "$mnt" ]; then
	mnt=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	rel=$(awk -F: '$1 == "0" { print $3; exit }' /proc/self/cgroup)
	grep -qw memory "$mnt/cgroup.controllers" 2>/dev/null || skip "no memory cgroup controller"
fi
home="$mnt${rel%/}"
[ -d "$home" ] || skip "cannot find this shell's memory cgroup ($home)"

short="--quiet --seconds 1 --baseline 1s --quiesce-max 1s --no-teardown"
"$SOCKLEAK" run --quiet --seconds 60 --baseline 1s >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -d "$home/sockleak.$pid" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -d "$home/sockleak.$pid" ] || skip "the run made no cgroup of its own here"
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null || true
[ -d "$home/sockleak.$pid" ] || die "SIGKILL left no cgroup: nothing to test"
echo "ok: SIGKILL left $home/sockleak.$pid"

# A live run's cgroup: its pid is alive. The next run starts in another cgroup than the killed one.
sibling="$home/sockleak-test.$$"
mkdir "$sibling"
trap 'rmdir "$sibling" 2>/dev/null; rm -rf "$TMP"' EXIT
# shellcheck disable=SC2086
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" run $3' sh "$sibling" "$SOCKLEAK" "$short" \
	>"$TMP/out" 2>"$TMP/err" || true
cat "$TMP/err"
[ ! -d "$home/sockleak.$pid" ] || die "the stale cgroup $home/sockleak.$pid is still there"
grep -q "^sockleak: \(run: \)\{0,1\}removed [0-9]* cgroups\{0,1\} that killed runs left: .*$home/sockleak.$pid" \
	"$TMP/err" || die "its removal was not said in one line"
echo "ok: the next run, started elsewhere, removed it and said so"
[ -z "$(find "$sibling" -mindepth 1 -maxdepth 1 -type d)" ] ||
	die "the second run left a cgroup: $(find "$sibling" -mindepth 1 -type d)"
echo "ok: the second run left nothing"
