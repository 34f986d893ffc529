// A real replay with many alerts in headless Chromium: N first scans by as many
// principals, 100 per 5-minute window, so that every scan alerts under the default cap
// (max_signals 100 per 5 minutes): N alerts of about 14 KB each, all kept by the page.
// Reports the replay's time, the alerts, the main thread's long tasks (the Long Tasks
// API) during the replay, while opening an alert and while following its account, and
// the page's JavaScript heap. Used by measure-alerts.mjs.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, replayEnded, screenshot, stat } from './harness.mjs';

/** The accounts the scans are spread over: following one follows 1 in ACCOUNTS. */
export const ACCOUNTS = 100;

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

/**
 * Replays `n` first scans (a multiple of ACCOUNTS) in the page, opens the first alert
 * and follows its account.
 * @param {number} n
 */
export async function replayFirstScans(n) {
  const work = mkdtempSync(path.join(tmpdir(), 'www-alerts-'));
  const input = path.join(work, 'first-scans.ndjson');
  const session = await openPage();
  try {
    const out = createWriteStream(input);
    for (let i = 0; i < n; i += 1) {
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
    const rows = await page.evaluate(() => document.querySelector('#alerts-table .vt-foot')?.textContent ?? '');
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
    const want = n / ACCOUNTS;
    await page.waitForFunction((count) => document.querySelector('#timeline-canvas').getAttribute('aria-label')
      ?.startsWith(`Timeline: ${count.toLocaleString('en-US')} successful scans`), want, { timeout: 120_000 });
    await page.waitForSelector('body[data-filters="applied"]', { timeout: 120_000 });
    const followMs = Date.now() - followStarted;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const whileFollowing = await page.evaluate(() => window.longTasks.splice(0));
    // What it shows, from the tables' footers ("4,000 of 400,000 rows match the filters").
    const foot = (table) => page.evaluate((t) => document.querySelector(`${t} .vt-foot`)?.textContent ?? '', table);
    const followed = Number((await foot('#principals-table')).split(' of ')[0].replace(/,/g, ''));
    const alertsFollowed = await foot('#alerts-table');
    await screenshot(page, '18-many-alerts-following-an-account');
    const heapMB = await page.evaluate(() => Math.round((performance.memory?.usedJSHeapSize ?? 0) / 1e6));
    return {
      alerts: n, ended, replayMs, alertsCounted: alerts, rows, detailsMs, followMs, principalsFollowed: followed,
      alertsFollowed, longTasksDuringReplay: duringReplay, longTasksOpeningDetails: openingDetails,
      longTasksWhileFollowing: whileFollowing, mainThreadHeapMB: heapMB,
      errors: session.errors,
    };
  } finally {
    await session.close();
    rmSync(work, { recursive: true, force: true });
  }
}
