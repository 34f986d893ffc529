// The worker's record of the scans (www/js/worker/observations.js) in plain Node: what
// following a principal, an account or an address finds, from `processObserved`'s
// entries, at its edges (values that are not text, ids kept apart, its bounds).
import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ORIGINS, MAX_SCAN_TIMES, Observations } from '../../www/js/worker/observations.js';

const T = Date.UTC(2024, 2, 1);
const MIN = 60_000;

/** `processObserved`'s entry for a scan by `user` at minute `m`. */
const scan = (user, m, account, address) => ({ time: T + m * MIN, terms: [[`arn:aws:iam::1:user/${user}`]], account, address });
const label = (user) => `arn:aws:iam::1:user/${user}`;
const minutes = (times) => Array.from(times, (t) => (t - T) / MIN);
/** The labels of the principals `followed` found, by their rows in `principalRows()`, sorted. */
const labelsOf = (o, followed) => {
  const rows = o.principalRows();
  return Array.from(followed.principals, (i) => rows[i][0]).sort();
};

test('following finds every scan from an account or an address, alerted or not', () => {
  const o = new Observations();
  o.scan(scan('a', 0, '111', '10.0.0.1'));
  o.scan(scan('a', 1, '222', '10.0.0.2'));
  o.scan(scan('b', 2, '111', '10.0.0.2'));
  o.scan(scan('c', 3, null, null));
  const cases = [
    [{ account: '111' }, ['a', 'b'], [0, 2]],
    [{ account: '222' }, ['a'], [1]],
    [{ address: '10.0.0.2' }, ['a', 'b'], [1, 2]],
    // Both at once: only scans from both (a scanned from each, never together).
    [{ account: '111', address: '10.0.0.2' }, ['b'], [2]],
    [{ account: '222', address: '10.0.0.1' }, [], []],
    // With a principal: its own scans only.
    [{ label: label('a'), address: '10.0.0.2' }, ['a'], [1]],
    [{ label: label('c') }, ['c'], [3]],
    // Never seen: nothing.
    [{ account: '999' }, [], []],
    // Empty: any, as the alerts table's filter reads it.
    [{ address: '' }, ['a', 'b', 'c'], [0, 1, 2, 3]],
    [{ label: '', account: '222' }, ['a'], [1]],
  ];
  for (const [filters, users, want] of cases) {
    const got = o.followed(filters);
    assert.deepEqual(labelsOf(o, got), users.map(label), JSON.stringify(filters));
    assert.deepEqual(minutes(got.times), want, JSON.stringify(filters));
  }
});

test('values are followed by the text the alerts table shows, accounts and addresses apart', () => {
  const o = new Observations();
  o.scan(scan('num', 0, 333333333333, '1.1.1.1'));
  o.scan(scan('big', 1, 12345678901234567890n, '1.1.1.1'));
  o.scan(scan('list', 2, ['x', null, 'y'], '1.1.1.1'));
  // An address spelled like an account is not that account.
  o.scan(scan('same', 3, '444', '444'));
  const cases = [
    [{ account: '333333333333' }, ['num']],
    // The table's JSON.parse reads a large integer as a double, and shows its text.
    [{ account: String(Number(12345678901234567890n)) }, ['big']],
    [{ account: 'x, y' }, ['list']],
    [{ account: '444' }, ['same']],
    [{ address: '444' }, ['same']],
    [{ account: '444', address: '1.1.1.1' }, []],
  ];
  for (const [filters, users] of cases) {
    assert.deepEqual(labelsOf(o, o.followed(filters)), users.map(label), JSON.stringify(filters));
  }
});

test('past MAX_ORIGINS new accounts and addresses are counted, not numbered, and not followed', () => {
  const o = new Observations();
  o.scan(scan('early', 0, 'known', '10.0.0.1'));
  // Fill the numbering to its bound without a million scans.
  for (let i = o.origins.size; i < MAX_ORIGINS; i += 1) o.origins.set(`filler${i}`, i);
  o.scan(scan('late', 1, 'known', '10.9.9.9'));
  o.scan(scan('late', 2, 'new', '10.0.0.1'));
  assert.equal(o.origins.size, MAX_ORIGINS);
  assert.equal(o.unnumberedScans, 2, 'two scans with a value past the bound');
  assert.deepEqual(labelsOf(o, o.followed({ account: 'known' })), [label('early'), label('late')]);
  assert.deepEqual(minutes(o.followed({ account: 'known' }).times), [0, 1]);
  assert.deepEqual(labelsOf(o, o.followed({ account: 'new' })), []);
  assert.deepEqual(labelsOf(o, o.followed({ address: '10.9.9.9' })), []);
});

test('past MAX_SCAN_TIMES a principal that scanned from both is listed, its later times not kept', () => {
  const o = new Observations();
  o.scan(scan('a', 0, '111', '10.0.0.1'));
  o.keptTimes = MAX_SCAN_TIMES; // as if four million scans were kept
  o.scan(scan('a', 1, '222', '10.0.0.2'));
  o.scan(scan('b', 2, '222', '10.0.0.1'));
  const got = o.followed({ account: '222' });
  assert.deepEqual(labelsOf(o, got), [label('a'), label('b')], 'from every account each scanned from');
  assert.deepEqual(minutes(got.times), [], 'times past the bound are not kept');
  // Account 111 and address 10.0.0.2: a's kept scans never had both, but not all of
  // them were kept, so it may have: listed.
  assert.deepEqual(labelsOf(o, o.followed({ account: '111', address: '10.0.0.2' })), [label('a')]);
  assert.equal(o.timesTruncated, true);
});
