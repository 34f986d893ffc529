// @ts-check
// A sortable, filterable table that stays fast with hundreds of thousands of rows: only
// the rows in view are in the DOM (a small pool of row elements is reused as the body
// scrolls), sorting and filtering work on an index array, and every value is written
// with textContent, never parsed as HTML. Rows are arrays of strings and numbers.
//
// Browsers cap an element's height (Chromium near 2^25 px), so past MAX_HEIGHT the
// scrollbar maps onto row positions proportionally instead of pixel for pixel.
//
// One row can be selected (aria-selected): a click selects and activates it; with the
// body focused, ArrowUp/ArrowDown move the selection and Enter activates it
// (`onActivate`). Besides the per-column filters, the page may set a predicate
// (`setPredicate`: its filter chips, the timeline's brush).

import { el } from './dom.js';

/**
 * One column: its header, its width (a CSS grid track), how its cells look, and
 * whether it sorts as numbers.
 * @typedef {object} Column
 * @property {string} label
 * @property {string} width
 * @property {'text' | 'mono' | 'num' | 'flag'} [kind]
 * @property {boolean} [numeric]
 */

/** @typedef {ReadonlyArray<string | number>} Row */

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
/**
 * Filtering passes over this many rows at a time, letting the browser paint and take
 * input in between (a pass over 400,000 rows in sorted order is longer than a frame).
 */
const FILTER_SLICE = 50_000;

