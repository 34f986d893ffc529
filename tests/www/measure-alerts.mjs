// A real replay with many alerts in headless Chromium, measured (many-alerts.mjs says
// what it replays and reports). It fails if the page did not show every alert, or
// following the first alert's account did not show 1 in 100 of them; its long tasks
// are reported, not asserted (V8 decides when it collects, and a loaded machine can
// see one of its pauses over 50 ms: tests/www/details.test.mjs asserts on the page's
// own work with 400,000 alerts).
//
//   node tests/www/measure-alerts.mjs [--alerts 400000]
//
// Needs the built page (bash www/build.sh); tests/www/run.sh --measure runs it. Writes
// target/www-artifacts/measure-alerts.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS } from './harness.mjs';
import { ACCOUNTS, replayFirstScans } from './many-alerts.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--alerts');
const N = at >= 0 ? Number(args[at + 1]) : 400_000;
if (!Number.isInteger(N / ACCOUNTS) || N <= 0) {
  console.error(`measure-alerts: --alerts must be a positive multiple of ${ACCOUNTS}`);
  process.exit(2);
}

const result = await replayFirstScans(N);
mkdirSync(ARTIFACTS, { recursive: true });
writeFileSync(path.join(ARTIFACTS, 'measure-alerts.json'), `${JSON.stringify(result, null, 2)}\n`);
const tasks = (list) => (list.length ? `${list.length}, longest ${Math.max(...list)} ms` : 'none');
console.log(`Real replay of ${N.toLocaleString('en-US')} first scans (headless Chromium, this machine):`);
console.log(`  ${result.ended} in ${(result.replayMs / 1000).toFixed(1)} s, ${result.alertsCounted.toLocaleString('en-US')} alerts`);
console.log(`  long tasks on the main thread: during the replay ${tasks(result.longTasksDuringReplay)}; `
  + `opening an alert ${tasks(result.longTasksOpeningDetails)}; following its account ${tasks(result.longTasksWhileFollowing)}`);
console.log(`  an alert's details in ${result.detailsMs} ms; following its account `
  + `(${result.principalsFollowed.toLocaleString('en-US')} principals) in ${result.followMs} ms`);
console.log(`  the page's JavaScript heap: ${result.mainThreadHeapMB} MB`);
const rows = (n) => n.toLocaleString('en-US');
if (result.ended !== 'complete' || result.alertsCounted !== N || result.principalsFollowed !== N / ACCOUNTS
  || result.rows !== `${rows(N)} rows`
  || result.alertsFollowed !== `${rows(N / ACCOUNTS)} of ${rows(N)} rows match the filters`
  || result.errors.length) {
  console.error('measure-alerts: the replay did not give what it should (above)');
  process.exitCode = 1;
}
