// The npm package's stream helper as a soak consumer for tests/soak/soak.py: NDJSON on
// stdin through createDetectorStream with the config file given, alerts discarded, and
// the detector's counters as one JSON line on stderr at the end.
//   node npm-soak.mjs CONFIG.json < events.ndjson
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { createDetectorStream } = require(path.join(root, 'target/npm/dynamodb-scan-detector/stream.cjs'));

const config = fs.readFileSync(process.argv[2], 'utf8');
const stream = createDetectorStream({ config, output: 'ndjson' });
await pipeline(
  fs.createReadStream('/dev/stdin', { highWaterMark: 256 * 1024 }),
  stream,
  new Writable({ write(_chunk, _enc, done) { done(); } }),
);
const stats = stream.detector.stats();
process.stderr.write(JSON.stringify(stats, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
