# Helpers for the t_vm* tests: source after lib.sh and run_lib.sh. Boots use TCG (--accel tcg):
# /dev/kvm is missing here or nested KVM hangs in early boot, and auto would wait out its probe.

# need_vm: root, qemu and busybox-static (scripts/deps.txt), and Debian's second kernel in the
# cache (scripts/vm-kernel.sh downloads it once); sets VM_KERNEL and VM_MODULES.
need_vm() {
	need_root
	need_jq
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 missing (scripts/deps.sh installs qemu-system-x86)"
	kv=$("$TESTDIR/../../scripts/vm-kernel.sh") || die "scripts/vm-kernel.sh failed"
	eval "$kv"
	VM_KERNEL=$kernel
	VM_MODULES=$modules
	echo "kernel $VM_KERNEL"
}

# vm NAME EXIT ARGS...: sockleak vm --accel tcg --kernel VM_KERNEL ARGS; stdout in $TMP/NAME.out,
# stderr in $TMP/NAME.err (both shown, and kept in $ARTIFACTS); fails unless it exits EXIT.
vm() {
	name=$1
	want=$2
	shift 2
	set +e
	"$SOCKLEAK" vm --accel tcg --kernel "$VM_KERNEL" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	set -e
	cp "$TMP/$name.out" "$ARTIFACTS/${TEST_NAME:-vm}-$name.out" 2>/dev/null || true
	cp "$TMP/$name.err" "$ARTIFACTS/${TEST_NAME:-vm}-$name.err" 2>/dev/null || true
	cat "$TMP/$name.out" "$TMP/$name.err"
	[ "$rc" -eq "$want" ] || die "$name: expected exit $want, got $rc (sockleak vm $*)"
	echo "ok: $name exits $want"
}

# No qemu that sockleak vm started may be left: the VM never outlives sockleak.
no_qemu_left() {
	if pgrep -f "qemu-system-x86_64 .*/sockleak-vm\." >/dev/null; then
		die "a qemu process is left behind: $(pgrep -af qemu-system-x86_64)"
	fi
}

# vm_bg NAME ARGS...: sockleak vm --accel tcg --kernel VM_KERNEL ARGS in the background (pid in
# $pid, output in $TMP/NAME.out and .err); returns once the guest's sockleak has started.
vm_bg() {
	name=$1
	shift
	"$SOCKLEAK" vm --accel tcg --kernel "$VM_KERNEL" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	pid=$!
	i=0
	until grep -q "the guest's sockleak started" "$TMP/$name.err"; do
		[ $i -lt 600 ] && [ -d /proc/$pid ] || die "$name: the guest never started: $(cat "$TMP/$name.err")"
		sleep 0.1
		i=$((i + 1))
	done
}
