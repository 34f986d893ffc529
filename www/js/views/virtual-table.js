// @ts-check
// A sortable, filterable table that stays fast with hundreds of thousands of rows: only
// the rows in view are in the DOM (a small pool of row elements is reused as the body
// scrolls), sorting and filtering work on an index array, and every value is written
// with textContent, never parsed as HTML. Rows are kept packed by column (a RowStore of
// blocks, js/views/row-store.js) and read cell by cell, so that 400,000 of them are a
// few thousand objects for the garbage collector, not millions.
//
// Browsers cap an element's height (Chromium near 2^25 px), so past MAX_HEIGHT the
// scrollbar maps onto row positions proportionally instead of pixel for pixel.
//
// One row can be selected (aria-selected): a click selects and activates it; with the
// body focused, ArrowUp/ArrowDown move the selection and Enter activates it
// (`onActivate`). Besides the per-column filters, the page may set a predicate
// (`setPredicate`: its filter chips, the timeline's brush).

import { el } from './dom.js';
import { RowStore } from './row-store.js';
import { ROWS_PER_LOOK, TimeSlices } from './time-slices.js';
import { packRows } from '../worker/row-block.js';

/**
 * One column: its header, its width (a CSS grid track), how its cells look, and
 * whether it sorts as numbers.
 * @typedef {object} Column
 * @property {string} label
 * @property {string} width
 * @property {'text' | 'mono' | 'num' | 'flag'} [kind]
 * @property {boolean} [numeric]
 */

/**
 * @import { Row, RowBlock } from '../worker/row-block.js'
 * @import { SortKeys } from './row-store.js'
 */

/**
 * The page's own filter of rows: whether row `index` of `rows` passes.
 * @typedef {(rows: RowStore, index: number) => boolean} RowPredicate
 */

/**
 * @typedef {object} TableOptions
 * @property {Column[]} columns
 * @property {string} label         the table's accessible name
 * @property {number} [keyColumn]   the column whose value each rendered row carries as data-key
 * @property {number} [rowHeight]   in pixels
 * @property {string} [emptyText]   shown while there are no rows
 */

/** @typedef {{ column: number, descending: boolean }} Sort */

/**
 * A row element of the pool, its cells, and the index (into the rows) of what it shows.
 * @typedef {{ element: HTMLElement, cells: HTMLElement[], index: number }} PooledRow
 */

const MAX_HEIGHT = 8_000_000;
const OVERSCAN = 3;
const FILTER_DELAY_MS = 120;
/** A sort sorts runs of this many rows by insertion, then merges them. */
const INSERTION_RUN = 32;

export class VirtualTable {
  /**
   * @param {HTMLElement} host   the element the table replaces the children of
   * @param {TableOptions} options
   */
  constructor(host, { columns, label, keyColumn = -1, rowHeight = 28, emptyText = 'Nothing yet.' }) {
    this.columns = columns;
    this.keyColumn = keyColumn;
    this.rowHeight = rowHeight;
    this.emptyText = emptyText;
    this.rows = new RowStore();
    /** @type {number[]} indices into `rows`: those that pass the filters, in order */
    this.view = [];
    /**
     * @type {number[] | null} every index into `rows` in the sort's order (null unsorted),
     * so that filtering a sorted table keeps its order in one pass instead of sorting again
     */
    this.order = null;
    /** @type {Sort | null} the order `order` is in */
    this.sort = null;
    /** @type {{ sort: Sort } | null} a sort under way (its order replaces `order` when done) */
    this.sorting = null;
    this.filters = columns.map(() => '');
    /** @type {PooledRow[]} */
    this.pool = [];
    this.frame = 0;
    /** the selected row (an index into `rows`), or -1 */
    this.selected = -1;
    /** @type {RowPredicate | null} the page's own filter, besides the columns' */
    this.predicate = null;
    /** @type {(row: Row) => void} */
    this.activate = () => {};
    /** @type {(row: Row) => void} */
    this.selectedByKey = () => {};
    /** bumps with every filtering pass: a newer one makes an older one stop */
    this.filtering = 0;
    /** the filtering pass under way (0: none) */
    this.running = 0;
    /** @type {RowBlock[] | null} rows added while a sliced pass runs, added after it */
    this.deferred = null;
    const parts = this.build(host, label);
    this.root = parts.root;
    this.headers = parts.headers;
    this.body = parts.body;
    this.spacer = parts.spacer;
    this.window = parts.window;
    this.empty = parts.empty;
    this.foot = parts.foot;
  }

