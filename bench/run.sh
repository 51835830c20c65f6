#!/bin/sh
# Benchmarks, one section each; `make bench` runs them all: bench/run.sh BUILD/sockleak BUILD/bench
# Ratios are measured side by side: each repetition runs the two contenders back to back.
# BENCH_SECONDS (default 5) and BENCH_REPS (default 5) size the runs; BENCH_SECTIONS picks sections.
set -eu
SOCKLEAK=$(readlink -f "${1:?usage: run.sh path/to/sockleak path/to/bench-dir}")
BENCHDIR=$(readlink -f "${2:?usage: run.sh path/to/sockleak path/to/bench-dir}")
SECS=${BENCH_SECONDS:-5}
REPS=${BENCH_REPS:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# median, min and max of numbers on stdin, one per line
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", m, v[1], v[NR] }'
}

# engine_rate SEQUENCE THREADS -> "cycles/s user_share failed_cycles"
engine_rate() {
	"$SOCKLEAK" churn --quiet --sequence "$1" --threads "$2" --seconds "$SECS" \
		--json "$OUT/e.json" >/dev/null
	jq -r '"\(.cycles_per_second) \(.cpu.user_share) \(.failed_cycles)
		\(.cycles / (.cpu.user_seconds + .cpu.system_seconds))"' "$OUT/e.json" | tr '\n' ' '
	echo
}

# bare_rate THREADS graceful|abort -> "cycles/s cycles-per-CPU-second"
bare_rate() {
	"$BENCHDIR/bare" "$1" "$SECS" "$2" | awk '{ printf "%.1f %.1f\n", $2 / $4, $2 / ($6 + $8) }'
}

# Section: the engine against the bare loop, KB sequence, graceful and abortive close.
section_churn_vs_bare() {
	echo "## churn vs bare loop (tcp, own netns, ${SECS} s per run, ${REPS} runs each, in turn)"
	echo
	printf '%-10s %-7s %12s %12s %8s %15s %9s %19s %7s\n' close threads "engine c/s" \
		"bare c/s" ratio "ratio min-max" "c/cpu-s" "user CPU" errors
	for close in graceful abort; do
		seq=kb171996
		[ "$close" = abort ] && seq=abort
		for t in 1 2; do
			: >"$OUT/e" ; : >"$OUT/b" ; : >"$OUT/r" ; : >"$OUT/u" ; : >"$OUT/x"
			i=0 fails=0
			while [ $i -lt "$REPS" ]; do
				# Alternate who goes first, so a drift in the machine's load evens out.
				[ $((i % 2)) -eq 1 ] && bb=$(bare_rate $t $close)
				set -- $(engine_rate $seq $t)
				e=$1 u=$2 fails=$((fails + $3)) ex=$4
				[ $((i % 2)) -eq 0 ] && bb=$(bare_rate $t $close)
				set -- $bb
				b=$1 bx=$2
				echo "$e" >>"$OUT/e"
				echo "$b" >>"$OUT/b"
				echo "$u" >>"$OUT/u"
				awk -v e="$e" -v b="$b" 'BEGIN { printf "%.4f\n", e / b }' >>"$OUT/r"
				awk -v e="$ex" -v b="$bx" 'BEGIN { printf "%.4f\n", e / b }' >>"$OUT/x"
				i=$((i + 1))
			done
			set -- $(stats <"$OUT/e"); em=$1
			set -- $(stats <"$OUT/b"); bm=$1
			set -- $(stats <"$OUT/r"); rm=$1 rlo=$2 rhi=$3
			set -- $(stats <"$OUT/u"); um=$1 uhi=$3
			set -- $(stats <"$OUT/x"); xm=$1
			printf '%-10s %-7s %12.0f %12.0f %8.3f %7.3f-%-7.3f %9.3f %5.2f%% (max %.2f%%) %7s\n' \
				$close $t "$em" "$bm" "$rm" "$rlo" "$rhi" "$xm" \
				"$(awk -v u="$um" 'BEGIN { print u * 100 }')" \
				"$(awk -v u="$uhi" 'BEGIN { print u * 100 }')" "$fails"
		done
	done
	echo
	echo "ratio = engine / bare cycles/s, median of the paired runs (min-max: the spread over"
	echo "pairs); user CPU = user / (user + system) of the whole sockleak process (clients and"
	echo "server), median and max; errors = failed engine cycles over all runs of the row;"
	echo "c/cpu-s = engine / bare cycles per CPU-second (user + system), median of the pairs:"
	echo "what each cycle costs, less sensitive than cycles/s to other load on the machine."
	echo
}

