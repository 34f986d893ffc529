#!/usr/bin/env bash
# Seeds the corpora (real data, the fixtures, the bundled sample, generated events,
# snapshots, rule files and KQL queries) and runs every fuzz target for SECONDS each
# (default 30; CI's short run).
# A crash fails the script; libFuzzer leaves the input in tests/fuzz/artifacts/<target>/.
# Usage: bash tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(input_shapes fluent_bit_filter snapshot_restore detector_sequence kql_rules)
corpus=tests/fuzz/corpus

seed_documents() {  # one file per document: whole JSON files, and each NDJSON line
  local dir=$1 n=0
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
  while IFS= read -r -d '' f; do
    case "$f" in *.gz) gzip -dc "$f" > "$dir/gz-$n" ;; *.md) continue ;; *) cp "$f" "$dir/file-$n" ;; esac
    n=$((n + 1))
    case "$f" in *.ndjson|*.log) split -l 1 -a 4 "$f" "$dir/line-$n-" ;; esac
  done < <(find tests/data/third-party tests/fixtures/shapes -type f -size -200k -print0 | sort -z)
  target/release/examples/generate corpus typical raw 300 5 | split -l 1 -a 4 - "$dir/gen-raw-"
  target/release/examples/generate corpus scan-heavy ecs-dotted 50 5 | split -l 1 -a 4 - "$dir/gen-dotted-"
}

cargo build --release --locked --example generate --bin dynamodb-scan-detector
seed_documents "$corpus/input_shapes"
seed_documents "$corpus/fluent_bit_filter"
mkdir -p "$corpus/snapshot_restore"
if [ -z "$(ls -A "$corpus/snapshot_restore")" ]; then
  for day in 02 05; do
    target/release/dynamodb-scan-detector --state "$corpus/snapshot_restore/sample-$day" \
      pipeline-examples/data/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/$day > /dev/null
  done
  rm -f "$corpus"/snapshot_restore/*.tmp
fi
mkdir -p "$corpus/detector_sequence"
# KQL queries and rule files: our fixtures, Elastic's copied rules and each one's query.
if [ -z "$(ls -A "$corpus/kql_rules" 2>/dev/null)" ]; then
  mkdir -p "$corpus/kql_rules"
  n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$corpus/kql_rules/rule-$n"
    sed -n "/^query = '''/,/^'''/p" "$f" | sed '1d;$d' > "$corpus/kql_rules/query-$n"
    n=$((n + 1))
  done < <(find tests/fixtures/rules tests/data/third-party/elastic-detection-rules tests/data/third-party/elastic-detection-rules-aws-new-terms -name '*.toml' -print0 | sort -z)
fi

for t in "${targets[@]}"; do
  echo "==> fuzz $t for ${secs}s"
  cargo +nightly fuzz run --fuzz-dir tests/fuzz "$t" "$corpus/$t" -- \
    -max_total_time="$secs" -max_len=1048576 -rss_limit_mb=4096 -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+ +DONE|stat::|==[0-9]+==|SUMMARY|Done|INFO: Seed)|panicked|Crash|deadly" || true
  [ -z "$(ls -A "tests/fuzz/artifacts/$t" 2>/dev/null)" ] || { echo "FAILED: fuzz target $t found a crash" >&2; exit 1; }
done
