#!/usr/bin/env bash
# Runs every check of the project: formatting, lints for all three targets, the native
# tests, and the WebAssembly builds. Installs what it needs first (idempotent), so it
# works on a fresh machine. Usage: bash tests/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

step "toolchain: wasm targets"
installed=$(rustup target list --installed)
for t in wasm32-unknown-unknown wasm32-wasip1; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

step "cargo fmt --check"
cargo fmt --all --check

for target in "" wasm32-unknown-unknown wasm32-wasip1; do
  step "cargo clippy ${target:-native} -D warnings"
  cargo clippy --locked --all-targets ${target:+--target "$target"} -- -D warnings
done

step "native tests"
cargo test --locked

for target in wasm32-unknown-unknown wasm32-wasip1; do
  step "build $target (release)"
  cargo build --locked --release --lib --target "$target"
done

step "command-line filter under WASI (Node's host) gives the native bytes"
cargo build --locked --release --bin dynamodb-scan-detector
cargo build --locked --release --target wasm32-wasip1 --bin dynamodb-scan-detector
tmp=$(mktemp -d)
day=pipeline-examples/data/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/05
for input in tests/fixtures/shapes/01-raw.ndjson tests/fixtures/shapes/09-bad-records.ndjson "$day/$(ls "$day" | head -1)"; do
  for mode in alerts passthrough; do
    target/release/dynamodb-scan-detector --detection-time event --output "$mode" < "$input" > "$tmp/native"
    node --disable-warning=ExperimentalWarning tests/wasi/run-cli.mjs \
      target/wasm32-wasip1/release/dynamodb-scan-detector.wasm "$input" "$tmp/wasi" -- --detection-time event --output "$mode" 2>/dev/null
    cmp "$tmp/native" "$tmp/wasi" || fail "WASI output differs for $input ($mode)"
  done
done
rm -rf "$tmp"

printf '\nAll checks passed.\n'
