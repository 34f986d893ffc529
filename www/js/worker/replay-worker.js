// @ts-check
/// <reference lib="webworker" />
// The Web Worker that runs the detector (the npm package's web build) off the main
// thread. A run given Elastic's rule files uses the package's `rules` entry instead
// (pkg-rules/, a second module twice the size), loaded the first time one is given. Its messages, in and out, are declared in ./protocol.js: in, `check`,
// `order`, `run`, `cancel`, `export-alerts`, `export-state`, `details`, `source`,
// `scans`; out, `ready`, `checked`, `ordered` (the core's replay order), `progress`
// (throttled, with new alert rows), `principals` (slices of the per-principal rows, at
// the end), `done` (with the timeline), `alerts-file`, `state-file`, `detailed`,
// `sourced`, `scans-of`, `fatal`.
//
// The alerts' exact NDJSON text is kept as Blob parts (which the browser may keep on
// disk), never in the page: the page only gets the rows it shows, and one alert in full
// when it asks (`details`: the part and line of each alert are indexed).

import init, { Detector } from '../../pkg/index.js';
import { readFile, DEFAULT_BATCH_BYTES } from './file-reader.js';
import { ALERT, alertRows, field, lineSpans } from './alert-rows.js';
import { findRecord } from './source-event.js';
import { Observations } from './observations.js';
import { fromWorker, isToWorker, transferables, typeOf } from './protocol.js';
import { packRows } from './row-block.js';

/**
 * @import {
 *   AlertDetails, AlertRow, CheckResult, ConfigDocument, FromWorker, RuleFile, RunCounters,
 *   RunRequest, RunStatus, SourceRecord,
 * } from './protocol.js'
 * @import { CallOptions, DetectorConfig } from '../../pkg/index.js'
 */

const PROGRESS_EVERY_MS = 100;
/**
 * Alert rows go to the page with a progress message once this many are waiting, or
 * ROWS_EVERY_MS after the last ones went: fewer, larger blocks, whose long columns the
 * page's heap keeps in large-object space, which its garbage collector never moves.
 */
const ROWS_PER_BLOCK = 2048;
const ROWS_EVERY_MS = 1000;
const TIMELINE_EVERY_MS = 1000;
const TIMELINE_LIVE_LIMIT = 50_000;
const MAX_WARNINGS = 20;
/**
 * Per-principal rows per message: the page takes about 2.5 ms per 1,000 to receive them
 * (a real replay of 400,000 first scans: 47 ms for 20,000, before the garbage collector).
 */
const PRINCIPAL_SLICE = 5_000;
const UTF8 = new TextEncoder();
/** How many files before the one an alert was decided in are searched for its record. */
const SOURCE_FILES_BACK = 3;
/** @type {Readonly<Record<string, number>>} */
const DURATION_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** @param {FromWorker} message */
const post = (message) => self.postMessage(message, transferables(message));

/** @type {Promise<typeof Detector> | null} the `rules` entry's Detector, once asked for */
let rulesEntry = null;

/**
 * The Detector class of the package's `rules` entry, loaded and initialised once.
 * @returns {Promise<typeof Detector>}
 */
function rulesDetector() {
  rulesEntry ??= import('../../pkg-rules/index.js').then(async (entry) => {
    await entry.default();
    return /** @type {typeof Detector} */ (entry.Detector);
  });
  return rulesEntry;
}

/**
 * The configuration a run with rule files takes: the page's settings without what each
 * rule file sets for itself (`profile`, `history_window`).
 * @param {ConfigDocument} config
 */
function withoutRuleOwnedKeys(config) {
  const { profile: _profile, history_window: _window, ...rest } = config;
  return rest;
}

const ready = init().then(
  () => post(fromWorker.ready(Detector.version(), Detector.defaultConfig())),
  (error) => post(fromWorker.fatal(`the detector could not load: ${describe(error)}`)),
);

/** @type {Run | null} */
let current = null;

