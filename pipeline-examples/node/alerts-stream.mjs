// Node.js streams: CloudTrail NDJSON in (files, or standard input), alert documents out
// as NDJSON, with backpressure end to end and the state kept in a file between runs.
//
//   npm install dynamodb-scan-detector
//   node alerts-stream.mjs [--state FILE] [FILE.ndjson ...] > alerts.ndjson
//   tail -F /var/log/cloudtrail/events.ndjson | node alerts-stream.mjs --state ddb.state
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Detector } from 'dynamodb-scan-detector';
import { createDetectorStream } from 'dynamodb-scan-detector/stream';

const args = process.argv.slice(2);
const stateAt = args.indexOf('--state');
const statePath = stateAt >= 0 ? args.splice(stateAt, 2)[1] : null;
const files = args.length > 0 ? args : ['/dev/stdin'];

// Restore what was seen before (the same bytes as the command line's --state file).
const detector = statePath && fs.existsSync(statePath)
  ? Detector.restore(fs.readFileSync(statePath))
  : new Detector();

for (const file of files) {
  await pipeline(
    fs.createReadStream(file),
    createDetectorStream({ detector, output: 'ndjson', flush: false }),
    process.stdout,
    { end: false },
  );
}
// End of input: the summary of a capped alert window, if any.
for (const line of detector.flush({ output: 'ndjson' })) process.stdout.write(line + '\n');

if (statePath) {
  fs.writeFileSync(`${statePath}.tmp`, detector.snapshot());
  fs.renameSync(`${statePath}.tmp`, statePath);
}
const s = detector.stats();
console.error(`${s.events_in} events, ${s.matched} successful Scans, ${s.alerts} alerts`);
detector.free();