  /**
   * The table's elements, in `host`.
   * @param {HTMLElement} host
   * @param {string} label
   */
  build(host, label) {
    const root = el('div', 'vt');
    root.setAttribute('role', 'table');
    root.setAttribute('aria-label', label);
    root.style.setProperty('--vt-columns', this.columns.map((c) => c.width).join(' '));
    root.style.setProperty('--vt-row-height', `${this.rowHeight}px`);

    const head = el('div', 'vt-head');
    head.setAttribute('role', 'rowgroup');
    const headRow = el('div', 'vt-row');
    headRow.setAttribute('role', 'row');
    headRow.setAttribute('aria-rowindex', '1');
    const headers = this.columns.map((column, index) => {
      const cell = el('div', 'vt-cell');
      cell.setAttribute('role', 'columnheader');
      cell.setAttribute('aria-sort', 'none');
      const button = el('button');
      button.type = 'button';
      button.textContent = column.label;
      button.addEventListener('click', () => this.toggleSort(index));
      const filter = el('input');
      filter.type = 'search';
      filter.placeholder = 'filter';
      filter.setAttribute('aria-label', `Filter ${column.label}`);
      let timer = 0;
      filter.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.setFilter(index, filter.value), FILTER_DELAY_MS);
      });
      cell.append(button, filter);
      headRow.append(cell);
      return cell;
    });
    head.append(headRow);

    const body = el('div', 'vt-body');
    body.setAttribute('role', 'rowgroup');
    body.tabIndex = 0;
    body.setAttribute('aria-label', `${label}: rows (scroll with the arrow keys)`);
    const spacer = el('div', 'vt-spacer');
    const rowWindow = el('div', 'vt-window');
    const empty = el('div', 'vt-empty');
    spacer.append(rowWindow);
    body.append(spacer, empty);
    body.addEventListener('scroll', () => this.schedule(), { passive: true });
    body.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target.closest('.vt-row') : null;
      const pooled = this.pool.find((p) => p.element === target);
      if (!pooled || pooled.index < 0) return;
      const { index } = pooled;
      this.select(index);
      this.activateIndex(index);
    });
    body.addEventListener('keydown', (event) => this.key(event));
    new ResizeObserver(() => this.schedule()).observe(body);

    const foot = el('div', 'vt-foot');
    foot.setAttribute('aria-live', 'polite');
    root.append(head, body, foot);
    host.replaceChildren(root);
    this.schedule();
    return { root, headers, body, spacer, window: rowWindow, empty, foot };
  }

  /** Drop every row (a new replay); the sort stays for the rows to come. */
  clear() {
    // A sort under way was of the old rows: the new ones take its order.
    if (this.sorting) this.sort = this.sorting.sort;
    this.sorting = null;
    // Rows held back by a pass under way were the old rows too.
    this.deferred = null;
    this.rows = new RowStore();
    this.selected = -1;
    this.order = this.sort ? [] : null;
    for (const row of this.pool) row.index = -1;
    this.refilter();
  }

  /**
   * Add rows at the end (they take their place in the current sort and filter).
   * @param {readonly Row[]} rows
   */
  appendRows(rows) {
    if (rows.length) this.appendBlock(packRows(rows));
  }

  /**
   * Add a block of rows at the end (they take their place in the current sort and
   * filter).
   * @param {RowBlock} block
   */
  appendBlock(block) {
    if (!block.count) return;
    if (this.deferred) {
      this.deferred.push(block);
      return;
    }
    const start = this.rows.length;
    this.rows.append(block);
    /** @type {number[]} */
    const all = [];
    for (let i = start; i < this.rows.length; i += 1) all.push(i);
    if (this.sort && this.order) {
      const compare = this.comparator(this.sort);
      all.sort(compare);
      this.order = merge(this.order, all, compare);
      this.view = merge(this.view, all.filter((i) => this.passes(i)), compare);
    } else {
      for (const i of all) if (this.passes(i)) this.view.push(i);
    }
    this.schedule();
  }

  get total() {
    return this.rows.length;
  }

  /**
   * Row `index` (into the rows) as an array, or undefined past the end.
   * @param {number} index
   */
  row(index) {
    return this.rows.row(index);
  }

  /** @param {number} index */
  activateIndex(index) {
    const row = this.rows.row(index);
    if (row) this.activate(row);
  }

  /**
   * Called with the row a click or Enter activates.
   * @param {(row: Row) => void} callback
   */
  onActivate(callback) {
    this.activate = callback;
  }

  /**
   * Called with the row the arrow keys select.
   * @param {(row: Row) => void} callback
   */
  onSelect(callback) {
    this.selectedByKey = callback;
  }

  /**
   * Select row `index` (into the rows; -1 for none) and scroll it into view.
   * @param {number} index
   */
  select(index) {
    this.selected = index;
    const position = this.view.indexOf(index);
    if (position >= 0) {
      const top = position * this.rowHeight;
      const body = this.body;
      if (this.view.length * this.rowHeight <= MAX_HEIGHT) {
        if (top < body.scrollTop) body.scrollTop = top;
        else if (top + this.rowHeight > body.scrollTop + body.clientHeight) {
          body.scrollTop = top + this.rowHeight - body.clientHeight;
        }
      } else {
        body.scrollTop = (position / Math.max(1, this.view.length)) * (MAX_HEIGHT - body.clientHeight);
      }
    }
    // The selection mark moves: only the two rows it leaves and reaches change.
    for (const { element, index: shown } of this.pool) {
      const selected = String(shown >= 0 && shown === index);
      if (element.getAttribute('aria-selected') !== selected) element.setAttribute('aria-selected', selected);
    }
    this.schedule();
  }

  /**
   * The row `step` places from row `index` in the order shown (sorted, filtered), or
   * undefined past either end or if `index` is not shown.
   * @param {number} index
   * @param {number} step
   */
  neighbour(index, step) {
    const position = this.view.indexOf(index);
    if (position < 0) return undefined;
    const next = this.view[position + step];
    const row = next === undefined ? undefined : this.rows.row(next);
    return next === undefined || !row ? undefined : { index: next, row };
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.key === 'Enter' && this.selected >= 0 && this.view.includes(this.selected)) {
      event.preventDefault();
      this.activateIndex(this.selected);
      return;
    }
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (!step || !this.view.length) return;
    event.preventDefault();
    const position = this.view.indexOf(this.selected);
    let next;
    if (position < 0) {
      // Nothing selected (or filtered away): start from the first row in view.
      next = Math.min(this.view.length - 1, Math.floor(this.body.scrollTop / this.rowHeight));
      if (this.view.length * this.rowHeight > MAX_HEIGHT) next = this.pool.find((p) => p.index >= 0)?.index ?? 0;
      else next = this.view[next];
    } else {
      next = this.view[Math.max(0, Math.min(this.view.length - 1, position + step))];
    }
    this.select(next);
    const row = this.rows.row(next);
    if (row) this.selectedByKey(row);
  }

  /**
   * The page's own filter (chips, a time range), with the columns' filters; null for none.
   * Resolves when the rows shown are the filtered ones.
   * @param {RowPredicate | null} predicate
   */
  setPredicate(predicate) {
    this.predicate = predicate;
    return this.refilter();
  }

  get shown() {
    return this.view.length;
  }

  /**
   * Sort by `column`, or, if the table is sorted by it, flip the order. Resolves when
   * the rows shown are in the new order. A sort of many rows runs in time slices
   * (time-slices.js) with a task between them (the rows shown keep the old order
   * meanwhile, and rows added meanwhile take their place after it); a newer sort makes
   * an older one stop.
   * @param {number} column
   */
  async toggleSort(column) {
    const current = this.sorting?.sort ?? this.sort;
    const descending = current?.column === column && !current.descending;
    const sort = { column, descending };
    this.headers.forEach((cell, i) => {
      cell.setAttribute('aria-sort', i !== column ? 'none' : descending ? 'descending' : 'ascending');
    });
    // The same column again, ascending to descending, only flips the order: no need to
    // sort again. New arrays: a filter pass under way reads the old order, so it starts
    // again on the new one.
    if (descending && !this.sorting && this.sort?.column === column && this.order) {
      this.sort = sort;
      this.order = this.order.slice().reverse();
      this.view = this.view.slice().reverse();
      this.body.scrollTop = 0;
      this.schedule();
      if (this.running) await this.refilter();
      return;
    }
    const ticket = { sort };
    this.sorting = ticket;
    const rows = this.rows;
    const n = rows.length;
    const order = await sortInSlices(n, rows.sortKeys(column, n) ?? ((i) => rows.cell(i, column)),
      this.columns[column].numeric, descending, () => this.sorting !== ticket);
    if (!order || this.sorting !== ticket) return;
    this.sorting = null;
    // The rows added while it sorted, in their places.
    const compare = this.comparator(sort);
    /** @type {number[]} */
    const added = [];
    for (let i = n; i < rows.length; i += 1) added.push(i);
    this.sort = sort;
    this.order = merge(order, added.sort(compare), compare);
    await this.refilter();
  }

  /**
   * Filter column `column` by `text` (case-insensitive); resolves when applied.
   * @param {number} column @param {string} text
   */
  setFilter(column, text) {
    this.filters[column] = text.trim().toLowerCase();
    return this.refilter();
  }

  /**
   * The rows that pass the filters, in order: at once for a small table, otherwise in
   * time slices (time-slices.js) with a task between them (rows added meanwhile wait and
   * are added after it); a newer pass makes an older one stop. Resolves when done.
   */
  async refilter() {
    const pass = ++this.filtering;
    const order = this.order;
    const n = this.rows.length;
    /** @type {number[]} */
    const view = [];
    if (n > ROWS_PER_LOOK) this.deferred ??= [];
    this.running = pass;
    const slices = new TimeSlices();
    for (let k = 0; k < n; k += 1) {
      if (slices.dueAt(k)) {
        await slices.next();
        if (pass !== this.filtering) return;
      }
      const i = order ? order[k] : k;
      if (this.passes(i)) view.push(i);
    }
    this.running = 0;
    this.view = view;
    this.body.scrollTop = 0;
    this.schedule();
    const deferred = this.deferred;
    this.deferred = null;
    for (const block of deferred ?? []) this.appendBlock(block);
  }

  /**
   * Whether row `index` passes the page's filter and the columns'.
   * @param {number} index
   */
  passes(index) {
    if (this.predicate && !this.predicate(this.rows, index)) return false;
    for (let c = 0; c < this.filters.length; c += 1) {
      const f = this.filters[c];
      if (f && !String(this.rows.cell(index, c)).toLowerCase().includes(f)) return false;
    }
    return true;
  }

  /**
   * Compares two indices into the rows by their cells, in `sort`'s order (ties by
   * index), reading the cells as it goes.
   * @param {Sort} sort
   * @returns {(a: number, b: number) => number}
   */
  comparator({ column, descending }) {
    const rows = this.rows;
    const numeric = this.columns[column].numeric;
    const sign = descending ? -1 : 1;
    return (a, b) => compareValues(rows.cell(a, column), rows.cell(b, column), a, b, numeric, sign);
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  render() {
    const n = this.view.length;
    const rh = this.rowHeight;
    const full = n * rh;
    const height = Math.min(full, MAX_HEIGHT);
    this.spacer.style.height = `${height}px`;
    const viewport = this.body.clientHeight || 400; // after the spacer: the body grows with it
    const visible = Math.ceil(viewport / rh) + 1;
    const top = this.body.scrollTop;
    let first;
    let offset;
    if (full <= MAX_HEIGHT) {
      first = Math.max(0, Math.floor(top / rh) - OVERSCAN);
      offset = first * rh;
    } else {
      const scrollable = Math.max(1, height - viewport);
      first = Math.round(Math.min(1, top / scrollable) * Math.max(0, n - visible + 1));
      offset = top;
    }
    this.window.style.transform = `translateY(${Math.max(0, offset)}px)`;
    const count = Math.min(n - first, visible + 2 * OVERSCAN);
    this.ensurePool(Math.max(0, count));
    for (let i = 0; i < this.pool.length; i += 1) this.fill(this.pool[i], first + i);
    this.empty.hidden = n > 0;
    this.empty.textContent = this.rows.length ? 'No row matches the filters.' : this.emptyText;
    this.root.setAttribute('aria-rowcount', String(n + 1));
    this.foot.textContent = n === this.rows.length
      ? `${n.toLocaleString('en-US')} rows`
      : `${n.toLocaleString('en-US')} of ${this.rows.length.toLocaleString('en-US')} rows match the filters`;
  }

  /** @param {number} size */
  ensurePool(size) {
    while (this.pool.length < size) {
      const element = el('div', 'vt-row');
      element.setAttribute('role', 'row');
      const cells = this.columns.map((column) => {
        const cell = el('div', `vt-cell ${column.kind ?? ''}`);
        cell.setAttribute('role', 'cell');
        element.append(cell);
        return cell;
      });
      this.window.append(element);
      this.pool.push({ element, cells, index: -1 });
    }
    while (this.pool.length > size) this.pool.pop()?.element.remove();
  }

  /**
   * Show the row at `position` of the view in `pooled` (unless it already does).
   * @param {PooledRow} pooled
   * @param {number} position
   */
  fill(pooled, position) {
    const index = this.view[position];
    const { element, cells } = pooled;
    element.setAttribute('aria-rowindex', String(position + 2));
    if (pooled.index === index) return;
    pooled.index = index;
    if (this.keyColumn >= 0) element.dataset.key = String(this.rows.cell(index, this.keyColumn) ?? '');
    element.setAttribute('aria-selected', String(index === this.selected));
    for (let c = 0; c < cells.length; c += 1) {
      const text = String(this.rows.cell(index, c) ?? '');
      cells[c].textContent = text;
      cells[c].title = text;
    }
  }
}

