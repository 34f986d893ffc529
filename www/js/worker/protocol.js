// @ts-check
// The messages between the replay page (js/replay-client.js) and its worker
// (js/worker/replay-worker.js), declared once. Each side builds what it sends with the
// constructors here (`toWorker.*`, `fromWorker.*`) and tells what it receives apart
// with the guards (`isToWorker`, `isFromWorker`).
//
// Every message the page sends carries an `id` (a number, from the page's one counter),
// except `cancel`. The worker echoes it:
//
//   page -> worker       worker -> page
//   check                checked                  (the config document checked)
//   order                ordered                  (the core's replay order of paths)
//   run                  progress…, principals…, done
//   cancel               (the running replay ends with `done`, status 'cancelled')
//   export-alerts        alerts-file
//   export-state         state-file
//   details              detailed                 (one alert of the last run, in full)
//   source               sourced                  (the record an alert was raised at)
//   scans                scans-of                 (the scans the filters follow)
//                        ready, fatal             (unasked: the detector loaded, or not)
//
// The page and the worker are one program, served together from one origin: the
// guards tell messages apart by their `type`; they do not validate every field.

import { blockBuffers } from './row-block.js';

/**
 * @import { CallOptions, DetectorConfig, EffectiveConfig, Stats } from '../../pkg/index.js'
 * @import { RowBlock } from './row-block.js'
 */

// ---- What the messages carry ----------------------------------------------------

/**
 * The config document the page builds from its settings form, as it is sent: a
 * `DetectorConfig`, except that `max_terms` may be text the detector rejects by name
 * (a whole number too large to be exact as a JavaScript number). The detector judges
 * the document; that is what `check` is for.
 * @typedef {Omit<DetectorConfig, 'max_terms'> & { max_terms?: number | string }} ConfigDocument
 */

/**
 * The reader's size limits (js/worker/file-reader.js): batches handed to the detector,
 * the longest NDJSON line, the largest whole JSON document.
 * @typedef {object} ReadLimits
 * @property {number} batchBytes
 * @property {number} maxLineBytes
 * @property {number} maxDocumentBytes
 */

/**
 * What `check` finds: the effective configuration of a valid document, or what is wrong.
 * @typedef {{ effective: EffectiveConfig, error?: undefined }
 *   | { error: string, effective?: undefined }} CheckResult
 */

/**
 * One row of the alerts table: [time, principal, account, source address, table,
 * user agent, reason, alert id, rule name, sequence number, term label, time in ms]
 * (js/worker/alert-rows.js). The last three are not shown: the alert's place in the run
 * (0 for the first), by which the page asks for its details; the label of its new terms
 * as the principals table names them ('' for a cap summary), by which the page filters
 * both tables alike; and the first column's time as epoch ms (NaN if it has none), so
 * that a time range filters 400,000 rows without parsing their text.
 * @typedef {[string, string, string, string, string, string, string, string, string, number, string, number]} AlertRow
 */

/**
 * One alert of the last run, in full: its exact NDJSON text (the detector's bytes, as
 * the command line writes them), the time the rule judged it at (its time basis, epoch
 * ms), the history window (ms), and what the run saw of its principal: every scan's
 * time, sorted (`complete` false when the page's memory bound stopped keeping them).
 * `principal` is null for an alert-cap summary (`summary`), and for a principal past
 * the page's bound on principals.
 * @typedef {object} AlertDetails
 * @property {number} seq
 * @property {boolean} summary
 * @property {string} text
 * @property {number} time
 * @property {number} windowMs
 * @property {{ label: string, times: Float64Array<ArrayBuffer>, scans: number, complete: boolean } | null} principal
 */

/**
 * The record an alert was raised at, as the detector received it, found again in the
 * files by its event id: its exact text when it was a line or document of its own,
 * otherwise (inside an S3, EventBridge or CloudWatch Logs envelope) written out again,
 * which `note` says; or null, with `note` saying why.
 * @typedef {{ seq: number, text: string | null, file: string, note: string }} SourceRecord
 */

/**
 * One row of the principals table: [principal, first seen, last seen, scans, alerts,
 * alerted, rule name, first seen ms, last seen ms] (js/worker/observations.js); the
 * last two are not shown (they filter by time without parsing text).
 * @typedef {[string, string, string, number, number, 'yes' | 'no', string, number, number]} PrincipalRow
 */

