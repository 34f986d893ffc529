#!/usr/bin/env bash
# Type-checks the hand-written JavaScript of the replay page (www/js/) and of the npm
# package (src/bindings/js/npm/), and the package's hand-written declarations: every
# such file starts with `// @ts-check`, and `tsc --noEmit` runs over each config here:
#   tsconfig.page.json      the page's main thread (the DOM)
#   tsconfig.worker.json    the page's worker (a worker's globals, no DOM)
#   tsconfig.npm-node.json  the package's Node entries and stream helper (Node's types),
#                           and (conformance/) what they export against what the
#                           package's declarations promise
#   tsconfig.npm-web.json   the package's browser and bundler entry
# The generated files these import (the wasm-bindgen builds, www/pkg/) are not in git:
# stubs/ declares them with the package's own declarations.
#
# The compiler and Node's types are pinned (package.json, package-lock.json) and
# installed with `npm ci` into target/js-types/ (ignored by git; tsconfig.npm-node.json
# reads Node's types there), again only when the pins change.
#
# Usage: bash tests/js-types/run.sh   (needs Node >= 18 and npm; the npm registry the
# first time)
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tests/js-types
TOOLS=target/js-types
CONFIGS=(page worker npm-node npm-web)

say() { printf '\n--> %s\n' "$*" >&2; }
fail() { printf '\njs-types: FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=tests/npm/retry.sh
source tests/npm/retry.sh

pins=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$TOOLS/installed" 2>/dev/null)" != "$pins" ] || [ ! -x "$TOOLS/node_modules/.bin/tsc" ]; then
  say "install the pinned TypeScript and Node types (npm ci) into $TOOLS"
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$TOOLS/"
  (cd "$TOOLS" && npm_retry ci --no-audit --no-fund --loglevel=error >&2) || fail "npm ci in $TOOLS"
  printf '%s\n' "$pins" >"$TOOLS/installed"
fi
tsc=$TOOLS/node_modules/.bin/tsc
say "$("$tsc" --version)"

# Every hand-written script starts with // @ts-check (for editors too), and each is in
# some config: a new file is not left out unseen.
mapfile -t scripts < <(git ls-files -- 'www/js/*.js' 'src/bindings/js/npm/*.js' \
  'src/bindings/js/npm/*.cjs' 'src/bindings/js/npm/*.mjs' 'src/bindings/js/npm/*.d.ts' \
  'src/bindings/js/npm/*.d.mts'; git ls-files --others --exclude-standard -- 'www/js/*.js' \
  'src/bindings/js/npm/*.js' 'src/bindings/js/npm/*.cjs' 'src/bindings/js/npm/*.mjs')
[ "${#scripts[@]}" -gt 0 ] || fail "no scripts found"
missing=()
for file in "${scripts[@]}"; do
  case $file in *.d.ts | *.d.mts) continue ;; esac
  [ "$(head -n 1 "$file")" = "// @ts-check" ] || missing+=("$file")
done
[ "${#missing[@]}" -eq 0 ] || fail "no '// @ts-check' on the first line of: ${missing[*]}"
checked=$(for config in "${CONFIGS[@]}"; do "$tsc" -p "$HERE/tsconfig.$config.json" --listFilesOnly; done)
for file in "${scripts[@]}"; do
  grep -qxF "$PWD/$file" <<<"$checked" || missing+=("$file")
done
[ "${#missing[@]}" -eq 0 ] || fail "in no config of $HERE: ${missing[*]}"
echo "${#scripts[@]} files, each checked" >&2

passed=0
failed=()
for config in "${CONFIGS[@]}"; do
  say "tsc --noEmit -p $HERE/tsconfig.$config.json"
  if "$tsc" --noEmit -p "$HERE/tsconfig.$config.json"; then
    passed=$((passed + 1))
  else
    failed+=("$config")
  fi
done
echo "js-types: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ] || fail "type errors (above) in: ${failed[*]}"
