#!/bin/sh
# Records real runs of each verdict class on this machine, for the golden test: the JSON report
# (gzipped) and the text report each run printed. Usage: record.sh SOCKLEAK [NAME...] (root).
set -eu
bin=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args_for() {
	case $1 in
	kb) echo "run --seconds 5" ;;
	abort) echo "run --sequence abort --seconds 5" ;;
	leak) echo "run --inject-leak 1000 --seconds 5" ;;
	udp) echo "run --transport udp --seconds 5" ;;
	unix) echo "run --transport unix --seconds 5" ;;
	twcap) echo "run --seconds 10 --quiesce-max 10s" ;;
	sigint) echo "run --seconds 10 --quiesce-max 30s" ;;
	*) echo "record.sh: unknown run '$1'" >&2; exit 2 ;;
	esac
}

[ $# -gt 0 ] || set -- kb abort leak udp unix twcap sigint
for name in "$@"; do
	args=$(args_for "$name")
	echo "recording $name: sockleak $args" >&2
	rc=0
	if [ "$name" = sigint ]; then
		# shellcheck disable=SC2086
		"$bin" $args --quiet --json "$tmp/$name.json" >"$tmp/$name.txt" &
		pid=$!
		sleep 6
		kill -INT "$pid"
		wait "$pid" || rc=$?
	else
		# shellcheck disable=SC2086
		"$bin" $args --quiet --json "$tmp/$name.json" >"$tmp/$name.txt" || rc=$?
	fi
	echo "  exit $rc" >&2
	echo "$rc" >"$here/$name.rc"
	echo "sockleak $args" >"$here/$name.cmd"
	cp "$tmp/$name.txt" "$here/$name.txt"
	gzip -9n <"$tmp/$name.json" >"$here/$name.json.gz"
done
