#!/bin/sh
# --ops is exact over any number of threads; --inject-leak keeps exactly floor(ops / N) sockets.
. "$TESTDIR/lib.sh"
. "$TESTDIR/churn_lib.sh"
need_root

for t in 1 2 3 8; do
	j="$TMP/ops-$t.json"
	churn "$j" --ops 1001 --threads $t
	expect_jq "$j" '.cycles == 1001 and .failed_cycles == 0' "--ops 1001 --threads $t: 1001 cycles"
	expect_jq "$j" "(.threads.min * $t <= 1001) and (.threads.max - .threads.min <= 1)" \
		"--threads $t: the split is exact"
done
j="$TMP/ops-few.json"
churn "$j" --ops 5 --threads 8 --transport unix
expect_jq "$j" '.cycles == 5 and .threads.min == 0 and .threads.max == 1' "more threads than ops"

j="$TMP/leak.json"
churn "$j" --ops 1000 --threads 3 --inject-leak 7
expect_jq "$j" '.cycles == 1000 and .leaked == 142 and .leak_capped == false' \
	"--inject-leak 7 over 1000 cycles keeps 142 sockets"
j="$TMP/leak-udp.json"
churn "$j" --ops 999 --threads 2 --inject-leak 10 --transport udp
expect_jq "$j" '.leaked == 99' "--inject-leak on udp"
