#!/bin/sh
# Fetches a Debian kernel, image and modules, into a cache folder for `sockleak vm`, without
# installing it: apt-get download and dpkg-deb -x, so no initramfs or boot-loader hook touches
# this machine; busybox depmod then writes its modules.dep. Downloads once: a kernel already in
# the cache is used as it is.
#
# Usage: scripts/vm-kernel.sh [--cache DIR] [PACKAGE]
#   PACKAGE   a linux-image-* package; default: the one linux-image-amd64 depends on (its name
#             changes with each ABI: linux-image-6.1.0-57-amd64, ...)
#   --cache   default: $SOCKLEAK_KERNEL_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/sockleak/kernels
# Prints, for sh's eval:  kernel=CACHE/boot/vmlinuz-RELEASE  modules=CACHE/lib/modules/RELEASE
set -eu

cache=${SOCKLEAK_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/sockleak/kernels}
pkg=
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "vm-kernel.sh: unknown option $1" >&2; exit 2 ;;
	*) pkg=$1; shift ;;
	esac
done

say() { echo "vm-kernel.sh: $*" >&2; }

# The package linux-image-amd64 depends on, from apt's lists (updated once when they have none).
resolve() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
if [ -z "$pkg" ]; then
	pkg=$(resolve)
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		say "apt has no package lists yet: apt-get update"
		apt-get update >/dev/null 2>&1 || true
		pkg=$(resolve)
	fi
	[ -n "$pkg" ] || { say "cannot tell which kernel linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"; exit 3; }
fi
case $pkg in
linux-image-[0-9]*) ;;
*) say "$pkg is not a linux-image-RELEASE package"; exit 2 ;;
esac
release=${pkg#linux-image-}
release=${release%-unsigned}

mkdir -p "$cache"
# One download at a time per cache: tests running side by side share it.
exec 9>"$cache/.lock"
flock 9

if [ ! -f "$cache/boot/vmlinuz-$release" ] || [ ! -f "$cache/lib/modules/$release/modules.dep" ]; then
	stage=$(mktemp -d "$cache/.stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	say "fetching $pkg into $cache (not installed)"
	# apt-get download writes into the current directory; its sandbox user need not read it.
	(cd "$stage" && apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
		{ say "apt-get download $pkg failed"; exit 3; }
	dpkg-deb -x "$stage"/*.deb "$stage/root"
	[ -f "$stage/root/boot/vmlinuz-$release" ] ||
		{ say "$pkg holds no boot/vmlinuz-$release"; exit 3; }
	busybox depmod -b "$stage/root" "$release" ||
		{ say "busybox depmod failed (install busybox-static)"; exit 3; }
	mkdir -p "$cache/boot" "$cache/lib/modules"
	rm -rf "$cache/lib/modules/$release"
	mv "$stage/root/lib/modules/$release" "$cache/lib/modules/$release"
	for f in "$stage/root/boot/"*; do
		mv "$f" "$cache/boot/"
	done
fi
echo "kernel=$cache/boot/vmlinuz-$release"
echo "modules=$cache/lib/modules/$release"
