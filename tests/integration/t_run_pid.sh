#!/bin/sh
# run --pid: a server already running in the host's namespace, watched by its process id. Its
# figures are shown and marked not exact (the host's namespace is shared); a server that keeps an
# fd per reset connection is a LEAK of its fds; sockleak never stops it; bad uses exit 2, and a
# server that exits during the run is a runtime error (exit 3) with the report still written.
# The same server alone in a namespace of its own: its counts there are exact, until another
# process enters that namespace.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_run_pid
. "$TESTDIR/server_lib.sh"
PORT=7783

"$TMP/leaky_server" $PORT rst-fd >"$TMP/server.log" 2>&1 &
spid=$!
NS=sl-pid-$$
npid=
other=
trap 'kill $spid $npid $other 2>/dev/null || true; ip netns del $NS 2>/dev/null || true; rm -rf "$TMP"' EXIT
i=0
until grep -q listening "$TMP/server.log"; do
	[ $i -lt 50 ] || die "the leaky server did not start: $(cat "$TMP/server.log")"
	sleep 0.1
	i=$((i + 1))
done

# Bad uses: no --target, with --server-cmd, a process that is not there.
expect_exit 2 "$SOCKLEAK" run --pid $spid --ops 10 2>"$TMP/u1.err"
grep -q -- "--pid watches the server that --target names" "$TMP/u1.err" || die "no --target: $(cat "$TMP/u1.err")"
expect_exit 2 "$SOCKLEAK" run --pid $spid --server-cmd true --target 127.0.0.1:$PORT 2>"$TMP/u2.err"
grep -q -- "give one of them" "$TMP/u2.err" || die "--pid with --server-cmd: $(cat "$TMP/u2.err")"
expect_exit 2 "$SOCKLEAK" run --pid 2147483647 --target 127.0.0.1:$PORT 2>"$TMP/u3.err"
grep -q -- "--pid 2147483647: no such process" "$TMP/u3.err" || die "no process: $(cat "$TMP/u3.err")"
echo "ok: bad uses of --pid exit 2 with a message"

srun leak 1 --pid $spid --target 127.0.0.1:$PORT --sequence abort --ops 2400 --rate 600 \
	--baseline 1s --quiesce-max 3s --no-teardown
kill -0 $spid 2>/dev/null || die "the watched server did not survive the run"
echo "ok: the watched server still runs"
rjq leak '.result.server.watched and (.result.server.exact | not)' "server watched, not exact"
rjq leak '.run.server_pid == '$spid "the JSON names the watched process"
rjq leak "$(metric server.fds) | .verdict == \"LEAK\" and (.residual_per_cycle - 1 | fabs) <= 0.1" \
	"server fds LEAK, 1 per cycle within 10%"
grep -q "^Your server (its processes, and its port's sockets filtered by port in its netns: not exact" \
	"$TMP/leak.txt" || die "the text does not mark the counts not exact"
grep -q "^Your server (pid $spid, watched with --pid: sockleak did not start it) was left running" \
	"$TMP/leak.txt" || die "the text does not say the server was watched and left running"
"$SOCKLEAK" report "$TMP/leak.json" >"$TMP/again.txt"
grep -q "^Your server (pid $spid, watched with --pid" "$TMP/again.txt" ||
	die "the re-rendered report does not say the same"
echo "ok: text and re-rendered report: figures shown, not exact, left running"

# The server goes away during the run: exit 3, the report still written.
( sleep 1.5; kill $spid ) &
srun gone 3 --pid $spid --target 127.0.0.1:$PORT --sequence abort --ops 1000000 --rate 300 \
	--seconds 2 --baseline 1s --quiesce-max 1s --no-teardown --allow-failures
grep -q -- "--pid: process $spid exited during the run" "$TMP/gone.err" || die "no message: $(cat "$TMP/gone.err")"
grep -q "exited during the run" "$TMP/gone.txt" || die "the report does not say the server exited"
echo "ok: a watched server that exits during the run: exit 3, report written"

# A server alone in a namespace the test made: the counts there are exact.
ip netns add $NS
ip -n $NS link set lo up
ip netns exec $NS "$TMP/leaky_server" $PORT rst-fd >"$TMP/nserver.log" 2>&1 &
npid=$!
i=0
until grep -q listening "$TMP/nserver.log"; do
	[ $i -lt 50 ] || die "the leaky server did not start in $NS: $(cat "$TMP/nserver.log")"
	sleep 0.1
	i=$((i + 1))
done
srun alone 1 --pid $npid --target 127.0.0.1:$PORT --sequence abort --ops 600 --rate 600 \
	--baseline 1s --quiesce-max 2s --no-teardown
rjq alone '.result.server.exact and .result.server.joined_netns and .result.sockets_exact' \
	"alone in its netns: exact"
rjq alone "$(metric server.fds) | .verdict == \"LEAK\" and .reason == \"leak-open\" and
	(.residual_per_cycle - 1 | fabs) <= 0.1" \
	"server fds LEAK at 1 per cycle within 10%, as an exact count, in 600 cycles"
grep -q "^Your server (its processes, and its port's sockets counted in its netns, which only it" \
	"$TMP/alone.txt" || die "the text does not mark the counts exact in the server's netns"
grep -q "^Sockets (counted in the server's netns, which only it and the run use: exact)" \
	"$TMP/alone.txt" || die "the socket table is not marked exact in the server's netns"
echo "ok: a server alone in its netns: counts exact, and said to be the server's netns"

# Another process there: not exact, and the run says which process.
ip netns exec $NS sleep 60 &
other=$!
set +e
"$SOCKLEAK" run --pid $npid --target 127.0.0.1:$PORT --sequence abort --ops 100 --rate 400 \
	--baseline 0.5s --quiesce-max 0.5s --no-teardown --json "$TMP/shared.json" >"$TMP/shared.txt" \
	2>"$TMP/shared.err"
set -e
grep -q -- "--pid $npid: sleep (pid $other) shares its network namespace: the socket counts" \
	"$TMP/shared.err" || die "the other process is not named: $(cat "$TMP/shared.err")"
jq -e '(.result.server.exact | not) and (.result.sockets_exact | not)' "$TMP/shared.json" \
	>/dev/null || die "counts marked exact with another process in the netns"
echo "ok: another process in the server's netns: not exact, and named"
