#!/bin/sh
# The CI examples in contrib/ (GitLab CI, GitHub Actions): each parses as YAML, spreads a sweep over
# shards that cover the matrix (one job per shard, I/N as --shard), keeps each shard's JSON and run
# reports, and merges them after every shard; each sockleak command line in them is one this
# sockleak accepts (the sweeps planned with --dry-run, the merge's options in its --help).
. "$TESTDIR/lib.sh"

command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null ||
	skip "python3-yaml is not installed (scripts/deps.sh installs it)"
contrib="$TESTDIR/../../contrib"

# check_ci KIND FILE: prints the commands to try, one per line ("sweep ARGS" or "merge ARGS"),
# after checking the file's shape; exits non-zero saying what is wrong.
check_ci() {
	python3 - "$1" "$2" <<'EOF'
import re, shlex, sys, yaml

kind, path = sys.argv[1], sys.argv[2]
with open(path) as f:
    doc = yaml.safe_load(f)

def fail(msg):
    sys.exit(f"{path}: {msg}")

def script_of(job):
    s = job.get("script") if kind == "gitlab" else "\n".join(
        st.get("run", "") for st in job.get("steps", []))
    return "\n".join(s) if isinstance(s, list) else s or ""

def sockleak_lines(text, sub):
    text = re.sub(r"\\\n\s*", " ", text)
    return [l[l.index(f"sockleak {sub}"):] for l in text.splitlines() if f"sockleak {sub}" in l]

if kind == "gitlab":
    env = doc.get("variables", {})
    sweep, merge = doc.get("sweep"), doc.get("merge")
    if not sweep or not merge:
        fail("expected the jobs sweep and merge")
    shards = sweep.get("parallel")
    if not isinstance(shards, int) or shards < 2:
        fail("the sweep job is not parallel over 2 or more shards")
    if doc.get("stages", []).index(sweep["stage"]) >= doc["stages"].index(merge["stage"]):
        fail("merge does not come after the sweep")
    if not any(n == "sweep" or (isinstance(n, dict) and n.get("job") == "sweep")
               for n in merge.get("needs", [])):
        fail("merge does not need the sweep's artifacts")
    if merge.get("when") != "always":
        fail("merge is not run when a shard fails (when: always)")
    if not merge.get("artifacts", {}).get("reports", {}).get("junit"):
        fail("merge does not give GitLab its JUnit report")
    shard_arg = ["$CI_NODE_INDEX/$CI_NODE_TOTAL"]
    values = {"CI_NODE_INDEX": list(range(1, shards + 1)), "CI_NODE_TOTAL": [shards]}
    kept = sweep.get("artifacts", {}).get("paths", [])
else:
    env = doc.get("env", {})
    jobs = doc.get("jobs", {})
    sweep, merge = jobs.get("sweep"), jobs.get("merge")
    if not sweep or not merge:
        fail("expected the jobs sweep and merge")
    shard_list = sweep.get("strategy", {}).get("matrix", {}).get("shard", [])
    shards = int(env.get("SHARDS", 0))
    if sorted(shard_list) != list(range(1, shards + 1)) or shards < 2:
        fail(f"the matrix's shards {shard_list} are not 1 to SHARDS ({shards})")
    if sweep.get("strategy", {}).get("fail-fast") is not False:
        fail("one shard's failure cancels the others (fail-fast)")
    if merge.get("needs") not in ("sweep", ["sweep"]) or "always()" not in str(merge.get("if")):
        fail("merge does not run after every shard (needs: sweep, if: always())")
    kept = []
    for st in sweep.get("steps", []):
        if "upload-artifact" in st.get("uses", ""):
            kept += st.get("with", {}).get("path", "").split()
    values = {"matrix.shard": shard_list, "SHARDS": [shards]}

lines = sockleak_lines(script_of(sweep), "sweep")
mlines = sockleak_lines(script_of(merge), "merge")
if len(lines) != 1 or len(mlines) != 1:
    fail("expected one sockleak sweep in the sweep job and one sockleak merge in merge")
if not any("json" in p for p in kept) or "runs/" not in kept:
    fail(f"the shard's JSON and --json-dir are not kept as artifacts ({kept})")

def expand(line, idx):
    line = line.split("||")[0]
    line = re.sub(r"\$\{\{\s*matrix\.shard\s*\}\}", str(idx), line)
    line = line.replace("$CI_NODE_INDEX", str(idx))
    for k, v in env.items():
        line = line.replace(f'"${k}"', str(v)).replace(f"${k}", str(v))
    line = line.replace("$CI_NODE_TOTAL", str(shards)).replace('"$SHARDS"', str(shards))
    return shlex.split(line)[1:]

for i in range(1, shards + 1):
    args = expand(lines[0], i)
    if f"{i}/{shards}" not in args:
        fail(f"shard {i} does not run --shard {i}/{shards}: {args}")
    print(" ".join(shlex.quote(a) for a in args))
print(" ".join(shlex.quote(a) for a in expand(mlines[0], 1)))
print(f"shards {shards}")
EOF
}

for f in gitlab:gitlab-ci-sweep.yml github:github-actions-sweep.yml; do
	kind=${f%%:*}
	file="$contrib/${f#*:}"
	test -s "$file" || die "$file is missing"
	check_ci "$kind" "$file" >"$TMP/cmds" || die "$file: not a sharded sweep and its merge"
	shards=$(sed -n 's/^shards //p' "$TMP/cmds")
	: >"$TMP/rows"
	while read -r sub rest; do
		case $sub in
		sweep)
			# The shard's plan: the options are this sockleak's, and together the shards
			# plan each variant of the matrix once.
			eval "set -- $rest"
			"$SOCKLEAK" sweep "$@" --dry-run >"$TMP/plan.txt" 2>"$TMP/plan.err" ||
				die "${f#*:}: sockleak sweep $rest: $(cat "$TMP/plan.err")"
			grep -E '^ +[0-9]+  ' "$TMP/plan.txt" | awk '{ print $1 }' >>"$TMP/rows"
			;;
		merge)
			for o in $(printf '%s\n' "$rest" | tr ' ' '\n' | grep '^--'); do
				"$SOCKLEAK" merge --help | grep -q -- "$o" ||
					die "${f#*:}: sockleak merge has no option $o"
			done
			;;
		esac
	done <"$TMP/cmds"
	# The whole matrix's size, as each shard's plan says it ("shard 1 of 4, ...: 19 of 76; ").
	total=$(head -n 1 "$TMP/plan.txt" | sed -n 's/^sockleak sweep: shard .*: [0-9]* of \([0-9]*\); .*/\1/p')
	[ -n "$total" ] || die "${f#*:}: the plan does not say the matrix's size: $(head -n 1 "$TMP/plan.txt")"
	[ "$(sort -n "$TMP/rows" | uniq | wc -l)" -eq "$total" ] &&
		[ "$(wc -l <"$TMP/rows")" -eq "$total" ] ||
		die "${f#*:}: its $shards shards do not plan each of the matrix's $total variants once"
	echo "ok: ${f#*:} parses; $shards shards plan the matrix's $total variants once; merge's options exist"
done