# Section: the CRR-like preset, to set against other CRR tools (netperf TCP_CRR, neper tcp_crr).
section_crr() {
	echo "## crr preset (socket, SO_LINGER 1:0, connect, send 1, recv 1, close; tcp, own netns)"
	echo
	printf '%-7s %12s %20s\n' threads "cycles/s" "min-max"
	for t in 1 2; do
		: >"$OUT/c"
		i=0
		while [ $i -lt "$REPS" ]; do
			engine_rate crr $t | awk '{ print $1 }' >>"$OUT/c"
			i=$((i + 1))
		done
		set -- $(stats <"$OUT/c")
		printf '%-7s %12.0f %9.0f-%-10.0f\n' $t "$1" "$2" "$3"
	done
	echo
}

# Section: what sampling costs the engine: churn alone vs churn with the sampler at 10 Hz
# (every probe, the CSV written at the end), same sequence and length, in turn.
section_sampler() {
	echo "## engine with the sampler at 10 Hz vs without (kb171996, tcp, 1 thread, ${SECS} s, ${REPS} pairs)"
	echo
	: >"$OUT/r"
	i=0
	while [ $i -lt "$REPS" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			a=$(engine_rate kb171996 1 | awk '{ print $1 }')
			b=$(sampled_rate)
		else
			b=$(sampled_rate)
			a=$(engine_rate kb171996 1 | awk '{ print $1 }')
		fi
		printf '  pair %d: without %.0f c/s, with %.0f c/s\n' $((i + 1)) "$a" "$b"
		awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", b / a }' >>"$OUT/r"
		i=$((i + 1))
	done
	set -- $(stats <"$OUT/r")
	printf '\nratio with/without: median %.3f (min %.3f, max %.3f)\n\n' "$1" "$2" "$3"
}

# api_rate SEQUENCE THREADS API-ARGS... -> "cycles/s cycles-per-CPU-second"
api_rate() {
	seq=$1 t=$2
	shift 2
	"$SOCKLEAK" churn --quiet --sequence "$seq" --threads "$t" --seconds "$SECS" "$@" \
		--json "$OUT/u.json" >/dev/null
	jq -r '"\(.cycles_per_second) \(.cycles / (.cpu.user_seconds + .cpu.system_seconds))"' \
		"$OUT/u.json"
}

# Section: the same compiled ops through io_uring against plain syscalls, paired in turn (the
# order alternates), KB and crr over tcp; io_uring alone and with direct descriptors (one
# linked submission per cycle).
section_io_uring() {
	echo "## --api io_uring vs syscalls (tcp, own netns, ${SECS} s, ${REPS} pairs; ratio io_uring/syscalls)"
	echo
	printf '%-10s %-8s %-14s %10s %10s %18s %10s\n' sequence threads mode "sys c/s" \
		"uring c/s" "ratio (min-max)" "cpu ratio"
	for seq in kb171996 crr; do
		for t in 1 2; do
			for mode in plain --fixed-files; do
				: >"$OUT/r"
				: >"$OUT/cr"
				: >"$OUT/a"
				: >"$OUT/b"
				i=0
				m=$mode
				[ "$m" = plain ] && m=--api=io_uring
				while [ $i -lt "$REPS" ]; do
					if [ $((i % 2)) -eq 0 ]; then
						a=$(api_rate $seq $t)
						b=$(api_rate $seq $t --api io_uring $m)
					else
						b=$(api_rate $seq $t --api io_uring $m)
						a=$(api_rate $seq $t)
					fi
					echo "$a" | awk '{ print $1 }' >>"$OUT/a"
					echo "$b" | awk '{ print $1 }' >>"$OUT/b"
					echo "$a $b" | awk '{ printf "%.4f\n", $3 / $1 }' >>"$OUT/r"
					echo "$a $b" | awk '{ printf "%.4f\n", $4 / $2 }' >>"$OUT/cr"
					i=$((i + 1))
				done
				set -- $(stats <"$OUT/a") $(stats <"$OUT/b") $(stats <"$OUT/r") \
					$(stats <"$OUT/cr")
				printf '%-10s %-8s %-14s %10.0f %10.0f %6.3f (%.3f-%.3f) %10.3f\n' \
					$seq $t $mode "$1" "$4" "$7" "$8" "$9" "${10}"
			done
		done
	done
	echo
	echo "cpu ratio: cycles per CPU-second of io_uring over those of syscalls (median)"
	echo
}

sampled_rate() {
	"$SOCKLEAK" churn --quiet --seconds "$SECS" --csv "$OUT/s.csv" --interval 100ms \
		--json "$OUT/s.json" >/dev/null
	jq -r .cycles_per_second "$OUT/s.json"
}

# run_rate THREADS [--attribute] -> "cycles/s tcpstate_us sockdiag_us cycles/cpu-s": a short
# measured run (the churn is what is compared; quiesce and teardown are left out), its engine's
# rate, the median cost per sample of the two sources of TCP states, and the cycles per second
# of the process's CPU (the eBPF programs run on the threads that allocate: system time).
run_rate() {
	t=$1
	shift
	"$SOCKLEAK" run --quiet --threads "$t" --seconds "$SECS" --baseline 0.5 --quiesce-max 0 \
		--no-teardown --fail-on leak --json "$OUT/r.json" "$@" >/dev/null 2>"$OUT/r.err" || true
	jq -r '([.series.columns[] | {(.name): ([(.values // [.value])[] | select(. != null)] | sort |
		if length > 0 then .[length / 2 | floor] * 10 | round / 10 else null end)}] | add) as $c |
		"\(.engine.cycles_per_second) \($c["probe.tcpstate.us"] // "-")
		\($c["probe.sockdiag.us"] // "-")
		\(.engine.cycles / (.engine.user_seconds + .engine.system_seconds))"' \
		"$OUT/r.json" | tr '\n' ' '
	echo
}