self.onmessage = async ({ data }) => {
  await ready;
  if (!isToWorker(data)) return post(fromWorker.fatal(`unknown message ${typeOf(data)}`));
  switch (data.type) {
    case 'check':
      return post(fromWorker.checked(data.id, check(data.config)));
    case 'order':
      return post(fromWorker.ordered(data.id, Detector.replayOrder(data.paths)));
    case 'run':
      if (current) current.dispose();
      current = new Run(data);
      return current.start();
    case 'cancel':
      return current?.cancel();
    case 'export-alerts':
      return post(fromWorker.alertsFile(data.id, current?.alertsFile() ?? null));
    case 'export-state': {
      const bytes = current?.detector?.snapshot();
      return post(fromWorker.stateFile(data.id, bytes ? ownBuffer(bytes) : null));
    }
    case 'details':
      return post(fromWorker.detailed(data.id, current ? await current.details(data.seq) : null));
    case 'scans':
      return post(fromWorker.scansOf(data.id, current
        ? current.observations.followed(data.filters)
        : { principals: new Uint32Array(0), times: new Float64Array(0) }));
    case 'source':
      return post(fromWorker.sourced(data.id, current
        ? await current.source(data.seq)
        : { seq: data.seq, text: null, file: '', note: 'There is no replay.' }));
  }
};

/**
 * A duration of the configuration (`30s`, `9m`, `1h`, `14d`, `2w`, `now-14d`) in ms;
 * NaN for anything else.
 * @param {string} text
 */
function durationMs(text) {
  const match = /^(?:now-)?(\d+)([smhdw])$/.exec(text);
  return match ? Number(match[1]) * DURATION_MS[match[2]] : NaN;
}

/**
 * `bytes` as a view of an ArrayBuffer of its own, which can be handed to the page. The
 * detector's snapshot always is one (wasm-bindgen copies it out of the module's
 * memory): the same bytes in the same buffer, typed so.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array<ArrayBuffer>}
 */
function ownBuffer(bytes) {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer, bytes.byteOffset, bytes.length) : bytes.slice();
}

/**
 * The page's config document as the Detector takes it. The page sends the document as
 * its settings form gave it, and the detector is what judges it (a ConfigError names
 * the problem): its declared type, a valid configuration, is the detector's to verify.
 * @param {ConfigDocument} config
 */
function detectorConfig(config) {
  return /** @type {DetectorConfig} */ (config);
}

/**
 * The effective configuration of a config document, or the error naming its problem.
 * @param {ConfigDocument} config
 * @returns {CheckResult}
 */
function check(config) {
  /** @type {Detector | undefined} */
  let detector;
  try {
    detector = new Detector(detectorConfig(config));
    return { effective: detector.config() };
  } catch (error) {
    return { error: describe(error) };
  } finally {
    detector?.free();
  }
}

/** @param {unknown} error */
function describe(error) {
  return typeof error === 'object' && error !== null && 'message' in error && error.message
    ? String(error.message)
    : String(error);
}

/** One replay of a list of files through a fresh detector. */
class Run {
  /** @param {RunRequest} request */
  constructor({ id, files, config, alertTime, limits, rules }) {
    this.id = id;
    this.files = files;
    this.config = config;
    /** @type {RuleFile[]} Elastic's rule files to run instead of the built-in rule */
    this.rules = rules ?? [];
    /** @type {Map<string, string>} the name of each rule the run's detector runs, by rule_id */
    this.ruleNames = new Map();
    this.alertTime = alertTime;
    this.batchBytes = limits?.batchBytes ?? DEFAULT_BATCH_BYTES;
    /** @type {CallOptions} how the detector reads each file (the core's limits unless a test sets them) */
    this.reading = {};
    if (limits?.maxLineBytes !== undefined) this.reading.maxLineBytes = limits.maxLineBytes;
    if (limits?.maxDocumentBytes !== undefined) this.reading.maxDocumentBytes = limits.maxDocumentBytes;
    /** @type {Detector | null} the run's detector, from start() until dispose() */
    this.detector = null;
    this.started = 0;
    this.cancelled = false;
    this.observations = new Observations();
    /** @type {Blob[]} the alerts' exact text (UTF-8), a part per call */
    this.alertParts = [];
    /** the UTF-8 of the last call's alerts, before its Blob copies it (see `encoded`) */
    this.encodeBuffer = new Uint8Array(0);
    /** lookups of source records run one at a time; a newer one makes a waiting one moot */
    this.sourceChain = Promise.resolve();
    this.sourceTicket = 0;
    /**
     * Per alert (by sequence number): its Blob part and where its line starts and ends
     * there (bytes), its term key, its judged time and the file being read when it was
     * decided.
     * @type {{ part: number[], start: number[], end: number[], key: (string | null)[],
     *   time: number[], file: number[] }}
     */
    this.alertIndex = { part: [], start: [], end: [], key: [], time: [], file: [] };
    /** @type {AlertRow[]} */
    this.pendingRows = [];
    /** @type {string[]} */
    this.warnings = [];
    this.warningCount = 0;
    this.bytesDone = 0;
    this.fileRead = 0;
    this.decodedBytes = 0;
    this.fileIndex = 0;
    this.lastProgress = 0;
    this.lastRows = 0;
    this.lastTimeline = 0;
    this.disposed = false;
  }

