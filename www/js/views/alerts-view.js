// The alerts table: one row per alert the replay raised (and one per alert-cap
// summary), built from rows the worker extracts (js/worker/alert-rows.js).

import { VirtualTable } from './virtual-table.js';

const COLUMNS = [
  { label: 'Time (event)', width: 'minmax(10rem, 0.9fr)', kind: 'mono' },
  { label: 'Principal', width: 'minmax(12rem, 2fr)', kind: 'mono' },
  { label: 'Account', width: 'minmax(7rem, 0.7fr)', kind: 'mono' },
  { label: 'Source address', width: 'minmax(7rem, 0.8fr)', kind: 'mono' },
  { label: 'Table', width: 'minmax(6rem, 0.7fr)' },
  { label: 'User agent', width: 'minmax(8rem, 1.2fr)' },
  { label: 'Reason', width: 'minmax(12rem, 2fr)' },
  { label: 'Alert id', width: 'minmax(6rem, 0.8fr)', kind: 'mono' },
];
const ID_COLUMN = 7;

export class AlertsView {
  constructor(host) {
    this.table = new VirtualTable(host, {
      columns: COLUMNS,
      label: 'Alerts',
      keyColumn: ID_COLUMN,
      emptyText: 'No alerts yet: replay some logs.',
    });
  }

  clear() {
    this.table.setRows([]);
  }

  add(rows) {
    this.table.appendRows(rows);
  }

  get count() {
    return this.table.total;
  }
}