# Section: what --attribute costs the loop (eBPF programs on every allocation and free of the
# host, stacks of the run's), exact (every stack walked) and sampled (1 in N walked) side by side,
# each paired with the same run without it; and a sample of TCP states counted in the kernel
# against one dumped through sock_diag. BENCH_ATTR_SAMPLES: the N compared (default "1 8").
section_attribute() {
	samples=${BENCH_ATTR_SAMPLES:-1 8}
	echo "## run with --attribute vs without (kb171996, tcp, own netns, ${SECS} s of churn, ${REPS} rounds)"
	echo
	printf '%-7s %-7s %12s %12s %8s %15s %9s %12s %12s\n' threads sample "without c/s" \
		"with c/s" ratio "ratio min-max" "c/cpu-s" "tcpstate us" "sockdiag us"
	for t in 1 2; do
		: >"$OUT/a"; : >"$OUT/ts"; : >"$OUT/sd"
		for n in $samples; do
			: >"$OUT/w.$n"; : >"$OUT/r.$n"; : >"$OUT/x.$n"
		done
		i=0
		while [ $i -lt "$REPS" ]; do
			# One round: the run without, then each sample rate; the run without goes
			# first in even rounds and last in odd ones, so a drift in load evens out.
			[ $((i % 2)) -eq 0 ] && base=$(run_rate $t)
			for n in $samples; do
				run_rate $t --attribute-sample "$n" >"$OUT/w.tmp"
				cat "$OUT/w.tmp" >>"$OUT/wr.$n"
			done
			[ $((i % 2)) -eq 1 ] && base=$(run_rate $t)
			set -- $base
			a=$1 ax=$4
			echo "$a" >>"$OUT/a"
			for n in $samples; do
				set -- $(tail -n 1 "$OUT/wr.$n")
				echo "$1" >>"$OUT/w.$n"
				[ "$2" != - ] && echo "$2" >>"$OUT/ts"
				[ "$3" != - ] && echo "$3" >>"$OUT/sd"
				awk -v a="$a" -v w="$1" 'BEGIN { printf "%.4f\n", w / a }' >>"$OUT/r.$n"
				awk -v a="$ax" -v w="$4" 'BEGIN { printf "%.4f\n", w / a }' >>"$OUT/x.$n"
			done
			i=$((i + 1))
		done
		if grep -q -- "--attribute:.*goes on without it" "$OUT/r.err"; then
			echo "  (no attribution here: $(grep -- --attribute: "$OUT/r.err" | head -n 1))"
		fi
		set -- $(stats <"$OUT/a"); am=$1
		set -- $(stats <"$OUT/ts"); tsm=$1
		set -- $(stats <"$OUT/sd"); sdm=$1
		for n in $samples; do
			set -- $(stats <"$OUT/w.$n"); wm=$1
			set -- $(stats <"$OUT/x.$n"); xm=$1
			set -- $(stats <"$OUT/r.$n")
			printf '%-7s %-7s %12.0f %12.0f %8.3f %7.3f-%-7.3f %9.3f %12s %12s\n' $t "1/$n" \
				"$am" "$wm" "$1" "$2" "$3" "$xm" "$tsm" "$sdm"
		done
		rm -f "$OUT"/wr.*
	done
	echo
	echo "sample 1/N: --attribute-sample N, the stack walked for 1 in N allocations (1/1: exact);"
	echo "ratio = with / without --attribute, median over the rounds, each run with attribution"
	echo "paired with the round's run without (goal: at least 0.7); c/cpu-s: the same for cycles"
	echo "per CPU-second of the process (less moved by other load); tcpstate us and sockdiag us:"
	echo "median cost of one sample of each probe in the runs with --attribute (the TCP states"
	echo "from the kernel's counts, the rest of the sockets dumped)."
	echo
}

