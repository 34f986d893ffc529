// The web build in a real browser: headless Chromium loads a page from a local HTTP
// server; the page imports the package by its bare name (an import map points it at
// the installed package's browser entry), awaits init(), which fetches the .wasm
// (served as application/wasm), judges inputs and posts the alert NDJSON back. The
// result must equal the command line's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { WORK, cases, readInput, expected } = require('./common.cjs');

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((p) => existsSync(p));
const packageDir = path.dirname(require.resolve('dynamodb-scan-detector/package.json'));
const picked = cases.filter((c) =>
  ['generated.ndjson', 's3_sqs_input_test.Records.json.gz', '01-raw.ndjson', '06-cloudwatch-awslogs.json']
    .includes(c.name));

const page = `<!doctype html>
<meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"dynamodb-scan-detector":"/pkg/web/index.js"}}</script>
<script type="module">
  import init, { Detector } from 'dynamodb-scan-detector';
  const report = (body) => fetch('/result', { method: 'POST', body });
  try {
    await init();
    const results = [];
    for (const index of ${JSON.stringify(picked.map((c) => c.index))}) {
      const input = await (await fetch('/input/' + index)).arrayBuffer();
      const d = new Detector(null, { detectionTime: 'event' });
      results.push(d.processBatch(new Uint8Array(input), { output: 'ndjson' }) + d.flush({ output: 'ndjson' }));
      d.free();
    }
    await report(JSON.stringify({ version: Detector.version(), agent: navigator.userAgent, results }));
  } catch (e) {
    await report(JSON.stringify({ error: String(e && e.stack || e) }));
  }
</script>`;

function contentType(file) {
  if (file.endsWith('.wasm')) return 'application/wasm';
  if (file.endsWith('.js')) return 'text/javascript';
  return 'application/octet-stream';
}

test('the web build runs in headless Chromium and matches the command line', async () => {
  assert.ok(CHROMIUM, 'chromium is not installed (apt-get install chromium), or set CHROMIUM');
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/result') {
      // Decoded once, whole: a chunk boundary can fall inside a multi-byte character
      // (the rule's note has U+2019), and decoding chunk by chunk would mangle it.
      const chunks = [];
      req.on('data', (d) => { chunks.push(d); });
      req.on('end', () => { res.end('ok'); resolveResult(JSON.parse(Buffer.concat(chunks).toString('utf8'))); });
      return;
    }
    if (url.pathname === '/') {
      res.setHeader('content-type', 'text/html');
      return res.end(page);
    }
    if (url.pathname.startsWith('/input/')) {
      const c = picked.find((x) => x.index === url.pathname.slice('/input/'.length));
      return c ? res.end(readInput(c.input)) : res.writeHead(404).end();
    }
    if (url.pathname.startsWith('/pkg/')) {
      const file = path.join(packageDir, path.normalize(url.pathname.slice(5)));
      if (file.startsWith(packageDir) && existsSync(file)) {
        res.setHeader('content-type', contentType(file));
        return res.end(readFileSync(file));
      }
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // The profile lives in run.sh's work directory, which run.sh removes at exit.
  const profile = mkdtempSync(path.join(WORK, 'chromium-'));
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, `http://127.0.0.1:${server.address().port}/`,
  ], { stdio: 'ignore', detached: true });
  const exited = new Promise((r) => browser.once('exit', r));
  let timer;
  try {
    const got = await Promise.race([
      result,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no result from Chromium in 90 s')), 90_000); }),
    ]);
    assert.equal(got.error, undefined, got.error);
    assert.match(got.agent, /Chrome/);
    assert.equal(got.results.length, picked.length);
    picked.forEach((c, i) => assert.equal(got.results[i], expected(c, 'alerts'), c.input));
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-browser.pid); // the process group this test started
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    server.closeAllConnections();
    server.close();
  }
});
