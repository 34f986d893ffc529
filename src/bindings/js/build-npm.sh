#!/usr/bin/env bash
# Builds the npm package `dynamodb-scan-detector` without wasm-pack:
#   cargo build (wasm32-unknown-unknown, profile npm: release at opt-level s), twice:
#     the default entry's module, and the `rules` entry's (feature rule-files)
#   -> wasm-bindgen --target nodejs (CommonJS, for Node's require),
#      experimental-nodejs-module (Node's import) and web (browsers and bundlers)
#   -> wasm-opt -O3 from npm's binaryen (pinned, installed into target/npm-tools)
#   -> the package directory target/npm/dynamodb-scan-detector/ (sources: npm/ here)
#   -> with --pack, an installable tarball target/npm/dynamodb-scan-detector-<v>.tgz
#
# Usage: bash src/bindings/js/build-npm.sh [--pack] [--no-opt | --require-opt]
#   --no-opt       skip wasm-opt (the package works, the .wasm is larger and slower)
#   --require-opt  fail if wasm-opt cannot be installed (default: warn and skip)
# Environment: NPM_OUT (package dir), NPM_TOOLS (scratch dir for binaryen),
#   NPM_PROFILE (the Cargo profile, default npm; e.g. release to compare),
#   NPM_WASM_OPT_LEVEL (wasm-opt's level, default -O3),
#   WASM_OPT (a wasm-opt to use instead; binaryen >= 116 only: Debian's 108 breaks
#   wasm-bindgen output).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
# npm_retry: an npm install that survives a dropped registry connection.
# shellcheck source=tests/npm/retry.sh
source tests/npm/retry.sh
SRC=$ROOT/src/bindings/js/npm
OUT=${NPM_OUT:-$ROOT/target/npm/dynamodb-scan-detector}
TOOLS=${NPM_TOOLS:-$ROOT/target/npm-tools}
NAME=dynamodb_scan_detector
BINARYEN_VERSION=132.0.0
# The features Rust's wasm32 output uses; wasm-opt must accept all of them. -O3 rather
# than -Oz: on the opt-level "s" module, 1.5% larger (507 KB against 500 KB) and 7%
# faster on every corpus.
OPT_FLAGS=(${NPM_WASM_OPT_LEVEL:--O3} --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext
  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types
  --enable-mutable-globals --enable-simd
  # Toolchain metadata no engine reads (which compilers made it, which features it
  # uses): 270 bytes.
  --strip-producers --strip-target-features
  # Constant offsets fold into loads and stores (`ptr + C`, C < 1024, becomes an access
  # at `ptr` with offset C). That differs only when `ptr + C` wraps past 4 GiB into the
  # first KiB, which no valid pointer does (the module's stack grows down from 1 MiB to
  # 0, its data starts at 1 MiB; only an overflowed stack pointer wraps, and the access
  # then traps instead). 4 KB smaller, the same speed in Node (tests/npm/throughput.cjs).
  --low-memory-unused)

die() { printf 'build-npm: %s\n' "$*" >&2; exit 1; }
note() { printf 'build-npm: %s\n' "$*" >&2; }

opt=auto
pack=0
for arg in "$@"; do
  case $arg in
    --pack) pack=1 ;;
    --no-opt) opt=no ;;
    --require-opt) opt=yes ;;
    *) die "unknown argument $arg (known: --pack, --no-opt, --require-opt)" ;;
  esac
done

# 1. The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || die "wasm-bindgen is not in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }') ||
  die "the wasm-bindgen CLI is not installed: cargo install wasm-bindgen-cli --version $want"
[ "$have" = "$want" ] ||
  die "wasm-bindgen CLI is $have but Cargo.lock has $want: cargo install wasm-bindgen-cli --version $want --force"

