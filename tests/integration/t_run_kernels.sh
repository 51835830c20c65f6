#!/bin/sh
# sockleak run --kernels host,IMAGE: the same run on this host's kernel and in one VM booted with
# Debian's 6.1 (TCG): each kernel's text report is headed by its release, its JSON and HTML are
# named after it, and a closing line says what each kernel gave; the exit code is the worst. A VM
# that does not boot is NOT RUN with the reason, exit 3, never CLEAN. Bad input: exit 2. The VM's
# injected leak is measured within 10%, and compare of the two kernels' reports names both.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
. "$TESTDIR/vm_lib.sh"
TEST_NAME=t_run_kernels
need_vm

host=$(uname -r)
vmrel=$(basename "$VM_KERNEL" | sed 's/^vmlinuz-//')

# Refused before anything runs: not a kernel image; standard output for a report of each kernel.
echo "not a kernel" >"$TMP/notakernel"
expect_exit 2 "$SOCKLEAK" run --kernels "host,$TMP/notakernel" 2>"$TMP/bad.err"
grep -q "is not a kernel image" "$TMP/bad.err" || die "a text file taken for a kernel: $(cat "$TMP/bad.err")"
expect_exit 2 "$SOCKLEAK" run --kernels "host,$VM_KERNEL" --json - 2>"$TMP/dash.err"
grep -q "each kernel writes its own" "$TMP/dash.err" || die "--json - across kernels: $(cat "$TMP/dash.err")"
echo "ok: --kernels: not a kernel, --json -: exit 2"

# An injected leak on both kernels: LEAK on each, exit 1, each kernel's reports under its name.
set +e
"$SOCKLEAK" run --kernels "host,$VM_KERNEL" --vm-accel tcg --quiet --ops 6000 --inject-leak 500 \
	--baseline 1 --quiesce-max 2 --no-teardown --json "$TMP/r.json" --html "$TMP/r.html" \
	>"$TMP/r.out" 2>"$TMP/r.err"
rc=$?
set -e
cp "$TMP/r.out" "$TMP/r.err" "$ARTIFACTS/" 2>/dev/null || true
cat "$TMP/r.out" "$TMP/r.err"
[ $rc -eq 1 ] || die "an injected leak on both kernels: expected exit 1, got $rc"
for k in "$host" "$vmrel"; do
	jq -e --arg k "$k" '.machine.kernel == $k and .result.verdict == "LEAK"' "$TMP/r.$k.json" \
		>/dev/null || die "r.$k.json: not a LEAK run on $k"
	test -s "$TMP/r.$k.html" && grep -q "$k" "$TMP/r.$k.html" || die "r.$k.html missing or not of $k"
done
! test -e "$TMP/r.json" || die "an unnamed r.json was written"
grep -q "^== Linux $host: this machine's ==$" "$TMP/r.out" &&
	grep -q "^== Linux $vmrel: in a VM of $VM_KERNEL ==$" "$TMP/r.out" ||
	die "the text reports are not headed by their kernels"
[ "$(grep -c '^LEAK: ' "$TMP/r.out")" -eq 2 ] || die "not a text report with its verdict per kernel"
grep -q "^Across kernels: LEAK on $host, LEAK on $vmrel$" "$TMP/r.out" ||
	die "no line across kernels saying each one's verdict"
echo "ok: LEAK on $host and $vmrel: reports r.KERNEL.json/.html, one line across kernels, exit 1"
no_qemu_left

# The VM's run: the injected rate within 10%, in a memory cgroup of its own (v2) in the guest.
vj="$TMP/r.$vmrel.json"
jq -e '(.result.leaked_sockets_per_cycle - 0.002 | fabs) <= 0.0002' "$vj" >/dev/null ||
	die "in the VM: $(jq .result.leaked_sockets_per_cycle "$vj") leaked sockets per cycle, not within 10% of the injected 0.002"
jq -e '.machine.vm == "qemu/tcg" and .machine.cgroup_version == 2 and .machine.cgroup' "$vj" >/dev/null ||
	die "the VM's run had no memory cgroup of its own (v2), or does not say qemu/tcg"
echo "ok: in the VM: the injected rate within 10%, a cgroup v2 of its own"

# compare across kernels (its main use): this machine's run against the VM's, both kernels named.
set +e
"$SOCKLEAK" compare "$TMP/r.$host.json" "$vj" --json "$TMP/cmp.json" >"$TMP/cmp.out"
rc=$?
set -e
cat "$TMP/cmp.out"
[ $rc -le 1 ] || die "compare across kernels: exit $rc"
head -n 1 "$TMP/cmp.out" | grep -q "from Linux $host to Linux $vmrel (VM qemu/tcg)$" ||
	die "compare does not say the kernels in its headline"
grep -q "differences:.*kernel $host vs $vmrel; VM none vs qemu/tcg" "$TMP/cmp.out" ||
	die "compare does not list the kernel and the VM among the differences"
jq -e --arg h "$host" --arg v "$vmrel" '.a.kernel == $h and .a.vm == null and .b.vm == "qemu/tcg" and
	.b.kernel == $v' "$TMP/cmp.json" >/dev/null || die "compare's JSON does not name the kernels and the VM"
echo "ok: compare across kernels says both kernels and the VM"

# A VM that never starts the guest's run: tried once more, then NOT RUN with the reason, exit 3.
set +e
"$SOCKLEAK" run --kernels "$VM_KERNEL" --vm-accel tcg --vm-boot-timeout 1s --ops 100 \
	--json "$TMP/stall.json" >"$TMP/stall.out" 2>"$TMP/stall.err"
rc=$?
set -e
cat "$TMP/stall.out" "$TMP/stall.err"
[ $rc -eq 3 ] || die "a VM that did not boot: expected exit 3, got $rc"
grep -q "^Across kernels: NOT RUN on $vmrel (its VM could not run it: .* did not boot: no sign of the guest's sockleak within 1s, twice (--vm-boot-timeout))$" \
	"$TMP/stall.out" || die "a VM that did not boot is not said NOT RUN with the reason"
! test -e "$TMP/stall.$vmrel.json" || die "a report for a run that never ran"
echo "ok: a stalled VM: NOT RUN with the reason, exit 3"
no_qemu_left
