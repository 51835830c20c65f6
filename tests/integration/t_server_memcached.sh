#!/bin/sh
# --server-cmd with memcached (-u nobody: it refuses to run as root): the preset
# memcached-version against it is not a LEAK of the server's, exit 0, its figures in the report.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_memcached
. "$TESTDIR/server_lib.sh"

real_server memcached memcached 7784 memcached-version \
	"exec memcached -u nobody -l 127.0.0.1 -p 7784"
