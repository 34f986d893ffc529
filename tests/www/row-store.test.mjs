// Table rows packed by column (www/js/worker/row-block.js) and kept in blocks
// (www/js/views/row-store.js), in plain Node: every cell comes back as it went in,
// whatever it holds and whichever block it is in; and the sorted merge the table uses
// when rows arrive while it is sorted.
import test from 'node:test';
import assert from 'node:assert/strict';
import { blockBuffers, blockCell, blockCellIs, packRows } from '../../www/js/worker/row-block.js';
import { RowStore } from '../../www/js/views/row-store.js';
import { merge, sortInSlices } from '../../www/js/views/virtual-table.js';

const TEXTS = ['', 'a', 'arn:aws:iam::123456789012:user/ünïcødé', '\ud800 lone', 'tail \udfff', '😀', 'x'.repeat(5000)];

test('every cell of a block comes back as it went in, whatever its column holds', () => {
  const rows = TEXTS.map((t, i) => [t, i, i % 2 ? 'odd' : i, `${t}|${i}`, Number.NaN]);
  rows.push(['short row']);
  const block = packRows(rows);
  assert.equal(block.count, rows.length);
  assert.equal(block.columns.length, 5, 'as wide as the widest row');
  assert.ok('ends' in block.columns[0], 'a text column');
  assert.equal(block.text, rows.map((row) => row[0]).join(''), 'its texts are the block\'s text');
  const two = packRows([['a', 1, 'bc'], ['de', 2, '']]);
  assert.equal(two.text, 'adebc', 'the text columns are one string, column after column');
  assert.deepEqual([blockCell(two, 0, 2), blockCell(two, 1, 2), blockCell(two, 1, 0)], ['bc', '', 'de']);
  assert.ok('values' in block.columns[1], 'a number column with a missing cell keeps its values');
  assert.ok('values' in block.columns[2], 'mixed kinds keep their values');
  rows.forEach((row, k) => {
    for (let c = 0; c < 5; c += 1) assert.deepEqual(blockCell(block, k, c), row[c], `row ${k}, column ${c}`);
    // A cell is its own value, and not a longer or shorter one, nor its neighbour's.
    assert.ok(blockCellIs(block, k, 0, row[0]));
    assert.ok(!blockCellIs(block, k, 0, `${row[0]}x`));
    if (row[0]) assert.ok(!blockCellIs(block, k, 0, String(row[0]).slice(1)));
    if (k + 1 < rows.length && rows[k + 1][0] !== row[0]) assert.ok(!blockCellIs(block, k, 0, rows[k + 1][0]));
    assert.equal(blockCellIs(block, k, 1, k), k < TEXTS.length);
  });
  assert.ok(!blockCellIs(block, 1, 0, 1), 'a text is not a number');
  const numbers = packRows([[1, 2.5], [Number.NaN, -0]]);
  assert.ok('numbers' in numbers.columns[0]);
  assert.ok(Number.isNaN(blockCell(numbers, 1, 0)));
  assert.equal(blockCell(numbers, 0, 1), 2.5);
  assert.equal(blockCell(numbers, 0, 9), undefined, 'past the widest column');
  assert.equal(blockBuffers(numbers).length, 2, 'a buffer per typed column');
  assert.deepEqual(packRows([]), { count: 0, text: '', columns: [] });
});

test('a block survives structured cloning, with its buffers transferred', () => {
  const rows = TEXTS.map((t, i) => [t, i]);
  const block = packRows(rows);
  const copy = structuredClone(block, { transfer: blockBuffers(block) });
  rows.forEach((row, k) => assert.deepEqual([blockCell(copy, k, 0), blockCell(copy, k, 1)], row));
});

test('a store reads any row of any block, in any order', () => {
  const store = new RowStore();
  /** @type {(string | number)[][]} */
  const all = [];
  for (const size of [3, 0, 1, 50, 7]) {
    const rows = Array.from({ length: size }, (_, j) => [`r${all.length + j}`, all.length + j]);
    store.append(packRows(rows));
    all.push(...rows);
  }
  assert.equal(store.length, all.length);
  assert.equal(store.blocks.length, 4, 'an empty block is not kept');
  const order = all.map((_, i) => i).sort((a, b) => ((a * 7919) % 61) - ((b * 7919) % 61));
  for (const i of order) {
    assert.equal(store.cell(i, 0), all[i][0]);
    assert.deepEqual(store.row(i), all[i]);
  }
  assert.deepEqual(Array.from({ length: store.length }, (_, i) => store.cell(i, 1)), all.map((r) => r[1]));
  assert.equal(store.row(-1), undefined);
  assert.equal(store.row(all.length), undefined);
});

