#!/bin/sh
# The REPL as a person sees it: sift in tmux on a generated graph, a query typed with a mistake
# in it, Tab pressed twice for the candidate list; the pane captured with its colours
# (tmux capture-pane -e), turned into HTML (ansi_to_html.py) and screenshotted in headless Chromium.
#   Benchmarks/repl_screenshot.sh [OUTPUT_PNG]      (default: docs/images/repl.png)
# Needs: tmux, chromium (apt-get install -y chromium fonts-noto-cjk), a built sift (swift build).
set -eu
cd "$(dirname "$0")/.."
png=${1:-docs/images/repl.png}
work=$(mktemp -d)
session="sift-shot-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
swift build --product sift 1>&2
sift="$PWD/.build/debug/sift"
"$sift" --db "$work/g.db" 'generate --accounts 2 --users 50 --seed 7' >/dev/null

tmux new-session -d -s "$session" -x 110 -y 12 \
  "env -u NO_COLOR HOME=$work XDG_STATE_HOME=$work/state TERM=xterm-256color $sift --db $work/g.db"
sleep 1
tmux send-keys -t "$session" -l 'search is(access_key) and last_access > 90days <-- is(user) | count'
tmux send-keys -t "$session" Enter
sleep 1
tmux send-keys -t "$session" -l 'search is(access_key) and age > 1yr and name =~ "^ci-" and ) | list name, la'
tmux send-keys -t "$session" Tab Tab
sleep 1
tmux capture-pane -e -p -t "$session" > "$work/pane.ansi"

python3 Benchmarks/ansi_to_html.py < "$work/pane.ansi" > "$work/pane.html"
browser=$(command -v chromium || command -v chromium-browser || true)
test -n "$browser" || { echo "chromium not found: apt-get install -y chromium"; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$work/repl.png" \
    --window-size=1000,300 "file://$work/pane.html" >"$work/chromium.log" 2>&1
test -s "$work/repl.png" || { cat "$work/chromium.log"; exit 1; }
mkdir -p "$(dirname "$png")"
cp "$work/repl.png" "$png"
echo "screenshot: $png"
