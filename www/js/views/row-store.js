// @ts-check
// A table's rows as the page keeps them: blocks of rows packed by column
// (js/worker/row-block.js), appended as they come. A row is read by its index, cell by
// cell; a whole row is made only when one is asked for (a click, a selection).

import { blockCell, blockCellIs } from '../worker/row-block.js';

/**
 * @import { Row, RowBlock } from '../worker/row-block.js'
 */

/**
 * A column's cells as a sort reads them in place: row i's text is
 * `texts[block[i]].slice(start[i], end[i])`, or its number is `numbers[i]`.
 * @typedef {{ texts: string[], block: Uint32Array, start: Uint32Array, end: Uint32Array }
 *   | { numbers: Float64Array }} SortKeys
 */

export class RowStore {
  constructor() {
    /** @type {RowBlock[]} */
    this.blocks = [];
    /** @type {number[]} the index of each block's first row */
    this.starts = [];
    this.length = 0;
    /** the block the last read was in (reads tend to stay in one) */
    this.last = 0;
  }

  /** @param {RowBlock} block */
  append(block) {
    if (!block.count) return;
    this.blocks.push(block);
    this.starts.push(this.length);
    this.length += block.count;
  }

  /**
   * The block row `index` is in.
   * @param {number} index
   */
  blockOf(index) {
    const { starts } = this;
    let b = this.last;
    if (b < starts.length && starts[b] <= index && (b + 1 === starts.length || index < starts[b + 1])) return b;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    b = lo;
    this.last = b;
    return b;
  }

  /**
   * Cell `column` of row `index`.
   * @param {number} index
   * @param {number} column
   */
  cell(index, column) {
    const b = this.blockOf(index);
    return blockCell(this.blocks[b], index - this.starts[b], column);
  }

  /**
   * Whether cell `column` of row `index` is `value` (a filter's test: no string made).
   * @param {number} index
   * @param {number} column
   * @param {string | number} value
   */
  cellIs(index, column, value) {
    const b = this.blockOf(index);
    return blockCellIs(this.blocks[b], index - this.starts[b], column, value);
  }

  /**
   * Column `column` of the first `n` rows as a sort reads it without making a string
   * per cell: where each text is in its block's text, or each number, when every block
   * packs the column that way; otherwise null (the sort then reads the cells).
   * @param {number} column
   * @param {number} n
   * @returns {SortKeys | null}
   */
  sortKeys(column, n) {
    const kinds = new Set(this.blocks.map((block) => {
      const packed = block.columns[column];
      return !packed ? 'missing' : 'ends' in packed ? 'texts' : 'numbers' in packed ? 'numbers' : 'values';
    }));
    if (kinds.size !== 1 || n > this.length) return null;
    if (kinds.has('numbers')) {
      const numbers = new Float64Array(n);
      this.blocks.forEach((block, b) => {
        const packed = /** @type {{ numbers: Float64Array }} */ (block.columns[column]);
        const from = this.starts[b];
        if (from < n) numbers.set(packed.numbers.subarray(0, n - from), from);
      });
      return { numbers };
    }
    if (!kinds.has('texts')) return null;
    const block = new Uint32Array(n);
    const start = new Uint32Array(n);
    const end = new Uint32Array(n);
    this.blocks.forEach((packedBlock, b) => {
      const packed = /** @type {{ start: number, ends: Uint32Array }} */ (packedBlock.columns[column]);
      const from = this.starts[b];
      if (from >= n) return;
      const count = Math.min(packedBlock.count, n - from);
      block.fill(b, from, from + count);
      start[from] = packed.start;
      start.set(packed.ends.subarray(0, count - 1), from + 1);
      end.set(packed.ends.subarray(0, count), from);
    });
    return { texts: this.blocks.map((packedBlock) => packedBlock.text), block, start, end };
  }

  /**
   * Row `index` as an array (undefined past the end).
   * @param {number} index
   * @returns {Row | undefined}
   */
  row(index) {
    if (!(index >= 0 && index < this.length)) return undefined;
    const b = this.blockOf(index);
    const block = this.blocks[b];
    const k = index - this.starts[b];
    /** @type {(string | number)[]} */
    const row = [];
    for (let c = 0; c < block.columns.length; c += 1) row.push(blockCell(block, k, c) ?? '');
    return row;
  }
}
