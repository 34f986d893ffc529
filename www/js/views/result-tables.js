// @ts-check
// The two result tables, both virtualised (virtual-table.js):
// * the alerts: one row per alert the replay raised, and one per alert-cap summary,
//   from rows the worker extracts (worker/alert-rows.js);
// * the principals: every term value (principal) with a successful scan the rule
//   counted, when it was first and last seen, its scans and its alerts (with
//   Elastic's rule files: every term tuple of each rule, and the events it counted).

import { VirtualTable } from './virtual-table.js';

/**
 * @import { Column, TableOptions } from './virtual-table.js'
 * @import { Row, RowBlock } from '../worker/row-block.js'
 * @import { AlertRow, PrincipalRow } from '../worker/protocol.js'
 */

/** @type {Column[]} */
const ALERT_COLUMNS = [
  { label: 'Time (event)', width: 'minmax(10rem, 0.9fr)', kind: 'mono' },
  { label: 'Principal', width: 'minmax(12rem, 2fr)', kind: 'mono' },
  { label: 'Account', width: 'minmax(7rem, 0.7fr)', kind: 'mono' },
  { label: 'Source address', width: 'minmax(7rem, 0.8fr)', kind: 'mono' },
  { label: 'Table', width: 'minmax(6rem, 0.7fr)' },
  { label: 'User agent', width: 'minmax(8rem, 1.2fr)' },
  { label: 'Reason', width: 'minmax(12rem, 2fr)' },
  { label: 'Alert id', width: 'minmax(6rem, 0.8fr)', kind: 'mono' },
  { label: 'Rule', width: 'minmax(8rem, 1.2fr)' },
];
const ALERT_ID_COLUMN = 7;

/** @type {Column[]} */
const PRINCIPAL_COLUMNS = [
  { label: 'Principal', width: 'minmax(14rem, 3fr)', kind: 'mono' },
  { label: 'First seen', width: 'minmax(10rem, 1fr)', kind: 'mono' },
  { label: 'Last seen', width: 'minmax(10rem, 1fr)', kind: 'mono' },
  { label: 'Scans', width: 'minmax(5rem, 0.5fr)', kind: 'num', numeric: true },
  { label: 'Alerts', width: 'minmax(5rem, 0.5fr)', kind: 'num', numeric: true },
  { label: 'Alerted', width: 'minmax(5rem, 0.5fr)', kind: 'flag' },
  { label: 'Rule', width: 'minmax(8rem, 1.2fr)' },
];

/**
 * A table that rows are added to as a replay goes, and cleared for the next one.
 * @template {Row} R
 */
class ResultTable {
  /** @param {HTMLElement} host @param {TableOptions} options */
  constructor(host, options) {
    this.table = new VirtualTable(host, options);
  }

  clear() {
    this.table.clear();
  }

  /** @param {readonly R[]} rows */
  add(rows) {
    this.table.appendRows(rows);
  }

  /**
   * Rows packed by the worker (js/worker/row-block.js).
   * @param {RowBlock} block
   */
  addBlock(block) {
    this.table.appendBlock(block);
  }

  get count() {
    return this.table.total;
  }
}

/**
 * Rows: [time, principal, account, source, table, user agent, reason, alert id, rule].
 * @extends {ResultTable<AlertRow>}
 */
export class AlertsView extends ResultTable {
  /** @param {HTMLElement} host */
  constructor(host) {
    super(host, {
      columns: ALERT_COLUMNS,
      label: 'Alerts',
      keyColumn: ALERT_ID_COLUMN,
      emptyText: 'No alerts yet: replay some logs.',
    });
  }
}

/**
 * Rows: [principal, first seen, last seen, scans, alerts, 'yes' | 'no', rule].
 * @extends {ResultTable<PrincipalRow>}
 */
export class PrincipalsView extends ResultTable {
  /** @param {HTMLElement} host */
  constructor(host) {
    super(host, {
      columns: PRINCIPAL_COLUMNS,
      label: 'Principals that scanned',
      keyColumn: 0,
      emptyText: 'Filled in when a replay ends.',
    });
  }
}
