#!/bin/sh
# --server-cmd: a server that never closes after EOF keeps one CLOSE_WAIT socket per cycle on its
# side of the port: LEAK, named 'server never closes', the rate within 10%; the text and HTML
# reports say so in its section, with how the server ended and its last lines.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_server_never_closes
. "$TESTDIR/server_lib.sh"

srun nc 1 --server-cmd "$(in_ns nc) exec $TMP/leaky_server $PORT never-close" \
	--target 127.0.0.1:$PORT --ops 600 --rate 300 --baseline 0.5s --quiesce-max 2s \
	--no-teardown --html "$TMP/nc.html"
rjq nc '.result.verdict == "LEAK"' "overall LEAK"
rjq nc '.result.server.never_closes == true' "named: the server never closes"
rjq nc '(.result.server.close_wait_per_cycle - 1 | fabs) <= 0.1' \
	"CLOSE_WAIT per cycle within 10% of 1"
rjq nc "$(metric port.server.CLOSE_WAIT) | .verdict == \"LEAK\"" "port.server.CLOSE_WAIT LEAK"
says nc "The server never closes: CLOSE_WAIT sockets on its side of the port grew with cycles"
says nc "Your server exited with status 0 after SIGTERM; its last lines: | leaky_server: listening"
grep -q "The server never closes: CLOSE_WAIT sockets" "$TMP/nc.html" || die "the HTML does not say it"
grep -q "leaky_server: SIGTERM, exiting</pre>" "$TMP/nc.html" || die "the HTML lacks its last lines"
echo "ok: text and HTML name the bug and say how the server ended"
no_leftovers nc
