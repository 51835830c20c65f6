#!/bin/sh
# Sensitivity and specificity of the verdict on this machine, and the wall time of each run (not
# in CI: about 15 minutes, as root).
#
#   bench/sensitivity.sh [path/to/sockleak]
#
# Leak runs: `sockleak run --inject-leak 100000 --ops 200000` (two leaked client sockets, about
# 15 s of churn): each must give LEAK. Clean runs: the KB sequence with graceful close, default
# length: none may give LEAK. Every run must end within WALL_MAX seconds of wall time: quiesce does
# not wait for TIME_WAIT, which goes with the run's netns at teardown. Runs alternate (leak, clean,
# clean, ...) so that whatever else the machine does falls on both. On a shared machine run it in
# parts (LEAK_RUNS=4 CLEAN_RUNS=7, ...) and add the counts up.
# Environment: LEAK_RUNS (10), CLEAN_RUNS (20), LEAK_OPS (200000), CLEAN_SECONDS (10), WALL_MAX
# (30), QUIESCE_MAX (unset: the default quiesce; set, quiesce also waits for TIME_WAIT), OUT (a
# directory kept afterwards: each run's JSON and text report).
set -eu
SOCKLEAK=$(readlink -f "${1:-build/sockleak}")
LEAK_RUNS=${LEAK_RUNS:-10}
CLEAN_RUNS=${CLEAN_RUNS:-20}
LEAK_OPS=${LEAK_OPS:-200000}
CLEAN_SECONDS=${CLEAN_SECONDS:-10}
WALL_MAX=${WALL_MAX:-30}
QUIESCE_MAX=${QUIESCE_MAX:-}
OUT=${OUT:-$(mktemp -d /tmp/sockleak-sensitivity.XXXXXX)}

[ "$(id -u)" -eq 0 ] || { echo "sensitivity.sh: needs root (netns, cgroup, slabinfo)" >&2; exit 77; }
command -v jq >/dev/null || { echo "sensitivity.sh: needs jq" >&2; exit 77; }
mkdir -p "$OUT"

# one KIND I ARGS...: a run, its JSON kept; prints
# "KIND I VERDICT EXIT estimated injected cycles wall"
one() {
	kind=$1
	i=$2
	shift 2
	set +e
	t0=$(date +%s.%N)
	"$SOCKLEAK" run --quiet ${QUIESCE_MAX:+--quiesce-max "$QUIESCE_MAX"} \
		--json "$OUT/$kind-$i.json" "$@" >"$OUT/$kind-$i.txt" 2>&1
	rc=$?
	wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	set -e
	if [ -s "$OUT/$kind-$i.json" ]; then
		jq -r --arg k "$kind" --arg i "$i" --arg rc "$rc" --arg wall "$wall" \
			'[$k, $i, .result.verdict, $rc, .result.leaked_sockets_per_cycle,
			  .result.injected_per_cycle, .result.cycles, ($wall | tonumber | . * 10 |
			  round / 10)] | map(tostring) | join(" ")' "$OUT/$kind-$i.json"
	else
		echo "$kind $i NONE $rc - - - $wall"
	fi | tee -a "$OUT/runs.txt"
}

: >"$OUT/runs.txt"
echo "# sockleak sensitivity: $LEAK_RUNS leak runs (1/100000, $LEAK_OPS cycles), $CLEAN_RUNS clean" \
	"KB runs (${CLEAN_SECONDS} s); reports in $OUT"
echo "# kind run verdict exit estimated/cycle injected/cycle cycles wall_s"
l=0
c=0
while [ $l -lt "$LEAK_RUNS" ] || [ $c -lt "$CLEAN_RUNS" ]; do
	if [ $l -lt "$LEAK_RUNS" ]; then
		l=$((l + 1))
		one leak $l --ops "$LEAK_OPS" --inject-leak 100000
	fi
	for _ in 1 2; do
		if [ $c -lt "$CLEAN_RUNS" ]; then
			c=$((c + 1))
			one clean $c --seconds "$CLEAN_SECONDS"
		fi
	done
done

detected=$(awk '$1 == "leak" && $3 == "LEAK"' "$OUT/runs.txt" | wc -l)
false_leaks=$(awk '$1 == "clean" && $3 == "LEAK"' "$OUT/runs.txt" | wc -l)
slow=$(awk -v max="$WALL_MAX" '$8 + 0 > max + 0' "$OUT/runs.txt" | wc -l)
echo
echo "leak runs detected as LEAK: $detected of $LEAK_RUNS"
echo "clean runs without LEAK:    $((CLEAN_RUNS - false_leaks)) of $CLEAN_RUNS"
echo "clean verdicts: $(awk '$1 == "clean" { print $3 }' "$OUT/runs.txt" | sort | uniq -c |
	awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
echo "leak estimates (sockets/cycle, injected 1e-05):" \
	"$(awk '$1 == "leak" { printf "%s ", $5 }' "$OUT/runs.txt")"
echo "wall seconds per run (leak): $(awk '$1 == "leak" { printf "%s ", $8 }' "$OUT/runs.txt")"
echo "wall seconds per run (clean): $(awk '$1 == "clean" { printf "%s ", $8 }' "$OUT/runs.txt")"
echo "runs over ${WALL_MAX} s of wall time: $slow of $((LEAK_RUNS + CLEAN_RUNS))"
[ "$detected" -eq "$LEAK_RUNS" ] && [ "$false_leaks" -eq 0 ] && [ "$slow" -eq 0 ]
