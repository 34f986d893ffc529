#!/usr/bin/env bash
# End-to-end tests of the replay page (www/) in real headless Chromium: Debian's
# /usr/bin/chromium driven by playwright-core (pinned, installed from npm into
# target/www-test-tools; no browser is ever downloaded). Builds the npm package and the
# page (www/build.sh), the native command line (the expected output) and the
# generator (a long input for the cancel test), then runs tests/www/*.test.mjs.
# Screenshots of the main states are saved in target/www-artifacts/ (ignored by git).
#
# Usage: bash tests/www/run.sh [--measure]   (--measure: also the full speed measurement
#        of the page beside the command line on 200 MB, and a real replay that raises
#        400,000 alerts (tests/www/measure-alerts.mjs); always: a quick 20 MB one)
# Needs: Node >= 18 and npm (registry access on first run), chromium, the wasm-bindgen
# CLI at the Cargo.lock version (see src/bindings/js/build-npm.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PLAYWRIGHT=playwright-core@1.57.0
export WWW_TEST_TOOLS=$ROOT/target/www-test-tools
export WWW_SITE=$ROOT/target/www
export WWW_ARTIFACTS=$ROOT/target/www-artifacts
# Cargo's output honours CARGO_TARGET_DIR (the npm package and the page stay in target/).
CARGO_OUT=${CARGO_TARGET_DIR:-$ROOT/target}
export WWW_CLI=$CARGO_OUT/release/dynamodb-scan-detector

say() { printf '\n--> %s\n' "$*" >&2; }
# shellcheck source=tests/npm/retry.sh
source tests/npm/retry.sh

say "playwright-core (pinned: $PLAYWRIGHT) into $WWW_TEST_TOOLS"
want=${PLAYWRIGHT#*@}
have=$(node -p "require('$WWW_TEST_TOOLS/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  mkdir -p "$WWW_TEST_TOOLS"
  [ -f "$WWW_TEST_TOOLS/package.json" ] || printf '{ "private": true }\n' >"$WWW_TEST_TOOLS/package.json"
  # Never a browser download: playwright-core has no install script, and this says so too.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_retry install --prefix "$WWW_TEST_TOOLS" --no-audit --no-fund \
    --loglevel=error --save-exact "$PLAYWRIGHT" >&2
fi

# WWW_REUSE_PACKAGE=1: the npm package in target/npm was just built (and checked) by
# tests/npm/run.sh; use it instead of building it again.
say "build the page (www/build.sh${WWW_REUSE_PACKAGE:+ --no-package})"
WWW_OUT=$WWW_SITE bash www/build.sh ${WWW_REUSE_PACKAGE:+--no-package}

say "build the native command line and the generator"
cargo build --locked --release --bin dynamodb-scan-detector --example generate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "generate a long input for the cancel test (about 300 MB)"
"$CARGO_OUT/release/examples/generate" corpus high-cardinality raw 200000 >"$work/long.ndjson"
export WWW_LONG_INPUT=$work/long.ndjson
say "generate an organization trail (3 accounts x 4 regions x 3 days) for the order test"
"$CARGO_OUT/release/examples/generate" org-trail "$work/org-trail" 3
export WWW_ORG_TRAIL=$work/org-trail

rm -rf "$WWW_ARTIFACTS"
say "node --test tests/www (headless Chromium)"
node --test --test-concurrency=1 --test-reporter=spec tests/www/*.test.mjs

say "replay speed, quick (the full measurement: bash tests/www/run.sh --measure)"
node tests/www/measure.mjs --quick
if [ "${1:-}" = --measure ]; then
  node tests/www/measure.mjs --mb 200 --runs 3
  node tests/www/measure.mjs --mb 200 --runs 3 --gzip
  node tests/www/measure-alerts.mjs --alerts 400000
fi
say "replay page: all checks passed (screenshots in $WWW_ARTIFACTS)"
