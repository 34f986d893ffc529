// What a user might write instead: the rule in plain Node.js (JSON.parse + Map).
// Reads NDJSON CloudTrail on stdin; prints one line per first-seen principal:
// `<eventID>\t<arn>`. Same semantics as the detector's defaults for raw records
// (successful Scan, new when unseen for 14 days, late events ignored), without
// the alert cap. Usage: node baseline.js < events.ndjson
'use strict';
const readline = require('node:readline');

const WINDOW = 14 * 24 * 3600 * 1000;
const lastSeen = new Map();
const out = [];
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line) return;
  let r;
  try { r = JSON.parse(line); } catch { return; }
  if (r.eventSource !== 'dynamodb.amazonaws.com' || r.eventName !== 'Scan') return;
  if (r.errorCode || r.errorMessage) return;
  const arn = r.userIdentity && r.userIdentity.arn;
  const t = Date.parse(r.eventTime);
  if (!arn || Number.isNaN(t)) return;
  const last = lastSeen.get(arn);
  if (last !== undefined && t < last) return;
  if (last === undefined || t - last > WINDOW) out.push(`${r.eventID}\t${arn}`);
  lastSeen.set(arn, t);
});
rl.on('close', () => { process.stdout.write(out.length ? out.join('\n') + '\n' : ''); });
