#!/usr/bin/env bash
# Render the shadow-replay HTML report of the sample history with headless Chromium, take a
# screenshot, and check that it is not blank (more than one distinct pixel colour) and that
# the browser logged no error. Installs Debian's `chromium` package if no Chromium is found.
#
# Usage: scripts/report_screenshot.sh [OUT_DIR]   (default target/report-screenshot)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report-screenshot}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
  echo "== installing chromium (apt-get)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  browser=chromium
fi

echo "== report"
cargo run --quiet -p msp-agent-cli -- shadow \
  --history examples/data/history.csv --policy examples/data/policy.toml \
  --report "$out/report.html" --json >"$out/report.json"

echo "== screenshot ($browser)"
# --enable-logging=stderr --v=0 makes Chromium print console messages (JS errors included).
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$out/profile" --enable-logging=stderr --v=0 \
  --window-size=1280,2400 --screenshot="$out/report.png" "file://$out/report.html" \
  >"$out/chromium.log" 2>&1 || { cat "$out/chromium.log"; exit 1; }

if grep -E 'CONSOLE.*(Uncaught|Error)|Failed to load' "$out/chromium.log"; then
  echo "the page logged errors" >&2
  exit 1
fi

python3 - "$out/report.png" <<'PY'
"""Decode the PNG (8-bit RGB/RGBA, non-interlaced) with the standard library only and
count distinct pixel colours."""
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, f"unsupported PNG {hdr}"
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, i = bytearray(stride), set(), 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    colours.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp))
    prev = line
print(f"screenshot {w}x{h}: {len(colours)} distinct colours")
sys.exit(0 if len(colours) > 1 else "blank screenshot")
PY
echo "ok: $out/report.png"
