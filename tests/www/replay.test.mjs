// The replay page against the native command line: the same files, the same
// detection-time mode ('event', reproducible), exactly the same alerts (ids, and the
// exported NDJSON byte for byte), the same counters and the same state snapshot; and
// no request leaves the page's origin.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ROOT, SAMPLE, alertIds, cli, foreignRequests, openPage, replayEnded, screenshot, stat, tableKeys,
} from './harness.mjs';

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const sampleGz = filesUnder(SAMPLE).filter((f) => f.endsWith('.json.gz')).sort();
const COMPARED_STATS = ['events_in', 'matched', 'recorded', 'alerts', 'unparseable', 'not_cloudtrail', 'late', 'evicted'];

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFileSync(await file.path());
}

test('the bundled sample uploaded as .json.gz gives exactly the command line\'s alerts, stats and state', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    await screenshot(page, '01-empty');
    // Given in reverse: the page must put them back in time order (CloudTrail's names).
    await page.setInputFiles('#file-input', [...sampleGz].reverse());
    assert.equal(await replayEnded(page), 'complete');
    await screenshot(page, '02-sample-complete');

    const dir = mkdtempSync(path.join(tmpdir(), 'www-test-'));
    const statePath = path.join(dir, 'state.bin');
    const expected = cli(['--detection-time', 'event', '--state', statePath, ...sampleGz]);
    const ids = alertIds(expected.stdout);
    assert.equal(ids.length, 7, 'the sample raises 7 alerts with the default profile');
    assert.deepEqual(await tableKeys(page, '#alerts-table'), ids, 'the table holds exactly the CLI\'s alerts, in order');
    assert.deepEqual(alertIds(cli(['--detection-time', 'event', SAMPLE]).stdout), ids, 'and the CLI on the folder agrees');
    for (const key of COMPARED_STATS) assert.equal(await stat(page, key), expected.stats[key], key);

    const exported = await download(page, '#export-alerts');
    assert.equal(exported.toString('utf8'), expected.stdout, 'the exported NDJSON is the CLI\'s output, byte for byte');
    const snapshot = await download(page, '#export-state');
    assert.deepEqual(snapshot, readFileSync(statePath), 'the exported snapshot is the CLI\'s --state file');

    const principals = await tableKeys(page, '#principals-table');
    assert.equal(principals.length, 7);
    const alerted = await page.$$eval('#principals-table .vt-row[data-key] .vt-cell:nth-child(6)', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual([...new Set(alerted)], ['yes']);
    const timeline = await page.getAttribute('#timeline-canvas', 'aria-label');
    assert.match(timeline, /307 successful scans and 7 alerts/);

    const order = await page.$$eval('#file-names li', (items) => items.map((li) => li.textContent));
    assert.deepEqual(order, sampleGz.map((f) => path.basename(f)), 'files are read in time order');
    assert.ok(session.requests.some((url) => url.endsWith('_bg.wasm')), 'the worker\'s requests are recorded too');
    assert.deepEqual(foreignRequests(session.requests, session.url), [], 'no request left the page\'s origin');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('settings come from the link fragment; the sample button replays with them (Elastic\'s current profile)', async () => {
  const session = await openPage({ colorScheme: 'dark' });
  const { page } = session;
  try {
    await page.goto(`${session.url}#profile=current&history_window=10d`);
    await page.waitForSelector('body[data-detector="ready"]');
    assert.equal(await page.inputValue('select[name="profile"]'), 'current');
    assert.equal(await page.inputValue('input[name="history_window"]'), '10d');
    await page.click('#load-sample');
    assert.equal(await replayEnded(page), 'complete');
    await screenshot(page, '03-sample-current-profile-dark');

    const expected = cli(['--detection-time', 'event', '--profile', 'current', ...sampleGz]).stdout;
    const ids = alertIds(expected);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), ids);
    assert.ok(ids.length > 0 && ids.length < 7, `the current profile is quieter on the sample (${ids.length})`);

    await page.click('#show-config');
    assert.deepEqual(JSON.parse(await page.textContent('#config-document')), { profile: 'current', history_window: '10d' });
    await page.waitForFunction(() => document.querySelector('#config-effective').textContent.startsWith('{'));
    const effective = JSON.parse(await page.textContent('#config-effective'));
    assert.deepEqual(effective.new_terms_fields, ['cloud.account.id', 'user.name']);
    await screenshot(page, '04-config-document');
    await page.keyboard.press('Escape');

    await page.fill('input[name="max_terms"]', '5');
    await page.click('#copy-link');
    await page.waitForFunction(() => document.querySelector('#link-note').textContent.includes('http'));
    const note = await page.textContent('#link-note');
    const link = new URL(note.slice(note.indexOf('http')));
    assert.equal(link.hash, '#profile=current&history_window=10d&max_terms=5', 'the link carries the settings only');
    assert.equal(new URL(page.url()).hash, link.hash, 'and so does the address bar');

    await page.fill('input[name="max_terms"]', 'lots');
    await page.waitForSelector('#config-error:not([hidden])');
    assert.match(await page.textContent('#config-error'), /max_terms/);
    await page.fill('input[name="max_terms"]', '');
    await page.fill('input[name="history_window"]', 'soon');
    await page.waitForFunction(() => /history_window/.test(document.querySelector('#config-error').textContent));
    assert.deepEqual(foreignRequests(session.requests, session.url), []);
  } finally {
    await session.close();
  }
});

test('every input shape, and a folder of real third-party logs, agree with the command line', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    const shapes = path.join(ROOT, 'tests/fixtures/shapes');
    await page.setInputFiles('#file-input', readdirSync(shapes).map((f) => path.join(shapes, f)));
    assert.equal(await replayEnded(page), 'complete');
    let order = await page.$$eval('#file-names li', (items) => items.map((li) => li.textContent));
    let expected = cli(['--detection-time', 'event', ...order.map((f) => path.join(shapes, f))]);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), alertIds(expected.stdout), 'shapes');
    for (const key of COMPARED_STATS) assert.equal(await stat(page, key), expected.stats[key], `shapes: ${key}`);

    const thirdParty = path.join(ROOT, 'tests/data/third-party');
    await page.setInputFiles('#folder-input', thirdParty);
    assert.equal(await replayEnded(page), 'complete');
    order = await page.$$eval('#file-names li', (items) => items.map((li) => li.textContent));
    assert.ok(order.length > 100, `${order.length} files taken from the folder`);
    assert.ok(!order.some((f) => f.endsWith('.md')), 'only log files are taken from a folder');
    // The folder holds Elastic's rule files too (two folders of them): they run instead of
    // the built-in rule, as the command line's --rules on the folder runs them.
    assert.ok(!order.some((f) => f.endsWith('.toml')), 'rule files are not replayed as logs');
    assert.match(await page.textContent('#rule-summary'), /^Rules: 49 rule files/);
    expected = cli(['--detection-time', 'event', '--rules', thirdParty,
      ...order.map((f) => path.join(path.dirname(thirdParty), f))]);
    assert.ok(alertIds(expected.stdout).length > 0);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), alertIds(expected.stdout), 'third-party folder');
    for (const key of COMPARED_STATS) assert.equal(await stat(page, key), expected.stats[key], `third-party: ${key}`);
    await screenshot(page, '05-third-party-folder');
    assert.deepEqual(foreignRequests(session.requests, session.url), []);
  } finally {
    await session.close();
  }
});
