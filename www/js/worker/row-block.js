// @ts-check
// Table rows packed by column, the form in which the worker sends them and the page
// keeps them (js/views/row-store.js). A block of a thousand rows is a few strings and
// typed arrays, not a thousand arrays of a dozen strings each: with 400,000 alerts the
// page's heap holds thousands of objects instead of millions, and the garbage
// collector's pauses on the main thread stay short (about 90 ms against 7 ms for a full
// collection of 400,000 alert rows, measured in Node 20 with --trace-gc).

/**
 * One column of a block: where its texts are in the block's `text` (they follow one
 * another from `start`; `ends` says where each ends, in UTF-16 code units, so any
 * string, lone surrogates included, comes back as it was); or its numbers; or, when
 * the column mixes kinds, its values as they are.
 * @typedef {{ start: number, ends: Uint32Array<ArrayBuffer> }
 *   | { numbers: Float64Array<ArrayBuffer> }
 *   | { values: (string | number | undefined)[] }} PackedColumn
 */

/**
 * Rows packed by column: `count` rows of `columns.length` cells (a row shorter than
 * the widest has `undefined` in the cells it lacks). All the text of all its text
 * columns is one string, `text`: past 128 KiB V8 keeps a string in its large-object
 * space, which its garbage collector marks at once and never moves.
 * @typedef {{ count: number, text: string, columns: PackedColumn[] }} RowBlock
 */

/** @typedef {ReadonlyArray<string | number>} Row */

/**
 * `rows` packed by column.
 * @param {readonly Row[]} rows
 * @returns {RowBlock}
 */
export function packRows(rows) {
  let width = 0;
  for (const row of rows) width = Math.max(width, row.length);
  /** every text cell, column after column, and their length so far */
  const texts = { parts: /** @type {string[]} */ ([]), length: 0 };
  /** @type {PackedColumn[]} */
  const columns = [];
  for (let c = 0; c < width; c += 1) columns.push(packColumn(rows, c, texts));
  // join() makes one flat string (adding strings up would make a rope of them).
  return { count: rows.length, text: texts.parts.join(''), columns };
}

/**
 * Column `c` of `rows`; its texts, if it is a text column, go on the end of `texts`.
 * @param {readonly Row[]} rows
 * @param {number} c
 * @param {{ parts: string[], length: number }} texts
 * @returns {PackedColumn}
 */
function packColumn(rows, c, texts) {
  let strings = 0;
  let numbers = 0;
  for (const row of rows) {
    const value = row[c];
    if (typeof value === 'string') strings += 1;
    else if (typeof value === 'number') numbers += 1;
  }
  if (numbers === rows.length) return { numbers: Float64Array.from(rows, (row) => Number(row[c])) };
  if (strings === rows.length) {
    const start = texts.length;
    const ends = new Uint32Array(rows.length);
    rows.forEach((row, i) => {
      const value = String(row[c]);
      texts.parts.push(value);
      texts.length += value.length;
      ends[i] = texts.length;
    });
    return { start, ends };
  }
  return { values: rows.map((row) => row[c]) };
}

/**
 * Cell `c` of row `k` of `block`.
 * @param {RowBlock} block
 * @param {number} k
 * @param {number} c
 * @returns {string | number | undefined}
 */
export function blockCell(block, k, c) {
  const column = block.columns[c];
  if (!column) return undefined;
  if ('ends' in column) return block.text.slice(k > 0 ? column.ends[k - 1] : column.start, column.ends[k]);
  if ('numbers' in column) return column.numbers[k];
  return column.values[k];
}

/**
 * Whether cell `c` of row `k` of `block` is `value`, without making the cell's string.
 * @param {RowBlock} block
 * @param {number} k
 * @param {number} c
 * @param {string | number} value
 */
export function blockCellIs(block, k, c, value) {
  const column = block.columns[c];
  if (column && 'ends' in column) {
    const start = k > 0 ? column.ends[k - 1] : column.start;
    return typeof value === 'string' && column.ends[k] - start === value.length
      && block.text.startsWith(value, start);
  }
  return blockCell(block, k, c) === value;
}

/**
 * What posting `block` can hand over rather than copy: its typed arrays' buffers.
 * @param {RowBlock} block
 * @returns {ArrayBuffer[]}
 */
export function blockBuffers(block) {
  return block.columns.flatMap((column) => {
    if ('ends' in column) return [column.ends.buffer];
    if ('numbers' in column) return [column.numbers.buffer];
    return [];
  });
}
