#!/usr/bin/env bash
# The npm package as a user gets it. Builds and packs it, installs the tarball into a
# temporary project, and there uses it with `require` and with `import` (Node), through
# the stream helper, from the web build in headless Chromium, and with TypeScript. The
# alerts (ids included) must equal the native command line's on the same input: every
# file of tests/data/third-party and tests/fixtures, and generated CloudTrail.
#
# Then the TypeScript matrix and the bundler matrix (tests/npm/bundlers/run.sh).
#
# Usage: bash tests/npm/run.sh   (needs: the wasm-bindgen CLI at the Cargo.lock version,
# Node >= 18 and npm with access to the npm registry, chromium for the browser test)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TYPESCRIPT=typescript@5.9.3
TYPES_NODE=@types/node@20.19.9

say() { printf '\n--> %s\n' "$*" >&2; }
# shellcheck source=tests/npm/retry.sh
source tests/npm/retry.sh

say "build and pack the package"
tarball=$(bash src/bindings/js/build-npm.sh --pack --require-opt | tail -n 1)
[ -f "$tarball" ] || { echo "no tarball at $tarball" >&2; exit 1; }

say "size budgets (gzip -9): the default entry's .wasm at most 512 KiB, 220 KiB gzipped; the rules entry's at most 1,088 KiB, 448 KiB gzipped"
budget() { # budget WASM KIB GZIP_KIB WHAT
  local size gz
  size=$(stat -c %s "$1")
  gz=$(gzip -9 -c "$1" | wc -c)
  echo "$4: $size bytes, $gz gzipped" >&2
  [ "$size" -le $(($2 * 1024)) ] && [ "$gz" -le $(($3 * 1024)) ] ||
    { echo "$4 is over its budget ($2 KiB, $3 KiB gzipped): $size, $gz" >&2; exit 1; }
}
package=$ROOT/target/npm/dynamodb-scan-detector
budget "$package/web/dynamodb_scan_detector_bg.wasm" 512 220 "the npm .wasm"
budget "$package/rules/web/dynamodb_scan_detector_bg.wasm" 1088 448 "the rules entry's .wasm"

say "build the native command line"
cargo build --locked --release --bin dynamodb-scan-detector
cli=$ROOT/target/release/dynamodb-scan-detector

work=$(mktemp -d)
trap 'rm -rf "$work" 2>/dev/null || true' EXIT
expected=$work/expected
mkdir -p "$expected"

say "generate CloudTrail and the command line's expected output"
node tests/npm/generate.mjs "$work/generated.ndjson" 3000000
head -n 2000 "$work/generated.ndjson" >"$work/part-a.ndjson"
tail -n +2001 "$work/generated.ndjson" >"$work/part-b.ndjson"
{
  find "$ROOT/tests/data/third-party" "$ROOT/tests/fixtures" -type f ! -name '*.md' | LC_ALL=C sort
  echo "$work/generated.ndjson"
} >"$work/inputs.txt"
i=0
while IFS= read -r input; do
  for mode in alerts passthrough; do
    "$cli" --detection-time event --no-progress --output "$mode" "$input" \
      >"$expected/$i.$mode.ndjson" 2>/dev/null
  done
  printf '%s\t%s\n' "$i" "$input" >>"$expected/cases.tsv"
  i=$((i + 1))
done <"$work/inputs.txt"
# State across hosts: the command line saves its state after part A; the package
# restores it and goes on with part B, as the command line does with the same state.
"$cli" --detection-time event --no-progress --state "$work/state-a.bin" "$work/part-a.ndjson" >/dev/null
cp "$work/state-a.bin" "$work/state-a-copy.bin"
"$cli" --detection-time event --no-progress --state "$work/state-a-copy.bin" "$work/part-b.ndjson" \
  >"$expected/part-b.after-a.ndjson"