/**
 * Scans and alerts per minute, sorted by minute, as transferable arrays.
 * @typedef {object} Timeline
 * @property {number} minuteMs     the bin width, one minute in milliseconds
 * @property {Float64Array<ArrayBuffer>} minutes   minute numbers since the epoch
 * @property {Uint32Array<ArrayBuffer>} scans      successful scans the rule counted
 * @property {Uint32Array<ArrayBuffer>} alerts
 */

/**
 * How far a run is: what `progress` and `done` report.
 * @typedef {object} RunCounters
 * @property {Stats} stats           the detector's counters
 * @property {number} fileIndex      the file being read (0-based); at the end, the number read
 * @property {number} fileCount
 * @property {string} fileName       the file being read ('' at the end)
 * @property {number} bytesRead      of the files as given (compressed bytes for gzip)
 * @property {number} decodedBytes   handed to the detector (after inflating)
 * @property {number} elapsedMs
 * @property {string[]} warnings     the first of what the reader skipped
 * @property {number} warningCount   all of them
 */

/** @typedef {'complete' | 'cancelled' | 'failed'} RunStatus */

// ---- Page -> worker ---------------------------------------------------------------

/**
 * Check a config document; answered by `checked`.
 * @typedef {{ type: 'check', id: number, config: ConfigDocument }} CheckRequest
 */
/**
 * The order in which to replay files with these paths; answered by `ordered`.
 * @typedef {{ type: 'order', id: number, paths: string[] }} OrderRequest
 */
/**
 * Replay `files` in this order through a fresh detector (replacing any running replay);
 * answered by `progress` (throttled), `principals` (in slices, at the end) and `done`.
 * `limits` (optional, for tests) overrides the reader's.
 * @typedef {object} RunRequest
 * @property {'run'} type
 * @property {number} id
 * @property {File[]} files
 * @property {ConfigDocument} config
 * @property {CallOptions['detectionTime']} alertTime   the alerts' `@timestamp`
 * @property {Partial<ReadLimits>} [limits]
 * @property {RuleFile[]} [rules]   Elastic's rule files to run instead of the built-in rule
 */

/**
 * One of Elastic's rule files: its path as given and its TOML text.
 * @typedef {{ file: string, text: string }} RuleFile
 */
/**
 * Stop the running replay; it ends with `done`, status 'cancelled'.
 * @typedef {{ type: 'cancel' }} CancelRequest
 */
/**
 * The last run's alerts as the detector wrote them; answered by `alerts-file`.
 * @typedef {{ type: 'export-alerts', id: number }} ExportAlertsRequest
 */
/**
 * The last run's detector state; answered by `state-file`.
 * @typedef {{ type: 'export-state', id: number }} ExportStateRequest
 */

/**
 * One alert of the last run in full; answered by `detailed` (null if there is none).
 * @typedef {{ type: 'details', id: number, seq: number }} DetailsRequest
 */
/**
 * The record alert `seq` of the last run was raised at; answered by `sourced`.
 * @typedef {{ type: 'source', id: number, seq: number }} SourceRequest
 */

/**
 * The successful scans the last run kept that the filters follow: of principal `label`
 * (a term label, as the principals table names it), from `account`, from `address`,
 * counted by rule `rule` (a rule name) (each absent: any); answered by `scans-of`.
 * @typedef {{ label?: string, account?: string, address?: string, rule?: string }} ScanFilters
 * @typedef {{ type: 'scans', id: number, filters: ScanFilters }} ScansRequest
 */

/**
 * The requests the worker answers with one message (`run` is answered by several).
 * @typedef {CheckRequest | OrderRequest | ExportAlertsRequest | ExportStateRequest
 *   | DetailsRequest | SourceRequest | ScansRequest} Question
 */
/** @typedef {Question | RunRequest | CancelRequest} ToWorker */

// ---- Worker -> page ---------------------------------------------------------------

/**
 * The detector loaded: its version and default configuration.
 * @typedef {{ type: 'ready', version: string, defaults: EffectiveConfig }} ReadyMessage
 */
/**
 * The worker cannot go on (the detector or the worker did not load, an unknown message).
 * @typedef {{ type: 'fatal', message: string }} FatalMessage
 */
/** @typedef {{ type: 'checked', id: number } & CheckResult} CheckedMessage */
/**
 * Indices into the request's `paths`, in replay order (digest files left out).
 * @typedef {{ type: 'ordered', id: number, order: Uint32Array }} OrderedMessage
 */
/**
 * A run's progress, with the alert rows (AlertRow, packed) found since the last one; `timeline` about
 * once a second while the timeline is small.
 * @typedef {RunCounters & {
 *   type: 'progress', id: number, rows: RowBlock, timeline?: Timeline,
 * }} ProgressMessage
 */
