#!/usr/bin/env bash
# The differential test of the one input policy (tests/input/differential.mjs): the
# same bytes at random chunk sizes through the command line, the npm package's stream
# helper and the replay page's worker code give identical records, alerts, counters and
# state. Builds what it needs: the release command line and generator, and the npm
# package (skipped with INPUT_REUSE_PACKAGE=1 when target/npm holds a fresh one, e.g.
# right after tests/npm/run.sh).
#
# Usage: bash tests/input/run.sh   (SEED=n for other chunks; needs Node >= 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${INPUT_REUSE_PACKAGE:-}" ]; then
  bash src/bindings/js/build-npm.sh
fi
cargo build --locked --release --bin dynamodb-scan-detector --example generate
node tests/input/differential.mjs
