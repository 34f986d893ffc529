#!/usr/bin/env bash
# The package in the bundlers people use, and its declarations as TypeScript and
# "are the types wrong" read them.
#   1. Vite, webpack, Rollup and esbuild (pinned: package.json here) each build the page
#      in app/ with the recipe the package README gives (recipes/, which the README must
#      contain verbatim); each bundle is served and loaded in headless Chromium and must
#      replay the bundled sample to the command line's alerts, byte for byte. Vite's dev
#      server too.
#   2. A server-side bundle (webpack, target node) of the package's Node entry, run from
#      another directory: what a server-rendering framework does.
#   3. @arethetypeswrong/cli on the packed tarball. (tests/npm/run.sh, which calls this,
#      also runs tsc with skipLibCheck off over every export path, under node16,
#      nodenext and bundler resolution and every `lib` from ES2020 up.)
#
# Usage: bash tests/npm/bundlers/run.sh [TARBALL]   (default: builds and packs the
# package). Needs Node >= 18, npm (the registry on first run), chromium, the native
# command line (built here).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
HERE=$ROOT/tests/npm/bundlers
TOOLS=$ROOT/target/npm-bundlers

say() { printf '\n--> %s\n' "$*" >&2; }
fail() { printf '\nbundlers: FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=tests/npm/retry.sh
source "$ROOT/tests/npm/retry.sh"

tarball=${1:-}
if [ -z "$tarball" ]; then
  say "build and pack the package"
  tarball=$(bash src/bindings/js/build-npm.sh --pack --require-opt | tail -n 1)
fi
[ -f "$tarball" ] || fail "no tarball at $tarball"

pins=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$TOOLS/installed" 2>/dev/null)" != "$pins" ]; then
  say "install the pinned bundlers (npm ci) into $TOOLS"
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$TOOLS/"
  (cd "$TOOLS" && npm_retry ci --no-audit --no-fund --loglevel=error >&2) || fail "npm ci in $TOOLS"
  printf '%s\n' "$pins" >"$TOOLS/installed"
fi

# The tarball as npm installs it (it has no dependencies): its package/ directory.
say "unpack $(basename "$tarball") into $TOOLS/node_modules"
rm -rf "$TOOLS/node_modules/dynamodb-scan-detector" "$TOOLS/projects"
mkdir -p "$TOOLS/node_modules/dynamodb-scan-detector" "$TOOLS/projects"
tar -xzf "$tarball" -C "$TOOLS/node_modules/dynamodb-scan-detector" --strip-components=1

say "the bundled sample as one NDJSON file, and the command line's alerts on it"
cargo build --locked --release --bin dynamodb-scan-detector
fixture=$TOOLS/projects/fixture.ndjson
find pipeline-examples/data -type f -name '*.json.gz' | LC_ALL=C sort |
  while IFS= read -r f; do gzip -dc "$f"; echo; done >"$fixture"
target/release/dynamodb-scan-detector --detection-time event --no-progress --output alerts \
  "$fixture" >"$TOOLS/projects/expected.ndjson" 2>/dev/null
alerts=$(wc -l <"$TOOLS/projects/expected.ndjson")
[ "$alerts" -gt 0 ] || fail "the command line gave no alerts on the sample"
echo "$(wc -l <"$fixture") files, $alerts alerts" >&2

# "Are the types wrong" on the tarball, two runs so that no rule is ignored where it
# matters: every module entry point with no rule ignored; then the browser build
# (`/web` and `/rules/web`), which is an ES module only, on purpose (browsers and bundlers import it;
# Node's `require` gets the CommonJS build from `.`), with that one rule ignored. The
# `.wasm` exports are assets for bundlers, not modules, so they are not checked.
say "@arethetypeswrong/cli on the tarball"
attw=$TOOLS/node_modules/.bin/attw
"$attw" --version >&2
FORCE_COLOR=0 "$attw" "$tarball" --format table-flipped \
  --exclude-entrypoints ./web ./dynamodb_scan_detector_bg.wasm ./rules/web \
  ./rules/dynamodb_scan_detector_bg.wasm || fail "attw: the module entry points"
FORCE_COLOR=0 "$attw" "$tarball" --format table-flipped --entrypoints ./web ./rules/web \
  --ignore-rules cjs-resolves-to-esm || fail "attw: the browser build"

export BUNDLERS_TOOLS=$TOOLS BUNDLERS_HERE=$HERE BUNDLERS_README=$ROOT/src/bindings/js/npm/README.md
say "node --test: each bundler's recipe, built, served and loaded in Chromium"
node --test --test-reporter=spec "$HERE/matrix.test.mjs"

say "bundlers: all checks passed"
