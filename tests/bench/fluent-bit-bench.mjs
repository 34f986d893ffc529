// The Fluent Bit module under the host emulation of tests/fluent-bit/host.mjs (Fluent
// Bit's own calling convention: copy in with NUL, call, read the NUL-terminated result,
// parse it as the host does, free).
//
//   node --no-turbo-fast-api-calls fluent-bit-bench.mjs < events.ndjson
//       every record through dynamodb_scan_annotate; prints {"records":…, "alerts":…}
//   node --no-turbo-fast-api-calls fluent-bit-bench.mjs --cost events.ndjson
//       per-record cost on records that cannot match, against a module that returns the
//       record unchanged (tests/bench/identity_filter.rs), interleaved, median of rounds
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FluentBitHost, documents } from '../fluent-bit/host.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODULE = path.join(root, 'target/wasm32-wasip1/release/dynamodb_scan_detector.wasm');
const IDENTITY = path.join(root, 'target/identity/wasm32-wasip1/release/examples/identity_filter.wasm');

function lines(bytes) {
  return documents(bytes).filter((d) => d.length > 0);
}

async function throughput() {
  const host = await FluentBitHost.load(MODULE);
  const records = lines(fs.readFileSync(0));
  let alerts = 0;
  for (const r of records) {
    const out = host.call('dynamodb_scan_annotate', r);
    if (out.object && out.object.dynamodb_scan_alerts) alerts += out.object.dynamodb_scan_alerts.length;
  }
  process.stdout.write(JSON.stringify({ records: records.length, alerts }) + '\n');
}

function timePerCall(host, fn, records, rounds) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (const rec of records) host.call(fn, rec);
    times.push(Number(process.hrtime.bigint() - start) / records.length / 1000);
  }
  return times;
}

async function cost(file) {
  const all = lines(fs.readFileSync(file));
  const text = new TextDecoder();
  const records = all.filter((r) => !/"Scan"/.test(text.decode(r))).slice(0, 20000);
  const bytes = records.reduce((n, r) => n + r.length, 0) / records.length;
  const module = await FluentBitHost.load(MODULE);
  const identity = await FluentBitHost.load(IDENTITY);
  const rounds = 7;
  // Warm up the JIT on both, then interleave the measured rounds.
  timePerCall(identity, 'identity_filter', records.slice(0, 2000), 2);
  timePerCall(module, 'dynamodb_scan_annotate', records.slice(0, 2000), 2);
  timePerCall(module, 'dynamodb_scan_alerts_only', records.slice(0, 2000), 2);
  const results = { identity: [], annotate: [], alerts_only: [] };
  for (let i = 0; i < rounds; i++) {
    results.identity.push(...timePerCall(identity, 'identity_filter', records, 1));
    results.annotate.push(...timePerCall(module, 'dynamodb_scan_annotate', records, 1));
    results.alerts_only.push(...timePerCall(module, 'dynamodb_scan_alerts_only', records, 1));
  }
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const id = median(results.identity);
  const out = { records: records.length, mean_bytes: Math.round(bytes), microseconds_per_record: {} };
  for (const [k, v] of Object.entries(results)) {
    const m = median(v);
    out.microseconds_per_record[k] = { median: +m.toFixed(3), vs_identity: +(m / id).toFixed(3) };
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

if (process.argv[2] === '--cost') await cost(process.argv[3]);
else await throughput();
