// @ts-check
// What the replay learns besides the alerts: every principal that scanned (first and
// last seen, scans, alerts) and how many scans and alerts fell in each minute. Fed by
// `processObserved` (one `{time, terms}` per recorded scan) and by the alert rows.

import { termKey, termLabel } from './alert-rows.js';

/**
 * @import { Observed } from '../../pkg/index.js'
 * @import { PrincipalRow, Timeline } from './protocol.js'
 */

/**
 * What the per-principal view knows of one principal (term tuple): its scans' times are
 * kept (in order of arrival) for the alert details' timeline, while the total stays
 * under MAX_SCAN_TIMES.
 * @typedef {{ label: string, first: number, last: number, scans: number, alerts: number, times: number[] }} Principal
 */

const MINUTE = 60_000;
/** Past this many principals the per-principal view stops growing (memory bound). */
export const MAX_PRINCIPALS = 1_000_000;
/** Past this many scan times in all (8 bytes each) no more are kept (memory bound). */
export const MAX_SCAN_TIMES = 4_000_000;

export class Observations {
  constructor() {
    /** @type {Map<string, Principal>} by term key (termKey) */
    this.principals = new Map();
    this.droppedPrincipals = 0;
    /** scan times kept (for MAX_SCAN_TIMES) and whether some were not */
    this.keptTimes = 0;
    this.timesTruncated = false;
    /** @type {Map<number, number>} scans by minute number */
    this.scansPerMinute = new Map();
    /** @type {Map<number, number>} alerts by minute number */
    this.alertsPerMinute = new Map();
  }

  /**
   * One recorded scan: `{time, terms}` with one tuple per new term of the event.
   * @param {Observed} scan
   */
  scan({ time, terms }) {
    bump(this.scansPerMinute, Math.floor(time / MINUTE));
    for (const tuple of terms) {
      const key = termKey(tuple);
      let p = this.principals.get(key);
      if (!p) {
        if (this.principals.size >= MAX_PRINCIPALS) {
          this.droppedPrincipals += 1;
          continue;
        }
        p = { label: termLabel(tuple), first: time, last: time, scans: 0, alerts: 0, times: [] };
        this.principals.set(key, p);
      }
      p.scans += 1;
      if (this.keptTimes < MAX_SCAN_TIMES) {
        p.times.push(time);
        this.keptTimes += 1;
      } else {
        this.timesTruncated = true;
      }
      if (time < p.first) p.first = time;
      if (time > p.last) p.last = time;
    }
  }

  /**
   * One alert, at its event's time (epoch ms), about term tuple `key` (or a summary).
   * @param {number} time
   * @param {string | null} key
   */
  alert(time, key) {
    if (Number.isFinite(time)) bump(this.alertsPerMinute, Math.floor(time / MINUTE));
    const p = key === null ? undefined : this.principals.get(key);
    if (p) p.alerts += 1;
  }

  /**
   * What is known of one principal (by term key) for the alert details: its label, the
   * times of its scans (sorted), and whether the list is complete.
   * @param {string} key
   * @returns {{ label: string, times: Float64Array<ArrayBuffer>, scans: number, complete: boolean } | null}
   */
  principal(key) {
    const p = this.principals.get(key);
    if (!p) return null;
    const times = Float64Array.from(p.times).sort();
    return { label: p.label, times, scans: p.scans, complete: times.length === p.scans };
  }

  /**
   * The kept scan times (sorted) of every principal whose label is in `labels`.
   * @param {Set<string>} labels
   * @returns {Float64Array<ArrayBuffer>}
   */
  scanTimes(labels) {
    /** @type {number[]} */
    const times = [];
    for (const p of this.principals.values()) {
      if (labels.has(p.label)) for (const t of p.times) times.push(t);
    }
    return Float64Array.from(times).sort();
  }

  /**
   * The timeline as sorted, transferable arrays: minute starts and counts.
   * @returns {Timeline}
   */
  timeline() {
    const minutes = new Set([...this.scansPerMinute.keys(), ...this.alertsPerMinute.keys()]);
    const sorted = Float64Array.from(minutes).sort();
    const scans = new Uint32Array(sorted.length);
    const alerts = new Uint32Array(sorted.length);
    sorted.forEach((minute, i) => {
      scans[i] = this.scansPerMinute.get(minute) ?? 0;
      alerts[i] = this.alertsPerMinute.get(minute) ?? 0;
    });
    return { minuteMs: MINUTE, minutes: sorted, scans, alerts };
  }

  /**
   * Rows of the per-principal view: [label, first, last, scans, alerts, alerted,
   * first ms, last ms].
   * @returns {PrincipalRow[]}
   */
  principalRows() {
    /** @type {PrincipalRow[]} */
    const rows = [];
    for (const p of this.principals.values()) {
      rows.push([p.label, iso(p.first), iso(p.last), p.scans, p.alerts, p.alerts > 0 ? 'yes' : 'no', p.first, p.last]);
    }
    return rows;
  }
}

/** @param {Map<number, number>} map @param {number} key */
function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** @param {number} ms */
function iso(ms) {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
