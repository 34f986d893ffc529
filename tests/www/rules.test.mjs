// Elastic's rule files in the replay page: given beside the logs, they run instead of
// the built-in rule (through the npm package's `rules` entry, loaded only then), with
// exactly the command line's `--rules` alerts; a refused file is a warning; the rule
// column and the rule filter (in the URL fragment, and from the alert details) narrow
// both tables; "Use the built-in rule" goes back to it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, alertIds, cli, openPage, replayEnded, screenshot, stat, tableKeys } from './harness.mjs';

const RULES = path.join(ROOT, 'tests/data/third-party/elastic-detection-rules');
const SIX = readdirSync(RULES).filter((f) => f.endsWith('.toml')).sort().map((f) => path.join(RULES, f));
const REFUSED = path.join(ROOT, 'tests/fixtures/rules/refused/bad-query.toml');
const FAMILY = path.join(ROOT, 'tests/fixtures/aws-family.ndjson');
const SCAN_RULE = 'AWS DynamoDB Scan by Unusual User';

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFileSync(await file.path());
}

/** The texts of column `n` (1-based) of the rendered rows of a table. */
function column(page, host, n) {
  return page.$$eval(`${host} .vt-row[data-key] .vt-cell:nth-child(${n})`, (cells) => cells.map((c) => c.textContent));
}

test('six of Elastic\'s rule files beside two weeks of logs: the command line\'s --rules alerts', async () => {
  assert.equal(SIX.length, 6);
  const expected = cli(['--detection-time', 'event', '--rules', RULES, FAMILY]);
  const ids = alertIds(expected.stdout);
  assert.ok(ids.length >= 20, `${ids.length} alerts`);
  const session = await openPage();
  const { page } = session;
  try {
    await page.setInputFiles('#file-input', [...SIX, REFUSED, FAMILY]);
    assert.equal(await replayEnded(page), 'complete');
    await screenshot(page, '30-rules-complete');
    assert.match(await page.textContent('#rule-summary'), /^Rules: 7 rule files/);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), ids, 'the CLI\'s alerts, in order');
    assert.equal((await download(page, '#export-alerts')).toString('utf8'), expected.stdout, 'byte for byte');
    for (const key of ['events_in', 'matched', 'recorded', 'alerts']) {
      assert.equal(await stat(page, key), expected.stats[key], key);
    }
    assert.match(await page.textContent('#warnings'), /bad-query\.toml: refused/);
    const names = new Set(expected.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)['kibana.alert.rule.name']));
    assert.equal(names.size, 6, 'every rule alerts on its story');
    for (const name of await column(page, '#alerts-table', 9)) assert.ok(names.has(name), name);

    // Follow the first alert's rule from its details: only its alerts and its principals.
    const all = expected.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const rule = all[0]['kibana.alert.rule.name'];
    const ruleIds = all.filter((a) => a['kibana.alert.rule.name'] === rule).map((a) => a['kibana.alert.uuid']);
    await page.evaluate(() => { document.querySelector('#alerts-table .vt-body').scrollTop = 0; });
    await page.click(`#alerts-table .vt-row[data-key="${ids[0]}"]`);
    await page.waitForSelector('#alert-details[data-state="ready"]');
    await page.evaluate(() => { delete document.body.dataset.filters; });
    await page.click('#alert-details button[data-follow="rule"]');
    await page.waitForSelector('body[data-filters="applied"]');
    assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('rule'), rule);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), ruleIds);
    const principalRules = await column(page, '#principals-table', 7);
    assert.ok(principalRules.length > 0);
    assert.deepEqual([...new Set(principalRules)], [rule]);
    await screenshot(page, '31-rules-follow-rule');

    // Back to the built-in rule: the same logs again, the built-in rule's alerts.
    await page.click('#clear-rules');
    assert.equal(await page.isHidden('#rule-files'), true);
    await page.evaluate(() => { document.body.dataset.replay = 'idle'; });
    await page.click('#rerun');
    assert.equal(await replayEnded(page), 'complete');
    assert.deepEqual(await tableKeys(page, '#alerts-table'),
      alertIds(cli(['--detection-time', 'event', FAMILY]).stdout));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the rule filter rides in the fragment; rule files alone wait for logs', async () => {
  const session = await openPage();
  const { page, url } = session;
  try {
    await page.goto(`${url}#rule=${encodeURIComponent(SCAN_RULE)}`);
    await page.waitForSelector('body[data-detector="ready"]');
    await page.setInputFiles('#file-input', SIX);
    await page.waitForFunction(() => /rule files loaded: now give the logs/.test(document.querySelector('#status')?.textContent ?? ''));
    await page.setInputFiles('#file-input', FAMILY);
    assert.equal(await replayEnded(page), 'complete');
    await page.waitForSelector('body[data-filters="applied"]');
    const expected = cli(['--detection-time', 'event', '--rules', RULES, FAMILY]).stdout.split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).filter((a) => a['kibana.alert.rule.name'] === SCAN_RULE);
    assert.deepEqual(await tableKeys(page, '#alerts-table'), expected.map((a) => a['kibana.alert.uuid']));
    assert.match(await page.textContent('#filters'), /Rule: AWS DynamoDB Scan by Unusual User/);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