/**
 * The indices 0..n-1 in the order of their keys, ties by index: a merge sort, bottom up
 * from runs of INSERTION_RUN indices sorted by insertion, that looks at the clock every
 * ROWS_PER_LOOK indices and pauses for a task whenever a time slice is used up. Nothing
 * runs long between two looks, not even while the comparison is still unoptimised, as
 * an engine's own sort of a run would. Null if `stale()` says, at a pause, that it is
 * no longer wanted.
 *
 * The keys are a table's packed column (RowStore.sortKeys), compared where they are,
 * or `key(i)`, read once each. Packed, 400,000 rows make no string each: the garbage
 * collector then has no 400,000 young strings to copy while the sort holds them.
 * @param {number} n
 * @param {SortKeys | ((index: number) => string | number | undefined)} keys
 * @param {boolean | undefined} numeric
 * @param {boolean} descending
 * @param {() => boolean} stale
 * @returns {Promise<number[] | null>}
 */
export async function sortInSlices(n, keys, numeric, descending, stale) {
  const slices = new TimeSlices();
  /** Whether to go on: after a task if the slice's time is up. */
  const goOn = async () => {
    if (!slices.due) return true;
    await slices.next();
    return !stale();
  };
  let looked = 0;
  /**
   * `rows` more handled: whether ROWS_PER_LOOK have been since the clock was last read.
   * @param {number} rows
   */
  const lookNow = (rows) => {
    looked += rows;
    if (looked < ROWS_PER_LOOK) return false;
    looked = 0;
    return true;
  };
  const sign = descending ? -1 : 1;
  /** @type {(a: number, b: number) => number} */
  let compare;
  if (typeof keys !== 'function' && 'texts' in keys && !numeric) {
    compare = compareTexts(keys, sign);
  } else if (typeof keys !== 'function' && 'numbers' in keys && numeric) {
    const { numbers } = keys;
    compare = (a, b) => compareNumbers(numbers[a], numbers[b], a, b, sign);
  } else {
    const key = typeof keys === 'function' ? keys : packedKey(keys);
    /** @type {(string | number | undefined)[]} */
    const values = new Array(n);
    for (let i = 0; i < n; i += 1) {
      values[i] = key(i);
      if (slices.dueAt(i) && !(await goOn())) return null;
    }
    compare = (a, b) => compareValues(values[a], values[b], a, b, numeric, sign);
  }
  /** @type {number[]} */
  let a = new Array(n);
  for (let i = 0; i < n; i += 1) a[i] = i;
  for (let lo = 0; lo < n; lo += INSERTION_RUN) {
    const hi = Math.min(lo + INSERTION_RUN, n);
    for (let i = lo + 1; i < hi; i += 1) {
      const x = a[i];
      let j = i;
      while (j > lo && compare(a[j - 1], x) > 0) {
        a[j] = a[j - 1];
        j -= 1;
      }
      a[j] = x;
    }
    if (lookNow(hi - lo) && !(await goOn())) return null;
  }
  /** @type {number[]} */
  let b = new Array(n);
  for (let width = INSERTION_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (k < hi) {
        // Up to the next look at the clock, counted across pairs of runs.
        const stop = Math.min(hi, k + ROWS_PER_LOOK - looked);
        const from = k;
        while (k < stop) b[k++] = i < mid && (j >= hi || compare(a[i], a[j]) <= 0) ? a[i++] : a[j++];
        if (lookNow(k - from) && !(await goOn())) return null;
      }
    }
    [a, b] = [b, a];
  }
  return a;
}

