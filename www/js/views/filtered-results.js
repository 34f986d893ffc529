// @ts-check
// The filters applied to the results: both tables (their predicates) and the timeline,
// which shows the whole replay, or, while the filters follow a principal, an account or
// a source address, the scans they follow and the alerts that pass (the filters' time
// range is the timeline's brush, not a cut of it). An account or an address is followed
// by every scan the replay recorded (`processObserved` says where each came from): the
// principals table keeps the principals with a scan from it, the timeline counts those
// scans.

import { alertPredicate, principalPredicate } from './filters.js';
import { ALERT } from '../worker/alert-rows.js';
import { TimeSlices, nextTask } from './time-slices.js';

/**
 * @import { Filters } from './filters.js'
 * @import { AlertsView, PrincipalsView } from './result-tables.js'
 * @import { Timeline } from './timeline.js'
 * @import { FollowedScans, ScanFilters, Timeline as TimelineData } from '../worker/protocol.js'
 */

const MINUTE = 60_000;

/**
 * @param {Filters} filters
 */
export function followsSomeone(filters) {
  return Boolean(filters.principal || filters.account || filters.source || filters.rule);
}

export class FilteredResults {
  /**
   * @param {object} parts
   * @param {AlertsView} parts.alerts
   * @param {PrincipalsView} parts.principals
   * @param {Timeline} parts.timeline
   * @param {(filters: ScanFilters) => Promise<FollowedScans>} parts.scans   the kept scans the filters follow
   */
  constructor({ alerts, principals, timeline, scans }) {
    this.alerts = alerts;
    this.principals = principals;
    this.timeline = timeline;
    this.scans = scans;
    /** @type {TimelineData | null} the replay's whole timeline */
    this.whole = null;
    /** @type {TimelineData | null} what the timeline shows */
    this.shown = null;
    /** bumps with every new replay: an answer for an older one is dropped */
    this.replay = 0;
    /** bumps with every apply: only the latest one finishes */
    this.applying = 0;
    /** @type {Filters} */
    this.filters = {};
  }

  /** A new replay starts: nothing of the last one is shown, nothing pending is kept. */
  reset() {
    this.replay += 1;
    this.whole = null;
    this.show(null);
  }

  /**
   * The replay's whole timeline (during a replay, about once a second): shown at once
   * unless the filters follow someone (then the end of the replay shows theirs).
   * @param {TimelineData | null} data
   */
  setTimeline(data) {
    this.whole = data;
    if (!followsSomeone(this.filters)) this.show(data);
  }

  /**
   * Show `data`, with the filters' time range as the brush.
   * @param {TimelineData | null} data
   */
  show(data) {
    // The same data again (only the brush changed): no need to draw it anew.
    if (data !== this.shown) this.timeline.show(data);
    this.shown = data;
    this.timeline.setBrush(this.filters.range ?? null);
  }

  /**
   * Apply `filters` to both tables and to the timeline; resolves when the timeline shows
   * them.
   * @param {Filters} filters
   */
  async apply(filters) {
    this.filters = filters;
    const replay = this.replay;
    const call = ++this.applying;
    /** Whether a newer apply or replay made this one moot. */
    const stale = () => this.applying !== call || this.replay !== replay;
    // `applied` once everything shows these filters (tests wait for it).
    document.body.dataset.filters = 'applying';
    await this.applyNow(filters, stale);
    if (!stale()) document.body.dataset.filters = 'applied';
  }

  /**
   * @param {Filters} filters
   * @param {() => boolean} stale
   */
  async applyNow(filters, stale) {
    await this.alerts.table.setPredicate(alertPredicate(filters));
    await nextTask();
    if (stale()) return;
    /** @type {FollowedScans | null} the scans followed (none: the filters follow no one) */
    const followed = followsSomeone(filters)
      ? await this.scans({ label: filters.principal, account: filters.account, address: filters.source, rule: filters.rule })
      : null;
    if (stale()) return;
    /** @type {Uint8Array | null} by principal row: whether it has a scan from the account or address */
    let allowed = null;
    if (followed && (filters.account || filters.source)) {
      // As long as the rows named, some of which a filter pass may be holding back.
      let size = this.principals.table.rows.length;
      for (const row of followed.principals) size = Math.max(size, row + 1);
      allowed = new Uint8Array(size);
      for (const row of followed.principals) allowed[row] = 1;
    }
    await this.principals.table.setPredicate(principalPredicate(filters, allowed));
    if (stale()) return;
    document.body.dataset.filtered = followsSomeone(filters) || filters.range ? 'yes' : 'no';
    if (!this.whole) return;
    await nextTask();
    if (stale()) return;
    if (!followed) {
      this.show(this.whole);
      return;
    }
    const data = await this.followedTimeline(filters, followed.times, stale);
    if (data && !stale()) this.show(data);
  }

  /**
   * The timeline of what the filters follow: the scans `times`, and the alerts that pass
   * (counted in time slices).
   * @param {Filters} filters
   * @param {Float64Array} times
   * @param {() => boolean} stale   whether to stop (and give null)
   * @returns {Promise<TimelineData | null>}
   */
  async followedTimeline(filters, times, stale) {
    const passes = alertPredicate({
      principal: filters.principal, account: filters.account, source: filters.source, rule: filters.rule,
    });
    /** @type {Map<number, number>} */
    const alertMinutes = new Map();
    const rows = this.alerts.table.rows;
    const slices = new TimeSlices();
    for (let i = 0; i < rows.length; i += 1) {
      if (slices.dueAt(i)) {
        await slices.next();
        if (stale()) return null;
      }
      if (!passes?.(rows, i)) continue;
      const at = Math.floor(Number(rows.cell(i, ALERT.timeMs)) / MINUTE);
      if (Number.isFinite(at)) alertMinutes.set(at, (alertMinutes.get(at) ?? 0) + 1);
    }
    /** @type {Map<number, number>} */
    const scanMinutes = new Map();
    for (let i = 0; i < times.length; i += 1) {
      if (slices.dueAt(i)) {
        await slices.next();
        if (stale()) return null;
      }
      const at = Math.floor(times[i] / MINUTE);
      scanMinutes.set(at, (scanMinutes.get(at) ?? 0) + 1);
    }
    // Every minute with a scan or an alert, in order (an account's 40,000 of them too:
    // in slices).
    const all = new Float64Array(scanMinutes.size + alertMinutes.size);
    let size = 0;
    for (const at of scanMinutes.keys()) all[size++] = at;
    for (const at of alertMinutes.keys()) if (!scanMinutes.has(at)) all[size++] = at;
    const minutes = all.subarray(0, size).sort();
    await slices.next();
    if (stale()) return null;
    const scans = new Uint32Array(size);
    const alerts = new Uint32Array(size);
    for (let k = 0; k < size; k += 1) {
      if (slices.dueAt(k)) {
        await slices.next();
        if (stale()) return null;
      }
      scans[k] = scanMinutes.get(minutes[k]) ?? 0;
      alerts[k] = alertMinutes.get(minutes[k]) ?? 0;
    }
    return { minuteMs: MINUTE, minutes, scans, alerts };
  }
}
