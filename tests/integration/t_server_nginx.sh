#!/bin/sh
# --server-cmd with nginx (a minimal configuration: daemon off, return 204): the preset http
# against it is not a LEAK of the server's, exit 0, its figures in the report.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_nginx
. "$TESTDIR/server_lib.sh"

mkdir "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOC
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server { listen 127.0.0.1:7782; return 204; }
}
EOC
real_server nginx nginx 7782 http "exec nginx -p $TMP/nginx -c $TMP/nginx/nginx.conf"
