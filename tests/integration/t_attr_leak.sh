#!/bin/sh
# --attribute with --inject-leak 1000: the TCP sockets kept come from two kernel stacks, the
# socket() syscall's (inet_create -> sk_alloc) and the server's child socket made while handling
# the handshake (tcp_v4_syn_recv_sock -> sk_clone_lock), about half each; together they are the
# leaked sockets, at twice the injected rate (the client's end and the server's).
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_attr_leak

srun leak 1 --attribute --ops 30000 --inject-leak 1000 --baseline 0.5 --quiesce-max 3s
attr_on leak
A=.attribution
CLIENT=$(attr_stk inet_create sk_alloc)
SERVER=$(attr_stk tcp_v4_syn_recv_sock sk_clone_lock)
rjq leak "$CLIENT | length == 1" "a LEAK stack of TCP through inet_create -> sk_alloc"
rjq leak "$SERVER | length == 1" "a LEAK stack of TCP through tcp_v4_syn_recv_sock -> sk_clone_lock"
# Leaked sockets: the engine kept 30 connections open, each two TCP sockets.
LEAKED='(.engine.leaked * 2)'
rjq leak "($CLIENT[0].objects_kept + $SERVER[0].objects_kept) >= 0.9 * $LEAKED" \
	"the two stacks hold at least 90% of the leaked sockets"
rjq leak "[$CLIENT[0].objects_kept, $SERVER[0].objects_kept] |
	(.[0] / (.[0] + .[1])) as \$f | \$f >= 0.35 and \$f <= 0.65" "about half each"
rjq leak "(($CLIENT[0].objects_per_cycle + $SERVER[0].objects_per_cycle) - 0.002 | fabs) <= 0.0002" \
	"objects per cycle within 10% of twice the injected rate"
rjq leak "[$A.figures[] | select(.metric == \"tcp.client\") | .stacks | length] == [2]" \
	"the leaking client count lists the two stacks"
says leak "Where it was allocated"
says leak "inet_create+"
says leak "sk_clone_lock+"
echo "ok: text report names both stacks"
# report re-renders the section from the JSON.
"$SOCKLEAK" report "$TMP/leak.json" >"$TMP/again.txt"
sed -n '/^Where it was allocated/,/^  lost events\|^  LOST EVENTS/p' "$TMP/leak.txt" >"$TMP/a.txt"
sed -n '/^Where it was allocated/,/^  lost events\|^  LOST EVENTS/p' "$TMP/again.txt" >"$TMP/b.txt"
[ -s "$TMP/a.txt" ] && cmp -s "$TMP/a.txt" "$TMP/b.txt" || {
	diff "$TMP/a.txt" "$TMP/b.txt"
	die "report renders 'Where it was allocated' as the run did"
}
echo "ok: report renders the section as the run did"
