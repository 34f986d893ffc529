// @ts-check
// The replay's progress and counters: the progress bar (file bytes read), a status
// line (bytes, events, rates, the current file), a one-line summary above the results
// (events, scans counted, alerts, and what was skipped, whose reasons are one click
// away), and every counter folded below it, each explained in its tooltip. Each counter
// carries data-stat (its name) and data-value (the exact number), so that tests and
// measurements can read it.

import { bytes, count, duration, megabytesPerSecond, perSecond } from '../format.js';

/**
 * @import { Stats } from '../../pkg/index.js'
 * @import { DoneMessage, ProgressMessage, RunEnded, RunStatus } from '../worker/protocol.js'
 */

/**
 * The detector's counters (the keys of `Stats` that are numbers).
 * @typedef {{ [K in keyof Stats]-?: Stats[K] extends number ? K : never }[keyof Stats]} Counter
 */

/**
 * Where the replay is, on the body as data-replay (for tests).
 * @typedef {'idle' | 'ordering' | 'running' | RunStatus} ReplayState
 */

/**
 * The elements the view fills in.
 * @typedef {object} ProgressElements
 * @property {HTMLProgressElement} bar
 * @property {HTMLElement} status
 * @property {HTMLElement} stats     a <dl>, filled with one item per counter
 * @property {HTMLDetailsElement} counters   the fold around it
 * @property {HTMLElement} summary   the one-line summary above the results
 * @property {HTMLElement} warnings
 * @property {HTMLButtonElement} cancel
 */

/**
 * [stats key, label, what it means] of the detector's counters shown, in order.
 * @type {[Counter, string, string][]}
 */
const DETECTOR_STATS = [
  ['events_in', 'events', 'Records read from the files (every CloudTrail event, whatever it is).'],
  ['matched', 'matched the query', 'Events the rule\'s query selects: successful DynamoDB Scan calls.'],
  ['recorded', 'scans counted', 'Matching scans that carried the new-terms field and a time, and so counted as history.'],
  ['alerts', 'alerts', 'Scans by a principal not seen scanning in the history window before them.'],
  ['summaries', 'cap summaries', 'Summary alerts written when more alerts than the cap (max signals) fell in one rule interval.'],
  ['unparseable', 'unparseable', 'Lines or documents that are not JSON, or were cut by a size limit; the reasons are listed under the progress bar.'],
  ['not_cloudtrail', 'not CloudTrail', 'JSON documents that are neither CloudTrail records nor ECS documents (for example digest files).'],
  ['late', 'late (beyond the reorder window)', 'Events that arrived later than the reorder window allows and were judged at their arrival.'],
  ['held', 'held for time order', 'Events held back at some point so that they are judged in time order.'],
  ['evicted', 'evicted', 'Principals dropped from memory because the state reached max terms (oldest first).'],
  ['expired', 'expired', 'Principals forgotten because their last scan fell out of the history window.'],
  ['tracked_terms', 'tracked terms', 'Principals the detector remembers now.'],
  ['muted', 'muted (learning)', 'New principals seen during the learning period: recorded, not alerted.'],
];

/**
 * [key, label, what it means] of the page's own counters (the reader's and the run's),
 * shown after the detector's.
 * @type {[string, string, string][]}
 */
const PAGE_STATS = [
  ['files', 'files read', 'Files read, of those chosen (digest files are left out).'],
  ['bytes_read', 'read', 'Bytes of the files as given (compressed bytes for gzip).'],
  ['bytes_inflated', 'inflated', 'Bytes handed to the detector, after inflating gzip.'],
  ['elapsed', 'elapsed', 'Time since the replay started.'],
  ['throughput', 'throughput', 'Inflated megabytes per second.'],
  ['events_per_second', 'events per second', 'Events read per second.'],
  ['skipped', 'skipped (size limits)',
    'What the reader skipped: lines over the size limit, documents cut short; the reasons are listed under the progress bar.'],
];

export class ProgressView {
  /** @param {ProgressElements} elements */
  constructor({ bar, status, stats, counters, summary, warnings, cancel }) {
    this.bar = bar;
    this.status = status;
    this.statsList = stats;
    this.counters = counters;
    this.summary = summary;
    this.warnings = warnings;
    this.cancel = cancel;
    this.totalBytes = 0;
    /** what the summary line shows, as a key (it is rebuilt only when this changes) */
    this.summaryKey = '';
    /** @type {Map<string, HTMLElement>} by counter name */
    this.cells = new Map();
    for (const [key, label, meaning] of [...DETECTOR_STATS, ...PAGE_STATS]) {
      const item = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label;
      item.title = meaning;
      dd.dataset.stat = key;
      dd.textContent = '–';
      item.append(dt, dd);
      this.statsList.append(item);
      this.cells.set(key, dd);
    }
    this.setState('idle');
  }

  /**
   * 'idle' | 'ordering' | 'running' | 'complete' | 'cancelled' | 'failed': also on the
   * body, for tests.
   * @param {ReplayState} state
   */
  setState(state) {
    document.body.dataset.replay = state;
    this.cancel.disabled = state !== 'running';
  }

  /**
   * Nothing to replay yet: `message` says what to give.
   * @param {string} message
   */
  idle(message) {
    this.status.textContent = message;
    this.setState('idle');
  }

  /**
   * Files were chosen; the worker is ordering them for the replay.
   * @param {number} fileCount
   */
  ordering(fileCount) {
    this.status.textContent = `Ordering ${count(fileCount)} files…`;
    this.setState('ordering');
  }

