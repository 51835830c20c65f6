#!/bin/sh
# Installs the Debian packages sockleak needs to build and test, when missing.
# As root it installs them with apt-get (and says which); otherwise it names them and stops.
set -eu

here=$(dirname "$0")
pkgs=$(grep -v '^#' "$here/deps.txt" | awk 'NF { print $1 }')

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "sockleak: missing Debian packages:$missing" >&2
	echo "sockleak: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "sockleak: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The log is made by mktemp (exclusive, unpredictable name): never a fixed name in a shared /tmp.
log=$(mktemp "${TMPDIR:-/tmp}/sockleak-deps.XXXXXX")
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
	apt-get update >>"$log" 2>&1 || true
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing >>"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		echo "sockleak: apt-get failed; full log in $log" >&2
		exit 1
	}
fi
rm -f "$log"