test('merging rows into a sorted order gives what sorting them all gives', () => {
  const key = (i) => (i * 37) % 11; // many ties: broken by index
  const compare = (a, b) => key(a) - key(b) || a - b;
  for (const [n, m] of [[0, 5], [5, 0], [40, 3], [3, 40], [100, 100]]) {
    const a = Array.from({ length: n }, (_, i) => i).sort(compare);
    const b = Array.from({ length: m }, (_, i) => n + i).sort(compare);
    const all = Array.from({ length: n + m }, (_, i) => i).sort(compare);
    assert.deepEqual(merge(a, b, compare), all, `${n} + ${m}`);
  }
});

test('sorting in slices gives what one sort gives, and stops when no longer wanted', async () => {
  const n = 150_000; // many runs and merge passes, and more than one slice of time
  const keys = Array.from({ length: n }, (_, i) => `k${(i * 7919) % 5003}`); // ties
  const numbers = Array.from({ length: n }, (_, i) => (i * 104729) % 9973);
  for (const [values, numeric] of [[keys, false], [numbers, true]]) {
    for (const descending of [false, true]) {
      const sign = descending ? -1 : 1;
      const expected = values.map((_, i) => i).sort((a, b) => {
        const x = values[a];
        const y = values[b];
        if (x === y) return a - b;
        return numeric ? sign * (x - y) : sign * (x < y ? -1 : 1);
      });
      const sorted = await sortInSlices(n, (i) => values[i], numeric, descending, () => false);
      assert.deepEqual(sorted, expected, `numeric ${numeric}, descending ${descending}`);
    }
  }
  // Sizes about one run of insertion sort and a merge of an uneven tail.
  for (const m of [1, 2, 31, 32, 33, 65, 1000]) {
    const values = keys.slice(0, m);
    const expected = values.map((_, i) => i).sort((a, b) => (values[a] === values[b] ? a - b : values[a] < values[b] ? -1 : 1));
    assert.deepEqual(await sortInSlices(m, (i) => values[i], false, false, () => false), expected, `${m} rows`);
  }
  // A table's packed column (RowStore.sortKeys), compared in place, sorts as its cells
  // do: texts of every kind (empty, surrogates, a prefix of another), numbers, ties,
  // either way, read as numbers or as text; the rows past `n` are left out.
  const store = new RowStore();
  const rows = Array.from({ length: 5000 }, (_, i) => [TEXTS[(i * 31) % TEXTS.length] + ((i * 7) % 13 ? String(i % 97) : ''),
    (i * 104729) % 97 - 40.5, i % 3 ? 'text' : i]);
  for (let from = 0; from < rows.length; from += 700) store.append(packRows(rows.slice(from, from + 700)));
  for (const [column, numeric] of [[0, false], [1, true], [0, true], [1, false]]) {
    for (const descending of [false, true]) {
      for (const m of [rows.length, 1234]) {
        const keys = store.sortKeys(column, m);
        assert.ok(keys, `column ${column} is packed`);
        assert.deepEqual(await sortInSlices(m, keys, numeric, descending, () => false),
          await sortInSlices(m, (i) => store.cell(i, column), numeric, descending, () => false),
          `column ${column}, numeric ${numeric}, descending ${descending}, ${m} rows`);
      }
    }
  }
  assert.equal(store.sortKeys(2, rows.length), null, 'a mixed column is read cell by cell');
  // In a numeric column a cell that is no number (NaN, missing, text) sorts above every
  // number, so last ascending and first descending (as flipping the order shows it);
  // equal numbers ('7' and 7, -0 and 0) and the cells that are none tie by index.
  const cells = [3, Number.NaN, '7', undefined, 'x', 1, -0, 7, 0, Number.NaN, 1];
  const byNumber = [6, 8, 5, 10, 0, 2, 7, 1, 3, 4, 9];
  assert.deepEqual(await sortInSlices(cells.length, (i) => cells[i], true, false, () => false), byNumber);
  assert.deepEqual(await sortInSlices(cells.length, (i) => cells[i], true, true, () => false), [1, 3, 4, 9, 2, 7, 0, 5, 10, 6, 8]);
  const numeric = new RowStore();
  numeric.append(packRows(cells.map((c) => [Number(c)])));
  assert.ok(numeric.sortKeys(0, cells.length), 'numbers, NaN included, are packed');
  assert.deepEqual(await sortInSlices(cells.length, numeric.sortKeys(0, cells.length), true, false, () => false), byNumber);
  assert.equal(store.sortKeys(7, rows.length), null, 'so is one past the widest row');
  let asked = 0;
  const stopped = await sortInSlices(n * 4, (i) => keys[i % n], false, false, () => { asked += 1; return true; });
  assert.equal(stopped, null);
  assert.equal(asked, 1, 'it stops at its first pause');
  assert.deepEqual(await sortInSlices(0, () => 0, true, false, () => true), []);
});
