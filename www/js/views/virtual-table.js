// A sortable, filterable table that stays fast with hundreds of thousands of rows: only
// the rows in view are in the DOM (a small pool of row elements is reused as the body
// scrolls), sorting and filtering work on an index array, and every value is written
// with textContent, never parsed as HTML. Rows are arrays of strings and numbers.
//
// Browsers cap an element's height (Chromium near 2^25 px), so past MAX_HEIGHT the
// scrollbar maps onto row positions proportionally instead of pixel for pixel.

const MAX_HEIGHT = 8_000_000;
const OVERSCAN = 3;
const FILTER_DELAY_MS = 120;

export class VirtualTable {
  /**
   * `columns`: [{label, width (a CSS grid track), kind ('text'|'mono'|'num'|'flag'),
   * numeric (sort as numbers)}]; `keyColumn`: the column whose value each rendered row
   * carries as data-key; `label`: the table's accessible name.
   */
  constructor(host, { columns, label, keyColumn = -1, rowHeight = 28, emptyText = 'Nothing yet.' }) {
    this.columns = columns;
    this.keyColumn = keyColumn;
    this.rowHeight = rowHeight;
    this.emptyText = emptyText;
    this.rows = [];
    this.view = [];
    this.sort = null;
    this.filters = columns.map(() => '');
    this.pool = [];
    this.frame = 0;
    this.build(host, label);
  }

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
    this.headers = this.columns.map((column, index) => {
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

    this.body = el('div', 'vt-body');
    this.body.setAttribute('role', 'rowgroup');
    this.body.tabIndex = 0;
    this.body.setAttribute('aria-label', `${label}: rows (scroll with the arrow keys)`);
    this.spacer = el('div', 'vt-spacer');
    this.window = el('div', 'vt-window');
    this.empty = el('div', 'vt-empty');
    this.spacer.append(this.window);
    this.body.append(this.spacer, this.empty);
    this.body.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.body);

    this.foot = el('div', 'vt-foot');
    this.foot.setAttribute('aria-live', 'polite');
    root.append(head, this.body, this.foot);
    host.replaceChildren(root);
    this.root = root;
    this.schedule();
  }

  /** Replace every row. */
  setRows(rows) {
    this.rows = rows;
    for (const element of this.pool) element.index = -1;
    this.refilter();
  }

  /** Add rows at the end (they take their place in the current sort and filter). */
  appendRows(rows) {
    if (!rows.length) return;
    const start = this.rows.length;
    for (const row of rows) this.rows.push(row);
    const added = [];
    for (let i = start; i < this.rows.length; i += 1) if (this.passes(this.rows[i])) added.push(i);
    if (this.sort) {
      added.sort(this.comparator());
      this.view = merge(this.view, added, this.comparator());
    } else {
      for (const i of added) this.view.push(i);
    }
    this.schedule();
  }

  get total() {
    return this.rows.length;
  }

  get shown() {
    return this.view.length;
  }

  toggleSort(column) {
    const descending = this.sort?.column === column && !this.sort.descending;
    this.sort = { column, descending };
    this.headers.forEach((cell, i) => {
      cell.setAttribute('aria-sort', i !== column ? 'none' : descending ? 'descending' : 'ascending');
    });
    // The same column again only flips the order: no need to sort again.
    if (descending) this.view.reverse();
    else this.view.sort(this.comparator());
    this.body.scrollTop = 0;
    this.schedule();
  }

  setFilter(column, text) {
    this.filters[column] = text.trim().toLowerCase();
    this.refilter();
  }

  refilter() {
    const view = [];
    for (let i = 0; i < this.rows.length; i += 1) if (this.passes(this.rows[i])) view.push(i);
    if (this.sort) view.sort(this.comparator());
    this.view = view;
    this.body.scrollTop = 0;
    this.schedule();
  }

  passes(row) {
    for (let c = 0; c < this.filters.length; c += 1) {
      const f = this.filters[c];
      if (f && !String(row[c]).toLowerCase().includes(f)) return false;
    }
    return true;
  }

  comparator() {
    const { column, descending } = this.sort;
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

  ensurePool(size) {
    while (this.pool.length < size) {
      const row = el('div', 'vt-row');
      row.setAttribute('role', 'row');
      row.cells = this.columns.map((column) => {
        const cell = el('div', `vt-cell ${column.kind ?? ''}`);
        cell.setAttribute('role', 'cell');
        row.append(cell);
        return cell;
      });
      this.window.append(row);
      this.pool.push(row);
    }
    while (this.pool.length > size) this.pool.pop().remove();
  }

  fill(element, position) {
    const index = this.view[position];
    const row = this.rows[index];
    element.setAttribute('aria-rowindex', String(position + 2));
    if (element.index === index) return;
    element.index = index;
    if (this.keyColumn >= 0) element.dataset.key = String(row[this.keyColumn]);
    row.forEach((value, c) => {
      if (c >= element.cells.length) return;
      const text = String(value);
      element.cells[c].textContent = text;
      element.cells[c].title = text;
    });
  }
}

function el(tag, className) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  return element;
}

/** Two index arrays each sorted by `compare`, merged. */
function merge(a, b, compare) {
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
