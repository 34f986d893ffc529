'use strict';
// Throughput of the built package on an NDJSON file (not part of the test run):
//   bash src/bindings/js/build-npm.sh && node tests/npm/generate.mjs /tmp/ct.ndjson 20000000
//   node tests/npm/throughput.cjs target/npm/dynamodb-scan-detector /tmp/ct.ndjson
// Prints the best of five runs of processBatch (bytes and string input) and of the
// stream helper, each with a fresh detector and detectionTime 'event'.
const fs = require('node:fs');
const path = require('node:path');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const [pkg, file] = process.argv.slice(2);
if (!pkg || !file) {
  console.error('usage: node throughput.cjs PACKAGE_DIR FILE.ndjson');
  process.exit(2);
}
const { Detector } = require(path.resolve(pkg, 'node/index.cjs'));
const { createDetectorStream } = require(path.resolve(pkg, 'stream.cjs'));
const bytes = fs.readFileSync(file);
const text = bytes.toString('utf8');
const lines = text.split('\n').filter(Boolean).length;

async function best(name, run) {
  let fastest = Infinity;
  let alerts = 0;
  for (let i = 0; i < 5; i += 1) {
    const started = process.hrtime.bigint();
    alerts = await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6);
  }
  const mbs = bytes.length / 1e6 / (fastest / 1000);
  const eps = lines / (fastest / 1000);
  console.log(`${name.padEnd(24)} ${fastest.toFixed(0).padStart(6)} ms  ${mbs.toFixed(1).padStart(6)} MB/s  ${(eps / 1000).toFixed(0).padStart(5)}k events/s  ${alerts} alerts`);
}

(async () => {
  console.log(`${(bytes.length / 1e6).toFixed(1)} MB, ${lines} lines, Node ${process.version}`);
  for (const [name, input] of [['processBatch(Buffer)', bytes], ['processBatch(string)', text]]) {
    await best(name, () => {
      const d = new Detector(null, { detectionTime: 'event' });
      const n = d.processBatch(input).length + d.flush().length;
      d.free();
      return n;
    });
  }
  await best('stream (64 KiB chunks)', async () => {
    const chunks = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    let n = 0;
    const stream = createDetectorStream({ detectionTime: 'event' });
    await pipeline(Readable.from(chunks), stream, new Writable({
      objectMode: true,
      write(_alert, _encoding, done) {
        n += 1;
        done();
      },
    }));
    stream.detector.free();
    return n;
  });
})();
