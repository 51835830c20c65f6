#!/bin/sh
# Runs every integration test (tests/integration/t_*.sh) against the given sockleak binary.
# A test exits 0 (pass), 77 (skip: it prints why) or anything else (fail).
# TESTS="t_churn_ops" runs a subset; SKIP_TESTS="t_sweep" leaves some out.
set -u
bin=$(readlink -f "${1:?usage: run.sh path/to/sockleak}")
dir=$(dirname "$0")
export SOCKLEAK="$bin"
export TESTDIR="$(readlink -f "$dir")"
export ARTIFACTS="${ARTIFACTS:-$(readlink -f "$dir/../..")/artifacts}"
mkdir -p "$ARTIFACTS"
fail=0 pass=0 skip=0
for t in "$dir"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ -n "${TESTS:-}" ]; then
		case " $TESTS " in *" $name "*) ;; *) continue ;; esac
	fi
	case " ${SKIP_TESTS:-} " in *" $name "*) echo "skip $name: left out (SKIP_TESTS)"; continue ;; esac
	log="$ARTIFACTS/$name.log"
	start=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) echo "ok   $name (${secs}s)"; pass=$((pass + 1)) ;;
	77) echo "skip $name: $(tail -n 1 "$log")"; skip=$((skip + 1)) ;;
	*) echo "FAIL $name (exit $rc, ${secs}s); log follows"; sed 's/^/    /' "$log" | tail -n 60
	   fail=$((fail + 1)) ;;
	esac
done
echo "integration: $pass passed, $skip skipped, $fail failed"
[ $fail -eq 0 ]
