#!/bin/sh
# The verdict on a busy host (not in CI: about 20 minutes with the defaults, as root). Under each
# of three background generators, started and stopped by this script around every run, clean runs
# must give no LEAK and at most one INCONCLUSIVE in ten, and runs with `--inject-leak 1000` must
# give LEAK with the rate within 10% of 0.001 sockets per cycle:
#
#   tcp     a process in another netns opening and keeping TCP connections (both ends) at a
#           steady rate: the host's TCP, sock_inode_cache, dentry and filp caches rise all along
#   files   a file churner creating and removing files at a steady rate: dentry (negative
#           dentries), the filesystem's inode caches
#   memory  a memory hog taking 1 GiB in steps and touching it: meminfo, page tables
#
#   bench/noise.sh [path/to/sockleak]
#
# Environment: BENCH_REPS (10) clean and leak runs per generator, GENERATORS ("tcp files
# memory"), SECONDS_RUN (5) of churn per run, OUT (a directory kept afterwards: each run's JSON
# and text report). On a shared machine run it in parts (BENCH_REPS=2 GENERATORS=tcp, ...) and
# add the counts up.
set -eu
SOCKLEAK=$(readlink -f "${1:-build/sockleak}")
REPS=${BENCH_REPS:-10}
GENERATORS=${GENERATORS:-tcp files memory}
SECS=${SECONDS_RUN:-5}
OUT=${OUT:-$(mktemp -d /tmp/sockleak-noise.XXXXXX)}

[ "$(id -u)" -eq 0 ] || { echo "noise.sh: needs root (netns, cgroup, slabinfo)" >&2; exit 77; }
for c in jq python3 ip; do
	command -v $c >/dev/null || { echo "noise.sh: needs $c" >&2; exit 77; }
done
mkdir -p "$OUT"
NS=sl-noise-$$
WORK=$(mktemp -d /tmp/sockleak-noise-work.XXXXXX)
GEN=

stop_gen() {
	if [ -n "$GEN" ]; then
		kill "$GEN" 2>/dev/null || true
		wait "$GEN" 2>/dev/null || true
		GEN=
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK/files"
}
trap 'stop_gen; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM HUP

# start_gen NAME: the generator in the background (GEN its pid), once it is under way.
start_gen() {
	rm -f "$WORK/going"
	case $1 in
	tcp)
		ip netns add "$NS"
		ip netns exec "$NS" ip link set lo up
		# 200 connections a second, both ends kept, for 60 s at most (24,000 sockets, fewer when
		# the fd limit is lower).
		ip netns exec "$NS" python3 -c '
import resource, socket, sys, time
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
fds = min(32768, hard if hard != resource.RLIM_INFINITY else 32768)
resource.setrlimit(resource.RLIMIT_NOFILE, (fds, hard))
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4096)
kept, t0 = [], time.monotonic()
for i in range(min(12000, (fds - 64) // 2)):
    c = socket.create_connection(ls.getsockname())
    a, _ = ls.accept()
    kept += [c, a]
    if i == 20:
        open(sys.argv[1], "w").close()
    time.sleep(max(0, t0 + (i + 1) / 200 - time.monotonic()))
time.sleep(30)
' "$WORK/going" &
		;;
	files)
		mkdir -p "$WORK/files"
		# 2,000 files a second created and removed, each name new: negative dentries pile up.
		python3 -c '
import os, sys, time
d, t0 = sys.argv[2], time.monotonic()
for i in range(240000):
    p = os.path.join(d, "f%d" % i)
    open(p, "w").close()
    os.unlink(p)
    if i == 100:
        open(sys.argv[1], "w").close()
    if i % 100 == 99:
        time.sleep(max(0, t0 + (i + 1) / 2000 - time.monotonic()))
' "$WORK/going" "$WORK/files" &
		;;
	memory)
		# 1 GiB taken 64 MiB a second and touched, then held and touched again every second.
		python3 -c '
import sys, time
chunks = []
for i in range(16):
    b = bytearray(64 << 20)
    for j in range(0, len(b), 4096):
        b[j] = 1
    chunks.append(b)
    if i == 0:
        open(sys.argv[1], "w").close()
    time.sleep(1)
