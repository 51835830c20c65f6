#!/bin/sh
# sockleak sweep --kernels host,IMAGE: one variant on this host's kernel and in one VM booted with
# Debian's 6.1 (TCG): the kernel is an axis of the table, the JSON and the HTML index, each
# kernel's row has a verdict, and the closing lines say per variant what each kernel gave. A VM
# that does not boot (tried twice) leaves its kernel's variants not run, never CLEAN: exit 3.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
. "$TESTDIR/vm_lib.sh"
TEST_NAME=t_sweep_kernels
need_vm

host=$(uname -r)
vmrel=$(basename "$VM_KERNEL" | sed 's/^vmlinuz-//')
short="--presets kb171996 --transports tcp --seconds 2 --baseline 1 --quiesce-max 2 --no-teardown"

# Refused before anything runs: not a kernel image, a kernel twice.
echo "not a kernel" >"$TMP/notakernel"
expect_exit 2 "$SOCKLEAK" sweep --kernels "host,$TMP/notakernel" --dry-run 2>"$TMP/bad.err"
grep -q "is not a kernel image" "$TMP/bad.err" || die "a text file taken for a kernel: $(cat "$TMP/bad.err")"
expect_exit 2 "$SOCKLEAK" sweep --kernels "$VM_KERNEL,host,$VM_KERNEL" --dry-run 2>"$TMP/twice.err"
grep -q "$vmrel given twice" "$TMP/twice.err" || die "a kernel given twice: $(cat "$TMP/twice.err")"
echo "ok: --kernels: not a kernel, a kernel twice: exit 2"

# The plan counts the VM's boot; the dry run's table has the kernel column.
# shellcheck disable=SC2086
"$SOCKLEAK" sweep --kernels "host,$VM_KERNEL" $short --dry-run >"$TMP/dry.out"
cat "$TMP/dry.out"
grep -q "^  and 1 VM boot (--kernels)" "$TMP/dry.out" || die "the plan does not count the boot"
grep -q " kernel " "$TMP/dry.out" && grep -q " $vmrel  *- " "$TMP/dry.out" ||
	die "the dry run's table has no kernel column"
echo "ok: the plan counts one boot; the table has a kernel column"

set +e
# shellcheck disable=SC2086
"$SOCKLEAK" sweep --kernels "host,$VM_KERNEL" --vm-accel tcg $short --json "$TMP/s.json" \
	--html "$TMP/html" >"$TMP/s.out" 2>"$TMP/s.err"
rc=$?
set -e
cp "$TMP/s.out" "$TMP/s.err" "$ARTIFACTS/" 2>/dev/null || true
cat "$TMP/s.out" "$TMP/s.err"
[ $rc -le 1 ] || die "sweep across kernels: exit $rc"
jq -e --arg h "$host" --arg v "$vmrel" '
	[.matrix.kernels[].label] == ["host", $v] and (.variants | length) == 2 and
	([.variants[] | .kernel] == [$h, $v]) and
	all(.variants[]; .status == "done" and (.verdict | type) == "string" and .cycles > 0)' \
	"$TMP/s.json" >/dev/null || {
	jq -c '.matrix.kernels, [.variants[] | {kernel, status, verdict, reason}]' "$TMP/s.json" >&2
	die "the JSON does not hold both kernels' variants, each with a verdict"
}
echo "ok: JSON: the kernel axis (host, $vmrel), a verdict on each"
v1=$(jq -r '.variants[0].verdict' "$TMP/s.json")
v2=$(jq -r '.variants[1].verdict' "$TMP/s.json")
grep -q "^  tcp kb171996: $v1 on $host, $v2 on $vmrel$" "$TMP/s.out" ||
	die "the closing lines do not say each kernel's verdict of the variant"
grep -q "^   2  tcp kb171996  *$vmrel  .*$v2" "$TMP/s.out" || die "no row of the VM's kernel"
echo "ok: table: a row per kernel; across kernels: $v1 on $host, $v2 on $vmrel"
h2=$(jq -r '.variants[1].html' "$TMP/s.json")
test -s "$TMP/html/$h2" && grep -q "$vmrel" "$TMP/html/$h2" ||
	die "the VM's variant report ($h2) is not in --html, or does not name its kernel"
grep -q "Across kernels" "$TMP/html/index.html" && grep -q "href=\"$h2\"" "$TMP/html/index.html" ||
	die "the index has no kernel section or no link to the VM's variant"
echo "ok: HTML: the VM's variant report landed in --html, linked from the index"
no_qemu_left

# A VM that never starts the guest's sweep: tried once more, then its variant is not run (exit 3).
set +e
# shellcheck disable=SC2086
"$SOCKLEAK" sweep --kernels "$VM_KERNEL" --vm-accel tcg --vm-boot-timeout 1s $short \
	--json "$TMP/stall.json" >"$TMP/stall.out" 2>"$TMP/stall.err"
rc=$?
set -e
cat "$TMP/stall.out" "$TMP/stall.err"
[ $rc -eq 3 ] || die "a VM that did not boot: expected exit 3, got $rc"
grep -q "trying once more" "$TMP/stall.err" || die "the stalled boot was not tried again"
jq -e '.variants[0].status == "not-run" and (.variants[0].reason | test("could not run it: .* did not boot: no sign of the guest.*twice \\(--vm-boot-timeout\\)")) and
	.overall.verdict != "CLEAN" and .overall.measured == 0' "$TMP/stall.json" >/dev/null ||
	die "a VM that did not boot: its variant is not reported not run"
echo "ok: a stalled VM: retried, its variant not run (not CLEAN), exit 3"
no_qemu_left
