#!/bin/sh
# Fault trials: SIGINT, SIGTERM, SIGHUP, a double SIGINT and SIGKILL at random moments of every
# phase of short runs. After each, no memory cgroup, network namespace, nsfs mount, process or
# temporary file of the run's is left, the exit code is 128+N, and a report that was due (the text
# report was printed) is whole. What SIGKILL leaves (its cgroup) the next run removes and says so.
#
# Usage: tests/fault/run.sh path/to/sockleak (`make fault`). FAULT_TRIALS (30) and FAULT_SEED (the
# time) size and repeat it. FAULT_QUICK=1 is the bounded version make check runs: four runs of
# about 2 s: SIGKILL in churn (the next run cleans), a double SIGINT in quiesce, SIGHUP in churn,
# SIGTERM in baseline.
set -u
[ -n "${TESTDIR:-}" ] || TESTDIR=$(readlink -f "$(dirname "$0")/../integration")
SOCKLEAK=$(readlink -f "${1:-${SOCKLEAK:?usage: run.sh path/to/sockleak}}")
. "$TESTDIR/lib.sh"
need_root
command -v jq >/dev/null || skip "needs jq"
command -v lsns >/dev/null || skip "needs lsns (util-linux)"

quick=${FAULT_QUICK:-0}
seed=${FAULT_SEED:-$(date +%s)}
if [ "$quick" = 1 ]; then
	trials=4
	# 0.5 s baseline, 1 s churn, quiesce up to 0.5 s, no teardown.
	args="--quiet --seconds 1 --baseline 0.5s --quiesce-max 0.5s --no-teardown --server-threads 1"
	windows="0.8:1.2 1.6:1.8 0.8:1.2 0.2:0.4"
	kinds="KILL INT2 HUP TERM"
else
	trials=${FAULT_TRIALS:-30}
	# 1 s baseline, 2 s churn, quiesce up to 2 s, 3 s teardown; then the reports.
	args="--quiet --seconds 2 --baseline 1s --quiesce-max 2s --server-threads 1"
	# Kinds cycle by 5 and phases by 4: every pair comes within 20 trials.
	windows="0.1:0.9 1.1:2.9 3.1:4.5 5.2:7.5"
	kinds="INT TERM HUP INT2 KILL"
fi
nkinds=$(echo $kinds | wc -w)
nwindows=$(echo $windows | wc -w)
echo "fault trials: $trials, seed $seed (FAULT_SEED=$seed repeats them)"

# Where a memory cgroup can be: cgroup v1 memory mounts and cgroup2.
mnts=$(awk '/ - cgroup2 / || (/ - cgroup / && /[ ,]memory(,|$)/) { print $5 }' /proc/self/mountinfo)
host_ns=$(readlink /proc/self/ns/net)

# rnd N: the N-th number in [0, 1), the same for the same seed.
awk -v seed="$seed" -v n="$trials" 'BEGIN { srand(seed); for (i = 0; i < 2 * n; i++) print rand() }' \
	>"$TMP/rand"
rnd() {
	sed -n "${1}p" "$TMP/rand"
}

# The network namespaces the run's tasks are in, other than the host's (inode numbers).
run_netns() {
	for t in /proc/$1/task/*/ns/net; do
		readlink "$t" 2>/dev/null
	done | grep -vxF "$host_ns" | sort -u | sed 's/net:\[\(.*\)\]/\1/'
}

# leftovers PID DIR NS...: says what the ended run left; empty when nothing.
leftovers() {
	lpid=$1
	ldir=$2
	shift 2
	for m in $mnts; do
		find "$m" -type d -name "sockleak.$lpid" 2>/dev/null | sed 's/^/cgroup /'
	done
	for ino in "$@"; do
		lsns -t net -n -o NS 2>/dev/null | grep -qx "$ino" && echo "netns $ino (held by a process)"
		grep -qF "net:[$ino]" /proc/self/mountinfo && echo "netns $ino (mounted)"
	done
	ls /run/netns 2>/dev/null | grep -i sockleak | sed 's/^/named netns /'
	# Its process group, and any process naming the trial's files.
	# (awk fails on a process that went between the glob and its read: that one is not ours.)
	awk -v g="$lpid" '$5 == g { print "process " $1 }' /proc/[0-9]*/stat 2>/dev/null || true
	echo "$ldir/" >"$TMP/pattern"
	grep -laFf "$TMP/pattern" /proc/[0-9]*/cmdline 2>/dev/null |
		sed 's,^/proc/\([0-9]*\)/.*,process \1,'
	find "$ldir" -name '.*.sockleak-*' | sed 's/^/temporary file /'
	true
}