  async start() {
    try {
      this.detector = this.rules.length
        ? await this.startRules()
        : new Detector(detectorConfig(this.config), { detectionTime: this.alertTime });
    } catch (error) {
      return post(fromWorker.notStarted(this.id, describe(error)));
    }
    if (this.disposed) {
      this.detector.free();
      this.detector = null;
      return;
    }
    for (const rule of this.detector.rules()) this.ruleNames.set(rule.rule_id, rule.name);
    this.started = performance.now();
    /** @type {RunStatus} */
    let status = 'complete';
    let message = '';
    try {
      for (this.fileIndex = 0; this.fileIndex < this.files.length; this.fileIndex += 1) {
        const file = this.files[this.fileIndex];
        this.fileRead = 0;
        const ended = await readFile(file, (bytes, more) => this.judge(file.name, bytes, more), {
          batchBytes: this.batchBytes,
          onRead: (n) => { this.fileRead = n; this.progress(); },
          cancelled: () => this.cancelled,
        });
        if (ended === 'cancelled') {
          status = 'cancelled';
          break;
        }
        if (ended !== 'complete') this.warn(`${file.name}: could not be read to the end (${ended.error})`);
        this.bytesDone += file.size;
        this.fileRead = 0;
      }
      if (status === 'complete') this.addAlerts(this.live().flush({ output: 'ndjson' }));
    } catch (error) {
      status = 'failed';
      message = describe(error);
    }
    this.encodeBuffer = new Uint8Array(0); // no more alerts: its (maybe 100 MB) can go
    if (this.disposed) return; // a newer run replaced this one
    // The per-principal rows go in slices, so the page never stalls on one huge message.
    const principals = this.observations.principalRows();
    for (let i = 0; i < principals.length; i += PRINCIPAL_SLICE) {
      post(fromWorker.principals(this.id, packRows(principals.slice(i, i + PRINCIPAL_SLICE))));
    }
    const timeline = this.observations.timeline();
    post(fromWorker.done(this.id, status, message, this.counters(), {
      rows: this.takeRows(),
      timeline,
      principalCount: principals.length,
      droppedPrincipals: this.observations.droppedPrincipals,
      unnumberedScans: this.observations.unnumberedScans,
    }));
  }

  /**
   * A detector of the run's rule files: each refused file, and each loaded rule's
   * warnings, become the run's warnings.
   */
  async startRules() {
    const RulesDetector = await rulesDetector();
    const detector = new RulesDetector(detectorConfig(withoutRuleOwnedKeys(this.config)), {
      detectionTime: this.alertTime,
      rules: this.rules,
    });
    if (this.config.profile !== undefined || this.config.history_window !== undefined) {
      this.warn('Each rule file sets its own history window and fields: the profile and history window settings do not apply.');
    }
    for (const refused of detector.refusedRules()) {
      this.warn(`${refused.file}: refused${refused.rule ? ` (${refused.rule})` : ''}: ${refused.reason}`);
    }
    for (const rule of detector.rules()) {
      for (const warning of rule.warnings ?? []) this.warn(`${rule.file ?? rule.name}: ${warning}`);
    }
    return detector;
  }

