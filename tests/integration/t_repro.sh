#!/bin/sh
# sockleak repro: real recorded runs (tests/data/golden) become C programs that compile with
# -Wall -Werror and show the run's figure: an injected leak of 1 socket in 1000 grows the TCP
# socket count by 2 per 1000 cycles (both ends of each kept connection); a clean run does not.
. "$TESTDIR/lib.sh"
need_root
golden="$TESTDIR/../data/golden"

for r in leak kb udp unix; do
	zcat "$golden/$r.json.gz" >"$TMP/$r.json"
	"$SOCKLEAK" repro "$TMP/$r.json" >"$TMP/$r.c" || die "repro $r exited $?"
	grep -q "kernel: " "$TMP/$r.c" || die "$r: no kernel in the comment"
	grep -q "the run:   sockleak run" "$TMP/$r.c" || die "$r: no command in the comment"
	if grep -q "sockleak\.h\|#include \"" "$TMP/$r.c"; then die "$r: not self-contained"; fi
	echo "ok: $r: a self-contained program (compiled below, at a length of its own)"
done
# The default length: ten times the noise over the residual per cycle (and at least 1000).
cycles=$(sed -n 's/^#define CYCLES \([0-9]*\)ULL$/\1/p' "$TMP/leak.c")
[ "$cycles" -ge 1000 ] || die "default cycles $cycles"
echo "ok: default length $cycles cycles"

# The programs are built and run side by side: each loops in a network namespace of its own (as
# its run did), where the sockstat figures it prints are its own.
"$SOCKLEAK" repro --cycles 5000 "$TMP/leak.json" >"$TMP/leak5.c"
"$SOCKLEAK" repro --cycles 5000 "$TMP/kb.json" >"$TMP/kb5.c"
for r in udp unix; do
	"$SOCKLEAK" repro --cycles 3000 "$TMP/$r.json" >"$TMP/$r.c"
done
# A scripted server (--server-sequence): the program's server does with each connection what the
# run's did. Here it sends 4k for the client's 64 bytes; the client reads 1 and closes with the
# rest unread, which resets the connection: no TIME_WAIT, where kb5's clients leave one each.
jq '.config.sequence = "socket,connect,send:64,recv:1,close" | .config.preset = null |
	.config.server_sequence = "accept,recv:64,send:4k,close"' "$TMP/kb.json" >"$TMP/ss.json"
"$SOCKLEAK" repro --cycles 3000 "$TMP/ss.json" >"$TMP/ss.c" || die "repro of a scripted server"
grep -q "^ \*   server:    accept,recv:64,send:4k,close, per connection$" "$TMP/ss.c" ||
	die "the comment does not say the server's sequence"
grep -q "the run:   sockleak run .* --server-sequence 'accept,recv:64,send:4k,close'" "$TMP/ss.c" ||
	die "the command in the comment lacks --server-sequence"
tr -d '\n\t' <"$TMP/ss.c" | grep -qF "server_seq[] = {{ SV_ACCEPT, 0 },{ SV_RECV, 64 },{ SV_SEND, 4096 },{ SV_CLOSE, 0 },};" ||
	die "the program's server does not follow the run's sequence"
echo "ok: the scripted server is in the program, op by op"
# The run's --netns-sysctl settings are made in the program's namespace: no TIME_WAIT bucket,
# no TIME_WAIT socket, where kb5's clients leave one each.
jq '.config.netns_sysctl = ["net.ipv4.tcp_max_tw_buckets=0"]' "$TMP/kb.json" >"$TMP/kbtw.json"
"$SOCKLEAK" repro --cycles 3000 "$TMP/kbtw.json" >"$TMP/kbtw.c" || die "repro with a sysctl"
grep -q "sysctls\[\] = { \"net.ipv4.tcp_max_tw_buckets=0\", NULL };" "$TMP/kbtw.c" ||
	die "the run's sysctl is not in the program"
grep -q "the run:   sockleak run .* --netns-sysctl 'net.ipv4.tcp_max_tw_buckets=0'" "$TMP/kbtw.c" ||
	die "the command in the comment lacks --netns-sysctl"
for r in leak5 kb5 udp unix ss kbtw; do
	grep -q "own_netns(sysctls);" "$TMP/$r.c" || die "$r: not in a namespace of its own"
	{ cc -O2 -Wall -Wextra -Werror "$TMP/$r.c" -o "$TMP/$r" -pthread >"$TMP/$r.out" 2>&1 ||
		exit 99; "$TMP/$r" >"$TMP/$r.out" 2>&1; } &
	echo $! >"$TMP/$r.pid"
