// The package through `import`: in Node wasm-bindgen's Node ES module build (ready at
// once, `init()` a no-op; separate from the CommonJS build `require` gets); the web build (an ES module that needs `init()`)
// through the `./web` subpath, loaded from the bytes of its .wasm.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import init, { Detector, initSync } from 'dynamodb-scan-detector';
import * as web from 'dynamodb-scan-detector/web';

const require = createRequire(import.meta.url);
const { assertAllCases, cases, readInput } = require('./common.cjs');
const EVENT = { detectionTime: 'event' };

function judgeWith(DetectorClass) {
  return (bytes) => {
    const d = new DetectorClass(undefined, EVENT);
    const text = d.processBatch(bytes, { output: 'ndjson' }) + d.flush({ output: 'ndjson' });
    d.free();
    return text;
  };
}

test('import in Node gives the ES module build, ready at once', async () => {
  await init();
  initSync();
  const cjs = require('dynamodb-scan-detector').Detector;
  assert.notEqual(Detector, cjs, 'its own instance, as the README says');
  assert.equal(Detector.version(), cjs.version());
  assertAllCases(assert, 'alerts', judgeWith(Detector));
  // A snapshot taken by one build restores in the other.
  const generated = cases.find((c) => c.name === 'generated.ndjson');
  assert.ok(generated);
  const a = new Detector(undefined, EVENT);
  a.processBatch(readInput(generated.input));
  const b = cjs.restore(a.snapshot(), undefined, EVENT);
  assert.ok(a.stats().tracked_terms > 0);
  assert.equal(b.stats().tracked_terms, a.stats().tracked_terms);
  a.free();
  b.free();
});

test('import of the stream helper uses the ES module build', async () => {
  const { createDetectorStream } = await import('dynamodb-scan-detector/stream');
  const stream = createDetectorStream({ detectionTime: 'event' });
  assert.ok(stream.detector instanceof Detector, 'the stream creates an ES module build detector');
  stream.destroy();
});

test('the web build needs init() and then gives the same alerts', async () => {
  assert.notEqual(web.Detector, Detector, 'a separate build');
  assert.throws(() => new web.Detector(), 'unusable before init()');
  const wasm = readFileSync(require.resolve('dynamodb-scan-detector/dynamodb_scan_detector_bg.wasm'));
  await web.default({ module_or_path: wasm });
  await web.init(); // a second call returns the same instance
  assertAllCases(assert, 'alerts', judgeWith(web.Detector));
  assertAllCases(assert, 'passthrough', (bytes) => {
    const d = new web.Detector({}, EVENT);
    const text = d.processRecords(bytes, { output: 'ndjson' }) + d.flush({ output: 'ndjson' });
    d.free();
    return text;
  });
});