  /**
   * The run's detector. After dispose() (a newer run replaced this one) it throws, as
   * the detector is gone.
   */
  live() {
    if (!this.detector) throw new Error('this replay was replaced by a newer one');
    return this.detector;
  }

  /**
   * The next bytes of a file through the detector (`more` false: the file's last):
   * their alerts, what their scans wrote to the state, what the reader skipped.
   * @param {string} name
   * @param {Uint8Array} bytes
   * @param {boolean} more
   */
  judge(name, bytes, more) {
    if (this.disposed) return; // replaced while a read was pending
    const { alerts, observed, skipped, decodedBytes } = this.live()
      .processObserved(bytes, { ...this.reading, more, output: 'ndjson' });
    this.decodedBytes += decodedBytes;
    for (const message of skipped) this.warn(`${name}: ${message}`);
    for (const scan of observed) this.observations.scan(scan, this.ruleName(scan.rule_id));
    this.addAlerts(alerts);
    this.progress();
  }

  /** @param {string} ndjson */
  addAlerts(ndjson) {
    if (!ndjson) return;
    const part = this.alertParts.length;
    // Encoded here rather than by the Blob: the same work, and the lines' byte offsets
    // come with it, so that one alert is read on its own (a part may hold 100 MB of
    // alerts: reading it whole took about a second per alert opened).
    const bytes = this.encoded(ndjson);
    this.alertParts.push(new Blob([bytes]));
    const index = this.alertIndex;
    const rows = alertRows(ndjson, index.part.length);
    const spans = lineSpans(bytes);
    rows.forEach(({ row, key, time }, line) => {
      index.part.push(part);
      index.start.push(spans[2 * line]);
      index.end.push(spans[2 * line + 1]);
      index.key.push(key);
      index.time.push(time);
      index.file.push(Math.min(this.fileIndex, this.files.length - 1));
      this.observations.alert(row[ALERT.timeMs], key);
      this.pendingRows.push(row);
    });
  }

  /**
   * `text` as UTF-8, in a buffer the run reuses (the Blob copies it): a new buffer for
   * each call's alerts (up to 100 MB or more) cost 12% of an alert-heavy replay.
   * @param {string} text
   */
  encoded(text) {
    let read = 0;
    let written = 0;
    for (;;) {
      const done = UTF8.encodeInto(read ? text.slice(read) : text, this.encodeBuffer.subarray(written));
      read += done.read;
      written += done.written;
      if (read >= text.length) return this.encodeBuffer.subarray(0, written);
      // Room for the rest as ASCII, and some: grown again if it is not.
      const grown = new Uint8Array(Math.ceil(Math.max(written + (text.length - read) * 1.125 + 16, this.encodeBuffer.length * 1.5)));
      grown.set(this.encodeBuffer.subarray(0, written));
      this.encodeBuffer = grown;
    }
  }

  /**
   * The exact NDJSON text of alert `seq`, or null.
   * @param {number} seq
   */
  async alertText(seq) {
    const part = this.alertParts[this.alertIndex.part[seq]];
    if (!part) return null;
    return part.slice(this.alertIndex.start[seq], this.alertIndex.end[seq]).text();
  }

  /**
   * Alert `seq` in full, with what the run saw of its principal.
   * @param {number} seq
   * @returns {Promise<AlertDetails | null>}
   */
  async details(seq) {
    const text = await this.alertText(seq);
    if (text === null) return null;
    const key = this.alertIndex.key[seq];
    // The alert's own rule's window (each rule file sets its own).
    const ruleWindow = field(JSON.parse(text), 'kibana.alert.rule.parameters.history_window_start');
    const window = typeof ruleWindow === 'string' ? ruleWindow
      : this.detector ? this.detector.config().history_window : '';
    return {
      seq,
      summary: key === null,
      text,
      time: this.alertIndex.time[seq],
      windowMs: durationMs(window),
      principal: key === null ? null : this.observations.principal(key),
    };
  }