done
for r in leak5 kb5 udp unix ss kbtw; do
	set +e
	wait "$(cat "$TMP/$r.pid")"
	rc=$?
	set -e
	[ $rc -ne 99 ] || { cat "$TMP/$r.out"; die "$r: does not compile with -Wall -Wextra -Werror"; }
	[ $rc -eq 0 ] || { cat "$TMP/$r.out"; die "the $r reproducer exited $rc"; }
done
cat "$TMP/leak5.out"
grep -q "^growth: TCP: inuse  *+10 " "$TMP/leak5.out" || die "leak: TCP inuse did not grow by 10"
grep -q "5000 cycles, 0 failed; 5 sockets kept open" "$TMP/leak5.out" || die "leak: cycles"
echo "ok: 5000 cycles keeping 1 in 1000: TCP sockets +10"
grep -q "^growth: TCP: inuse  *+0 " "$TMP/kb5.out" || { cat "$TMP/kb5.out"; die "clean: grew"; }
echo "ok: the clean run's program shows no growth"
for r in udp unix; do
	grep -q "^growth: sockets: used  *+0 " "$TMP/$r.out" || { cat "$TMP/$r.out"; die "$r grew"; }
	grep -q " 0 failed" "$TMP/$r.out" || { cat "$TMP/$r.out"; die "$r: cycles failed"; }
done
echo "ok: udp and unix programs run their cycles without failures or growth"
tw() {
	sed -n '/^after:/,$p' "$TMP/$1.out" | sed -n 's/^.*TCP: inuse .* tw \([0-9]*\) .*$/\1/p'
}
[ "$(tw kb5)" -ge 4000 ] || { cat "$TMP/kb5.out"; die "kb5: $(tw kb5) TIME_WAIT, not 5000"; }
grep -q "3000 cycles, 0 failed" "$TMP/ss.out" || { cat "$TMP/ss.out"; die "ss: cycles failed"; }
[ "$(tw ss)" -lt 300 ] || { cat "$TMP/ss.out"; die "ss: $(tw ss) TIME_WAIT: the server did not send 4k"; }
grep -q "^growth: TCP: inuse  *+0 " "$TMP/ss.out" || { cat "$TMP/ss.out"; die "ss: grew"; }
[ "$(tw kbtw)" -lt 300 ] || { cat "$TMP/kbtw.out"; die "kbtw: $(tw kbtw) TIME_WAIT: no sysctl"; }
grep -q "3000 cycles, 0 failed" "$TMP/kbtw.out" || { cat "$TMP/kbtw.out"; die "kbtw failed"; }
echo "ok: the program sets the run's sysctl in its namespace: $(tw kbtw) TIME_WAIT"
echo "ok: the scripted server's program runs as the run's server did: $(tw ss) TIME_WAIT, kb5 $(tw kb5)"

# A payload goes out byte for byte; a star-slash in it does not end the op's comment.
jq '.config.sequence = "socket,connect,send:\"a*/b\\r\\n\",send:hex:00ff,close" | .config.preset = null' \
	"$TMP/kb.json" >"$TMP/payload.json"
"$SOCKLEAK" repro --cycles 2000 "$TMP/payload.json" >"$TMP/payload.c"
grep -q "97, 42, 47, 98, 13, 10 }" "$TMP/payload.c" || die "payload: bytes not in the program"
cc -O2 -Wall -Wextra -Werror "$TMP/payload.c" -o "$TMP/payload" -pthread || die "payload: cc"
"$TMP/payload" >"$TMP/payload.out" || die "the payload reproducer exited $?"
grep -q "2000 cycles, 0 failed" "$TMP/payload.out" || { cat "$TMP/payload.out"; die "payload"; }
echo "ok: payload sends in a reproducer"

echo '{"tool": "other"}' >"$TMP/bad.json"
expect_exit 2 "$SOCKLEAK" repro "$TMP/bad.json" >/dev/null 2>"$TMP/bad.err"
grep -q "bad.json" "$TMP/bad.err" || die "a bad file is not named"
expect_exit 2 "$SOCKLEAK" repro >/dev/null 2>&1
echo "ok: refusals"
