// Keyboard only: every control is reached with Tab, the bundled sample is replayed with
// Enter, and the tables and the timeline take the focus (arrow keys scroll and move).
import test from 'node:test';
import assert from 'node:assert/strict';
import { openPage, replayEnded, screenshot } from './harness.mjs';

/** Press Tab until `done(name)` or `limit` presses; the names of what took the focus. */
async function tabUntil(page, done = () => false, limit = 80) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement;
      return el.id || el.getAttribute('aria-label') || el.getAttribute('name') || el.textContent.trim().slice(0, 40);
    });
    seen.push(name);
    if (done(name)) break;
  }
  return seen;
}

test('the page works from the keyboard', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    const before = await tabUntil(page, (name) => name === 'load-sample');
    assert.deepEqual(before.slice(0, 3), ['pick-files', 'pick-folder', 'load-sample']);
    await page.keyboard.press('Enter');
    assert.equal(await replayEnded(page), 'complete');

    const after = await tabUntil(page);
    for (const control of ['profile', 'history_window', 'learning_period', 'max_terms', 'alert_time', 'show-config',
      'copy-link', 'export-alerts', 'export-state', 'timeline-canvas', 'Filter Principal',
      'Alerts: rows (scroll with the arrow keys)', 'Principals that scanned: rows (scroll with the arrow keys)']) {
      assert.ok(after.includes(control), `${control} is reached with Tab (got ${after.join(' | ')})`);
    }
    await page.focus('#timeline-canvas');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.isVisible('#timeline-tip'), true, 'the arrow keys read the timeline');
    assert.match(await page.textContent('#timeline-tip'), /successful scans/);
    await page.focus('#show-config');
    await page.keyboard.press('Enter');
    assert.equal(await page.isVisible('#config-dialog'), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#config-dialog'), false);
    await screenshot(page, '10-keyboard');
  } finally {
    await session.close();
  }
});