  /**
   * The record alert `seq` was raised at, found again by its event id in the file being
   * read when it was decided, else in the few before it (the detector may hold a record
   * back for time order and decide it later).
   * @param {number} seq
   * @returns {Promise<SourceRecord>}
   */
  source(seq) {
    const ticket = ++this.sourceTicket;
    const lookup = this.sourceChain.then(() => (ticket === this.sourceTicket
      ? this.lookUpSource(seq)
      : { seq, text: null, file: '', note: 'A newer request replaced this one.' }));
    this.sourceChain = lookup.then(() => undefined, () => undefined);
    return lookup;
  }

  /**
   * @param {number} seq
   * @returns {Promise<SourceRecord>}
   */
  async lookUpSource(seq) {
    const text = await this.alertText(seq);
    const id = text === null ? undefined : field(JSON.parse(text), 'event.id');
    if (typeof id !== 'string' || !id) {
      return { seq, text: null, file: '', note: 'This alert names no event id (a cap summary has none).' };
    }
    const last = this.alertIndex.file[seq];
    for (let i = last; i >= 0 && i >= last - SOURCE_FILES_BACK; i -= 1) {
      const file = this.files[i];
      try {
        const record = await findRecord(file, id);
        if (record === null) {
          return { seq, text: null, file: file.name, note: `${file.name} is too large to search again in the browser.` };
        }
        if (record) {
          return { seq, text: record.text, file: file.name,
            note: record.exact ? '' : 'Taken out of its envelope and written out again (the same values).' };
        }
      } catch (error) {
        return { seq, text: null, file: file.name, note: `${file.name} could not be read again: ${describe(error)}` };
      }
    }
    return { seq, text: null, file: '', note: `No record with event id ${id} was found again in the files read around it.` };
  }

  /**
   * The name of the rule `ruleId` (alerts carry it as `kibana.alert.rule.name`).
   * @param {string} ruleId
   */
  ruleName(ruleId) {
    return this.ruleNames.get(ruleId) ?? ruleId;
  }

  /** @param {string} message */
  warn(message) {
    this.warningCount += 1;
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message);
  }

  cancel() {
    this.cancelled = true;
  }

  dispose() {
    this.cancelled = true;
    this.disposed = true;
    this.detector?.free();
    this.detector = null;
    this.encodeBuffer = new Uint8Array(0);
  }

  alertsFile() {
    return new Blob(this.alertParts, { type: 'application/x-ndjson' });
  }

  /** The alert rows found since the last call, packed for the page. */
  takeRows() {
    const rows = this.pendingRows;
    this.pendingRows = [];
    this.lastRows = performance.now();
    return packRows(rows);
  }

  /** @returns {RunCounters} */
  counters() {
    return {
      stats: this.live().stats(),
      fileIndex: this.fileIndex,
      fileCount: this.files.length,
      fileName: this.files[this.fileIndex]?.name ?? '',
      bytesRead: this.bytesDone + this.fileRead,
      decodedBytes: this.decodedBytes,
      elapsedMs: performance.now() - this.started,
      warnings: this.warnings,
      warningCount: this.warningCount,
    };
  }

  /** A progress message, at most every PROGRESS_EVERY_MS, with the alert rows waiting (see ROWS_PER_BLOCK). */
  progress() {
    const now = performance.now();
    if (this.disposed || now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const counters = this.counters();
    const rows = this.pendingRows.length >= ROWS_PER_BLOCK || now - this.lastRows >= ROWS_EVERY_MS
      ? this.takeRows() : packRows([]);
    let timeline;
    if (now - this.lastTimeline >= TIMELINE_EVERY_MS
      && this.observations.scansPerMinute.size < TIMELINE_LIVE_LIMIT) {
      this.lastTimeline = now;
      timeline = this.observations.timeline();
    }
    post(fromWorker.progress(this.id, counters, rows, timeline));
  }
}