/** The next task: what a long pass yields to. */
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

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
    /** @type {Row[]} */
    this.rows = [];
    /** @type {number[]} indices into `rows`: those that pass the filters, in order */
    this.view = [];
    /**
     * @type {number[] | null} every index into `rows` in the sort's order (null unsorted),
     * so that filtering a sorted table keeps its order in one pass instead of sorting again
     */
    this.order = null;
    /** @type {Sort | null} */
    this.sort = null;
    this.filters = columns.map(() => '');
    /** @type {PooledRow[]} */
    this.pool = [];
    this.frame = 0;
    /** the selected row (an index into `rows`), or -1 */
    this.selected = -1;
    /** @type {((row: Row) => boolean) | null} the page's own filter, besides the columns' */
    this.predicate = null;
    /** @type {(row: Row) => void} */
    this.activate = () => {};
    /** @type {(row: Row) => void} */
    this.selectedByKey = () => {};
    /** bumps with every filtering pass: a newer one makes an older one stop */
    this.filtering = 0;
    /** @type {Row[] | null} rows added while a sliced pass runs, added after it */
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
      this.activate(this.rows[index]);
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

  /**
   * Replace every row.
   * @param {Row[]} rows
   */
  setRows(rows) {
    this.rows = rows;
    this.selected = -1;
    this.order = this.sort ? this.rows.map((_, i) => i).sort(this.comparator(this.sort)) : null;
    for (const row of this.pool) row.index = -1;
    this.refilter();
  }

  /**
   * Add rows at the end (they take their place in the current sort and filter).
   * @param {readonly Row[]} rows
   */
  appendRows(rows) {
    if (!rows.length) return;
    if (this.deferred) {
      for (const row of rows) this.deferred.push(row);
      return;
    }
    const start = this.rows.length;
    for (const row of rows) this.rows.push(row);
    /** @type {number[]} */
    const all = [];
    for (let i = start; i < this.rows.length; i += 1) all.push(i);
    if (this.sort && this.order) {
      const compare = this.comparator(this.sort);
      all.sort(compare);
      this.order = merge(this.order, all, compare);
      this.view = merge(this.view, all.filter((i) => this.passes(this.rows[i])), compare);
    } else {
      for (const i of all) if (this.passes(this.rows[i])) this.view.push(i);
    }
    this.schedule();
  }

  get total() {
    return this.rows.length;
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
    for (const pooled of this.pool) pooled.index = -1; // redraw the selection mark
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
    return next === undefined ? undefined : { index: next, row: this.rows[next] };
  }

  /**
   * The index (into the rows) of the first row for which `test` holds, or -1.
   * @param {(row: Row) => boolean} test
   */
  find(test) {
    return this.rows.findIndex(test);
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.key === 'Enter' && this.selected >= 0 && this.view.includes(this.selected)) {
      event.preventDefault();
      this.activate(this.rows[this.selected]);
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
    this.selectedByKey(this.rows[next]);
  }

  /**
   * The page's own filter (chips, a time range), with the columns' filters; null for none.
   * Resolves when the rows shown are the filtered ones.
   * @param {((row: Row) => boolean) | null} predicate
   */
  setPredicate(predicate) {
    this.predicate = predicate;
    return this.refilter();
  }

  get shown() {
    return this.view.length;
  }

  /** @param {number} column */
  toggleSort(column) {
    const descending = this.sort?.column === column && !this.sort.descending;
    const sort = { column, descending };
    this.sort = sort;
    this.headers.forEach((cell, i) => {
      cell.setAttribute('aria-sort', i !== column ? 'none' : descending ? 'descending' : 'ascending');
    });
    // The same column again only flips the order: no need to sort again.
    if (descending && this.order) {
      this.order.reverse();
      this.view.reverse();
    } else {
      this.order = this.rows.map((_, i) => i).sort(this.comparator(sort));
      this.view = this.order.filter((i) => this.passes(this.rows[i]));
    }
    this.body.scrollTop = 0;
    this.schedule();
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
   * slices of FILTER_SLICE rows with a task between them (rows added meanwhile wait and
   * are added after it); a newer pass makes an older one stop. Resolves when done.
   */
  async refilter() {
    const pass = ++this.filtering;
    const order = this.order;
    const n = this.rows.length;
    /** @type {number[]} */
    const view = [];
    if (n > FILTER_SLICE) this.deferred ??= [];
    for (let start = 0; start < n; start += FILTER_SLICE) {
      if (start > 0) {
        await nextTask();
        if (pass !== this.filtering) return;
      }
      const end = Math.min(n, start + FILTER_SLICE);
      for (let k = start; k < end; k += 1) {
        const i = order ? order[k] : k;
        if (this.passes(this.rows[i])) view.push(i);
      }
    }
    this.view = view;
    this.body.scrollTop = 0;
    this.schedule();
    const deferred = this.deferred;
    this.deferred = null;
    if (deferred?.length) this.appendRows(deferred);
  }

  /** @param {Row} row */
  passes(row) {
    if (this.predicate && !this.predicate(row)) return false;
    for (let c = 0; c < this.filters.length; c += 1) {
      const f = this.filters[c];
      if (f && !String(row[c]).toLowerCase().includes(f)) return false;
    }
    return true;
  }

  /**
   * Compares two indices into the rows by their rows, in `sort`'s order (ties by index).
   * @param {Sort} sort
   * @returns {(a: number, b: number) => number}
   */
  comparator({ column, descending }) {
    const numeric = this.columns[column].numeric;
    const rows = this.rows;
    const sign = descending ? -1 : 1;
    return (a, b) => {
      const x = rows[a][column];
      const y = rows[b][column];
      if (x === y) return a - b;
      if (numeric) return sign * (Number(x) - Number(y));
      return sign * (x < y ? -1 : 1);
    };
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
    const row = this.rows[index];
    const { element, cells } = pooled;
    element.setAttribute('aria-rowindex', String(position + 2));
    if (pooled.index === index) return;
    pooled.index = index;
    if (this.keyColumn >= 0) element.dataset.key = String(row[this.keyColumn]);
    element.setAttribute('aria-selected', String(index === this.selected));
    row.forEach((value, c) => {
      if (c >= cells.length) return;
      const text = String(value);
      cells[c].textContent = text;
      cells[c].title = text;
    });
  }
}

/**
 * Two index arrays each sorted by `compare`, merged.
 * @param {number[]} a
 * @param {number[]} b
 * @param {(a: number, b: number) => number} compare
 */
function merge(a, b, compare) {
  /** @type {number[]} */
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
