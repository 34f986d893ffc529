// A long replay keeps the page responsive (the detector runs in a worker; the main
// thread only draws) and can be cancelled, keeping what it found so far.
// Needs WWW_LONG_INPUT: a few hundred MB of generated CloudTrail (tests/www/run.sh).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { openPage, replayEnded, screenshot, stat } from './harness.mjs';

const LONG_INPUT = process.env.WWW_LONG_INPUT;
/** The longest main-thread task allowed while the worker replays. */
const MAX_TASK_MS = 250;

test('a long replay keeps the page responsive and cancels', { skip: !LONG_INPUT && 'WWW_LONG_INPUT is not set' }, async () => {
  const size = statSync(LONG_INPUT).size;
  const session = await openPage();
  const { page } = session;
  try {
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longTasks.push(Math.round(entry.duration));
      }).observe({ type: 'longtask' });
    });
    await page.setInputFiles('#file-input', LONG_INPUT);
    await page.waitForFunction(() => document.body.dataset.replay === 'running'
      && document.querySelector('#progress').value > document.querySelector('#progress').max * 0.1);

    // The main thread answers at once and the controls work while the worker reads.
    for (let i = 0; i < 5; i += 1) {
      const started = Date.now();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      assert.ok(Date.now() - started < 500, `a frame took ${Date.now() - started} ms during the replay`);
    }
    await page.fill('#alerts-table input[aria-label="Filter Principal"]', 'user/');
    await page.fill('#alerts-table input[aria-label="Filter Principal"]', '');
    await screenshot(page, '07-long-replay-running');

    await page.click('#cancel');
    assert.equal(await replayEnded(page, 10_000), 'cancelled');
    await screenshot(page, '08-long-replay-cancelled');
    const read = await page.evaluate(() => document.querySelector('#progress').value);
    assert.ok(read > 0 && read < size, `cancelled part way (${read} of ${size} bytes)`);
    assert.match(await page.textContent('#status'), /^Cancelled/);
    const alerts = await stat(page, 'alerts');
    assert.ok(alerts > 0, 'what was found so far stays');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-alerts')]);
    const exported = readFileSync(await download.path(), 'utf8').split('\n').filter(Boolean);
    assert.equal(exported.length, await page.evaluate(() => document.querySelector('#alerts-table .vt-foot').textContent.match(/[\d,]+/)[0].replaceAll(',', '') * 1));

    const longTasks = await page.evaluate(() => window.longTasks);
    assert.ok(longTasks.every((ms) => ms <= MAX_TASK_MS), `main-thread tasks during the replay: ${longTasks.join(', ')} ms`);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