# An organization trail (3 accounts x 4 regions, S3's layout): the command line on the
# directory, whose alerts equal a time-ordered replay of its events (tests/replay_order.rs).
cargo build --locked --release --example generate
"$ROOT/target/release/examples/generate" org-trail "$work/org-trail" 3
"$cli" --detection-time event --no-progress "$work/org-trail" >"$expected/org-trail.alerts.ndjson"
# Elastic's rule files (the `rules` entry, tests/npm/consumer/rules.test.mjs): six rules
# on the generated two weeks, whole, in passthrough and cut in two with --state; all 49
# AWS rules (six in one folder, 43 in the other) on generated CloudTrail and on the two weeks; a rule with alert suppression on
# the bundled S3 sample.
rules6=$ROOT/tests/data/third-party/elastic-detection-rules
rules43=$ROOT/tests/data/third-party/elastic-detection-rules-aws-new-terms
family=$ROOT/tests/fixtures/aws-family.ndjson
on_rules() { "$cli" --detection-time event --no-progress --rules "$@" 2>/dev/null; }
on_rules "$rules6" "$family" >"$expected/rules6.family.alerts.ndjson"
on_rules "$rules6" --output passthrough "$family" >"$expected/rules6.family.passthrough.ndjson"
on_rules "$rules6" --rules "$rules43" "$work/generated.ndjson" >"$expected/rules49.generated.alerts.ndjson"
on_rules "$rules6" --rules "$rules43" "$family" >"$expected/rules49.family.alerts.ndjson"
head -n 560 "$family" >"$work/family-a.ndjson"
tail -n +561 "$family" >"$work/family-b.ndjson"
on_rules "$rules6" --state "$work/rules-state-a.bin" "$work/family-a.ndjson" >/dev/null
cp "$work/rules-state-a.bin" "$work/rules-state-a-copy.bin"
on_rules "$rules6" --state "$work/rules-state-a-copy.bin" "$work/family-b.ndjson" \
  >"$expected/rules6.family-b.after-a.ndjson"
on_rules "$ROOT/tests/fixtures/suppression/scan-by-account.toml" "$ROOT/pipeline-examples/data" \
  >"$expected/suppression.sample.alerts.ndjson"
echo "$i inputs; $(cat "$expected"/*.alerts.ndjson | wc -l) expected alert lines" >&2

say "install the tarball into a fresh project"
project=$work/project
mkdir -p "$project"
cp tests/npm/consumer/* "$project/"
(cd "$project" && npm_retry install --no-audit --no-fund --loglevel=error "$tarball" "$TYPESCRIPT" "$TYPES_NODE" >&2)

export NPM_TEST_EXPECTED=$expected NPM_TEST_WORK=$work NPM_TEST_CLI=$cli NPM_TEST_ROOT=$ROOT
say "node --test: require, import, web build, streams, browser"
(cd "$project" && node --test --test-reporter=spec ./*.test.cjs ./*.test.mjs)

say "TypeScript: the hand-written declarations, for Node (node16) and for bundlers (DOM)"
(cd "$project" && npx tsc -p tsconfig.node.json && npx tsc -p tsconfig.web.json)

# The declarations as users compile them: skipLibCheck off, every export path, under
# each module resolution and each `lib` from ES2020 up, without ESNext.Disposable (the
# declarations bring in what they need). Browser code sees no Node types.
say "TypeScript matrix: lib es2020/es2022/esnext x resolution node16/nodenext/bundler"
for lib in es2020 es2022 esnext; do
  for resolution in node16 nodenext bundler; do
    if [ "$resolution" = bundler ]; then
      configs=("esnext|\"$lib\", \"dom\"|[]|\"types-web.ts\"" "esnext|\"$lib\"|[\"node\"]|\"types-bundler-node.ts\"")
    else
      configs=("$resolution|\"$lib\"|[\"node\"]|\"types-node.cts\", \"types-node.mts\"")
    fi
    for config in "${configs[@]}"; do
      IFS='|' read -r module libs types files <<<"$config"
      cat >"$project/tsconfig.matrix.json" <<JSON
{
  "compilerOptions": {
    "module": "$module", "moduleResolution": "$resolution", "target": "es2020",
    "lib": [$libs], "types": $types, "strict": true, "noEmit": true, "skipLibCheck": false
  },
  "files": [$files]
}
JSON
      echo "lib $lib, $resolution: $files" >&2
      (cd "$project" && npx tsc -p tsconfig.matrix.json) || {
        cat "$project/tsconfig.matrix.json" >&2
        exit 1
      }
    done
  done
done

say "the package in bundlers (tests/npm/bundlers)"
bash tests/npm/bundlers/run.sh "$tarball"

say "npm package: all consumer checks passed"
