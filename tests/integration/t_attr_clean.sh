#!/bin/sh
# --attribute on a clean KB run: stacks keep objects in flight and TIME_WAIT sockets, none is a
# leak's; the TCP states come from the kernel's own counts (tcpstate) at every sample.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_attr_clean

srun kb 0 --attribute --seconds 3 --baseline 1 --quiesce-max 4s
attr_on kb
rjq kb '.attribution.leak_stacks == 0' "no stack is a leak's"
rjq kb '[.attribution.stacks[] | select(.verdict == "LEAK")] | length == 0' "no stack judged LEAK"
rjq kb '[.attribution.stacks[] | select(.reason == "time-wait")] | length >= 1' \
	"TIME_WAIT sockets' stacks are told apart"
rjq kb '[.attribution.sources[] | select(.name == "inet_sock_set_state" and .on)] | length == 1' \
	"the TCP state source is on"
# Every churn row has the states: the dump-based probe sat ticks out, the kernel's counts do not.
rjq kb "(.series.phase | [to_entries[] | select(.value == \"churn\") | .key]) as \$rows |
	$(col_values tcp.state.ESTABLISHED) as \$v |
	[\$rows[] | \$v[.] | select(. == null)] | length == 0" "tcp.state.ESTABLISHED at every churn row"
says kb "no stack is a leak's"
says kb "socket charges: not traceable on this kernel (fentry refused)"
echo "ok: text says no stack leaked, and which source is missing"