i=0
killed_pid=""
killed_cg=""
hit=""
while [ $i -lt "$trials" ]; do
	i=$((i + 1))
	kind=$(echo $kinds | cut -d' ' -f$(((i - 1) % nkinds + 1)))
	win=$(echo $windows | cut -d' ' -f$(((i - 1) % nwindows + 1)))
	at=$(rnd $i | awk -v w="$win" '{ split(w, a, ":"); printf "%.2f", a[1] + $1 * (a[2] - a[1]) }')
	gap=$(rnd $((trials + i)) | awk '{ printf "%.3f", $1 * 0.15 }')
	dir="$TMP/t$i"
	mkdir "$dir"
	# shellcheck disable=SC2086
	"$SOCKLEAK" run $args --json "$dir/r.json" --csv "$dir/r.csv" >"$dir/out" 2>"$dir/err" &
	pid=$!
	sleep "$at"
	ns=$(run_netns $pid)
	case $kind in
	INT2) kill -INT $pid 2>/dev/null || true; sleep "$gap"; kill -INT $pid 2>/dev/null || true ;;
	*) kill -$kind $pid 2>/dev/null || true ;;
	esac
	set +e
	wait $pid
	rc=$?
	set -e
	case $kind in
	INT | INT2) want=130 ;;
	TERM) want=143 ;;
	HUP) want=129 ;;
	KILL) want=137 ;;
	esac
	phase=$(jq -r '.phases[-1].name // "none"' "$dir/r.json" 2>/dev/null || echo none)
	[ $kind = INT2 ] && what="SIGINT twice, ${gap}s apart," || what="SIG$kind"
	echo "trial $i: $what at ${at}s -> exit $rc, last phase $phase"
	if [ "$rc" -ne "$want" ]; then
		# A signal that came after the run had ended changes nothing: its report says so.
		if [ "$rc" -le 1 ] && jq -e '(.run.signal // 0) == 0' "$dir/r.json" >/dev/null 2>&1; then
			echo "  (the run had ended before the signal)"
		else
			cat "$dir/err"
			die "trial $i: $kind at ${at}s: exit $rc, expected $want"
		fi
	fi
	# A report that was due is whole. One signal (100 ms on: sockleak is in its phases) is
	# handled: both files are due, unless it came while they were written (the text report,
	# printed first, is there without saying "Interrupted"); a second signal, or one while they
	# are written, ends sockleak at once: a file is then whole or absent, never partial.
	due=false
	case $kind in
	INT | TERM | HUP)
		if [ ! -s "$dir/out" ] || grep -q "^Interrupted by signal" "$dir/out"; then
			due=true
		fi
		;;
	esac
	if $due || [ -e "$dir/r.json" ]; then
		jq -e '.tool == "sockleak" and (.series.rows | type == "number") and .result.verdict' \
			"$dir/r.json" >/dev/null || die "trial $i: the JSON report is missing or not whole"
	fi
	if $due || { [ -e "$dir/r.csv" ] && [ -e "$dir/r.json" ]; }; then
		[ "$(wc -l <"$dir/r.csv")" -eq $(($(jq .series.rows "$dir/r.json") + 1)) ] ||
			die "trial $i: the CSV report is missing or not whole"
	fi
	hit="$hit $kind:$phase"
	# What the previous SIGKILL left, this run removed and said so.
	if [ -n "$killed_cg" ]; then
		[ ! -d "$killed_cg" ] || die "trial $i: the cgroup SIGKILL left ($killed_cg) is still there"
		grep -q "removed .*cgroups\{0,1\} that killed runs left: .*sockleak.$killed_pid" "$dir/err" ||
			die "trial $i: the removal of $killed_cg was not said"
		echo "  removed what SIGKILL left: $killed_cg"
	fi
	killed_pid=""
	killed_cg=""
	left=$(leftovers $pid "$dir" $ns)
	if [ "$kind" = KILL ]; then
		# Only its cgroup may stay (and temporary files, which a run 10 s later removes).
		killed_cg=$(echo "$left" | sed -n 's/^cgroup //p' | head -n 1)
		[ -n "$killed_cg" ] && killed_pid=$pid
		left=$(echo "$left" | grep -v '^cgroup \|^temporary file ' || true)
	fi
	[ -z "$left" ] || die "trial $i: $kind left: $left"
done

if [ "$quick" != 1 ]; then
	# The last SIGKILL's cgroup, and any temporary file a SIGKILL left, go with the next run that
	# looks (temporary files untouched for 10 s).
	sleep 11
	# shellcheck disable=SC2086
	"$SOCKLEAK" run $args --no-teardown --json "$TMP/t1/again.json" >/dev/null 2>"$TMP/last.err" ||
		true
	[ -z "$killed_cg" ] || [ ! -d "$killed_cg" ] || die "the last SIGKILL's cgroup is still there"
	left=$(find "$TMP" -name '.*.sockleak-*')
	[ -z "$left" ] || die "temporary files left: $left"
fi
echo "ok: $trials trials, nothing left behind; signal:phase:$hit"
