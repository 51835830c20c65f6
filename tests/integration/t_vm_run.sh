#!/bin/sh
# sockleak vm -- run on Debian's 6.1 kernel under QEMU (TCG): a clean run is not LEAK, its text
# report on stdout, and SIGINT reaches the guest's run, which still writes what it measured. An
# injected leak in the VM (LEAK within 10% of its rate) and compare across kernels are checked by
# t_run_kernels, on the reports of one run --kernels host,IMAGE.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
. "$TESTDIR/vm_lib.sh"
TEST_NAME=t_vm_run
need_vm

# 6,000 cycles (about 6 s under TCG); quiesce not held by TIME_WAIT (no --quiesce-max).
short="--baseline 2s --no-teardown"
# shellcheck disable=SC2086
vm clean 0 --quiet -- run --quiet --ops 6000 $short --fail-on leak --json "$TMP/clean.json"
rjq clean '.result.verdict != "LEAK"' "clean run in the VM: not LEAK ($(jq -r .result.verdict "$TMP/clean.json"))"
rjq clean '.machine.kernel | startswith("6.1")' "the report names the guest's kernel"
head -n 1 "$TMP/clean.out" | grep -Eq "^$(jq -r .result.verdict "$TMP/clean.json")\b" ||
	die "the text report is not on stdout"

# SIGINT: passed to the guest's run, which stops, analyses and writes; exit 130.
vm_bg int -- run --seconds 120 --baseline 1s --quiesce-max 3s --no-teardown --json "$TMP/int.json"
sleep 5
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
cat "$TMP/int.out" "$TMP/int.err"
[ $rc -eq 130 ] || die "SIGINT: expected exit 130, got $rc"
jq -e '.result.cycles > 0 and .series.rows > 10' "$TMP/int.json" >/dev/null ||
	die "SIGINT: the guest's JSON was not written with what it measured"
grep -q "Interrupted by signal 2" "$TMP/int.out" || die "SIGINT: the report does not say so"
echo "ok: SIGINT reached the guest's run: exit 130, JSON written"
no_qemu_left