# 2. The module, with WebAssembly SIMD (128-bit): the byte searches of the pre-check and
#    of JSON scanning then run 16 bytes at a time, about three times the throughput on a
#    typical CloudTrail mix. Every engine since 2021-2023 has it (Node 16.4, Chrome 91,
#    Firefox 89, Safari 16.4). Its own target directory keeps the usual wasm32 builds'
#    cache (tests, clippy) valid.
#    Panic locations name their source files; the registry's absolute paths are
#    shortened to crates/<crate>/… (the same bytes on every machine, and 2.5 KB less).
#    The flags go through CARGO_ENCODED_RUSTFLAGS (0x1f-separated), so a path with
#    spaces stays one flag.
profile=${NPM_PROFILE:-npm}
flags=(-C target-feature=+simd128)
for registry in "${CARGO_HOME:-${HOME:-/nonexistent}/.cargo}"/registry/src/*/; do
  if [ -d "$registry" ]; then flags+=("--remap-path-prefix=${registry%/}=crates"); fi
done
encoded=$(IFS=$'\x1f'; printf '%s' "${flags[*]}")
# The default entry runs the built-in rule; the `rules` entry (feature rule-files) also
# reads Elastic's rule files (TOML, KQL, rule sets, alert suppression), which doubles
# the module, so it is a second module that only its users load.
build_module() { # build_module FEATURES -> the path of the .wasm
  CARGO_TARGET_DIR=target/npm-wasm CARGO_ENCODED_RUSTFLAGS="$encoded" \
    cargo build --locked --profile "$profile" --lib --target wasm32-unknown-unknown \
    ${1:+--features "$1"} >&2
  # Cargo writes the dev profile to debug/, every other one to a directory of its name.
  local profile_dir=$profile
  [ "$profile" != dev ] || profile_dir=debug
  local wasm=target/npm-wasm/wasm32-unknown-unknown/$profile_dir/$NAME.wasm
  local copy=target/npm-wasm/$NAME${1:+-$1}.wasm
  cp "$wasm" "$copy"
  printf '%s\n' "$copy"
}
wasm=$(build_module "")
rules_wasm=$(build_module rule-files)

# 3. The package directory: the hand-written sources, then the wasm-bindgen builds of
#    each module: node/ and web/ for the default entry, rules/node/ and rules/web/ (the
#    same hand-written entry files) for the `rules` entry.
rm -rf "$OUT"
mkdir -p "$OUT/rules"
cp -R "$SRC"/. "$OUT"/
cp -R "$SRC/node" "$SRC/web" "$OUT/rules/"
sed -i 's|"\.\./index\.mjs"|"../../index.mjs"|' "$OUT/rules/web/index.d.ts"
bindgen() { # bindgen WASM DIR
  local target
  for target in nodejs web; do
    local dir=$2/${target%js}
    wasm-bindgen --target "$target" --no-typescript --out-dir "$dir" --out-name "$NAME" "$1"
    # The generated JS points at .d.ts files that --no-typescript does not write.
    sed -i '/@ts-self-types=/d' "$dir/$NAME.js"
  done
  # Node's ES module entry gets its own glue (wasm-bindgen's Node ES module output),
  # which finds the .wasm through `new URL(…, import.meta.url)`: bundlers that build for
  # servers (webpack, Next.js, …) recognise that and ship the file, where the CommonJS
  # glue's `__dirname` path breaks once the code is moved. Both glues load the one .wasm
  # in node/.
  local esm
  esm=$(mktemp -d)
  wasm-bindgen --target experimental-nodejs-module --no-typescript --out-dir "$esm" --out-name "$NAME" "$1"
  cmp -s "$esm/${NAME}_bg.wasm" "$2/node/${NAME}_bg.wasm" ||
    die "wasm-bindgen wrote different .wasm files for Node's CommonJS and ES module glue"
  sed '/@ts-self-types=/d' "$esm/$NAME.js" >"$2/node/$NAME.mjs"
  rm -rf "$esm"
  printf '{ "type": "commonjs" }\n' >"$2/node/package.json"
  printf '{ "type": "module" }\n' >"$2/web/package.json"
}
bindgen "$wasm" "$OUT"
bindgen "$rules_wasm" "$OUT/rules"

# 4. wasm-opt from npm's binaryen (never Debian's binaryen 108: it renumbers the
#    externref table wasm-bindgen exports, and the module then fails to load).
wasm_opt=${WASM_OPT:-$TOOLS/node_modules/.bin/wasm-opt}
if [ "$opt" != no ] && [ -z "${WASM_OPT:-}" ] && ! "$wasm_opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*} "; then
  mkdir -p "$TOOLS"
  npm_retry install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >&2 ||
    note "could not install binaryen@$BINARYEN_VERSION from npm"
fi
optimised="not optimised by wasm-opt"
if [ "$opt" = no ]; then
  note "skipping wasm-opt (--no-opt)"
elif opt_version=$("$wasm_opt" --version 2>/dev/null); then
  major=$(sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p' <<<"$opt_version")
  [ "${major:-0}" -ge 116 ] || die "$wasm_opt is binaryen ${major:-?}; it breaks wasm-bindgen output (need >= 116)"
  for dir in "$OUT/node" "$OUT/web" "$OUT/rules/node" "$OUT/rules/web"; do
    "$wasm_opt" "${OPT_FLAGS[@]}" "$dir/${NAME}_bg.wasm" -o "$dir/${NAME}_bg.opt.wasm"
    mv "$dir/${NAME}_bg.opt.wasm" "$dir/${NAME}_bg.wasm"
  done
  optimised="optimised with \`wasm-opt ${OPT_FLAGS[0]}\` (binaryen $major)"
elif [ "$opt" = yes ]; then
  die "wasm-opt is not available (binaryen@$BINARYEN_VERSION from npm, or WASM_OPT)"
else
  note "WARNING: wasm-opt is not available; the .wasm is not optimised"
fi

# 5. Version and the measured size of the .wasm into package.json and the README.
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
web_wasm=$OUT/web/${NAME}_bg.wasm
raw=$(wc -c <"$web_wasm" | tr -d ' ')
gz=$(gzip -9 -c "$web_wasm" | wc -c | tr -d ' ')
rules_raw=$(wc -c <"$OUT/rules/web/${NAME}_bg.wasm" | tr -d ' ')
rules_gz=$(gzip -9 -c "$OUT/rules/web/${NAME}_bg.wasm" | wc -c | tr -d ' ')
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }
sed -i "s/\"version\": \"0.0.0-placeholder\"/\"version\": \"$version\"/" "$OUT/package.json"
sed -i -e "s/{{VERSION}}/$version/g" -e "s/{{WASM_RAW}}/$raw bytes ($(kib "$raw"))/g" \
  -e "s/{{WASM_GZIP}}/$gz bytes ($(kib "$gz"))/g" -e "s/{{WASM_OPT}}/$optimised/g" \
  -e "s/{{RULES_WASM_RAW}}/$rules_raw bytes ($(kib "$rules_raw"))/g" \
  -e "s/{{RULES_WASM_GZIP}}/$rules_gz bytes ($(kib "$rules_gz"))/g" "$OUT/README.md"
if grep -q '{{' "$OUT/README.md" "$OUT/package.json"; then
  die "a placeholder was left in README.md or package.json"
fi

# 6. The CommonJS build must load.
node -e "const m = require(process.argv[1]); if (m.Detector.version() !== process.argv[2]) process.exit(1)" \
  "$OUT/node/index.cjs" "$version" || die "the built package does not load in Node"
node -e "const m = require(process.argv[1]); if (m.Detector.version() !== process.argv[2]) process.exit(1)" \
  "$OUT/rules/node/index.cjs" "$version" || die "the built package's rules entry does not load in Node"
note "package: $OUT (wasm $raw bytes, gzip -9 $gz bytes; rules entry $rules_raw bytes, gzip -9 $rules_gz; $optimised)"

# 7. The tarball.
if [ "$pack" = 1 ]; then
  tarball=$(cd "$(dirname "$OUT")" && npm pack --silent "$OUT" | tail -n 1)
  note "tarball: $(dirname "$OUT")/$tarball"
  printf '%s\n' "$(dirname "$OUT")/$tarball"
fi
