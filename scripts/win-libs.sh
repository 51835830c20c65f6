#!/bin/sh
# Builds the libraries the Windows binary links (jansson; cmocka for its unit tests) from Debian's
# own source packages, with mingw-w64, into a prefix of the build tree: Debian ships no mingw
# builds of them. The sources come through `apt-get source` with a private source list (deb-src
# of the machine's own Debian suite), so the system's apt configuration is left as it is.
# Usage: scripts/win-libs.sh PREFIX CC
set -eu

prefix=${1:?usage: win-libs.sh PREFIX CC}
cc=${2:?usage: win-libs.sh PREFIX CC}
stamp="$prefix/.built"
[ -e "$stamp" ] && exit 0

mkdir -p "$prefix"
prefix=$(readlink -f "$prefix")
work="$prefix/src"
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/parts"
log="$work/build.log"

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
cat >"$work/parts/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$work/parts \
-o Dir::State::Lists=$work/lists -o Debug::NoLocking=1 -o APT::Sandbox::User=root"

fail() {
	tail -n 20 "$log" >&2
	echo "sockleak: $1; full log in $log" >&2
	exit 1
}

echo "sockleak: building jansson and cmocka for Windows from Debian's source packages" >&2
# shellcheck disable=SC2086
apt-get $apt_opts update >"$log" 2>&1 || fail "apt-get update of the deb-src list failed"
# shellcheck disable=SC2086
(cd "$work" && apt-get $apt_opts source jansson cmocka) >>"$log" 2>&1 ||
	fail "apt-get source jansson cmocka failed (needs dpkg-dev)"

cross="-DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER=$cc -DCMAKE_BUILD_TYPE=Release \
-DCMAKE_INSTALL_PREFIX=$prefix"
build() { # name, cmake options
	name=$1
	shift
	src=$(find "$work" -maxdepth 1 -type d -name "$name-*" | head -n 1)
	[ -n "$src" ] || fail "no $name source tree"
	mkdir -p "$work/build-$name"
	# shellcheck disable=SC2086
	(cd "$work/build-$name" && cmake "$src" $cross "$@" && make -j2 && make install) \
		>>"$log" 2>&1 || fail "building $name for mingw failed"
}
build jansson -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON -DJANSSON_EXAMPLES=OFF \
	-DJANSSON_BUILD_SHARED_LIBS=OFF
build cmocka -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
[ -e "$prefix/lib/libjansson.a" ] && [ -e "$prefix/lib/libcmocka-static.a" ] ||
	fail "the libraries were not installed"
touch "$stamp"
