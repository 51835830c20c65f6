#!/bin/sh
# Captures a real server's process tree for the server probe's unit tests, into tests/data/server:
# nginx (a master and two workers, in the foreground) started by this shell, which stands for
# sockleak; for each process its stat, statm, status, limits and fd links, and an unrelated
# process (pid 1). Run as root; nginx from Debian (scripts/deps.txt).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/server"
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null && wait "$srv" || true; rm -rf "$tmp"' EXIT
cat >"$tmp/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp;
	uwsgi_temp_path $tmp; scgi_temp_path $tmp;
	server { listen 127.0.0.1:18099; return 204; }
}
CONF
nginx -c "$tmp/nginx.conf" -e "$tmp/error.log" </dev/null >"$tmp/out" 2>&1 &
srv=$!
sleep 1
rm -rf "$out"
mkdir -p "$out/proc"
copy() {
	d="$out/proc/$1"
	mkdir -p "$d/fd"
	for f in stat statm status limits; do cp "/proc/$1/$f" "$d/"; done
	# The kernel's own names as they are; paths of files made here as /srv/...; the fds this
	# script was handed by whatever started it are left out.
	for fd in /proc/"$1"/fd/*; do
		t=$(readlink "$fd")
		case $t in
		socket:* | pipe:* | anon_inode:* | /dev/*) ;;
		"$tmp"/*) t="/srv/${t#"$tmp"/}" ;;
		*) continue ;;
		esac
		ln -s "$t" "$d/fd/$(basename "$fd")"
	done
}
copy $$
mkdir -p "$out/proc/1"
cp /proc/1/stat "$out/proc/1/"
copy "$srv"
for p in $(pgrep -P "$srv"); do copy "$p"; done
echo "sockleak $$ server $srv workers $(pgrep -P "$srv" | tr '\n' ' ')" >"$out/README"
chmod -R a+rX "$out"
