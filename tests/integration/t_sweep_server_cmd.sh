#!/bin/sh
# sockleak sweep --server-cmd --target: each variant starts a fresh server in its own namespace and
# stops it. The abort variant against a server that keeps the fd of every reset connection is LEAK
# on the server's fds; the next variant's server starts with none of them (its baseline is a fresh
# server's) and leaks nothing; --target without --server-cmd is still refused (exit 2).
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
TEST_NAME=t_sweep_server_cmd
. "$TESTDIR/server_lib.sh"

expect_exit 2 "$SOCKLEAK" sweep --target 127.0.0.1:$PORT --dry-run 2>"$TMP/refused.err"
grep -q "give --server-cmd" "$TMP/refused.err" || die "--target alone: no word of --server-cmd"
echo "ok: --target without --server-cmd refused"

set +e
"$SOCKLEAK" sweep --server-cmd "echo \$\$ >>$TMP/servers; exec $TMP/leaky_server $PORT rst-fd" \
	--target 127.0.0.1:$PORT --presets abort,kb171996 --budget 20s --seconds 2 --rate 300 \
	--baseline 0.5s --quiesce-max 2s --no-teardown --json "$TMP/sweep.json" \
	--json-dir "$TMP/runs" >"$TMP/sweep.txt" 2>&1
rc=$?
set -e
cat "$TMP/sweep.txt"
[ "$rc" -eq 1 ] || die "expected exit 1 (a LEAK variant), got $rc"
[ "$(sort -u "$TMP/servers" | wc -l)" -eq 2 ] || die "not one server per variant: $(cat "$TMP/servers")"
echo "ok: two variants, two servers"
a=$TMP/runs/01-tcp-abort.json
b=$TMP/runs/02-tcp-kb171996.json
jq -e '.result.server.watched and .result.verdict == "LEAK" and
	([.result.metrics[] | select(.metric == "server.fds") | .verdict] == ["LEAK"])' "$a" \
	>/dev/null || die "the abort variant is not LEAK on the server's fds"
echo "ok: abort: LEAK on server.fds"
jq -e '.result.server.watched and .result.verdict != "LEAK" and
	([.result.metrics[] | select(.metric == "server.fds") | .baseline < 100] == [true])' "$b" \
	>/dev/null || die "the second variant's server is not a fresh one, or it leaked"
echo "ok: kb171996: a fresh server (its fds' baseline is a new server's), no LEAK"
jq -e '[.run.server_stopped] == ["exited with status 0 after SIGTERM"]' "$a" >/dev/null &&
	jq -e '[.run.server_stopped] == ["exited with status 0 after SIGTERM"]' "$b" >/dev/null ||
	die "a variant's report does not say its server stopped at SIGTERM"
echo "ok: each variant's server stopped with SIGTERM"
no_server_left
