#!/usr/bin/env bash
# The README's screenshot of `extractor render` (docs/render.png): a seed page, viewed in headless Chromium
# (Debian: apt-get install -y chromium). Run from the repository root after `make install`.
set -euo pipefail
page=$(mktemp -d)
trap 'rm -rf "$page"' EXIT
.venv/bin/extractor render examples/003_942a271a7edc3373.txt -o "$page/page.html" --title "extractor render: a seed page"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$page/profile" --hide-scrollbars \
    --window-size=1100,1500 --screenshot=docs/render.png "file://$page/page.html" 2>/dev/null
