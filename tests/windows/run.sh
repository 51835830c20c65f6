#!/bin/sh
# Runs the Windows build's tests under Wine: every unit test program given, then each
# tests/windows/t_*.sh against sockleak.exe. Wine gets a prefix of its own in the build tree.
# Usage: run.sh path/to/sockleak.exe [test.exe ...]
set -u
exe=$(readlink -f "${1:?usage: run.sh sockleak.exe [tests...]}")
shift
dir=$(dirname "$0")
build=$(dirname "$exe")
export WINEPREFIX="$build/wine"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono or Gecko installer prompts
export SOCKLEAK_EXE="$exe"
export TESTDIR="$(readlink -f "$dir")"
export ARTIFACTS="${ARTIFACTS:-$(readlink -f "$dir/../..")/artifacts}"
mkdir -p "$ARTIFACTS"
if ! command -v wine >/dev/null; then
	echo "windows: wine is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi
# One wineserver for the whole run: one that exits between two programs races the next one's
# start ("wine client error: recvmsg"). wineboot makes the prefix the first time and starts
# Wine's services; started here, with no descriptor of ours beyond /dev/null, they cannot hold a
# test's output open (or a lock of the caller's) after the test ended. They go with the server.
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
wineserver -p </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- || true
wineboot -i </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- || true
start=$(date +%s)
fail=0 pass=0
for t in "$@"; do
	name=$(basename "$t" .exe)
	log="$ARTIFACTS/windows-$name.log"
	# Into a file, not a pipe: a process Wine leaves behind cannot keep the test from ending.
	if timeout 300 wine "$t" </dev/null >"$log" 2>&1; then
		n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		echo "ok   windows/$name (${n:-?} tests)"
		pass=$((pass + 1))
	else
		tail -n 40 "$log"
		echo "FAIL windows/$name"
		fail=$((fail + 1))
	fi
done
for t in "$dir"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log="$ARTIFACTS/$name.log"
	t0=$(date +%s)
	ok=0
	timeout 600 sh "$t" >"$log" 2>&1 && ok=1
	# Wine itself losing its server ("wine client error: ... recvmsg") says nothing of sockleak:
	# a new server, and the test once more, said in the output.
	if [ $ok -eq 0 ] && grep -q "wine client error" "$log"; then
		echo "     $name: Wine lost its server ($(grep -m1 -o 'wine client error[^)]*' "$log")); once more"
		wineserver -k >/dev/null 2>&1 || true
		wineserver -p </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- || true
		timeout 600 sh "$t" >"$log" 2>&1 && ok=1
	fi
	if [ $ok -eq 1 ]; then
		echo "ok   $name ($(($(date +%s) - t0))s)"
		pass=$((pass + 1))
	else
		echo "FAIL $name; log follows"
		sed 's/^/    /' "$log" | tail -n 60
		fail=$((fail + 1))
	fi
done
echo "windows: $pass passed, $fail failed ($(($(date +%s) - start))s under Wine)"
[ $fail -eq 0 ]
