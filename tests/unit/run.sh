#!/bin/sh
# Runs every cmocka unit test binary given; fails when any fails.
set -u
fail=0
for t in "$@"; do
	if ! out=$("$t" 2>&1); then
		printf '%s\n' "$out"
		echo "FAIL $t"
		fail=1
	else
		n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
		echo "ok   $(basename "$t") (${n:-?} tests)"
	fi
done
exit $fail