for _ in range(120):
    for b in chunks:
        for j in range(0, len(b), 1 << 20):
            b[j] = (b[j] + 1) & 255
    time.sleep(1)
' "$WORK/going" &
		;;
	*)
		echo "noise.sh: unknown generator '$1' (tcp, files, memory)" >&2
		exit 2
		;;
	esac
	GEN=$!
	tries=0
	while [ ! -e "$WORK/going" ]; do
		kill -0 "$GEN" 2>/dev/null || { echo "noise.sh: generator $1 did not start" >&2; exit 1; }
		[ $tries -lt 200 ] || { echo "noise.sh: generator $1 did nothing in 10 s" >&2; exit 1; }
		sleep 0.05
		tries=$((tries + 1))
	done
}

# one GEN KIND I ARGS...: a run under generator GEN; prints
# "GEN KIND I VERDICT EXIT estimated injected cycles wall"
one() {
	g=$1 kind=$2 i=$3
	shift 3
	start_gen "$g"
	set +e
	t0=$(date +%s.%N)
	"$SOCKLEAK" run --quiet --seconds "$SECS" --json "$OUT/$g-$kind-$i.json" "$@" \
		>"$OUT/$g-$kind-$i.txt" 2>&1
	rc=$?
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	set -e
	stop_gen
	if [ -s "$OUT/$g-$kind-$i.json" ]; then
		jq -r --arg g "$g" --arg k "$kind" --arg i "$i" --arg rc "$rc" --arg wall "$wall" \
			'[$g, $k, $i, .result.verdict, $rc, .result.leaked_sockets_per_cycle,
			  .result.injected_per_cycle, .result.cycles, $wall] | map(tostring) |
			  join(" ")' "$OUT/$g-$kind-$i.json"
	else
		echo "$g $kind $i NONE $rc - - - $wall"
	fi | tee -a "$OUT/runs.txt"
}

touch "$OUT/runs.txt"
echo "# sockleak noise: $REPS clean and $REPS leak runs (--inject-leak 1000) under each of:" \
	"$GENERATORS; ${SECS} s of churn; reports in $OUT"
echo "# generator kind run verdict exit estimated/cycle injected/cycle cycles wall_s"
for g in $GENERATORS; do
	n=1
	while [ $n -le "$REPS" ]; do
		one "$g" clean "$n"
		one "$g" leak "$n" --inject-leak 1000
		n=$((n + 1))
	done
done

echo
printf '%-8s %-28s %-36s %s\n' generator "clean: LEAK / INCONCLUSIVE" \
	"leak: LEAK / rate within 10%" "wall s (median, max)"
ok=0
for g in $GENERATORS; do
	awk -v g="$g" '$1 == g' "$OUT/runs.txt" >"$WORK/g"
	nc=$(awk '$2 == "clean"' "$WORK/g" | wc -l)
	cl=$(awk '$2 == "clean" && $4 == "LEAK"' "$WORK/g" | wc -l)
	ci=$(awk '$2 == "clean" && $4 == "INCONCLUSIVE"' "$WORK/g" | wc -l)
	nl=$(awk '$2 == "leak"' "$WORK/g" | wc -l)
	ll=$(awk '$2 == "leak" && $4 == "LEAK"' "$WORK/g" | wc -l)
	lr=$(awk '$2 == "leak" && $4 == "LEAK" && $6 != "null" &&
		($6 / $7 - 1 < 0.1 && 1 - $6 / $7 < 0.1)' "$WORK/g" | wc -l)
	wall=$(awk '{ print $9 }' "$WORK/g" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) printf "%s, %s", v[int((NR + 1) / 2)], v[NR] }')
	printf '%-8s %-28s %-36s %s\n' "$g" "$cl / $ci of $nc" "$ll / $lr of $nl" "$wall"
	# The target: no LEAK and at most 1 INCONCLUSIVE in 10 clean runs (scaled to the runs made);
	# every leak run LEAK with its rate within 10%.
	if [ "$cl" -ne 0 ] || [ $((ci * 10)) -gt "$nc" ] || [ "$lr" -ne "$nl" ]; then
		ok=1
	fi
done
exit $ok
