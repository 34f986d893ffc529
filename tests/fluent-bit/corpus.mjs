// The records the host-emulation tests feed the module. Every record is one line of
// bytes (newlines inside a pretty-printed JSON document are whitespace and become
// spaces), so the same records written as NDJSON are exactly what the native CLI reads.
//
// Sources: every file of tests/data/third-party (all shapes, README included as
// malformed lines), the bundled S3 sample, and a deterministic synthetic stream of our
// own built on the real IBM Scan record: many principals over a month, a burst past the
// alert cap, S3 files with several new principals, ECS and EventBridge forms, a 1 MB
// record, and malformed and deeply nested records.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { documents } from './host.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const enc = new TextEncoder();

function filesUnder(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function readMaybeGzip(p) {
  const raw = fs.readFileSync(p);
  return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
}

/** One line: CR and LF bytes become spaces. */
function oneLine(bytes) {
  const b = Uint8Array.from(bytes);
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x0d) b[i] = 0x20;
  return b;
}

/** Every document of every file under `dir`, as records (with their source). */
export function fileRecords(dir) {
  const out = [];
  for (const file of filesUnder(dir)) {
    for (const doc of documents(readMaybeGzip(file))) {
      out.push({ source: path.relative(ROOT, file), bytes: oneLine(doc) });
    }
  }
  return out;
}

/** The real successful Scan (IBM's test data) that synthetic records vary. */
export function scanTemplate() {
  const file = path.join(ROOT, 'tests/data/third-party/ibm-universal-connectors-dynamodb/DynamodbGuardiumPluginFilterTest.ndjson');
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.includes('"eventName":"Scan"'));
  return JSON.parse(line);
}

const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function scanBy(template, arn, ms, extra = {}) {
  const r = structuredClone(template);
  r.eventTime = iso(ms);
  r.eventID = `00000000-0000-4000-8000-${String(ms % 1e12).padStart(12, '0')}`;
  r.userIdentity.arn = arn;
  return Object.assign(r, extra);
}

/** A deterministic stream of our own: returns records in time order. */
export function syntheticRecords() {
  const t = scanTemplate();
  const out = [];
  const push = (source, value) =>
    out.push({ source, bytes: typeof value === 'string' ? enc.encode(value) : enc.encode(JSON.stringify(value)) });
  const start = Date.UTC(2027, 0, 1);
  const minute = 60_000;
  const day = 86_400_000;
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  // 30 days, 80 principals scanning at random: first sights, repeats, and returns after
  // more than 14 days of silence (new again).
  for (let i = 0; i < 2400; i++) {
    const ms = start + i * 18 * minute;
    const arn = `arn:aws:iam::123456789012:user/u${rand(80)}`;
    push('synthetic/month', scanBy(t, arn, ms));
    if (i % 50 === 0) push('synthetic/failed', scanBy(t, arn, ms, { errorCode: 'AccessDenied', errorMessage: 'no' }));
    if (i % 40 === 0) push('synthetic/query', scanBy(t, arn, ms, { eventName: 'Query' }));
  }
  // A burst of 150 new principals inside one 5-minute window: 100 alerts, then a cap
  // summary when the next window's first new principal arrives.
  const burst = start + 31 * day;
  for (let i = 0; i < 150; i++) push('synthetic/burst', scanBy(t, `arn:aws:iam::123456789012:role/burst-${i}`, burst + i * 1000));
  push('synthetic/after-burst', scanBy(t, 'arn:aws:iam::123456789012:user/after-burst', burst + 10 * minute));
  // S3 files holding several records, some by new principals.
  for (let f = 0; f < 20; f++) {
    const ms = burst + day + f * 5 * minute;
    const Records = [0, 1, 2].map((k) => scanBy(t, `arn:aws:iam::123456789012:user/s3-${f}-${k % 2}`, ms + k * 1000));
    Records.push(scanBy(t, 'arn:aws:iam::123456789012:user/u1', ms + 5000, { eventName: 'GetItem' }));
    push('synthetic/s3-file', { Records });
  }
  // EventBridge and ECS forms of Scans by new principals.
  for (let i = 0; i < 10; i++) {
    const ms = burst + 2 * day + i * minute;
    const detail = scanBy(t, `arn:aws:sts::123456789012:assumed-role/eb/${i}`, ms);
    push('synthetic/eventbridge', { version: '0', id: `eb-${i}`, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.dynamodb', time: iso(ms), detail });
    push('synthetic/ecs', {
      '@timestamp': new Date(ms).toISOString(),
      event: { dataset: 'aws.cloudtrail', provider: 'dynamodb.amazonaws.com', action: 'Scan', outcome: 'success', id: `ecs-${i}` },
      aws: { cloudtrail: { user_identity: { arn: `arn:aws:iam::123456789012:user/ecs-${i}` } } },
    });
  }
  // A 1 MB Scan by a new principal, and a 1 MB record that is not a Scan.
  const big = 'x'.repeat(1 << 20);
  push('synthetic/1mb-scan', scanBy(t, 'arn:aws:iam::123456789012:user/big', burst + 3 * day, { padding: big }));
  push('synthetic/1mb-other', { eventSource: 's3.amazonaws.com', eventName: 'PutObject', eventTime: iso(burst + 3 * day), padding: big });
  return out;
}

/** Records that are not what Fluent Bit normally sends; none may break the module. */
export function malformedRecords() {
  const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const deepArray = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const deepScan = (levels) => {
    const s = scanBy(scanTemplate(), 'arn:aws:iam::123456789012:user/deep', Date.UTC(2027, 5, 1));
    s.requestParameters.filter = JSON.parse(`${'{"M":'.repeat(levels)}1${'}'.repeat(levels)}`);
    return JSON.stringify(s);
  };
  const text = [
    '{"a":', '{"a":1}{"b":2}', '{"a":1} trailing', 'nope', '[1,2,3]', '42', '"string"', 'null', '{}', ' { } ',
    '{"Records":5}', '{"Records":[1,"two",{"eventName":"Scan"}]}', '{"awslogs":{"data":"!!!"}}',
    '{"a":"\\ud800"}', '{"a":"\u0000"}', '{"a":1,"a":2}', '{"dynamodb_scan_alerts":"already here"}',
    `{"unclosed":${'['.repeat(5000)}`, deepObject, deepArray, '{"n":1e400}',
  ];
  const out = text.map((s) => ({ source: 'malformed/text', bytes: enc.encode(s) }));
  // Deeper than the module's nesting limit: passed on unjudged by the module, judged by
  // the native CLI's raw-record fast path, so kept out of the comparison with it.
  out.push({ source: 'malformed/deep-scan', bytes: enc.encode(deepScan(200)) });
  out.push({ source: 'malformed/invalid-utf8', bytes: Uint8Array.from([...enc.encode('{"a":"'), 0xff, 0xfe, ...enc.encode('"}')]) });
  out.push({ source: 'malformed/invalid-utf8-scan', bytes: Uint8Array.from([...enc.encode(deepScan(1).slice(0, -1)), ...enc.encode(',"z":"'), 0xc3, ...enc.encode('"}')]) });
  out.push({ source: 'malformed/lone-continuation', bytes: Uint8Array.from([0x80, 0x81]) });
  return out;
}

/** Write records as NDJSON (one record per line) for the CLI. */
export function writeNdjson(file, records) {
  const fd = fs.openSync(file, 'w');
  for (const r of records) {
    fs.writeSync(fd, r.bytes);
    fs.writeSync(fd, '\n');
  }
  fs.closeSync(fd);
}
