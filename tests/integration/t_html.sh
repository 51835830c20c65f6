#!/bin/sh
# The HTML report in a real browser (headless Chromium): it loads without a console error, fetches
# nothing, every chart has data, the page's script runs (hover read-out), and a screenshot of the
# whole page is kept as $ARTIFACTS/html-report.png.
#
# The page comes from a LEAK run (`sockleak run --inject-leak 1000`). Until `sockleak run` exists,
# it comes from the synthetic LEAK run in tests/data, rendered by `sockleak report`.
. "$TESTDIR/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "needs Chromium: apt-get install chromium chromium-driver (scripts/deps.sh)"
command -v chromedriver >/dev/null || skip "needs chromedriver: apt-get install chromium-driver"
command -v curl >/dev/null || skip "needs curl to talk to chromedriver"

html="$TMP/report.html"
if "$SOCKLEAK" run --help >/dev/null 2>&1; then
	need_root
	# Short: the server resets, so no TIME_WAIT holds the quiesce phase open.
	quiesce=""
	"$SOCKLEAK" run --help | grep -q -- '--quiesce-max' && quiesce="--quiesce-max 10"
	# shellcheck disable=SC2086
	expect_exit 1 "$SOCKLEAK" run --seconds 3 --inject-leak 1000 --server-close rst $quiesce \
		--json "$TMP/run.json" --html "$html"
	echo "page: a real run with --inject-leak 1000"
else
	"$SOCKLEAK" report "$TESTDIR/../data/synthetic-leak.json" --html "$html"
	echo "page: the synthetic LEAK run of tests/data ('sockleak run' does not exist yet)"
fi
check "the page was written" test -s "$html"

flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync"

# 1. Load it and dump the DOM the scripts left: a script error shows as a console message.
# shellcheck disable=SC2086
"$CHROMIUM" $flags --user-data-dir="$TMP/profile1" --enable-logging=stderr --v=0 \
	--host-resolver-rules='MAP * ~NOTFOUND' --dump-dom "file://$html" \
	>"$TMP/dom.html" 2>"$TMP/chromium.log" || die "chromium could not load the page"
check "chromium gave back the page's DOM" grep -q '</footer>' "$TMP/dom.html"
if grep -E 'CONSOLE|Uncaught|ERR_' "$TMP/chromium.log"; then
	die "the page logged errors while loading (above)"
fi
echo "ok: no console message while loading"

count() {
	grep -o "$1" "$TMP/dom.html" | wc -l
}
charts=$(count '<svg class="chart"')
declared=$(sed -n 's/.*<footer data-charts="\([0-9]*\)".*/\1/p' "$TMP/dom.html")
echo "charts: $charts in the DOM, $declared written"
check "there are charts" test "$charts" -gt 4
check "every chart written is in the DOM" test "$charts" -eq "$declared"
check "the script added its cursor to every chart" test "$(count 'class="cursor"')" -eq "$charts"
check "every line has points" test "$(count 'data-points="0"')" -eq 0
check "the lines are there" test "$(count '<path class="line')" -ge "$charts"
check "the verdict is LEAK" grep -q '<body data-verdict="LEAK">' "$TMP/dom.html"

# 2. Drive it through chromedriver: nothing fetched (a fetch would also fail and be logged, as
# every name is unresolvable), hover values, a full-page screenshot.
chromedriver --port=0 >"$TMP/chromedriver.log" 2>&1 &
cdpid=$!
trap 'kill $cdpid 2>/dev/null; rm -rf "$TMP"' EXIT
port=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	port=$(sed -n 's/.*started successfully on port \([0-9]*\).*/\1/p' "$TMP/chromedriver.log")
	[ -n "$port" ] && break
	sleep 0.5
done
[ -n "$port" ] || die "chromedriver did not start: $(cat "$TMP/chromedriver.log")"