# Section: what one sample costs per probe, and the memory of long series (bench/probes.sh).
section_probes() {
	echo "## probe cost per sample and series memory"
	echo
	"$(dirname "$0")/probes.sh" "$BENCHDIR" 300
	echo
}

# Section: sockleak vm, boot to the guest's sockleak and the guest's cycles/s against the host's
# (bench/vm.sh; Debian's kernel from scripts/vm-kernel.sh, under TCG).
section_vm() {
	echo "## vm: boot-to-result overhead and the guest's speed"
	echo
	"$(dirname "$0")/vm.sh" "$SOCKLEAK" "$SECS" "$REPS"
	echo
}

# Section (opt-in, ~75 min): leak detection sensitivity and clean-run specificity
# (bench/sensitivity.sh): BENCH_SECTIONS=sensitivity make bench.
section_sensitivity() {
	"$(dirname "$0")/sensitivity.sh" "$SOCKLEAK"
}

# Section (opt-in, ~20 min): verdicts under background generators (another netns keeping TCP
# sockets, a file churner, a memory hog), bench/noise.sh: BENCH_SECTIONS=noise make bench;
# BENCH_REPS runs of each kind per generator.
section_noise() {
	echo "## noise: clean and injected-leak runs under background generators"
	echo
	BENCH_REPS=$REPS "$(dirname "$0")/noise.sh" "$SOCKLEAK" || true
	echo
}

echo "# sockleak benchmarks ($(uname -r), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
echo
for s in ${BENCH_SECTIONS:-churn_vs_bare crr io_uring sampler attribute probes vm}; do
	"section_$s"
done
