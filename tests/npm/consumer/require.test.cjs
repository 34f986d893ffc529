'use strict';
// The package through `require` (Node, CommonJS build), against the native CLI.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { Detector, init, initSync } = require('dynamodb-scan-detector');
const { WORK, cases, readInput, expected, lines, lossy, assertAllCases } = require('./common.cjs');

const EVENT = { detectionTime: 'event' };

test('alerts equal the command line on every input, as NDJSON text', () => {
  assertAllCases(assert, 'alerts', (bytes) => {
    const d = new Detector(undefined, EVENT);
    const text = d.processBatch(bytes, { output: 'ndjson' }) + d.flush({ output: 'ndjson' });
    d.free();
    return text;
  });
});

test('alerts equal the command line on every input, as objects (ids included)', () => {
  for (const c of cases) {
    const want = lines(expected(c, 'alerts')).map((l) => JSON.parse(l));
    const d = new Detector(null, EVENT);
    const got = [...d.processBatch(readInput(c.input)), ...d.flush()];
    d.free();
    assert.deepEqual(
      got.map((a) => a['kibana.alert.uuid']),
      want.map((a) => a['kibana.alert.uuid']),
      c.input,
    );
    assert.deepEqual(got.map(lossy), want, c.input);
  }
});

test('an organization trail replayed file by file in replayOrder gives the command line\'s alerts', () => {
  const root = path.join(WORK, 'org-trail');
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  files.sort(); // name order: account by account, region by region
  const order = Detector.replayOrder(files);
  assert.ok(order.length < files.length, 'digest files are left out');
  const d = new Detector({}, EVENT);
  let text = '';
  for (const i of order) text += d.processBatch(readInput(path.join(root, files[i])), { output: 'ndjson' });
  text += d.flush({ output: 'ndjson' });
  d.free();
  const want = fs.readFileSync(path.join(process.env.NPM_TEST_EXPECTED, 'org-trail.alerts.ndjson'), 'utf8');
  assert.ok(lines(want).length >= 10);
  assert.equal(text, want);
});

test('passthrough equals the command line --output passthrough', () => {
  assertAllCases(assert, 'passthrough', (bytes) => {
    const d = new Detector({}, EVENT);
    const text = d.processRecords(bytes, { output: 'ndjson' }) + d.flush({ output: 'ndjson' });
    d.free();
    return text;
  });
});

test('a JS string gives what the bytes give', () => {
  for (const c of cases.filter((c) => c.name.endsWith('.ndjson') || c.name.endsWith('.json'))) {
    const bytes = readInput(c.input);
    const a = new Detector({}, EVENT);
    const b = new Detector({}, EVENT);
    assert.equal(
      a.processBatch(bytes.toString('utf8'), { output: 'ndjson' }),
      b.processBatch(bytes, { output: 'ndjson' }),
      c.input,
    );
    a.free();
    b.free();
  }
});

test('an integer beyond 2^53 in an event arrives as an exact BigInt', () => {
  const generated = cases.find((c) => c.name === 'generated.ndjson');
  const d = new Detector({}, EVENT);
  const alerts = d.processBatch(readInput(generated.input));
  const limits = alerts.map((a) => a.aws?.cloudtrail?.flattened?.request_parameters?.limit);
  assert.ok(limits.includes(18446744073709551615n), 'a BigInt limit');
  assert.ok(limits.includes(100), 'ordinary limits stay numbers');
  d.free();
});

test('state saved by the command line is restored by the package, and back', () => {
  const partB = fs.readFileSync(path.join(WORK, 'part-b.ndjson'));
  const want = fs.readFileSync(path.join(process.env.NPM_TEST_EXPECTED, 'part-b.after-a.ndjson'), 'utf8');
  const state = fs.readFileSync(path.join(WORK, 'state-a.bin'));
  const d = Detector.restore(state, undefined, EVENT);
  assert.equal(d.processBatch(partB, { output: 'ndjson' }) + d.flush({ output: 'ndjson' }), want);
  d.free();

  // The package's own snapshot after part A, continued by the command line.
  const a = new Detector({}, EVENT);
  a.processBatch(fs.readFileSync(path.join(WORK, 'part-a.ndjson')));
  // The end of part A, as the command line ends it before it saves: what the reorder
  // window holds is judged (its alerts are part A's).
  a.flush();
  const mine = path.join(WORK, 'state-from-js.bin');
  fs.writeFileSync(mine, a.snapshot());
  a.free();
  const out = execFileSync(
    process.env.NPM_TEST_CLI,
    ['--detection-time', 'event', '--no-progress', '--state', mine, path.join(WORK, 'part-b.ndjson')],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  assert.equal(out, want);
});

test('free() and Symbol.dispose release the detector', async () => {
  const d = new Detector();
  d.free();
  assert.throws(() => d.stats());
  const e = new Detector();
  assert.equal(typeof e[Symbol.dispose], 'function');
  e[Symbol.dispose]();
  assert.throws(() => e.processBatch('{}'));
  await init();
  initSync();
});

test('errors are Errors that name the problem', () => {
  assert.throws(() => new Detector({ max_terms: 0 }), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'ConfigError');
    assert.match(e.message, /max_terms: must be at least 1/);
    return true;
  });
  assert.throws(() => new Detector('{"history_window":"5m"}'), { name: 'ConfigError', message: /History window/ });
  assert.throws(() => Detector.restore(new Uint8Array(40)), { name: 'SnapshotError' });
  assert.throws(() => new Detector().process(42), { name: 'TypeError' });
  assert.throws(() => new Detector().process('{}', { detectionTime: 'later' }), { name: 'OptionsError' });
});

test('static helpers', () => {
  assert.match(Detector.version(), /^\d+\.\d+\.\d+/);
  const defaults = Detector.defaultConfig();
  assert.equal(defaults.history_window, '14d');
  assert.equal(Object.getPrototypeOf(defaults), Object.prototype);
  assert.deepEqual(new Detector(defaults).config(), defaults);
  const paths = [
    'AWSLogs/o-1/222/CloudTrail/us-east-1/2026/11/03/222_CloudTrail_us-east-1_20261103T0010Z_A.json.gz',
    'AWSLogs/o-1/111/CloudTrail-Digest/us-east-1/2026/11/03/111_CloudTrail-Digest_us-east-1_t_us-east-1_20261103T000512Z.json.gz',
    'AWSLogs/o-1/111/CloudTrail/us-west-2/2026/11/03/111_CloudTrail_us-west-2_20261103T0005Z_B.json.gz',
    'extra10.json',
    'extra9.json',
  ];
  const order = Detector.replayOrder(paths);
  assert.ok(order instanceof Uint32Array);
  assert.deepEqual([...order], [4, 3, 2, 0]);
  assert.throws(() => Detector.replayOrder('a.json'), { name: 'TypeError' });
});
