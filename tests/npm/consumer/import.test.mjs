// The package through `import`: in Node the CommonJS build behind an ES module entry
// (ready at once, `init()` a no-op); the web build (an ES module that needs `init()`)
// through the `./web` subpath, loaded from the bytes of its .wasm.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import init, { Detector, initSync } from 'dynamodb-scan-detector';
import * as web from 'dynamodb-scan-detector/web';

const require = createRequire(import.meta.url);
const { assertAllCases } = require('./common.cjs');
const EVENT = { detectionTime: 'event' };

function judgeWith(DetectorClass) {
  return (bytes) => {
    const d = new DetectorClass(undefined, EVENT);
    const text = d.processBatch(bytes, { output: 'ndjson' }) + d.flush({ output: 'ndjson' });
    d.free();
    return text;
  };
}

test('import in Node gives the CommonJS build, one module instance', async () => {
  await init();
  initSync();
  assert.equal(Detector, require('dynamodb-scan-detector').Detector);
  assertAllCases(assert, 'alerts', judgeWith(Detector));
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
