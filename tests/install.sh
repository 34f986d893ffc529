#!/usr/bin/env bash
# Installs what the checks need, and only what is missing (safe to run again): the wasm
# targets, the wasm-bindgen CLI at the Cargo.lock version, cargo-deny, cargo-fuzz (when
# a nightly toolchain exists), Chromium and its driver (via apt, as root). Node (>= 18)
# and npm must already be there. The npm packages the suites use are pinned in their own
# lockfiles and installed by those suites into scratch directories.
# Usage: bash tests/install.sh [--quick]   (--quick: only what the quick checks use)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

quick=false
[ "${1:-}" = --quick ] && quick=true

step "install: wasm targets"
installed=$(rustup target list --installed)
for t in wasm32-unknown-unknown wasm32-wasip1; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done

command -v node >/dev/null && command -v npm >/dev/null ||
  fail "Node.js (>= 18) and npm are required"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  fail "Node.js >= 18 is required, found $(node --version)"

$quick && exit 0

step "install: wasm-bindgen CLI at the Cargo.lock version, Chromium, cargo-deny, cargo-fuzz"
wbv=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$wbv" ]; then
  # The CLI must equal the crate's version exactly. `--locked` fails on registries that
  # lack a dependency version pinned in the CLI's own lockfile; the version stays pinned.
  cargo install wasm-bindgen-cli --version "$wbv" --locked ||
    cargo install wasm-bindgen-cli --version "$wbv"
fi
command -v wasm-bindgen-test-runner >/dev/null || fail "wasm-bindgen-test-runner is not on PATH (~/.cargo/bin)"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver
  else
    fail "chromium and chromium-driver are required: apt-get install chromium chromium-driver (as root)"
  fi
fi
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked || cargo install cargo-deny
if rustup toolchain list | grep -q '^nightly'; then
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
