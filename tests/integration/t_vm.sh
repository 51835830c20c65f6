#!/bin/sh
# sockleak vm: churn on Debian's 6.1 kernel under QEMU (TCG), its JSON landing on the host; the
# errors that stop a boot (exit 3) and the VM going away with sockleak.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
. "$TESTDIR/vm_lib.sh"
TEST_NAME=t_vm

# Errors found before any boot: bad command lines (2), no qemu and missing modules (3).
expect_exit 2 "$SOCKLEAK" vm -- churn
expect_exit 2 "$SOCKLEAK" vm --kernel /nonexistent -- churn
expect_exit 2 "$SOCKLEAK" vm --kernel /bin/sh -- vm
expect_exit 2 "$SOCKLEAK" vm --kernel /bin/sh --accel xen -- churn
echo "ok: usage errors exit 2"
need_vm
set +e
PATH=/nonexistent "$SOCKLEAK" vm --kernel "$VM_KERNEL" -- churn 2>"$TMP/noqemu.err"
rc=$?
set -e
[ $rc -eq 3 ] && grep -q "install Debian's qemu-system-x86" "$TMP/noqemu.err" ||
	die "no qemu: expected exit 3 saying what to install, got $rc: $(cat "$TMP/noqemu.err")"
echo "ok: no qemu: exit 3, says what to install"
mkdir "$TMP/mods"
echo "kernel/fs/overlayfs/overlay.ko:" >"$TMP/mods/modules.dep"
vm nomods 3 --modules "$TMP/mods" -- churn --ops 10
grep -q "no module virtio_pci" "$TMP/nomods.err" || die "missing modules not named"
echo "ok: missing modules: exit 3, named with their kernel option"
: >"$TMP/mods/modules.dep"
rm "$TMP/mods/modules.dep"
vm nodep 3 --modules "$TMP/mods" -- churn --ops 10
grep -q "has no modules.dep" "$TMP/nodep.err" || die "a tree without modules.dep not explained"
echo "ok: a module tree without modules.dep: exit 3, says how to make it"

# The KB sequence on 6.1: 2000 cycles, a machine section naming that kernel and the VM, the
# summary on stdout and the JSON where it was named (a relative path, from the same directory).
mkdir "$TMP/cwd"
cd "$TMP/cwd"
vm churn 0 -- churn --ops 2000 --json out.json
cd - >/dev/null
j="$TMP/cwd/out.json"
[ -f "$j" ] || die "the guest's JSON did not land at out.json"
jq -e '.cycles == 2000 and .failed_cycles == 0' "$j" >/dev/null || die "not 2000 cycles"
echo "ok: 2000 cycles in the guest"
jq -e '.machine.kernel | startswith("6.1")' "$j" >/dev/null ||
	die "machine section does not name 6.1: $(jq -c .machine "$j")"
jq -e '.machine.vm == "qemu/tcg" and (.machine.vm_kernel_image | endswith("amd64"))
	and (.machine.vm_initramfs | test("busybox .*9pnet_virtio"))' "$j" >/dev/null ||
	die "machine section does not say the VM: $(jq -c .machine "$j")"
echo "ok: machine section: kernel $(jq -r .machine.kernel "$j"), vm qemu/tcg, initramfs"
grep -q "cycles        2000" "$TMP/churn.out" || die "the guest's summary is not on stdout"
grep -q "the guest's sockleak started" "$TMP/churn.err" || die "no start line on stderr"
echo "ok: the guest's stdout on stdout"
no_qemu_left

# The guest's exit code is sockleak vm's, and --json - comes out on stdout.
vm usage 2 --quiet -- churn --sequence 'socket,sennd,close'
grep -q "unknown op 'sennd'" "$TMP/usage.err" || die "the guest's error message is not on stderr"
vm stdout 0 --quiet -- churn --ops 100 --json -
jq -e '.cycles == 100' "$TMP/stdout.out" >/dev/null || die "--json - did not come out on stdout"
[ "$(grep -c . "$TMP/stdout.err")" -lt 20 ] || die "--quiet still shows the console"
echo "ok: exit code and --json - passed through; --quiet hides the console"

# SIGKILL of sockleak: qemu goes with it (PR_SET_PDEATHSIG), nothing to clean up by hand.
vm_bg kill -- churn --seconds 60
q=$(pgrep -P $pid -f qemu-system-x86_64 || true)
[ -n "$q" ] || die "no qemu under sockleak vm: $(cat "$TMP/kill.err")"
kill -KILL $pid
wait $pid 2>/dev/null || true
i=0
while [ -d /proc/$q ] && [ "$(cut -d' ' -f3 /proc/$q/stat 2>/dev/null)" != Z ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ ! -d /proc/$q ] || [ "$(cut -d' ' -f3 /proc/$q/stat 2>/dev/null)" = Z ] ||
	die "qemu $q outlived sockleak"
echo "ok: qemu died with sockleak (SIGKILL)"

# A boot that shows no sign of the guest in time is tried once more, then given up: exit 3.
vm stall 3 --boot-timeout 1s -- churn --ops 10
grep -q "trying once more" "$TMP/stall.err" && grep -q "did not boot" "$TMP/stall.err" ||
	die "a stalled boot is not retried once and reported"
echo "ok: stalled boot retried once, then exit 3"
# Not a kernel: qemu refuses it, said with exit 3.
printf 'not a kernel\n' >"$TMP/bad"
vm badkernel 3 --modules "$VM_MODULES" --kernel "$TMP/bad" -- churn --ops 10
grep -q "sockleak: vm: " "$TMP/badkernel.err" || die "no message for a bad kernel"
echo "ok: a file that is not a kernel: exit 3"
no_qemu_left

# The killed run's private directory went with the next run.
for d in "${TMPDIR:-/tmp}"/sockleak-vm.$pid.*; do
	[ ! -e "$d" ] || die "the killed run's $d was not removed by the next run"
done
echo "ok: the killed run's directory removed by the next run"
