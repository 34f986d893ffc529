// The npm package (the built target/npm/dynamodb-scan-detector) on NDJSON from stdin,
// for tests/bench/bench.py: prints the alert documents as NDJSON.
//   node npm-bench.mjs batch [--uncapped] < events.ndjson   processBatch on the whole input
//   node npm-bench.mjs stream [--uncapped] < events.ndjson  the stream helper, 64 KiB chunks
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const pkg = path.join(root, 'target/npm/dynamodb-scan-detector');
const { Detector } = require(path.join(pkg, 'node/index.cjs'));
const { createDetectorStream } = require(path.join(pkg, 'stream.cjs'));

const [mode, ...flags] = process.argv.slice(2);
const config = flags.includes('--uncapped') ? { max_signals: 4000000000 } : {};

if (mode === 'batch') {
  const detector = new Detector(config);
  const lines = detector.processBatch(fs.readFileSync(0), { detectionTime: 'event', output: 'ndjson' });
  const tail = detector.flush({ detectionTime: 'event', output: 'ndjson' });
  process.stdout.write([lines, tail].flat().filter(Boolean).map((l) => (l.endsWith('\n') ? l : l + '\n')).join(''));
} else if (mode === 'stream') {
  await pipeline(
    fs.createReadStream('/dev/stdin', { highWaterMark: 64 * 1024 }),
    createDetectorStream({ config, detectionTime: 'event', output: 'ndjson' }),
    process.stdout,
  );
} else {
  console.error('usage: npm-bench.mjs batch|stream [--uncapped] < events.ndjson');
  process.exit(2);
}
