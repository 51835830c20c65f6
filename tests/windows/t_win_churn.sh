#!/bin/sh
# The Winsock engine under Wine against its own IOCP server on loopback: cycles counted exactly,
# errors by op and WSA error, the completion routines the KB starves, exit codes.
set -eu
. "$TESTDIR/lib.sh"

# Exact cycles, no errors; the KB sequence over every --io.
for io in blocking overlapped-apc iocp; do
	sl churn --ops 1500 --threads 2 --io "$io" --json "$T/$io.json" >"$T/$io.txt"
	check "$io: 1500 cycles" "$(jq .cycles "$T/$io.json")" 1500
	check "$io: no errors" "$(jq .errors_total "$T/$io.json")" 0
	check "$io: stopped by ops" "$(jq -r .stopped_by "$T/$io.json")" ops
	check "$io: config" "$(jq -r .config.io "$T/$io.json")" "$io"
done

# KB Q171996: without an alertable wait no completion routine runs while the loop does, so every
# send of a worker is still in flight at its end; with --alertable they run each cycle.
starved=$(jq .io_pending_max "$T/overlapped-apc.json")
check "overlapped-apc: every send of a worker waited for an alertable wait" "$starved" 750
sl churn --ops 1500 --io overlapped-apc --alertable --json "$T/alert.json" >/dev/null
ran=$(jq .io_pending_max "$T/alert.json")
[ "$ran" -le 2 ] || die "--alertable: $ran sends in flight at once (want at most 2)"
grep -q 'completions   at most 750 sends in flight' "$T/overlapped-apc.txt" ||
	die "the text summary does not show the starved completions"

# The server follows the plan: request and reply over TCP and UDP.
sl churn --ops 400 --sequence crr --json "$T/crr.json" >/dev/null
check "crr tcp: cycles" "$(jq .cycles "$T/crr.json")" 400
check "crr tcp: errors" "$(jq .errors_total "$T/crr.json")" 0
sl churn --ops 300 --sequence crr --transport udp --json "$T/udp.json" >/dev/null
check "crr udp: cycles" "$(jq .cycles "$T/udp.json")" 300
sl churn --ops 200 --server-close rst --json "$T/rst.json" >/dev/null
check "server-close rst: cycles" "$(jq .cycles "$T/rst.json")" 200

# Errors by op and WSA error: a port nothing listens on refuses every connect. Cycles that all
# fail exit 3 after the summary and JSON, unless --allow-failures says it is intended (as on Linux).
rc=0
sl churn --ops 40 --target 127.0.0.1:9 --json "$T/refused3.json" >/dev/null 2>"$T/refused3.err" ||
	rc=$?
check "refused without --allow-failures: exit" "$rc" 3
check "refused without --allow-failures: JSON still written" "$(jq .failed_cycles "$T/refused3.json")" 40
sl churn --ops 40 --target 127.0.0.1:9 --allow-failures --json "$T/refused.json" >"$T/refused.txt"
check "refused: no cycle completed" "$(jq .cycles "$T/refused.json")" 0
check "refused: failed cycles" "$(jq .failed_cycles "$T/refused.json")" 40
check "refused: op" "$(jq -r '.errors[0].op' "$T/refused.json")" connect
check "refused: name" "$(jq -r '.errors[0].name' "$T/refused.json")" WSAECONNREFUSED
check "refused: code" "$(jq -r '.errors[0].errno' "$T/refused.json")" 10061
check "refused: count" "$(jq -r '.errors[0].count' "$T/refused.json")" 40
grep -q 'connect  *WSAECONNREFUSED  *40  connection refused' "$T/refused.txt" ||
	die "the text summary does not list connect WSAECONNREFUSED 40"

# Ground truth: --inject-leak keeps exactly floor(ops/N) sockets.
sl churn --ops 1000 --inject-leak 100 --json "$T/leak.json" >/dev/null
check "inject-leak: kept" "$(jq .leaked "$T/leak.json")" 10

# Exit codes: what Windows has not is refused with exit 2 and says why.
expect_usage "Linux-only" churn --transport unix
expect_usage "Linux-only" churn --transport mptcp
expect_usage "Linux-only" churn --no-netns
expect_usage "Linux-only" churn --netns-sysctl net.ipv4.tcp_tw_reuse=1
expect_usage "Linux-only" churn --server-close never-read
expect_usage "Linux-only" churn --api io_uring
expect_usage "not in the Windows build" churn --server-sequence accept,close
expect_usage "Linux-only" churn --sequence netns-kb
expect_usage "unknown command" repro
expect_usage "goes with --io overlapped-apc" churn --alertable
expect_usage "choose one of: blocking overlapped-apc iocp" churn --io epoll
expect_usage "Linux-only" watch --netns foo
expect_usage "unknown command" sweep
echo "all checks passed"
