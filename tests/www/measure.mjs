// Replay speed of the page in headless Chromium beside the native command line's, on
// the same generated CloudTrail NDJSON (tests/tools/generate.rs, "typical" corpus).
// The page's time is the worker's, from reading the first byte of the file to the
// last alert; the command line's is its wall time. Both use --detection-time event.
// Also reported: the longest task on the page's main thread during the replays (the
// Long Tasks API), which says whether the page stayed responsive.
//
//   node tests/www/measure.mjs [--mb 200] [--runs 3] [--gzip] [--quick]
//
// Needs the built page (bash www/build.sh), the release command line and the generator
// (cargo build --release --bin dynamodb-scan-detector --example generate); run.sh
// does all of that. Prints a table and writes target/www-artifacts/measure.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ARTIFACTS, CLI, ROOT, SITE, openPage, replayEnded, stat } from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const megabytes = option('--mb', quick ? 20 : 200);
const runs = option('--runs', quick ? 1 : 3);
const gzip = args.includes('--gzip');
const BYTES_PER_EVENT = 1358; // the typical corpus, measured
const GENERATE = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'release/examples/generate');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const work = mkdtempSync(path.join(tmpdir(), 'www-measure-'));
try {
  const events = Math.round((megabytes * 1e6) / BYTES_PER_EVENT);
  let input = path.join(work, 'typical.ndjson');
  const generated = spawnSync(GENERATE, ['corpus', 'typical', 'raw', String(events)], { maxBuffer: 4 << 30 });
  if (generated.status !== 0) throw new Error(`generate: ${generated.stderr}`);
  writeFileSync(input, generated.stdout);
  const rawBytes = generated.stdout.length;
  if (gzip) {
    input += '.gz';
    writeFileSync(input, gzipSync(generated.stdout, { level: 6 }));
  }

  const native = [];
  for (let i = 0; i < runs + 1; i += 1) {
    const started = process.hrtime.bigint();
    const run = spawnSync(CLI, ['--no-progress', '--detection-time', 'event', input], { maxBuffer: 1 << 30 });
    if (run.status !== 0) throw new Error(`cli: ${run.stderr}`);
    if (i > 0) native.push(Number(process.hrtime.bigint() - started) / 1e6); // the first run warms the cache
  }

  const browser = [];
  let browserEvents = 0;
  let browserVersion = '';
  let longestTask = 0;
  const session = await openPage();
  try {
    browserVersion = session.browser.version();
    await session.page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    for (let i = 0; i < runs; i += 1) {
      await session.page.setInputFiles('#file-input', input);
      if ((await replayEnded(session.page, 600_000)) !== 'complete') throw new Error('the replay did not complete');
      browser.push(await stat(session.page, 'elapsed'));
      browserEvents = await stat(session.page, 'events_in');
    }
    longestTask = Math.round(Math.max(0, ...await session.page.evaluate(() => window.longTasks)));
  } finally {
    await session.close();
  }

  const wasm = readFileSync(path.join(SITE, 'pkg/dynamodb_scan_detector_bg.wasm'));
  const result = {
    input: `${(rawBytes / 1e6).toFixed(1)} MB of generated CloudTrail NDJSON${gzip ? `, gzipped to ${(statSync(input).size / 1e6).toFixed(1)} MB` : ''}`,
    events: browserEvents,
    runs,
    chromium: browserVersion,
    browserMs: median(browser),
    nativeMs: median(native),
    longestMainThreadTaskMs: longestTask,
    wasmBytes: wasm.length,
    wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
  };
  const row = (name, ms) => `| ${name} | ${(ms / 1000).toFixed(2)} s | ${(rawBytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s | ${Math.round(browserEvents / (ms / 1000)).toLocaleString('en-US')} events/s |`;
  console.log(`${result.input}, ${browserEvents.toLocaleString('en-US')} events; median of ${runs} run(s)`);
  console.log('| | time | MB/s | events/s |\n|---|---|---|---|');
  console.log(row(`page (Chromium ${browserVersion}, worker)`, result.browserMs));
  console.log(row('native command line', result.nativeMs));
  console.log(`longest main-thread task during the replays: ${longestTask ? `${longestTask} ms` : 'none over 50 ms'}`);
  console.log(`wasm served: ${result.wasmBytes.toLocaleString('en-US')} bytes (${result.wasmGzipBytes.toLocaleString('en-US')} gzip -9)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, `measure${gzip ? '-gzip' : ''}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
