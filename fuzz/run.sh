#!/bin/sh
# Runs every libFuzzer target that 'make fuzz-build' made, each for SECONDS, from its seeds; prints
# each one's executions and crashes. Corpora and crash inputs land in fuzz/out/<target>/.
# Usage: fuzz/run.sh BINDIR [SECONDS [SOCKLEAK]]   (SECONDS 0: only prepare the seeds; SOCKLEAK,
# the program, re-writes the JSON seeds in the current schema)
set -eu
bindir=$(readlink -f "${1:?usage: fuzz/run.sh BINDIR [SECONDS [SOCKLEAK]]}")
secs=${2:-300}
sockleak=$(readlink -f "${3:-build/sockleak}")
cd "$(dirname "$0")/.."
out=fuzz/out

# The sequence compiler: presets and shapes of every op family, each behind a transport byte.
seq_seeds() {
	dir=$1
	i=0
	for s in 'socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close' \
		'socket,setsockopt:SO_LINGER=1:0,connect,send:1,recv:1,close' \
		'socket,bind,connect,send:1,recv:1,close' 'socket,sendto:64,close' \
		'socket,connect,send:64,shutdown:wr,close' 'socket,bind:[::1]:0,connect,close' \
		'socket,setsockopt:TCP_CONGESTION=reno,setsockopt:IP_TOS=0x10,connect,close' \
		'socketpair,socketpair,sendfd@1:@2,sendfd@3:PEER,recvfd,close@0,close' \
		'socket,setsockopt:SO_ZEROCOPY=1,connect,send:1M:dontwait:zerocopy,sendmsg:4k:iov=3,zcdrain,recv:1:peek,recv:1,close' \
		'netns,socket,connect,send:64,close'; do
		for t in 0 1 2 3 4 5 6; do
			printf "\\$(printf %o $t)%s" "$s" >"$dir/seed-$i-$t"
		done
		i=$((i + 1))
	done
}

# The JSON loader: real reports (tests/data, the recorded runs of every class), small enough to run
# fast: the columns their results name, at most 24 judged metrics, at most about 48 rows (every
# k-th, with the phases' rows moved along), in the schema they were written in and re-written in
# the current one.
json_seeds() {
	dir=$1
	command -v jq >/dev/null || { echo "sockleak: the JSON seeds need jq" >&2; exit 1; }
	# shellcheck disable=SC2016
	trim='
	  .result.metrics |= .[0:24]
	  | ([.result.metrics[].metric, .result.verdict_metric, .result.socket_metric,
	      (.result.pool_tags[]? | .objects_metric, .bytes_metric),
	      (.confirm.metrics[]? | .metric)] | map(select(. != null)) | unique) as $keep
	  | .series.columns |= map(select(.name as $n | $keep | index($n)))
	  | (((.series.rows + 47) / 48) | floor | if . < 1 then 1 else . end) as $k
	  | def thin: [to_entries[] | select(.key % $k == 0) | .value];
	  .series.t |= thin | .series.cycles |= thin | .series.phase |= thin
	  | .series.columns[].values |= thin
	  | .series.rows = (.series.t | length)
	  | .phases |= map(.row = ([((.row + $k - 1) / $k | floor), $rows] | min))
	'
	n=0
	for f in tests/data/*.json tests/data/golden/*.json.gz; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac >"$dir/.full"
		rows=$(jq '([(.series.rows + 47) / 48 | floor, 1] | max) as $k |
			   [range(0; .series.rows; $k)] | length' "$dir/.full")
		jq -c --argjson rows "$rows" "$trim" "$dir/.full" >"$dir/seed-$n" || {
			echo "sockleak: cannot trim $f into a seed" >&2
			exit 1
		}
		[ -x "$sockleak" ] || continue
		"$sockleak" report "$dir/seed-$n" --json "$dir/seed-$n-v2" 2>"$dir/.err" || {
			cat "$dir/.err" >&2
			echo "sockleak: the seed from $f does not load; fix the trimming" >&2
			exit 1
		}
	done
	rm -f "$dir/.full" "$dir/.err"
}

status=0
for bin in "$bindir"/*_fuzz; do
	name=$(basename "$bin" _fuzz)
	mkdir -p "$out/$name/corpus" "$out/$name/seeds"
	case $name in
	seq) seq_seeds "$out/$name/seeds" ;;
	json) json_seeds "$out/$name/seeds" ;;
	esac
	[ "$secs" -gt 0 ] || continue
	echo "fuzz: $name for ${secs}s"
	set +e
	# -close_fd_mask=3: the target's own messages (refused input) stay out of the log.
	"$bin" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=3 -timeout=20 \
		-artifact_prefix="$out/$name/" "$out/$name/corpus" "$out/$name/seeds" \
		>"$out/$name/log" 2>&1
	rc=$?
	set -e
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		"$out/$name/log" | sed "s/^/  $name /"
	crashes=$(find "$out/$name" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
		-o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
	echo "  $name crashes: $crashes (exit $rc; log: $out/$name/log)"
	[ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || status=1
done
exit $status
