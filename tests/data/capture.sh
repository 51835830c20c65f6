#!/bin/sh
# Captures the kernel files the probe unit tests parse, from this machine, into tests/data/host.
# Run as root (slabinfo); the odd variants in tests/data/odd are derived from the same captures.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/host"
rm -rf "$out"
mkdir -p "$out/proc/net" "$out/proc/4242/fd" "$out/sys/kernel/slab" "$out/cgroup/v1"

cp /proc/meminfo /proc/slabinfo "$out/proc/"
for f in sockstat sockstat6 netstat snmp; do cp "/proc/net/$f" "$out/proc/net/"; done
cp /proc/self/statm /proc/self/status "$out/proc/4242/"
for fd in 0 1 2 3 4; do : >"$out/proc/4242/fd/$fd"; done

# The slab merge groups that hold a socket cache: every name (symlink) and the group's aliases.
cd /sys/kernel/slab
for name in TCP tcp_bind_bucket tcp_bind2_bucket UNIX UNIX-STREAM UDP UDPv6 skbuff_fclone_cache \
	skbuff_ext_cache ip6_dst_cache; do
	[ -L "$name" ] || continue
	target=$(readlink "$name")
	mkdir -p "$out/sys/kernel/slab/$target"
	cp "$target/aliases" "$out/sys/kernel/slab/$target/"
	for l in *; do
		[ -L "$l" ] && [ "$(readlink "$l")" = "$target" ] && ln -sfn "$target" "$out/sys/kernel/slab/$l"
	done
done
mkdir -p "$out/sys/kernel/slab/TCP"
cp TCP/aliases "$out/sys/kernel/slab/TCP/"

cg=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
for f in memory.kmem.usage_in_bytes memory.kmem.tcp.usage_in_bytes memory.usage_in_bytes memory.stat; do
	cp "$cg/$f" "$out/cgroup/v1/"
done
chmod -R a+rX "$out"
