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

printf '\nAll checks passed.\n'
