#!/usr/bin/env bash
# Regenerates docs/report-demo.png, the README's picture of `boligplan report`:
# plans the demo, writes its report and has headless Chromium photograph the
# top of the page (key figures and map), scaled down to keep the file small.
# Needs cargo and Chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/report-screenshot
cargo run --release --quiet -- plan scenarios/demo.toml --out "$out/demo" --quiet
cargo run --release --quiet -- report "$out/demo" --out "$out/report.html" --lang en
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$PWD/$out/profile" \
  --force-device-scale-factor=0.6 --window-size=1100,2150 \
  --screenshot="$PWD/docs/report-demo.png" "file://$PWD/$out/report.html" 2>/dev/null
ls -l docs/report-demo.png
