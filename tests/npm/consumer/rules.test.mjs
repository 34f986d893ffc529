// The package's `rules` entry (Elastic's rule files) as users load it, through `import`
// and `require`: its alerts equal the command line's `--rules` alerts byte for byte (six
// rules on the generated two weeks of tests/fixtures/aws-family.ndjson, all 49 AWS rules
// on generated CloudTrail, a rule with alert suppression on the bundled S3 sample); its
// state moves to and from the command line's `--state`; refusals are listed, and
// `strictRules` makes them errors; the default entry refuses rule files.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { Detector } from 'dynamodb-scan-detector/rules';
import * as rulesWeb from 'dynamodb-scan-detector/rules/web';

const require = createRequire(import.meta.url);
const ROOT = process.env.NPM_TEST_ROOT;
const EXPECTED = process.env.NPM_TEST_EXPECTED;
const WORK = process.env.NPM_TEST_WORK;
if (!ROOT || !EXPECTED || !WORK) throw new Error('run through tests/npm/run.sh');
const EVENT = { detectionTime: 'event' };
const NDJSON = { output: 'ndjson' };

/** Every `*.toml` of a directory, as `{ file, text }`, in name order. */
function ruleDir(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((file) => ({ file, text: readFileSync(path.join(dir, file), 'utf8') }));
}
const SIX = ruleDir(path.join(ROOT, 'tests/data/third-party/elastic-detection-rules'));
// Elastic's 49 AWS New Terms rules: six in one folder, the other 43 in the next.
const ALL = [...SIX, ...ruleDir(path.join(ROOT, 'tests/data/third-party/elastic-detection-rules-aws-new-terms'))];
const FAMILY = readFileSync(path.join(ROOT, 'tests/fixtures/aws-family.ndjson'));
const expected = (name) => readFileSync(path.join(EXPECTED, name), 'utf8');

function run(DetectorClass, rules, bytes) {
  const d = new DetectorClass(null, { ...EVENT, rules });
  const text = d.processBatch(bytes, NDJSON) + d.flush(NDJSON);
  d.free();
  return text;
}

test('six rule files on two weeks: the command line alerts, through import and require', () => {
  assert.equal(SIX.length, 6);
  const want = expected('rules6.family.alerts.ndjson');
  assert.ok(want.split('\n').length > 20, 'the story has its alerts');
  assert.equal(run(Detector, SIX, FAMILY), want);
  const cjs = require('dynamodb-scan-detector/rules').Detector;
  assert.notEqual(cjs, Detector);
  assert.equal(run(cjs, SIX, FAMILY), want);
  // Every record passes through, each followed by its alerts.
  const d = new Detector(null, { ...EVENT, rules: SIX });
  const passthrough = d.processRecords(FAMILY, NDJSON) + d.flush(NDJSON);
  assert.equal(passthrough, expected('rules6.family.passthrough.ndjson'));
  d.free();
});

test('all 49 AWS rules on generated CloudTrail and on two weeks: the command line alerts', () => {
  assert.equal(ALL.length, 49);
  const generated = readFileSync(path.join(WORK, 'generated.ndjson'));
  assert.equal(run(Detector, ALL, generated), expected('rules49.generated.alerts.ndjson'));
  assert.equal(run(Detector, ALL, FAMILY), expected('rules49.family.alerts.ndjson'));
});

