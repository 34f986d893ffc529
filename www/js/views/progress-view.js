// @ts-check
// The replay's progress and counters: the progress bar (file bytes read), a status
// line (bytes, events, rates, the current file), the detector's stats and what the
// reader had to skip. Each counter carries data-stat (its name) and data-value (the
// exact number), so that tests and measurements can read it.

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
 * @property {HTMLElement} warnings
 * @property {HTMLButtonElement} cancel
 */

/**
 * [stats key, label] of the detector's counters shown, in order.
 * @type {[Counter, string][]}
 */
const DETECTOR_STATS = [
  ['events_in', 'events'],
  ['matched', 'matched the query'],
  ['recorded', 'scans counted'],
  ['alerts', 'alerts'],
  ['summaries', 'cap summaries'],
  ['unparseable', 'unparseable'],
  ['not_cloudtrail', 'not CloudTrail'],
  ['late', 'late (beyond the reorder window)'],
  ['held', 'held for time order'],
  ['evicted', 'evicted'],
  ['expired', 'expired'],
  ['tracked_terms', 'tracked terms'],
  ['muted', 'muted (learning)'],
];

export class ProgressView {
  /** @param {ProgressElements} elements */
  constructor({ bar, status, stats, warnings, cancel }) {
    this.bar = bar;
    this.status = status;
    this.statsList = stats;
    this.warnings = warnings;
    this.cancel = cancel;
    this.totalBytes = 0;
    /** @type {Map<string, HTMLElement>} by counter name */
    this.cells = new Map();
    for (const [key, label] of [...DETECTOR_STATS, ['files', 'files read'], ['bytes_read', 'read'],
      ['bytes_inflated', 'inflated'], ['elapsed', 'elapsed'], ['throughput', 'throughput'],
      ['events_per_second', 'events per second'], ['skipped', 'skipped (size limits)']]) {
      const item = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label;
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
