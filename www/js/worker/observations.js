// @ts-check
// What the replay learns besides the alerts: every principal that scanned (first and
// last seen, scans, alerts, the accounts and addresses it scanned from) and how many
// scans and alerts fell in each minute. Fed by `processObserved` (one
// `{time, terms, account, address, rule_id}` per recorded scan, and per rule that
// recorded it) and by the alert rows. With Elastic's rule files, a "principal" is one
// term tuple of one rule, and a "scan" any event a rule recorded.

import { termKey, termLabel, text } from './alert-rows.js';

/**
 * @import { Observed } from '../../pkg/index.js'
 * @import { FollowedScans, PrincipalRow, ScanFilters, Timeline } from './protocol.js'
 */

/**
 * What the per-principal view knows of one principal (term tuple): its scans' times are
 * kept (in order of arrival) for the alert details' timeline, with the account and the
 * address of each (`accounts`, `addresses`: numbers from `Observations.origin`; -1 for
 * none or not numbered), while the total stays under MAX_SCAN_TIMES. Every account and
 * address it scanned from is in `from` (whole: a number while there is one, a set past
 * that).
 * @typedef {{ label: string, rule: string, first: number, last: number, scans: number, alerts: number,
 *   times: number[], accounts: number[], addresses: number[], from: number | Set<number> }} Principal
 */

/**
 * Which scans to follow: those from `account` and from `address` (numbers from
 * `Observations.origin`; `null` follows any), of principal `label` or of all, of rule
 * `rule` (a name) or of all.
 * @typedef {{ label: string | null, account: number | null, address: number | null, rule: string | null }} Follow
 */

/** An account (`a`) or a source address (`s`): numbered apart, so they never meet. */
/** @typedef {'a' | 's'} OriginKind */

/**
 * The text of an account or an address as the alerts table shows it (alert-rows.js's
 * `text` of the alert's parsed JSON, where a large integer is a double).
 * @param {unknown} value
 * @returns {string}
 */
function originText(value) {
  if (typeof value === 'bigint') return String(Number(value));
  if (Array.isArray(value)) return value.map(originText).filter(Boolean).join(', ');
  return text(value);
}

