#!/bin/sh
# The vm section of `make bench`: sockleak vm's boot-to-result overhead and the guest's speed.
# bench/vm.sh path/to/sockleak SECONDS REPS
#   boot: time from `sockleak vm` starting to the guest's sockleak starting (what sockleak vm
#         reports itself), REPS boots under TCG, median (goal: under 15 s here);
#   speed: the KB sequence for SECONDS in the guest and on this host, REPS pairs back to back
#         (who goes first alternates): cycles/s of each and their ratio.
set -eu
SOCKLEAK=$1
SECS=$2
REPS=$3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
here=$(dirname "$0")

stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", m, v[1], v[NR] }'
}

if ! command -v qemu-system-x86_64 >/dev/null || [ "$(id -u)" -ne 0 ]; then
	echo "(skipped: needs root and qemu-system-x86_64; scripts/deps.sh installs it)"
	exit 0
fi
eval "$("$here/../scripts/vm-kernel.sh")"
# shellcheck disable=SC2154
echo "kernel $(basename "$kernel") under qemu/tcg, 1 CPU, 2 GiB; host $(uname -r), $(nproc) cores"
echo

vm() {
	"$SOCKLEAK" vm --accel tcg --kernel "$kernel" "$@"
}

i=0
while [ $i -lt "$REPS" ]; do
	start=$(date +%s.%N)
	vm -- churn --quiet --ops 1 >/dev/null 2>"$OUT/boot.err"
	end=$(date +%s.%N)
	sed -n "s/.*the guest's sockleak started \([0-9.]*\) s after.*/\1/p" "$OUT/boot.err" >>"$OUT/boot"
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }' >>"$OUT/whole"
	i=$((i + 1))
done
set -- $(stats <"$OUT/boot")
printf 'boot to the guest'"'"'s sockleak: median %.1f s (min %.1f, max %.1f) over %s boots; goal < 15 s\n' \
	"$1" "$2" "$3" "$REPS"
set -- $(stats <"$OUT/whole")
printf 'whole sockleak vm -- churn --ops 1 (boot, run, power-off): median %.1f s\n' "$1"
echo

guest_rate() {
	vm --quiet -- churn --quiet --seconds "$SECS" --json "$OUT/g.json" >/dev/null 2>&1
	jq -r .cycles_per_second "$OUT/g.json"
}
host_rate() {
	"$SOCKLEAK" churn --quiet --seconds "$SECS" --json "$OUT/h.json" >/dev/null
	jq -r .cycles_per_second "$OUT/h.json"
}
i=0
while [ $i -lt "$REPS" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		g=$(guest_rate)
		h=$(host_rate)
	else
		h=$(host_rate)
		g=$(guest_rate)
	fi
	echo "$g" >>"$OUT/g"
	echo "$h" >>"$OUT/h"
	awk -v g="$g" -v h="$h" 'BEGIN { printf "%.4f\n", g / h }' >>"$OUT/r"
	i=$((i + 1))
done
set -- $(stats <"$OUT/g"); gm=$1
set -- $(stats <"$OUT/h"); hm=$1
set -- $(stats <"$OUT/r")
printf 'KB sequence, %s s per run, %s pairs: guest %.0f c/s, host %.0f c/s, guest/host %.3f (min %.3f, max %.3f)\n' \
	"$SECS" "$REPS" "$gm" "$hm" "$1" "$2" "$3"
