// The one input policy (src/input/), held across its hosts: the same bytes, cut into
// random chunks from a fixed seed, go through
//   * the command line: the file itself (the reference), and standard input written
//     in random pieces;
//   * the npm package's stream helper (dynamodb-scan-detector/stream), passthrough;
//   * the replay page's worker code (www/js/worker/replay-worker.js and file-reader.js,
//     run in Node against the package's web build, files whose stream() gives the
//     chunks, random batch sizes);
// and every run must give the command line's records (passthrough NDJSON), alerts,
// counters (--stats) and state (--state, byte for byte). The inputs have what the hosts
// once each handled their own way: a UTF-8 byte-order mark, CRLF line ends, multi-byte
// characters that chunks split (counted, so the test shows it did split them), a line
// over the limit (a small limit, and one over the default 64 MiB), blank and broken
// lines, a broken first line, whole JSON documents (pretty-printed, read whole), gzip
// in one member and in two (split inside a character), and gzip cut short.
//
// Usage: node tests/input/differential.mjs (tests/input/run.sh builds what it needs).
// Environment: INPUT_TEST_CLI, INPUT_TEST_GENERATE, INPUT_TEST_PACKAGE (defaults under
// target/), SEED (default 20261206).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = process.env.INPUT_TEST_CLI ?? path.join(ROOT, 'target/release/dynamodb-scan-detector');
const GENERATE = process.env.INPUT_TEST_GENERATE ?? path.join(ROOT, 'target/release/examples/generate');
const PACKAGE = process.env.INPUT_TEST_PACKAGE ?? path.join(ROOT, 'target/npm/dynamodb-scan-detector');
const SEED = Number(process.env.SEED ?? 20261206);
/** The line limit of most inputs (all hosts are given it). */
const LIMIT = 65536;