/**
 * A slice of the run's per-principal rows (PrincipalRow, packed), sent before its `done`.
 * @typedef {{ type: 'principals', id: number, rows: RowBlock }} PrincipalsMessage
 */
/**
 * The end of a run that started: its last counters and alert rows, the timeline, and
 * how many principals the principal rows hold (and the scans of those left out), and
 * the scans from accounts or addresses past the ones the page numbers (not followed).
 * @typedef {RunCounters & {
 *   type: 'done', id: number, status: RunStatus, message: string, rows: RowBlock,
 *   timeline: Timeline, principalCount: number, droppedPrincipals: number,
 *   unnumberedScans: number,
 * }} RunEnded
 */
/**
 * The end of a run that could not start: the detector refused its configuration
 * (`message` names the problem).
 * @typedef {{ type: 'done', id: number, status: 'failed', message: string, stats?: undefined }} RunNotStarted
 */
/** @typedef {RunEnded | RunNotStarted} DoneMessage */
/**
 * The last run's alerts (NDJSON), or null if there was no run.
 * @typedef {{ type: 'alerts-file', id: number, blob: Blob | null }} AlertsFileMessage
 */
/**
 * The last run's detector state (`snapshot()`), or null if there is none.
 * @typedef {{ type: 'state-file', id: number, bytes: Uint8Array<ArrayBuffer> | null }} StateFileMessage
 */

/** @typedef {{ type: 'detailed', id: number, details: AlertDetails | null }} DetailedMessage */
/** @typedef {{ type: 'sourced', id: number, source: SourceRecord }} SourcedMessage */
/**
 * The scans asked for: the principals with such scans, by their rows in the principals
 * table (their places in the run's principal rows), and the scans'
 * times (epoch ms, sorted).
 * @typedef {{ principals: Uint32Array<ArrayBuffer>, times: Float64Array<ArrayBuffer> }} FollowedScans
 * @typedef {{ type: 'scans-of', id: number, scans: FollowedScans }} ScansOfMessage
 */

/**
 * @typedef {CheckedMessage | OrderedMessage | AlertsFileMessage | StateFileMessage
 *   | DetailedMessage | SourcedMessage | ScansOfMessage} Answer
 */
/**
 * @typedef {ReadyMessage | FatalMessage | Answer | ProgressMessage | PrincipalsMessage
 *   | DoneMessage} FromWorker
 */

// ---- Constructors ----------------------------------------------------------------

/** The page's messages. */
export const toWorker = Object.freeze({
  /** @param {number} id @param {ConfigDocument} config @returns {CheckRequest} */
  check: (id, config) => ({ type: 'check', id, config }),
  /** @param {number} id @param {string[]} paths @returns {OrderRequest} */
  order: (id, paths) => ({ type: 'order', id, paths }),
  /**
   * @param {number} id @param {File[]} files @param {ConfigDocument} config
   * @param {CallOptions['detectionTime']} alertTime @param {RuleFile[]} [rules]
   * @returns {RunRequest}
   */
  run: (id, files, config, alertTime, rules) => (rules?.length
    ? { type: 'run', id, files, config, alertTime, rules }
    : { type: 'run', id, files, config, alertTime }),
  /** @returns {CancelRequest} */
  cancel: () => ({ type: 'cancel' }),
  /** @param {number} id @returns {ExportAlertsRequest} */
  exportAlerts: (id) => ({ type: 'export-alerts', id }),
  /** @param {number} id @returns {ExportStateRequest} */
  exportState: (id) => ({ type: 'export-state', id }),
  /** @param {number} id @param {number} seq @returns {DetailsRequest} */
  details: (id, seq) => ({ type: 'details', id, seq }),
  /** @param {number} id @param {number} seq @returns {SourceRequest} */
  source: (id, seq) => ({ type: 'source', id, seq }),
  /** @param {number} id @param {ScanFilters} filters @returns {ScansRequest} */
  scans: (id, filters) => ({ type: 'scans', id, filters }),
});

