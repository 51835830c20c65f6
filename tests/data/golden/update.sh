#!/bin/sh
# Takes what the current code says of each recording as the golden expectation: the text report
# (NAME.txt) and the "result" object inside NAME.json.gz (the recorded series stay as they were).
# Only for a deliberate change of verdicts or words: review `git diff` of the .txt files and of
# `gzip -dc NAME.json.gz | jq .result`, and say in the commit which changed and why.
# Usage: update.sh BUILD_DIR (where test_golden was built), from the repository's top.
set -eu
build=${1:?usage: update.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SOCKLEAK_GOLDEN_UPDATE=$tmp "$build/tests/test_golden" >/dev/null 2>&1 || true
for txt in "$tmp"/*.txt; do
	name=$(basename "$txt" .txt)
	gzip -dc "$here/$name.json.gz" >"$tmp/$name.old.json"
	jq -c --slurpfile new "$tmp/$name.json" '.result = $new[0].result' "$tmp/$name.old.json" \
		>"$tmp/$name.spliced.json"
	gzip -9n <"$tmp/$name.spliced.json" >"$here/$name.json.gz"
	cp "$txt" "$here/$name.txt"
	echo "updated $name" >&2
done
