#!/bin/sh
# churn usage errors exit 2 with a caret and the choices; lists and help exit 0.
. "$TESTDIR/lib.sh"

set +e
"$SOCKLEAK" churn --sequence 'socket,connect,sennd:64,close' >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
cat "$TMP/err"
[ $rc -eq 2 ] || die "sennd: expected exit 2, got $rc"
grep -q "unknown op 'sennd'" "$TMP/err" || die "sennd: no message"
grep -qx '  socket,connect,sennd:64,close' "$TMP/err" || die "sennd: text not shown"
# The caret sits under the 's' of sennd: 2 spaces of indent plus 15 characters before it.
grep -qx '                 ^~~~~' "$TMP/err" || die "sennd: caret not under sennd"
for op in socket setsockopt:NAME=VALUE 'bind\[:ADDR\]' connect send:N sendto:N recv:N \
	'shutdown:rd|wr|rdwr' close; do
	grep -q "ops:.* $op" "$TMP/err" || die "sennd: op list lacks $op"
done
echo "ok: sennd exits 2 with a caret under it and the list of ops"

set +e
"$SOCKLEAK" churn --transport sctp 2>"$TMP/err"
rc=$?
set -e
cat "$TMP/err"
[ $rc -eq 2 ] || die "sctp: expected exit 2, got $rc"
for t in tcp tcp6 udp udp6 unix unix-dgram mptcp; do
	grep -q " $t\b" "$TMP/err" || die "sctp: choices lack $t"
done
echo "ok: --transport sctp exits 2 naming the choices"

expect_exit 2 "$SOCKLEAK" churn --sequence 'socket,connect,send:64'
expect_exit 2 "$SOCKLEAK" churn --sequence 'connect,socket,close'
expect_exit 2 "$SOCKLEAK" churn --sequence 'socket,setsockopt:SO_LINGER=1,connect,close'
expect_exit 2 "$SOCKLEAK" churn --sequence halfclose --transport udp
expect_exit 2 "$SOCKLEAK" churn --sequence crr --server-close never-read
expect_exit 2 "$SOCKLEAK" churn --server-close rst --transport udp
expect_exit 2 "$SOCKLEAK" churn --threads 0
expect_exit 2 "$SOCKLEAK" churn --seconds -1
expect_exit 2 "$SOCKLEAK" churn --bogus
expect_exit 2 "$SOCKLEAK" churn extra-argument
expect_exit 2 "$SOCKLEAK" churn --ops 100000000000 --inject-leak 2
expect_exit 2 "$SOCKLEAK" churn --target 127.0.0.1
expect_exit 2 "$SOCKLEAK" churn --no-netns --netns-sysctl net.ipv4.tcp_tw_reuse=1
echo "ok: refused combinations exit 2"

"$SOCKLEAK" churn --list-options >"$TMP/opts"
for o in SO_LINGER SO_REUSEADDR SO_REUSEPORT SO_KEEPALIVE SO_SNDBUF SO_RCVBUF SO_RCVLOWAT \
	SO_PRIORITY SO_MARK SO_ZEROCOPY TCP_NODELAY TCP_QUICKACK TCP_CORK TCP_USER_TIMEOUT \
	TCP_KEEPIDLE TCP_FASTOPEN_CONNECT TCP_CONGESTION IP_TOS IP_TTL IPV6_V6ONLY IPV6_TCLASS; do
	grep -q "^$o=" "$TMP/opts" || die "--list-options lacks $o"
done
echo "ok: --list-options prints the whole catalogue"
"$SOCKLEAK" churn --list-presets | grep -q '^kb171996' || die "--list-presets lacks kb171996"
"$SOCKLEAK" churn --help | grep -q -- '--inject-leak' || die "--help lacks --inject-leak"
"$SOCKLEAK" --help | grep -q '^  churn' || die "sockleak --help lacks churn"
echo "ok: lists and help"