test('rules(), refusedRules(), stats() and processObserved name each rule', () => {
  const refusedText = readFileSync(path.join(ROOT, 'tests/fixtures/rules/refused/eql.toml'), 'utf8');
  const badQuery = readFileSync(path.join(ROOT, 'tests/fixtures/rules/refused/bad-query.toml'), 'utf8');
  const d = new Detector(null, { ...EVENT, rules: [...SIX, refusedText, { file: 'mine/bad-query.toml', text: badQuery }] });
  const rules = d.rules();
  assert.deepEqual(rules.map((r) => r.file), SIX.map((r) => r.file));
  const scan = rules.find((r) => r.name === 'AWS DynamoDB Scan by Unusual User');
  assert.ok(scan, JSON.stringify(rules.map((r) => r.name)));
  // As the file says (Elastic's current version of the rule looks back 10 days).
  assert.match(SIX.find((r) => r.file === scan.file)?.text ?? '', /field = "history_window_start"\nvalue = "now-10d"/);
  assert.equal(scan.history_window_start, 'now-10d');
  assert.ok(scan.query.includes('Scan'));
  const refused = d.refusedRules();
  assert.ok(refused.some((r) => r.file === 'mine/bad-query.toml' && r.reason.length > 0), JSON.stringify(refused));
  const { alerts, observed } = d.processObserved(FAMILY);
  const stats = d.stats();
  assert.equal(stats.rules_loaded, 6);
  assert.equal(stats.rules_refused, refused.length);
  assert.equal(Object.keys(stats.rules).length, 6);
  const ids = new Set(rules.map((r) => r.rule_id));
  assert.ok(observed.length >= stats.recorded);
  assert.ok(observed.every((o) => ids.has(o.rule_id)));
  for (const r of rules) {
    assert.equal(
      observed.filter((o) => o.rule_id === r.rule_id).length,
      stats.rules[r.rule_id].recorded,
      r.name,
    );
  }
  const flushed = d.flush();
  assert.equal(alerts.length + flushed.length, expected('rules6.family.alerts.ndjson').split('\n').length - 1);
  d.free();
  // strictRules: the refusal is an error naming the file.
  assert.throws(
    () => new Detector(null, { rules: [...SIX, { file: 'mine/bad-query.toml', text: badQuery }], strictRules: true }),
    (e) => e.name === 'ConfigError' && e.message.includes('mine/bad-query.toml'),
  );
  assert.throws(() => new Detector(null, { rules: [refusedText] }), (e) => e.name === 'ConfigError');
  assert.throws(() => new Detector(null, { rules: 'a.toml' }), (e) => e.name === 'OptionsError');
  // What a rule file sets cannot be given beside it.
  assert.throws(
    () => new Detector({ history_window: '3d' }, { rules: SIX }),
    (e) => e.name === 'ConfigError' && e.message.includes('history_window'),
  );
});

test('the default entry refuses rule files, naming the entry that reads them', () => {
  const { Detector: Default } = require('dynamodb-scan-detector');
  assert.throws(
    () => new Default(null, { rules: SIX }),
    (e) => e.name === 'ConfigError' && e.message.includes("'dynamodb-scan-detector/rules'"),
  );
  assert.equal(new Default().rules()[0].name, 'AWS DynamoDB Scan by Unusual User');
});

test('state moves between the command line and the package; a changed set says what it dropped', () => {
  const partB = readFileSync(path.join(WORK, 'family-b.ndjson'));
  // The command line's state after part A, restored here, goes on as the command line does.
  const d = Detector.restore(readFileSync(path.join(WORK, 'rules-state-a.bin')), null, { ...EVENT, rules: SIX });
  assert.ok(d.rules().every((r) => r.state === 'restored'));
  assert.equal(d.processBatch(partB, NDJSON) + d.flush(NDJSON), expected('rules6.family-b.after-a.ndjson'));
  d.free();
  // Part A here, its snapshot to a set without one rule and with one more.
  const a = new Detector(null, { ...EVENT, rules: SIX });
  a.processBatch(readFileSync(path.join(WORK, 'family-a.ndjson')));
  const extra = ALL.find((r) => !SIX.some((s) => s.file === r.file));
  const b = Detector.restore(a.snapshot(), null, { ...EVENT, rules: [...SIX.slice(1), extra] });
  a.free();
  const dropped = b.droppedState();
  assert.equal(dropped.length, 1, JSON.stringify(dropped));
  assert.equal(b.rules().filter((r) => r.state === 'started empty').length, 1);
  assert.equal(b.rules().filter((r) => r.state === 'restored').length, 5);
  b.free();
});

test('alert suppression on the bundled S3 sample: the command line alerts', () => {
  const rule = readFileSync(path.join(ROOT, 'tests/fixtures/suppression/scan-by-account.toml'), 'utf8');
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  const sample = path.join(ROOT, 'pipeline-examples/data');
  walk(sample);
  const order = Detector.replayOrder(files.map((f) => path.relative(sample, f)));
  const d = new Detector(null, { ...EVENT, rules: [{ file: 'scan-by-account.toml', text: rule }] });
  let text = '';
  for (const i of order) text += d.processBatch(readFileSync(files[i]), NDJSON);
  text += d.flush(NDJSON);
  const want = expected('suppression.sample.alerts.ndjson');
  assert.ok(want.includes('kibana.alert.suppression.docs_count'));
  assert.equal(text, want);
  d.free();
});

test('the rules entry\'s web build loads from its own .wasm and gives the same alerts', async () => {
  const wasm = readFileSync(require.resolve('dynamodb-scan-detector/rules/dynamodb_scan_detector_bg.wasm'));
  await rulesWeb.default({ module_or_path: wasm });
  assert.equal(run(rulesWeb.Detector, SIX, FAMILY), expected('rules6.family.alerts.ndjson'));
});
