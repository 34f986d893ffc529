// Writes deterministic synthetic CloudTrail NDJSON for the npm tests and the
// throughput measurement: DynamoDB Scans by a pool of principals (new ones, repeats
// within and beyond the 14-day history window, bursts past the 100-alerts-per-5-
// minutes cap), other DynamoDB calls, failed Scans, other services, a few S3-style
// `{"Records":[…]}` lines, an unparseable line and 64-bit integers.
//
// Usage: node generate.mjs OUT.ndjson [approximate bytes, default 4000000]
import { createWriteStream } from 'node:fs';

const [out, bytesArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: node generate.mjs OUT.ndjson [bytes]');
  process.exit(2);
}
const target = Number(bytesArg ?? 4_000_000);

// A small linear congruential generator: the same file on every machine.
let seed = 0x2545f491;
function next() {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = (items) => items[Math.floor(next() * items.length)];

const start = Date.UTC(2024, 2, 1, 0, 0, 0);
const actions = ['GetItem', 'PutItem', 'Query', 'DescribeTable', 'ListTables'];
const services = ['s3.amazonaws.com', 'sts.amazonaws.com', 'ec2.amazonaws.com'];

function record(i, t, source, name, principal, extra = {}) {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${String(i % 9973).padStart(6, '0')}:session`,
      arn: `arn:aws:sts::123456789012:assumed-role/${principal}/session`,
      accountId: '123456789012',
      sessionContext: { sessionIssuer: { type: 'Role', userName: principal } },
    },
    eventTime: new Date(t).toISOString().replace('.000Z', 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: pick(['us-east-1', 'eu-west-1']),
    sourceIPAddress: `198.51.100.${i % 250}`,
    userAgent: 'aws-cli/2.15.0 Python/3.11.6',
    requestParameters: { tableName: `table-${i % 7}`, limit: 100 },
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
    ...extra,
  };
}

const file = createWriteStream(out);
let written = 0;
let i = 0;
let t = start;
const write = (line) => {
  file.write(line + '\n');
  written += line.length + 1;
};
while (written < target) {
  i += 1;
  // Mostly steady time, with a burst every ~4000 events and a 15-day gap now and then.
  t += i % 4000 < 300 ? 50 : Math.floor(next() * 20_000);
  if (i % 25_000 === 0) t += 15 * 86_400_000;
  const roll = next();
  let line;
  if (roll < 0.35) {
    const principal = i % 4000 < 300 ? `burst-${i}` : `role-${Math.floor(next() * 400)}`;
    line = JSON.stringify(record(i, t, 'dynamodb.amazonaws.com', 'Scan', principal));
  } else if (roll < 0.55) {
    line = JSON.stringify(
      record(i, t, 'dynamodb.amazonaws.com', pick(actions), `role-${Math.floor(next() * 400)}`),
    );
  } else if (roll < 0.6) {
    const failed = record(i, t, 'dynamodb.amazonaws.com', 'Scan', `role-${i}`, {
      errorCode: 'AccessDenied',
      errorMessage: 'not authorized',
    });
    line = JSON.stringify(failed);
  } else if (roll < 0.995) {
    line = JSON.stringify(record(i, t, pick(services), 'GetObject', `role-${i % 50}`));
  } else if (roll < 0.998) {
    const a = record(i, t, 'dynamodb.amazonaws.com', 'Scan', `s3-file-${i}`);
    const b = record(i + 1, t + 1, 'dynamodb.amazonaws.com', 'Scan', `s3-file-${i}`);
    line = JSON.stringify({ Records: [a, b] });
  } else if (roll < 0.999) {
    line = '{"eventSource": "dynamodb.amazonaws.com", broken';
  } else {
    // A 64-bit integer a JavaScript number cannot hold: must survive as a BigInt.
    const big = JSON.stringify(record(i, t, 'dynamodb.amazonaws.com', 'Scan', `big-${i}`));
    line = big.replace('"limit":100', '"limit":18446744073709551615');
  }
  write(line);
}
file.end();