wd() {
	curl -sS --max-time 60 -X "$1" "http://127.0.0.1:$port$2" -H 'Content-Type: application/json' \
		${3:+-d "$3"}
}
run_js() {
	wd POST "/session/$sid/execute/sync" "$(jq -n --arg s "$1" '{script: $s, args: []}')" |
		jq -c .value
}

args=$(printf '%s' "$flags --window-size=1280,900 --user-data-dir=$TMP/profile2" |
	jq -Rs '[splits("[ \t\n]+")] | map(select(length > 0)) +
	["--host-resolver-rules=MAP * ~NOTFOUND"]')
caps=$(jq -n --argjson a "$args" '{capabilities: {alwaysMatch: {browserName: "chrome",
	"goog:chromeOptions": {binary: "'"$CHROMIUM"'", args: $a},
	"goog:loggingPrefs": {browser: "ALL"}}}}')
sid=$(wd POST /session "$caps" | jq -r .value.sessionId)
[ -n "$sid" ] && [ "$sid" != null ] || die "chromedriver gave no session: $(cat "$TMP/chromedriver.log")"
wd POST "/session/$sid/url" "$(jq -n --arg u "file://$html" '{url: $u}')" >/dev/null

state=$(run_js 'return [document.readyState, performance.getEntriesByType("resource").length,
	document.querySelectorAll("svg.chart").length,
	[].reduce.call(document.querySelectorAll("path.line"),
		function (n, p) { return n + +p.dataset.points; }, 0)]')
echo "page state [ready, fetched, charts, points]: $state"
check "the page is complete" test "$(echo "$state" | jq -r '.[0]')" = complete
check "the page fetched nothing" test "$(echo "$state" | jq '.[1]')" -eq 0
check "the browser counts the same charts" test "$(echo "$state" | jq '.[2]')" -eq "$charts"
check "the charts hold points" test "$(echo "$state" | jq '.[3]')" -gt 100

# Hover the middle of the first chart: the read-out names the series and a value.
xy=$(run_js 'var s = document.querySelector("svg.chart"); s.scrollIntoView({block: "center"});
	var r = s.getBoundingClientRect(), p = s.dataset.plot.split(" ").map(Number);
	var k = r.width / s.viewBox.baseVal.width;
	return [Math.round(r.left + (p[0] + p[2] / 2) * k), Math.round(r.top + (p[1] + p[3] / 2) * k)]')
move=$(jq -n --argjson x "$(echo "$xy" | jq '.[0]')" --argjson y "$(echo "$xy" | jq '.[1]')" \
	'{actions: [{type: "pointer", id: "mouse", parameters: {pointerType: "mouse"},
	  actions: [{type: "pointerMove", duration: 0, origin: "viewport", x: $x, y: $y}]}]}')
wd POST "/session/$sid/actions" "$move" >/dev/null
tip=$(run_js 'var t = document.getElementById("tip"); return t.hidden ? "" : t.textContent')
echo "hover read-out: $tip"
check "hovering a chart shows its values" sh -c "echo '$tip' | grep -q '≈'"

logs=$(wd POST "/session/$sid/se/log" '{"type": "browser"}' | jq -c '[.value[] | select(.level != "INFO")]')
check "the browser logged no warning or error" test "$logs" = "[]"

# The whole page in one picture, for people.
height=$(run_js 'return Math.min(document.documentElement.scrollHeight, 16000)')
wd POST "/session/$sid/window/rect" "{\"width\": 1280, \"height\": $height}" >/dev/null
run_js 'window.scrollTo(0, 0); document.getElementById("tip").hidden = true; return 0' >/dev/null
wd GET "/session/$sid/screenshot" | jq -r .value | base64 -d >"$ARTIFACTS/html-report.png"
wd DELETE "/session/$sid" >/dev/null
check "a PNG screenshot was kept" sh -c "head -c 8 '$ARTIFACTS/html-report.png' | grep -q PNG"
cp "$html" "$ARTIFACTS/html-report.html"
echo "screenshot: $ARTIFACTS/html-report.png ($(wc -c <"$ARTIFACTS/html-report.png") bytes)"
