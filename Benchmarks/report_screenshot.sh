#!/bin/sh
# The HTML check report in a real browser: generates an organisation (3 accounts x 200 users),
# runs every check four times with cleanups in between (ReportScreenshotTests), validates the JSON
# and SARIF outputs with python's jsonschema, and screenshots the HTML in headless Chromium.
#   Benchmarks/report_screenshot.sh [OUTPUT_DIR]     (default: out/report)
# Needs: chromium (apt-get install -y chromium), python3 with jsonschema.
set -eu
cd "$(dirname "$0")/.."
out=${1:-out/report}
mkdir -p "$out"
out=$(cd "$out" && pwd)

SIFT_REPORT_DIR="$out" swift test --filter ReportScreenshotTests >"$out/test.log" 2>&1 || { tail -30 "$out/test.log"; exit 1; }
test -s "$out/report.html" || { echo "no report written (see $out/test.log)"; exit 1; }

python3 - "$out" <<'PY'
import json, sys, jsonschema
out = sys.argv[1]
jsonschema.validate(json.load(open(f"{out}/report.json")), json.load(open("docs/check-report.schema.json")))
jsonschema.validate(json.load(open(f"{out}/report.sarif")), json.load(open("Tests/SiftChecksTests/Fixtures/sarif-2.1.0-subset.schema.json")))
print("report.json and report.sarif: valid (python jsonschema)")
PY

browser=$(command -v chromium || command -v chromium-browser || true)
test -n "$browser" || { echo "chromium not found: apt-get install -y chromium"; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$out/report.png" \
    --window-size=1200,1600 "file://$out/report.html" >"$out/chromium.log" 2>&1
test -s "$out/report.png" || { cat "$out/chromium.log"; exit 1; }
echo "screenshot: $out/report.png"