const started = performance.now();
const work = mkdtempSync(path.join(tmpdir(), 'input-differential-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** mulberry32: a small PRNG, so that a seed gives the same chunks everywhere. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);

/** How often chunk boundaries fell where a host once had to be careful. */
const splits = { inCharacter: 0, inCrlf: 0, inBom: 0, oneByteChunks: 0 };

/**
 * `bytes` in random chunks: a share of 1 to 4 bytes (which split characters, CRLF and
 * the byte-order mark), the rest up to `max`; `sizes: 1` for 1-byte chunks only.
 */
function chunksOf(bytes, { tiny = 0.3, max = 65536, sizes = 0 } = {}) {
  const out = [];
  let at = 0;
  while (at < bytes.length) {
    const n = sizes || (rand() < tiny ? 1 + Math.floor(rand() * 4) : 1 + Math.floor(rand() * max));
    const end = Math.min(bytes.length, at + n);
    if (end < bytes.length) {
      if ((bytes[end] & 0xc0) === 0x80) splits.inCharacter += 1;
      if (bytes[end - 1] === 0x0d && bytes[end] === 0x0a) splits.inCrlf += 1;
      if (end < 3 && bytes[0] === 0xef) splits.inBom += 1;
    }
    if (end - at === 1) splits.oneByteChunks += 1;
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

// ---- The inputs --------------------------------------------------------------------

const generated = spawnSync(GENERATE, ['corpus', 'scan-heavy', 'raw', '1500', '7'], { maxBuffer: 1 << 30 });
assert.equal(generated.status, 0, `${GENERATE}: ${generated.stderr}`);
const records = generated.stdout.toString('utf8').split('\n').filter(Boolean)
  // Multi-byte characters (2, 3 and 4 bytes) in a field alerts copy, on every third record.
  .map((line, i) => (i % 3 === 0 ? line.replace('"userAgent":"', '"userAgent":"naïve café ✓ 日本 𝄞 ') : line));
assert.ok(records.length === 1500 && records[0].includes('𝄞'));
const BOM = '\u{FEFF}';
const longLine = JSON.stringify({ eventSource: 'dynamodb.amazonaws.com', eventName: 'Scan', pad: 'é'.repeat(LIMIT / 2 + 8) });

/** NDJSON with CRLF, a blank line, a broken line and a line over LIMIT in the middle. */
function crlf(lines) {
  const middle = lines.length >> 1;
  return [...lines.slice(0, middle), '', '{"broken', longLine, ...lines.slice(middle)].join('\r\n');
}
const text = `${BOM}${crlf(records)}\r\n`;
const bytes = Buffer.from(text);
const small = Buffer.from(`${BOM}${crlf(records.slice(0, 80))}`); // no line end at the end
// Two gzip members, split inside a 4-byte character.
const cut = bytes.indexOf(Buffer.from('𝄞'), bytes.length >> 1) + 2;
const pretty = Buffer.from(`${BOM}{\r\n  "Records": [\r\n    ${records.slice(0, 400).join(',\r\n    ')}\r\n  ]\r\n}\r\n`);
const gzipped = zlib.gzipSync(bytes);

/** `[name, bytes, limit]`: the inputs; `limit` null for the default limits. */
const inputs = [
  ['bom-crlf.ndjson', bytes, LIMIT],
  ['bom-crlf.ndjson.gz', gzipped, LIMIT],
  ['two-members.ndjson.gz', Buffer.concat([zlib.gzipSync(bytes.subarray(0, cut)), zlib.gzipSync(bytes.subarray(cut))]), LIMIT],
  ['cut-short.ndjson.gz', gzipped.subarray(0, Math.floor(gzipped.length * 0.6)), LIMIT],
  ['broken-first-line.ndjson', Buffer.from(`{broken\r\n${records.slice(0, 300).join('\n')}\n`), LIMIT],
  ['pretty-s3.json', pretty, LIMIT],
  ['pretty-s3.json.gz', zlib.gzipSync(pretty), LIMIT],
  ['small.ndjson', small, LIMIT],
  ['small.ndjson.gz', zlib.gzipSync(small, { level: 1 }), LIMIT],
  // A line over the default limit (64 MiB): no limit is given to any host.
  ['over-64-mib.ndjson', Buffer.from(`${records.slice(0, 50).join('\n')}\n["${'x'.repeat((64 << 20) + 10)}"]\n${records.slice(50, 100).join('\n')}\n`), null],
];

// ---- The command line ---------------------------------------------------------------

/** The command line's flags for an input. */
function cliFlags(limit, mode) {
  return ['--detection-time', 'event', '--no-progress', '--stats', '--output', mode,
    ...(limit === null ? [] : ['--max-line-bytes', String(limit)])];
}

/** The command line's stats: the last line of its standard error. */
function statsOf(stderr) {
  const lines = stderr.toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** The reference: the command line on the file. */
function cliOnFile(file, limit) {
  const state = path.join(work, 'state.bin');
  rmSync(state, { force: true });
  const passthrough = spawnSync(CLI, [...cliFlags(limit, 'passthrough'), '--state', state, file], { maxBuffer: 1 << 30 });
  assert.equal(passthrough.status, 0, passthrough.stderr.toString());
  const alerts = spawnSync(CLI, [...cliFlags(limit, 'alerts'), file], { maxBuffer: 1 << 30 });
  assert.equal(alerts.status, 0, alerts.stderr.toString());
  return {
    passthrough: passthrough.stdout.toString('utf8'),
    alerts: alerts.stdout.toString('utf8'),
    stats: statsOf(passthrough.stderr),
    state: readFileSync(state),
  };
}

/** The command line reading standard input, written a random chunk at a time. */
async function cliOnStdin(chunks, limit) {
  const child = spawn(CLI, [...cliFlags(limit, 'passthrough'), '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  const exited = new Promise((resolve) => child.once('close', resolve));
  for (const chunk of chunks) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    // Now and then let the command line read what is there, so its reads end anywhere.
    if (rand() < 0.05) await new Promise((resolve) => setImmediate(resolve));
  }
  child.stdin.end();
  assert.equal(await exited, 0, Buffer.concat(err).toString());
  return { passthrough: Buffer.concat(out).toString('utf8'), stats: statsOf(Buffer.concat(err)) };
}

// ---- The npm stream helper ----------------------------------------------------------

const { createDetectorStream } = createRequire(import.meta.url)(path.join(PACKAGE, 'stream.cjs'));

async function throughStream(chunks, limit, emit) {
  const stream = createDetectorStream({
    detectionTime: 'event', emit, output: 'ndjson', ...(limit === null ? {} : { maxLineBytes: limit }),
  });
  const out = [];
  await pipeline(Readable.from(chunks, { objectMode: false }), stream, new Writable({
    write(chunk, _encoding, done) {
      out.push(chunk);
      done();
    },
  }));
  const result = { text: Buffer.concat(out).toString('utf8'), stats: stream.detector.stats(), state: Buffer.from(stream.detector.snapshot()) };
  stream.detector.free();
  return result;
}

// ---- The page's worker --------------------------------------------------------------

/** The page's worker in this process: its code and the package's web build, as served. */
async function loadWorker() {
  const site = path.join(work, 'site');
  mkdirSync(path.join(site, 'pkg'), { recursive: true });
  cpSync(path.join(ROOT, 'www/js'), path.join(site, 'js'), { recursive: true });
  for (const f of ['index.js', 'dynamodb_scan_detector.js', 'dynamodb_scan_detector_bg.wasm', 'package.json']) {
    cpSync(path.join(PACKAGE, 'web', f), path.join(site, 'pkg', f));
  }
  // A worker's globals: `self`, whose postMessage goes to this test; fetch of the wasm
  // from a file: URL, as a server would send it.
  let listener = () => {};
  globalThis.self = globalThis;
  globalThis.postMessage = (message) => listener(message);
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => (new URL(url).protocol === 'file:'
    ? new Response(readFileSync(new URL(url)), { headers: { 'content-type': 'application/wasm' } })
    : realFetch(url));
  const ready = new Promise((resolve, reject) => {
    listener = (m) => (m.type === 'ready' ? resolve() : reject(new Error(m.message)));
  });
  await import(pathToFileURL(path.join(site, 'js/worker/replay-worker.js')).href);
  await ready;
  let nextId = 0;
  /** Send a request; resolves with the worker's message of `type` for it. */
  return (request, type) => new Promise((resolve) => {
    const id = ++nextId;
    listener = (m) => {
      if (m.id === id && m.type === type) resolve(m);
    };
    globalThis.onmessage({ data: { ...request, id } });
  });
}
const worker = await loadWorker();

/** A file whose stream() gives these chunks. */
function fileOf(name, chunks) {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  return {
    name,
    size,
    stream: () => new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
        controller.close();
      },
    }),
  };
}

async function throughWorker(name, chunks, limit) {
  const batchBytes = rand() < 0.5 ? 1 : 1 + Math.floor(rand() * 200_000);
  const limits = { batchBytes, ...(limit === null ? {} : { maxLineBytes: limit }) };
  const done = await worker({ type: 'run', files: [fileOf(name, chunks)], config: {}, alertTime: 'event', limits }, 'done');
  assert.equal(done.status, 'complete', done.message);
  const { blob } = await worker({ type: 'export-alerts' }, 'alerts-file');
  const { bytes } = await worker({ type: 'export-state' }, 'state-file');
  return { alerts: await blob.text(), stats: done.stats, state: Buffer.from(bytes), batchBytes, warnings: done.warningCount };
}

// ---- The comparison -----------------------------------------------------------------

/** `got` must be `want`; if not, the first line that differs is named (not megabytes). */
function sameText(got, want, what) {
  if (got === want) return;
  const a = got.split('\n');
  const b = want.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  const clip = (line) => (line === undefined ? '(none)' : `${line.slice(0, 300)}${line.length > 300 ? '…' : ''}`);
  assert.fail(`${what}: line ${i + 1} of ${b.length} differs\n  got:  ${clip(a[i])}\n  want: ${clip(b[i])}`);
}

let runs = 0;
for (const [name, input, limit] of inputs) {
  const file = path.join(work, name);
  writeFileSync(file, input);
  const want = cliOnFile(file, limit);
  const huge = input.length > 32 << 20;
  const chunking = huge ? { tiny: 0.001, max: 4 << 20 } : {};
  const label = (host, chunks) => `${name} through ${host} in ${chunks.length} chunks (seed ${SEED})`;

  let chunks = chunksOf(input, chunking);
  const stdin = await cliOnStdin(chunks, limit);
  sameText(stdin.passthrough, want.passthrough, label('the command line (stdin)', chunks));
  assert.deepEqual(stdin.stats, want.stats, label('the command line (stdin): stats', chunks));

  const streamRuns = name.startsWith('small') ? [{ sizes: 1 }, chunking] : [chunking, chunking];
  for (const how of streamRuns) {
    chunks = chunksOf(input, how);
    const got = await throughStream(chunks, limit, 'passthrough');
    sameText(got.text, want.passthrough, label('the stream helper', chunks));
    assert.deepEqual(got.stats, want.stats, label('the stream helper: stats', chunks));
    assert.ok(got.state.equals(want.state), label('the stream helper: state', chunks));
    runs += 1;
  }
  chunks = chunksOf(input, chunking);
  const alertsOnly = await throughStream(chunks, limit, 'alerts');
  sameText(alertsOnly.text, want.alerts, label('the stream helper (alerts)', chunks));

  const workerRuns = name.startsWith('small') ? [{ sizes: 1 }, chunking] : [chunking, chunking];
  for (const how of workerRuns) {
    chunks = chunksOf(input, how);
    const got = await throughWorker(name, chunks, limit);
    const what = `${label('the page\'s worker', chunks)}, batches of ${got.batchBytes} bytes`;
    sameText(got.alerts, want.alerts, what);
    assert.deepEqual(got.stats, want.stats, `${what}: stats`);
    assert.ok(got.state.equals(want.state), `${what}: state`);
    runs += 1;
  }
  runs += 3;
  const alerts = want.alerts.split('\n').filter(Boolean).length;
  console.log(`ok  ${name.padEnd(24)} ${String(input.length).padStart(9)} bytes: ${want.stats.events_in} in, `
    + `${want.stats.unparseable} unparseable, ${alerts} alerts; the same through stdin, the stream and the worker`);
}

// The chunks did split what they were meant to split.
assert.ok(splits.inCharacter > 100 && splits.inCrlf > 10 && splits.inBom > 0 && splits.oneByteChunks > 100_000,
  JSON.stringify(splits));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`input differential: ${runs} runs of ${inputs.length} inputs agree (seed ${SEED}; chunk boundaries inside `
  + `a character ${splits.inCharacter}, inside CRLF ${splits.inCrlf}, inside the byte-order mark ${splits.inBom}; `
  + `${splits.oneByteChunks} one-byte chunks) in ${seconds} s`);
// The worker's code keeps a MessageChannel port open (its yield between reads).
process.exit(0);