/**
 * Compares two rows by their packed texts, UTF-16 unit by unit as `<` compares strings,
 * times `sign`; ties by index.
 * @param {{ texts: string[], block: Uint32Array, start: Uint32Array, end: Uint32Array }} keys
 * @param {number} sign
 * @returns {(a: number, b: number) => number}
 */
function compareTexts({ texts, block, start, end }, sign) {
  return (a, b) => {
    const x = texts[block[a]];
    const y = texts[block[b]];
    let i = start[a];
    let j = start[b];
    const stopA = end[a];
    const stopB = end[b];
    for (; i < stopA && j < stopB; i += 1, j += 1) {
      const d = x.charCodeAt(i) - y.charCodeAt(j);
      if (d !== 0) return sign * d;
    }
    const d = (stopA - start[a]) - (stopB - start[b]);
    return d === 0 ? a - b : sign * d;
  };
}

/**
 * Row i's cell from packed keys (for a column sorted the other way: numbers as text,
 * or texts as numbers).
 * @param {SortKeys} keys
 * @returns {(index: number) => string | number}
 */
function packedKey(keys) {
  if ('numbers' in keys) return (i) => keys.numbers[i];
  return (i) => keys.texts[keys.block[i]].slice(keys.start[i], keys.end[i]);
}

/**
 * The order of rows `a` and `b`, whose cells are `x` and `y`: by value (as numbers or
 * as text), times `sign`; ties by index.
 * @param {string | number | undefined} x
 * @param {string | number | undefined} y
 * @param {number} a
 * @param {number} b
 * @param {boolean | undefined} numeric
 * @param {number} sign
 */
