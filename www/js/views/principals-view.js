// The per-principal view: every term value (principal) that made a successful scan the
// rule counted, with when it was first and last seen, how many scans it made and how
// many alerts it raised.

import { VirtualTable } from './virtual-table.js';

const COLUMNS = [
  { label: 'Principal', width: 'minmax(14rem, 3fr)', kind: 'mono' },
  { label: 'First seen', width: 'minmax(10rem, 1fr)', kind: 'mono' },
  { label: 'Last seen', width: 'minmax(10rem, 1fr)', kind: 'mono' },
  { label: 'Scans', width: 'minmax(5rem, 0.5fr)', kind: 'num', numeric: true },
  { label: 'Alerts', width: 'minmax(5rem, 0.5fr)', kind: 'num', numeric: true },
  { label: 'Alerted', width: 'minmax(5rem, 0.5fr)', kind: 'flag' },
];

export class PrincipalsView {
  constructor(host) {
    this.table = new VirtualTable(host, {
      columns: COLUMNS,
      label: 'Principals that scanned',
      keyColumn: 0,
      emptyText: 'Filled in when a replay ends.',
    });
  }

  clear() {
    this.table.setRows([]);
  }

  /** More rows: [principal, first, last, scans, alerts, 'yes'|'no']. */
  add(rows) {
    this.table.appendRows(rows);
  }
}
