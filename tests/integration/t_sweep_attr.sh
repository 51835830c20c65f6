#!/bin/sh
# sockleak sweep --attribute: --attribute applies to each variant. Two variants with a leak of
# known size (--inject-leak 1000: one connection kept per 1000 cycles, two TCP sockets each): each
# variant's row and JSON name the two stacks of the kept sockets, the socket() syscall's
# (inet_create -> sk_alloc) and the server's child socket (sk_clone_lock), each at the injected
# rate; what --attribute says about its sources is said once for the sweep, not once a variant.
. "$TESTDIR/lib.sh"
. "$TESTDIR/run_lib.sh"
need_root
need_jq
TEST_NAME=t_sweep_attr

set +e
"$SOCKLEAK" sweep --transports tcp --presets kb171996 --server-close eof,rst \
	--attribute --inject-leak 1000 --baseline 0.5 --seconds 2 --quiesce-max 2s --no-teardown \
	--budget 60s --json "$TMP/sw.json" >"$TMP/sw.txt" 2>"$TMP/sw.err"
rc=$?
set -e
cp "$TMP/sw.txt" "$ARTIFACTS/$TEST_NAME.txt" 2>/dev/null || true
cp "$TMP/sw.json" "$ARTIFACTS/$TEST_NAME.json" 2>/dev/null || true
cat "$TMP/sw.txt" "$TMP/sw.err"
[ "$rc" -eq 1 ] || die "expected exit 1 (LEAK), got $rc"
echo "ok: the sweep exits 1"

on=$(jq '[.variants[] | .attribution.on] | all' "$TMP/sw.json")
if [ "$on" != true ]; then
	why=$(jq -r '[.variants[] | .attribution.why // "no attribution object"][0]' "$TMP/sw.json")
	case "$why" in
	*"no eBPF support"* | *"no BTF"*) skip "--attribute cannot run here: $why" ;;
	esac
	die "attribution off in a variant: $why"
fi
echo "ok: attribution ran in every variant"

# Each variant: a LEAK stack of the TCP cache through each end's frames, at the injected rate.
# END:FRAME: a frame of each end's stack in the JSON, and one the table's short form keeps.
for pair in inet_create:sk_alloc sk_clone_lock:sk_clone_lock; do
	end=${pair%%:*}
	shown=${pair#*:}
	jq -e --arg f "$end+" '[.variants[] | [.attribution.stacks[] |
		select(.verdict == "LEAK" and .cache == "TCP" and
			(.frames | map(startswith($f)) | any))] | length == 1 and
		(.[0].objects_per_cycle - 0.001 | fabs) <= 0.0002] | length == 2 and all' \
		"$TMP/sw.json" >/dev/null || die "each variant names the $end stack at 0.001/cycle"
	echo "ok: each variant names the $end stack, 0.001 objects per cycle"
	[ "$(grep -c "where: LEAK .*TCP .*: sk_prot_alloc+0x[0-9a-f]* < $shown+" "$TMP/sw.txt")" -ge 2 ] ||
		die "the table shows the $end stack under each variant's row"
done
echo "ok: the table shows both stacks under each row"

n=$(grep -c -- "--attribute:" "$TMP/sw.err" || true)
[ "$n" -eq 1 ] || die "expected the sources said once, got $n lines"
grep -q -- "--attribute: tracing slab" "$TMP/sw.err" || die "the line says which sources are on"
echo "ok: the sources said once for the sweep"