/** The worker's messages. */
export const fromWorker = Object.freeze({
  /** @param {string} version @param {EffectiveConfig} defaults @returns {ReadyMessage} */
  ready: (version, defaults) => ({ type: 'ready', version, defaults }),
  /** @param {string} message @returns {FatalMessage} */
  fatal: (message) => ({ type: 'fatal', message }),
  /** @param {number} id @param {CheckResult} result @returns {CheckedMessage} */
  checked: (id, result) => ({ type: 'checked', id, ...result }),
  /** @param {number} id @param {Uint32Array} order @returns {OrderedMessage} */
  ordered: (id, order) => ({ type: 'ordered', id, order }),
  /**
   * @param {number} id @param {RunCounters} counters @param {RowBlock} rows
   * @param {Timeline} [timeline]
   * @returns {ProgressMessage}
   */
  progress: (id, counters, rows, timeline) => (timeline
    ? { type: 'progress', id, ...counters, rows, timeline }
    : { type: 'progress', id, ...counters, rows }),
  /** @param {number} id @param {RowBlock} rows @returns {PrincipalsMessage} */
  principals: (id, rows) => ({ type: 'principals', id, rows }),
  /**
   * @param {number} id @param {RunStatus} status @param {string} message
   * @param {RunCounters} counters
   * @param {{ rows: RowBlock, timeline: Timeline, principalCount: number, droppedPrincipals: number,
   *   unnumberedScans: number }} end
   * @returns {RunEnded}
   */
  done: (id, status, message, counters, end) => ({ type: 'done', id, status, message, ...counters, ...end }),
  /** @param {number} id @param {string} message @returns {RunNotStarted} */
  notStarted: (id, message) => ({ type: 'done', id, status: 'failed', message }),
  /** @param {number} id @param {Blob | null} blob @returns {AlertsFileMessage} */
  alertsFile: (id, blob) => ({ type: 'alerts-file', id, blob }),
  /** @param {number} id @param {Uint8Array<ArrayBuffer> | null} bytes @returns {StateFileMessage} */
  stateFile: (id, bytes) => ({ type: 'state-file', id, bytes }),
  /** @param {number} id @param {AlertDetails | null} details @returns {DetailedMessage} */
  detailed: (id, details) => ({ type: 'detailed', id, details }),
  /** @param {number} id @param {SourceRecord} source @returns {SourcedMessage} */
  sourced: (id, source) => ({ type: 'sourced', id, source }),
  /** @param {number} id @param {FollowedScans} scans @returns {ScansOfMessage} */
  scansOf: (id, scans) => ({ type: 'scans-of', id, scans }),
});

/**
 * What posting `message` hands over rather than copies: the row blocks' and the
 * timeline's arrays, and the state's bytes (the worker does not use them again).
 * @param {FromWorker} message
 * @returns {Transferable[]}
 */
export function transferables(message) {
  switch (message.type) {
    case 'progress':
    case 'done': {
      const timeline = 'timeline' in message ? message.timeline : undefined;
      const rows = 'rows' in message && message.rows ? blockBuffers(message.rows) : [];
      return timeline ? [...rows, timeline.minutes.buffer, timeline.scans.buffer, timeline.alerts.buffer] : rows;
    }
    case 'principals':
      return blockBuffers(message.rows);
    case 'state-file':
      return message.bytes ? [message.bytes.buffer] : [];
    case 'detailed':
      return message.details?.principal ? [message.details.principal.times.buffer] : [];
    case 'scans-of':
      return [message.scans.principals.buffer, message.scans.times.buffer];
    default:
      return [];
  }
}

// ---- Guards ------------------------------------------------------------------------

/** @type {Readonly<Record<ToWorker['type'], true>>} */
const TO_WORKER_TYPES = {
  check: true, order: true, run: true, cancel: true, 'export-alerts': true, 'export-state': true,
  details: true, source: true, scans: true,
};

/** @type {Readonly<Record<FromWorker['type'], true>>} */
const FROM_WORKER_TYPES = {
  ready: true,
  fatal: true,
  checked: true,
  ordered: true,
  progress: true,
  principals: true,
  done: true,
  'alerts-file': true,
  'state-file': true,
  detailed: true,
  sourced: true,
  'scans-of': true,
};

/**
 * Whether `data` is one of the page's messages (by its `type`).
 * @param {unknown} data
 * @returns {data is ToWorker}
 */
export function isToWorker(data) {
  return hasType(data, TO_WORKER_TYPES);
}

/**
 * Whether `data` is one of the worker's messages (by its `type`).
 * @param {unknown} data
 * @returns {data is FromWorker}
 */
export function isFromWorker(data) {
  return hasType(data, FROM_WORKER_TYPES);
}

/**
 * The `type` of a message, as text for an error message.
 * @param {unknown} data
 */
export function typeOf(data) {
  return String(typeof data === 'object' && data !== null && 'type' in data ? data.type : undefined);
}

/**
 * @param {unknown} data
 * @param {Readonly<Record<string, true>>} types
 */
function hasType(data, types) {
  return typeof data === 'object' && data !== null && 'type' in data
    && typeof data.type === 'string' && Object.hasOwn(types, data.type);
}