const MINUTE = 60_000;
/** Past this many principals the per-principal view stops growing (memory bound). */
export const MAX_PRINCIPALS = 1_000_000;
/** Past this many scan times in all (8 bytes each) no more are kept (memory bound). */
export const MAX_SCAN_TIMES = 4_000_000;
/** Past this many accounts and addresses no more are numbered (memory bound). */
export const MAX_ORIGINS = 1_000_000;

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
    /** @type {Map<string, number>} a number for each account and address seen (by kind and text) */
    this.origins = new Map();
    /** scans whose account or address came after MAX_ORIGINS (not followed) */
    this.unnumberedScans = 0;
  }

  /**
   * The number of an account or an address ('': -1), numbering it if it is new and
   * there is room (else -1, counted); `known` only looks it up (`undefined` when the
   * replay never numbered it).
   * @param {OriginKind} kind
   * @param {string} value
   * @param {boolean} [known]
   * @returns {number | undefined}
   */
  origin(kind, value, known = false) {
    if (value === '') return -1;
    const key = kind + value;
    let id = this.origins.get(key);
    if (id === undefined && !known) {
      if (this.origins.size >= MAX_ORIGINS) return -1;
      id = this.origins.size;
      this.origins.set(key, id);
    }
    return id;
  }

  /**
   * One recorded scan: `{time, terms, account, address, rule_id}` with one tuple per new
   * term of the event, of rule `rule` (its name, as alerts give it).
   * @param {Omit<Observed, 'rule_id'> & { rule_id?: string }} scan
   * @param {string} [rule]
   */
  scan({ time, terms, account, address, rule_id: ruleId = '' }, rule = '') {
    bump(this.scansPerMinute, Math.floor(time / MINUTE));
    /** @type {[number, number] | null} numbered for the first principal that keeps them */
    let ids = null;
    for (const tuple of terms) {
      const key = termKey(tuple, ruleId);
      let p = this.principals.get(key);
      if (!p) {
        if (this.principals.size >= MAX_PRINCIPALS) {
          this.droppedPrincipals += 1;
          continue;
        }
        p = {
          label: termLabel(tuple), rule, first: time, last: time, scans: 0, alerts: 0,
          times: [], accounts: [], addresses: [], from: -1,
        };
        this.principals.set(key, p);
      }
      ids ??= this.numbered(account, address);
      const [accountId, addressId] = ids;
      p.scans += 1;
      cameFrom(p, accountId);
      cameFrom(p, addressId);
      if (this.keptTimes < MAX_SCAN_TIMES) {
        p.times.push(time);
        p.accounts.push(accountId);
        p.addresses.push(addressId);
        this.keptTimes += 1;
      } else {
        this.timesTruncated = true;
      }
      if (time < p.first) p.first = time;
      if (time > p.last) p.last = time;
    }
  }

  /**
   * The numbers of a scan's account and address (-1: none, or past MAX_ORIGINS).
   * @param {unknown} account
   * @param {unknown} address
   * @returns {[number, number]}
   */
  numbered(account, address) {
    const [a, s] = [originText(account), originText(address)];
    const ids = /** @type {[number, number]} */ ([this.origin('a', a) ?? -1, this.origin('s', s) ?? -1]);
    if ((a && ids[0] < 0) || (s && ids[1] < 0)) this.unnumberedScans += 1;
    return ids;
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
   * The scans the filters follow: the principals with a scan from the account and the
   * address followed (of principal `label` and of rule `rule`, when given), by their places in
   * `principalRows()` (which are their rows in the page's principals table), and the
   * kept times (sorted) of those scans. Past MAX_SCAN_TIMES, a principal whose scans were
   * not all kept is listed when it scanned from both, in one scan or not.
   * @param {ScanFilters} filters
   * @returns {FollowedScans}
   */
  followed({ label, account, address, rule }) {
    /** @param {OriginKind} kind @param {string | undefined} value  ('' or none: any, as the alerts' filter reads it) */
    const id = (kind, value) => (value ? this.origin(kind, value, true) : null);
    const [accountId, addressId] = [id('a', account), id('s', address)];
    // One the replay never saw: no scan came from it.
    if (accountId === undefined || addressId === undefined) return { principals: new Uint32Array(0), times: new Float64Array(0) };
    /** @type {Follow} */
    const follow = { label: label || null, account: accountId, address: addressId, rule: rule || null };
    /** @type {number[]} */
    const principals = [];
    /** @type {number[]} */
    const times = [];
    let place = -1;
    for (const p of this.principals.values()) {
      place += 1;
      if (follow.label !== null && p.label !== follow.label) continue;
      if (follow.rule !== null && p.rule !== follow.rule) continue;
      if (!cameFromAll(p, follow)) continue;
      const before = times.length;
      p.times.forEach((t, i) => {
        if ((follow.account === null || p.accounts[i] === follow.account)
          && (follow.address === null || p.addresses[i] === follow.address)) times.push(t);
      });
      // Scanned from both, but maybe never in one scan: the kept scans say, when they
      // are all kept.
      if (times.length > before || p.times.length < p.scans) principals.push(place);
    }
    return { principals: Uint32Array.from(principals), times: Float64Array.from(times).sort() };
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
   * Rows of the per-principal view: [label, first, last, scans, alerts, alerted, rule,
   * first ms, last ms], in the order the principals were first seen (`followed` names
   * principals by their places here).
   * @returns {PrincipalRow[]}
   */
  principalRows() {
    /** @type {PrincipalRow[]} */
    const rows = [];
    for (const p of this.principals.values()) {
      rows.push([p.label, iso(p.first), iso(p.last), p.scans, p.alerts, p.alerts > 0 ? 'yes' : 'no', p.rule,
        p.first, p.last]);
    }
    return rows;
  }
}

/**
 * Note that `p` scanned from account or address `id`.
 * @param {Principal} p
 * @param {number} id
 */
function cameFrom(p, id) {
  if (id < 0 || p.from === id) return;
  if (typeof p.from === 'number') {
    p.from = p.from < 0 ? id : new Set([p.from, id]);
  } else {
    p.from.add(id);
  }
}

/**
 * Whether `p` scanned from the account and from the address followed (not always in
 * the same scan: the per-scan check needs the kept times).
 * @param {Principal} p
 * @param {Follow} follow
 */
function cameFromAll(p, follow) {
  /** @param {number | null} id */
  const has = (id) => id === null || (typeof p.from === 'number' ? p.from === id : p.from.has(id));
  return has(follow.account) && has(follow.address);
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
