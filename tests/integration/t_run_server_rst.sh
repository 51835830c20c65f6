#!/bin/sh
# A run whose server resets every connection it accepts (--server-sequence accept,close:rst),
# bounded to 2 s of churn: the resets are counted by op and errno, nothing is kept (the client
# and server ends all go), every report says what the server did, and 'sockleak repro' writes a
# program whose server does the same.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_run_server_rst

srun rst 0 --server-sequence accept,close:rst --seconds 2 --baseline 1s --quiesce-max 15s \
	--no-teardown --html "$TMP/rst.html" --netns-sysctl net.core.somaxconn=4096
rjq rst '.config.server_sequence == "accept,close:rst"' "the JSON has the server sequence"
rjq rst '.config.netns_sysctl == ["net.core.somaxconn=4096"]' "and the namespace's sysctl"
rjq rst '.engine.cycles > 1000' "cycles ran"
rjq rst '[.engine.errors[] | .name] | all(. == "ECONNRESET" or . == "EPIPE")' \
	"the only failures are resets ($(jq -c '[.engine.errors[] | {op, name, count}]' "$TMP/rst.json"))"
rjq rst '.result.verdict == "CLEAN" or .result.verdict == "BOUNDED" or
	(.result.verdict == "INCONCLUSIVE" and ([.result.metrics[] | select(.decisive and
	 .verdict == "INCONCLUSIVE" and (.nothing_seen | not)) | .role] | all(. == "slab")))' \
	"CLEAN or BOUNDED: a reset leaks nothing"
rjq rst '[.result.metrics[] | select(.role == "sockets") | .residual] | all(. == 0)' \
	"every socket count came back to its baseline"
says rst "server per connection: accept,close:rst"
echo "ok: the text says what the server did"
grep -q "per connection: accept,close:rst" "$TMP/rst.html" || die "the page lacks the server sequence"
grep -q "net.core.somaxconn=4096" "$TMP/rst.html" || die "the page lacks the namespace's sysctl"
echo "ok: the page says them too"

"$SOCKLEAK" repro --cycles 3000 "$TMP/rst.json" >"$TMP/rst.c" || die "repro exited $?"
grep -q "^ \*   server:    accept,close:rst, per connection$" "$TMP/rst.c" || die "repro: no server"
grep -q "sysctls\[\] = { \"net.core.somaxconn=4096\", NULL };" "$TMP/rst.c" || die "repro: no sysctl"
cc -O2 -Wall -Wextra -Werror "$TMP/rst.c" -o "$TMP/rst" -pthread || die "repro does not compile"
timeout 60 "$TMP/rst" >"$TMP/rst.out" || { cat "$TMP/rst.out"; die "the reproducer exited $?"; }
cat "$TMP/rst.out"
grep -q "^3000 cycles, [0-9]* failed\( (first: op [345], \(Connection reset by peer\|Broken pipe\))\)\?;" \
	"$TMP/rst.out" || die "the reproducer's failures are not the server's resets"
grep -q "^growth: TCP: inuse  *+0 " "$TMP/rst.out" || die "the reproducer kept TCP sockets"
echo "ok: the reproducer's server resets as the run's did, and nothing is kept"
