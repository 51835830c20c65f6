#!/bin/sh
# Sensitivity and specificity of the verdict on this machine (not in CI: about an hour, as root).
#
#   bench/sensitivity.sh [path/to/sockleak]
#
# Leak runs: `sockleak run --inject-leak 100000` for 60 s (about 10 leaked client sockets): each must
# give LEAK. Clean runs: the KB sequence with graceful close, default length: none may give LEAK.
# Runs alternate (leak, clean, clean, ...) so that whatever else the machine does falls on both.
# Environment: LEAK_RUNS (10), CLEAN_RUNS (20), LEAK_SECONDS (60), CLEAN_SECONDS (10),
# QUIESCE_MAX (90s), OUT (a directory kept afterwards: each run's JSON and text report).
set -eu
SOCKLEAK=$(readlink -f "${1:-build/sockleak}")
LEAK_RUNS=${LEAK_RUNS:-10}
CLEAN_RUNS=${CLEAN_RUNS:-20}
LEAK_SECONDS=${LEAK_SECONDS:-60}
CLEAN_SECONDS=${CLEAN_SECONDS:-10}
QUIESCE_MAX=${QUIESCE_MAX:-90s}
OUT=${OUT:-$(mktemp -d /tmp/sockleak-sensitivity.XXXXXX)}

[ "$(id -u)" -eq 0 ] || { echo "sensitivity.sh: needs root (netns, cgroup, slabinfo)" >&2; exit 77; }
command -v jq >/dev/null || { echo "sensitivity.sh: needs jq" >&2; exit 77; }
mkdir -p "$OUT"

# one KIND I ARGS...: a run, its JSON kept; prints "KIND I VERDICT EXIT estimated injected cycles"
one() {
	kind=$1
	i=$2
	shift 2
	set +e
	"$SOCKLEAK" run --quiet --quiesce-max "$QUIESCE_MAX" --json "$OUT/$kind-$i.json" "$@" \
		>"$OUT/$kind-$i.txt" 2>&1
	rc=$?
	set -e
	if [ -s "$OUT/$kind-$i.json" ]; then
		jq -r --arg k "$kind" --arg i "$i" --arg rc "$rc" \
			'[$k, $i, .result.verdict, $rc, .result.leaked_sockets_per_cycle,
			  .result.injected_per_cycle, .result.cycles] | map(tostring) | join(" ")' \
			"$OUT/$kind-$i.json"
	else
		echo "$kind $i NONE $rc - - -"
	fi | tee -a "$OUT/runs.txt"
}

: >"$OUT/runs.txt"
echo "# sockleak sensitivity: $LEAK_RUNS leak runs (1/100000, ${LEAK_SECONDS} s), $CLEAN_RUNS clean" \
	"KB runs (${CLEAN_SECONDS} s); reports in $OUT"
echo "# kind run verdict exit estimated/cycle injected/cycle cycles"
l=0
c=0
while [ $l -lt "$LEAK_RUNS" ] || [ $c -lt "$CLEAN_RUNS" ]; do
	if [ $l -lt "$LEAK_RUNS" ]; then
		l=$((l + 1))
		one leak $l --seconds "$LEAK_SECONDS" --inject-leak 100000
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
echo
echo "leak runs detected as LEAK: $detected of $LEAK_RUNS"
echo "clean runs without LEAK:    $((CLEAN_RUNS - false_leaks)) of $CLEAN_RUNS"
echo "clean verdicts: $(awk '$1 == "clean" { print $3 }' "$OUT/runs.txt" | sort | uniq -c |
	awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
echo "leak estimates (sockets/cycle, injected 1e-05):" \
	"$(awk '$1 == "leak" { printf "%s ", $5 }' "$OUT/runs.txt")"
[ "$detected" -eq "$LEAK_RUNS" ] && [ "$false_leaks" -eq 0 ]
