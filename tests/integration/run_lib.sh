# Helpers for the t_run_* tests: source after lib.sh.

# srun NAME EXIT ARGS...: sockleak run --quiet --json $TMP/NAME.json ARGS; the text report goes to
# $TMP/NAME.txt (kept in $ARTIFACTS too); fails the test unless it exits with EXIT, or unless
# 'sockleak report NAME.json' renders the very text the run printed.
srun() {
	name=$1
	want=$2
	shift 2
	set +e
	"$SOCKLEAK" run --quiet --json "$TMP/$name.json" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
	rc=$?
	set -e
	# When it ended, in clock ticks since boot (a process's start time in /proc/PID/stat).
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", $1 * hz + 1 }' /proc/uptime >"$TMP/$name.end"
	cp "$TMP/$name.txt" "$ARTIFACTS/${TEST_NAME:-run}-$name.txt" 2>/dev/null || true
	cp "$TMP/$name.json" "$ARTIFACTS/${TEST_NAME:-run}-$name.json" 2>/dev/null || true
	cat "$TMP/$name.txt" "$TMP/$name.err"
	[ "$rc" -eq "$want" ] || die "$name: expected exit $want, got $rc (sockleak run $*)"
	echo "ok: $name exits $want"
	if [ -s "$TMP/$name.json" ]; then
		"$SOCKLEAK" report "$TMP/$name.json" --text >"$TMP/$name.re.txt"
		diff "$TMP/$name.txt" "$TMP/$name.re.txt" >&2 ||
			die "$name: the text re-rendered from its JSON differs from what the run printed"
		echo "ok: $name: the report of its JSON is the text it printed"
	fi
}

# rjq NAME EXPR DESCRIPTION: fails unless the jq expression is true of $TMP/NAME.json.
rjq() {
	if jq -e "$2" "$TMP/$1.json" >/dev/null; then
		echo "ok: $3"
	else
		jq -c '.result | {verdict, why, cycles, leaked_sockets_per_cycle, time_wait}' \
			"$TMP/$1.json" >&2
		die "$3 ($2)"
	fi
}

# col_values NAME -> jq expression for the values of series column NAME, one per row, whichever
# way the file has them: "values", or a column that never moved: one "value" in the rows its
# "sampled" pattern marks 1 (every row without one), null in the others.
col_values() {
	echo "(.series as \$s | .series.columns[] | select(.name == \"$1\") |
		.values // (.value as \$v | .sampled as \$k | [range(\$s.rows) |
		if \$k == null or \$s.sampled[\$k][.:. + 1] == \"1\" then \$v else null end]))"
}

# The verdict of a metric: metric NAME -> jq expression for its result.metrics entry.
metric() {
	echo ".result.metrics[] | select(.metric == \"$1\")"
}

# Namespaces held by processes, and named ones: both must be unchanged after a run.
ns_snapshot() {
	{ lsns -t net -n -o NS 2>/dev/null | sort; ls /run/netns 2>/dev/null || true; } | tr '\n' ' '
}

need_jq() {
	command -v jq >/dev/null || skip "needs jq"
}

# says NAME TEXT: fails unless the text report $TMP/NAME.txt says TEXT (lines joined: it wraps).
says() {
	tr '\n' ' ' <"$TMP/$1.txt" | tr -s ' ' | grep -qF -- "$2" || die "text report lacks: $2"
}

# attr_stk F1 F2: a jq array of the run's LEAK stacks of the TCP cache through frames F1 and F2.
attr_stk() {
	echo "[.attribution.stacks[] | select(.verdict == \"LEAK\" and .cache == \"TCP\" and
		(.frames | map(startswith(\"$1+\")) | any) and
		(.frames | map(startswith(\"$2+\")) | any))]"
}

# attr_on NAME: skips the test (exit 77) when the run's attribution could not run here: a build
# without eBPF, or a kernel without BTF. Anything else that kept it off fails the test.
attr_on() {
	jq -e '.attribution.on' "$TMP/$1.json" >/dev/null && return 0
	why=$(jq -r '.attribution.why // "no attribution object"' "$TMP/$1.json")
	case "$why" in
	*"no eBPF support"* | *"no BTF"*) skip "--attribute cannot run here: $why" ;;
	esac
	die "$1: attribution off: $why"
}

# wait_tasks PID N: waits (10 s at most) until process PID has N tasks, or fails the test. With
# --server-threads 1 a run churns at five (main, server, sampler, client, controller) and churn at
# four (no sampler).
wait_tasks() {
	i=0
	while [ "$(ls /proc/$1/task 2>/dev/null | wc -l)" -lt "$2" ]; do
		[ $i -lt 200 ] || die "process $1 never reached $2 tasks"
		sleep 0.05
		i=$((i + 1))
	done
}

# on_tty NAME ARGS...: sockleak run ARGS --json $TMP/NAME.json with stdout and stderr on a
# terminal; what the terminal got goes to $TMP/NAME.tty, the progress frames (phase and count, one
# a line) to $TMP/NAME.counts.
on_tty() {
	name=$1
	shift
	script -qfec "$SOCKLEAK run --json $TMP/$name.json $*" "$TMP/$name.tty" >/dev/null 2>&1 ||
		{ cat "$TMP/$name.tty"; die "$name: sockleak run $* failed"; }
	tr '\r' '\n' <"$TMP/$name.tty" | sed 's/\x1b\[K//g' |
		grep -E '^ +(baseline|warm-up|churn|quiesce|teardown) +[0-9.]+ s +[0-9]+ cycles' |
		awk '{ print $1, $4 }' >"$TMP/$name.counts"
}
