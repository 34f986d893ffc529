// A real replay with many alerts in headless Chromium, measured (not a test: its
// figures depend on the machine, and V8's garbage collector decides some of them).
// The input is N first scans by as many principals, 100 per 5-minute window, so that
// every scan alerts under the default cap (max_signals 100 per 5 minutes): N alerts of
// about 14 KB each, all kept by the page. Reports the replay's time, the alerts, the
// main thread's long tasks (the Long Tasks API) during the replay and while following
// an account, and the page's JavaScript heap.
//
//   node tests/www/measure-alerts.mjs [--alerts 400000]
//
// Needs the built page (bash www/build.sh); tests/www/run.sh --measure runs it. Writes
// target/www-artifacts/measure-alerts.json.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, openPage, replayEnded, stat, tableKeys } from './harness.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--alerts');
const N = at >= 0 ? Number(args[at + 1]) : 400_000;
const ACCOUNTS = 100;
if (!Number.isInteger(N / ACCOUNTS) || N <= 0) {
  console.error(`measure-alerts: --alerts must be a positive multiple of ${ACCOUNTS}`);
  process.exit(2);
}

/** Scan `i`: 3 s after the last, by a principal of its own, in one of ACCOUNTS accounts. */
function scan(i) {
  const account = `1111222233${String(i % ACCOUNTS).padStart(2, '0')}`;
  return JSON.stringify({
    eventVersion: '1.08', eventTime: new Date(Date.UTC(2026, 0, 1) + i * 3000).toISOString(),
    eventSource: 'dynamodb.amazonaws.com', eventName: 'Scan', awsRegion: 'us-east-1',
    sourceIPAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: 'aws-cli/2.15',
    eventID: `e-${i}`, recipientAccountId: account,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/u${i}`, userName: `u${i}`, accountId: account },
    requestParameters: { tableName: 'Orders' },
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'www-alerts-'));
const input = path.join(work, 'first-scans.ndjson');
const session = await openPage();
try {
  const out = createWriteStream(input);
  for (let i = 0; i < N; i += 1) {
    if (!out.write(`${scan(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');

  const { page } = session;
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  const started = Date.now();
  await page.setInputFiles('#file-input', input);
  const ended = await replayEnded(page, 30 * 60_000);
  const replayMs = Date.now() - started;
  const alerts = await stat(page, 'alerts');
  // The end of the replay: its last rows and principal slices, the filters applied.
  await page.waitForSelector('body[data-filters="applied"]', { timeout: 120_000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const duringReplay = await page.evaluate(() => window.longTasks.splice(0));

  // Open the first alert, then follow its account: 1 in ACCOUNTS of the alerts,
  // principals and scans.
  const detailsStarted = Date.now();
  const first = await page.evaluate(() => document.querySelector('#alerts-table .vt-row[data-key]')?.getAttribute('data-key'));
  await page.click(`#alerts-table .vt-row[data-key="${first}"]`);
  await page.waitForSelector('#alert-details[data-state="ready"]');
  const detailsMs = Date.now() - detailsStarted;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const openingDetails = await page.evaluate(() => window.longTasks.splice(0));
  const followStarted = Date.now();
  await page.click('#alert-details button[data-follow="account"]');
  await page.waitForSelector('#filters .chip[data-filter="account"]');
  const want = N / ACCOUNTS;
  await page.waitForFunction((n) => document.querySelector('#timeline-canvas').getAttribute('aria-label')
    ?.startsWith(`Timeline: ${n.toLocaleString('en-US')} successful scans`), want, { timeout: 120_000 });
  const followMs = Date.now() - followStarted;
  const followed = (await tableKeys(page, '#principals-table')).length;
  const whileFollowing = await page.evaluate(() => window.longTasks.splice(0));
  const heapMB = await page.evaluate(() => Math.round((performance.memory?.usedJSHeapSize ?? 0) / 1e6));

  const result = {
    alerts: N, ended, replayMs, alertsCounted: alerts, detailsMs, followMs, principalsFollowed: followed,
    longTasksDuringReplay: duringReplay, longTasksOpeningDetails: openingDetails,
    longTasksWhileFollowing: whileFollowing, mainThreadHeapMB: heapMB,
    errors: session.errors,
  };
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, 'measure-alerts.json'), `${JSON.stringify(result, null, 2)}\n`);
  const tasks = (list) => (list.length ? `${list.length}, longest ${Math.max(...list)} ms` : 'none');
  console.log(`Real replay of ${N.toLocaleString('en-US')} first scans (headless Chromium, this machine):`);
  console.log(`  ${ended} in ${(replayMs / 1000).toFixed(1)} s, ${alerts.toLocaleString('en-US')} alerts`);
  console.log(`  long tasks on the main thread: during the replay ${tasks(duringReplay)}; opening an alert ${tasks(openingDetails)}; `
    + `following its account ${tasks(whileFollowing)}`);
  console.log(`  an alert's details in ${detailsMs} ms; following its account (${followed.toLocaleString('en-US')} principals) in ${followMs} ms`);
  console.log(`  the page's JavaScript heap: ${heapMB} MB`);
  if (ended !== 'complete' || alerts !== N || followed !== want || session.errors.length) {
    console.error('measure-alerts: the replay did not give what it should (above)');
    process.exitCode = 1;
  }
} finally {
  await session.close();
  rmSync(work, { recursive: true, force: true });
}
