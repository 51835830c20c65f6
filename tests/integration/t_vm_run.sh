#!/bin/sh
# sockleak vm -- run on Debian's 6.1 kernel under QEMU (TCG): an injected leak is LEAK within 10%
# of its rate, a clean run is not LEAK, and SIGINT reaches the guest's run, which still writes
# what it measured.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
. "$TESTDIR/vm_lib.sh"
TEST_NAME=t_vm_run
need_vm

# 6,000 cycles (about 6 s under TCG); quiesce not held by TIME_WAIT (no --quiesce-max).
short="--baseline 2s --no-teardown"
# shellcheck disable=SC2086
vm leak 1 --quiet -- run --quiet --ops 6000 --inject-leak 500 $short --json "$TMP/leak.json"
rjq leak '.result.verdict == "LEAK"' "injected leak in the VM: LEAK"
rjq leak '(.result.leaked_sockets_per_cycle - 0.002 | fabs) <= 0.0002' \
	"leaked sockets per cycle within 10% of the injected 0.002"
rjq leak '.machine.kernel | startswith("6.1")' "the report names the guest's kernel"
rjq leak '.machine.vm == "qemu/tcg" and .machine.cgroup_version == 2 and .machine.cgroup' \
	"the run had a memory cgroup of its own in the guest (v2)"
head -n 1 "$TMP/leak.out" | grep -q '^LEAK' || die "the text report is not on stdout"

# compare across kernels (its main use): a recorded run on this host's kernel against the VM's.
gunzip -c "$TESTDIR/../data/golden/leak.json.gz" >"$TMP/host-leak.json"
set +e
"$SOCKLEAK" compare "$TMP/host-leak.json" "$TMP/leak.json" --json "$TMP/cmp.json" >"$TMP/cmp.out"
rc=$?
set -e
cat "$TMP/cmp.out"
[ $rc -le 1 ] || die "compare across kernels: exit $rc"
head -n 1 "$TMP/cmp.out" | grep -q "from Linux $(jq -r .machine.kernel "$TMP/host-leak.json") to Linux 6\.1.* (VM qemu/tcg)$" ||
	die "compare does not say the kernels in its headline"
grep -q "differences:.*kernel .* vs 6\.1.*; VM none vs qemu/tcg" "$TMP/cmp.out" ||
	die "compare does not list the kernel and the VM among the differences"
jq -e '.a.vm == null and .b.vm == "qemu/tcg" and (.b.kernel | startswith("6.1"))' "$TMP/cmp.json" \
	>/dev/null || die "compare's JSON does not name the kernels and the VM"
echo "ok: compare across kernels says both kernels and the VM"

# shellcheck disable=SC2086
vm clean 0 --quiet -- run --quiet --ops 6000 $short --fail-on leak --json "$TMP/clean.json"
rjq clean '.result.verdict != "LEAK"' "clean run in the VM: not LEAK ($(jq -r .result.verdict "$TMP/clean.json"))"

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