  /** @param {number} fileCount @param {number} totalBytes */
  started(fileCount, totalBytes) {
    this.totalBytes = totalBytes;
    this.bar.max = Math.max(1, totalBytes);
    this.bar.value = 0;
    this.status.textContent = `Starting: ${count(fileCount)} files, ${bytes(totalBytes)}…`;
    this.warnings.hidden = true;
    this.summary.replaceChildren();
    this.summary.hidden = true;
    this.summaryKey = '';
    for (const cell of this.cells.values()) {
      cell.textContent = '–';
      delete cell.dataset.value;
    }
    this.setState('running');
  }

  /**
   * A progress or done message from the worker.
   * @param {ProgressMessage | RunEnded} m
   */
  update(m) {
    this.bar.value = m.bytesRead;
    const s = m.stats;
    for (const [key] of DETECTOR_STATS) this.set(key, count(s[key]), s[key]);
    this.set('files', `${count(m.fileIndex)} / ${count(m.fileCount)}`, m.fileIndex);
    this.set('bytes_read', bytes(m.bytesRead), m.bytesRead);
    this.set('bytes_inflated', bytes(m.decodedBytes), m.decodedBytes);
    this.set('elapsed', duration(m.elapsedMs), m.elapsedMs);
    this.set('throughput', megabytesPerSecond(m.decodedBytes, m.elapsedMs));
    this.set('events_per_second', perSecond(s.events_in, m.elapsedMs));
    this.set('skipped', count(m.warningCount), m.warningCount);
    if (m.type === 'progress') {
      this.status.textContent = `Reading ${m.fileName} (file ${count(m.fileIndex + 1)} of ${count(m.fileCount)}): `
        + `${bytes(m.bytesRead)} of ${bytes(this.totalBytes)}, ${count(s.events_in)} events, `
        + `${perSecond(s.events_in, m.elapsedMs)} events, ${megabytesPerSecond(m.decodedBytes, m.elapsedMs)}`;
    }
    if (m.warningCount) {
      const more = m.warningCount - m.warnings.length;
      this.warnings.textContent = m.warnings.join('\n') + (more > 0 ? `\n… and ${count(more)} more` : '');
      this.warnings.hidden = false;
    }
    this.summarise(m);
  }

  /**
   * The one-line summary: events, scans counted, alerts, and what was skipped (a button
   * that shows the reasons and the counters).
   * @param {ProgressMessage | RunEnded} m
   */
  summarise(m) {
    const s = m.stats;
    const skipped = s.unparseable + s.not_cloudtrail;
    // Rebuilt only when it changes: a focused button stays, a screen reader hears it once.
    const key = [s.events_in, s.recorded, s.alerts, s.summaries, s.unparseable, s.not_cloudtrail].join();
    if (key === this.summaryKey) return;
    this.summaryKey = key;
    /** @type {(string | HTMLElement)[]} */
    const parts = [`${count(s.events_in)} events, ${count(s.recorded)} successful scans counted, `];
    const alerts = document.createElement('strong');
    alerts.textContent = `${count(s.alerts)} alert${s.alerts === 1 ? '' : 's'}`;
    parts.push(alerts);
    if (s.summaries) parts.push(` (and ${count(s.summaries)} cap summar${s.summaries === 1 ? 'y' : 'ies'})`);
    if (skipped) {
      parts.push(', ');
      const reasons = document.createElement('button');
      reasons.type = 'button';
      reasons.className = 'link';
      reasons.id = 'skipped-reasons';
      reasons.textContent = `${count(skipped)} skipped`;
      reasons.title = `${count(s.unparseable)} unparseable, ${count(s.not_cloudtrail)} not CloudTrail: show why`;
      reasons.addEventListener('click', () => {
        this.counters.open = true;
        (this.warnings.hidden ? this.counters : this.warnings).scrollIntoView({ block: 'nearest' });
      });
      parts.push(reasons);
    }
    parts.push('.');
    this.summary.replaceChildren(...parts);
    this.summary.hidden = false;
  }

  /** @param {DoneMessage} m */
  finished(m) {
    if (!m.stats) {
      this.failed(`The replay could not start: ${m.message}`);
      return;
    }
    this.update(m);
    const s = m.stats;
    const summary = `${count(s.events_in)} events, ${count(s.alerts)} alerts in ${duration(m.elapsedMs)} `
      + `(${megabytesPerSecond(m.decodedBytes, m.elapsedMs)}, ${perSecond(s.events_in, m.elapsedMs)} events).`;
    if (m.status === 'complete') {
      this.bar.value = this.bar.max;
      this.status.textContent = `Done: ${summary}`;
    } else if (m.status === 'cancelled') {
      this.status.textContent = `Cancelled after ${bytes(m.bytesRead)}: ${summary} Results so far are below.`;
    } else {
      this.status.textContent = `The replay failed: ${m.message}`;
    }
    this.setState(m.status);
  }

  /** @param {string} message */
  failed(message) {
    this.status.textContent = message;
    this.setState('failed');
  }

  /**
   * Show `text`; `value`, the exact number behind it, goes in data-value.
   * @param {string} key
   * @param {string} text
   * @param {number} [value]
   */
  set(key, text, value) {
    const cell = this.cells.get(key);
    if (!cell) throw new Error(`no counter ${key}`);
    cell.textContent = text;
    if (value !== undefined) cell.dataset.value = String(value);
  }
}