function compareValues(x, y, a, b, numeric, sign) {
  if (numeric) return compareNumbers(Number(x), Number(y), a, b, sign);
  if (x === y) return a - b;
  return sign * (String(x) < String(y) ? -1 : 1);
}

/**
 * The order of rows `a` and `b` by their numbers `x` and `y`, times `sign`; NaN (a cell
 * that is no number) above every number, so last in ascending order; ties by index.
 * @param {number} x
 * @param {number} y
 * @param {number} a
 * @param {number} b
 * @param {number} sign
 */
function compareNumbers(x, y, a, b, sign) {
  if (x === y) return a - b;
  const xNaN = Number.isNaN(x);
  const yNaN = Number.isNaN(y);
  if (xNaN || yNaN) return xNaN && yNaN ? a - b : sign * (xNaN ? 1 : -1);
  return sign * (x - y);
}

/**
 * Two index arrays each sorted by `compare`, merged. `b` (the rows just added) is the
 * short one: each of its indices finds its place in `a` by binary search, so a merge
 * compares O(|b| log |a|) times and the rest is copying.
 * @param {number[]} a
 * @param {number[]} b
 * @param {(a: number, b: number) => number} compare
 */
export function merge(a, b, compare) {
  /** @type {number[]} */
  const out = new Array(a.length + b.length);
  let i = 0;
  let k = 0;
  for (const x of b) {
    // The first position in a[i..] whose index sorts after x.
    let lo = i;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(a[mid], x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    while (i < lo) out[k++] = a[i++];
    out[k++] = x;
  }
  while (i < a.length) out[k++] = a[i++];
  return out;
}
