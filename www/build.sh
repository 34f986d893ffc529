#!/usr/bin/env bash
# Assembles the replay page into target/www/, a directory any static server can serve:
#   index.html, style.css, js/     the page (www/ here)
#   pkg/                           the npm package's web build (wasm-bindgen --target web)
#   pkg-rules/                     the web build of its `rules` entry (Elastic's rule
#                                  files), which the worker loads only when given them
#   sample/AWSLogs/…, files.json   a copy of pipeline-examples/data and the list of its
#                                  files, which the "bundled sample" button fetches
# Nothing generated is kept in git: target/ is ignored.
#
# Usage: bash www/build.sh [--no-package]
#   --no-package   reuse the package already in target/npm (skip cargo, wasm-bindgen, wasm-opt)
# Environment: WWW_OUT (default target/www).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${WWW_OUT:-target/www}
PKG=target/npm/dynamodb-scan-detector/web
NAME=dynamodb_scan_detector

case ${1:-} in
  "") bash src/bindings/js/build-npm.sh ;;
  --no-package) ;;
  *) echo "build: unknown argument $1 (known: --no-package)" >&2; exit 2 ;;
esac
[ -f "$PKG/${NAME}_bg.wasm" ] || { echo "build: no package at $PKG (run without --no-package)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/pkg" "$OUT/pkg-rules" "$OUT/sample"
cp www/index.html www/style.css "$OUT/"
cp -R www/js "$OUT/js"
cp "$PKG/index.js" "$PKG/$NAME.js" "$PKG/${NAME}_bg.wasm" "$PKG/package.json" "$OUT/pkg/"
RULES_PKG=${PKG%/web}/rules/web
cp "$RULES_PKG/index.js" "$RULES_PKG/$NAME.js" "$RULES_PKG/${NAME}_bg.wasm" "$RULES_PKG/package.json" "$OUT/pkg-rules/"
cp -R pipeline-examples/data/AWSLogs "$OUT/sample/"
# The sample's files, relative to sample/, as a JSON array (name order is time order).
(cd "$OUT/sample" && find AWSLogs -type f -name '*.json.gz' | LC_ALL=C sort) |
  awk 'BEGIN { printf "[" } { printf "%s\"%s\"", (NR > 1 ? "," : ""), $0 } END { print "]" }' \
    >"$OUT/sample/files.json"

wasm_bytes=$(wc -c <"$OUT/pkg/${NAME}_bg.wasm" | tr -d ' ')
echo "build: $OUT ($(grep -o '"AWSLogs' "$OUT/sample/files.json" | wc -l) sample files; wasm $wasm_bytes bytes)" >&2
