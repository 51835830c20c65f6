#!/bin/sh
# Builds and runs the libFuzzer target for the sequence compiler (clang; not part of make check).
# Usage: fuzz/build.sh [SECONDS]   (default 60; 0 only builds). Corpus and crashes land in fuzz/out/.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
out=fuzz/out
mkdir -p "$out/corpus"
command -v clang >/dev/null || { echo "sockleak: fuzzing needs clang (apt-get install clang)" >&2; exit 1; }
clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -o "$out/seq_fuzz" \
	fuzz/seq_fuzz.c src/engine/seq.c src/engine/transport.c src/common.c -lm
# Seeds: the presets and a few shapes, each behind a transport byte.
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
		printf "\\$(printf %o $t)%s" "$s" >"$out/corpus/seed-$i-$t"
	done
	i=$((i + 1))
done
[ "$secs" -gt 0 ] || exit 0
"$out/seq_fuzz" -max_total_time="$secs" -max_len=512 -print_final_stats=1 \
	-artifact_prefix="$out/" "$out/corpus"
