#!/bin/sh
# --server-cmd with redis-server (no persistence): the preset redis-ping against it is not a LEAK
# of the server's, exit 0, its figures in the report.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_redis
. "$TESTDIR/server_lib.sh"

real_server redis redis-server 7783 redis-ping \
	"exec redis-server --port 7783 --bind 127.0.0.1 --save '' --appendonly no --dir $TMP"
