// A real replay raising 400,000 alerts (many-alerts.mjs), through the worker, the
// detector and the page's tables as a user runs it: every alert reaches the table, and
// no main-thread task takes over 50 ms while it replays, while an alert opens, or while
// the page follows the alert's account (4,000 of the principals, alerts and scans).
import test from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNTS, replayFirstScans } from './many-alerts.mjs';

const N = 400_000;

test(`a real replay raising ${N.toLocaleString('en-US')} alerts leaves no main-thread task over 50 ms`, async () => {
  const r = await replayFirstScans(N);
  const tasks = (list) => (list.length ? `${list.length}: ${list.join(', ')} ms` : 'none');
  console.log(`${N} alerts: replay ${(r.replayMs / 1000).toFixed(1)} s, details ${r.detailsMs} ms, following ${r.followMs} ms, `
    + `heap ${r.mainThreadHeapMB} MB; long tasks: replay ${tasks(r.longTasksDuringReplay)}, opening `
    + `${tasks(r.longTasksOpeningDetails)}, following ${tasks(r.longTasksWhileFollowing)}`);
  assert.equal(r.ended, 'complete');
  assert.equal(r.alertsCounted, N);
  assert.equal(r.rows, `${N.toLocaleString('en-US')} rows`, 'every alert is a row of the table');
  assert.equal(r.principalsFollowed, N / ACCOUNTS);
  assert.equal(r.alertsFollowed, `${(N / ACCOUNTS).toLocaleString('en-US')} of ${N.toLocaleString('en-US')} rows match the filters`);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.longTasksDuringReplay, [], 'no task over 50 ms during the replay');
  assert.deepEqual(r.longTasksOpeningDetails, [], 'none while an alert opens');
  assert.deepEqual(r.longTasksWhileFollowing, [], 'none while following its account');
});
