// @ts-check
// The page's side of the replay worker (js/worker/replay-worker.js; the messages are
// declared in js/worker/protocol.js). The worker is started from a blob: URL that
// imports the real module: a worker from a local URL inherits the page's
// Content-Security-Policy (the meta tag), whatever headers the server sends, so the
// detector's thread is held to this origin too.

import { isFromWorker, toWorker } from './worker/protocol.js';

/**
 * @import { CallOptions } from '../pkg/index.js'
 * @import {
 *   AlertDetails, CheckResult, ConfigDocument, DoneMessage, FollowedScans, FromWorker,
 *   ProgressMessage, Question, ReadyMessage, RuleFile, ScanFilters, SourceRecord,
 * } from './worker/protocol.js'
 * @import { RowBlock } from './worker/row-block.js'
 */

/**
 * What the page does with the worker's news.
 * @typedef {object} ClientHandlers
 * @property {(message: ReadyMessage) => void} ready        the detector loaded
 * @property {(message: ProgressMessage) => void} progress  of the latest run
 * @property {(rows: RowBlock) => void} principals   a slice of the latest run's
 * @property {(message: DoneMessage) => void} done          the latest run ended
 * @property {(message: string) => void} fatal             the worker cannot go on
 */

/**
 * A request waiting for its answer, by the type of the request: what resolves it.
 * @typedef {{ type: 'check', resolve: (result: CheckResult) => void }
 *   | { type: 'order', resolve: (order: Uint32Array) => void }
 *   | { type: 'export-alerts', resolve: (blob: Blob | null) => void }
 *   | { type: 'export-state', resolve: (bytes: Uint8Array<ArrayBuffer> | null) => void }
 *   | { type: 'details', resolve: (details: AlertDetails | null) => void }
 *   | { type: 'source', resolve: (source: SourceRecord) => void }
 *   | { type: 'scans', resolve: (scans: FollowedScans) => void }} Pending
 */

export class ReplayClient {
  /** @param {ClientHandlers} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    /** The id of every message sent, and so of the answers to it: one counter. */
    this.lastId = 0;
    /** The id of the latest run: progress, principals and done of older runs are dropped. */
    this.runId = 0;
    /** @type {Map<number, Pending>} by request id */
    this.pending = new Map();
    const moduleUrl = new URL('./worker/replay-worker.js', import.meta.url).href;
    // A dynamic import (a static one from a blob: worker did not load under this policy
    // in Chromium), which also lets a failure to load be reported: both as the
    // protocol's `fatal` message.
    const source = [
      "addEventListener('securitypolicyviolation', (e) => postMessage({ type: 'fatal',",
      "  message: `blocked by the page's Content-Security-Policy: ${e.effectiveDirective} ${e.blockedURI}` }));",
      `import(${JSON.stringify(moduleUrl)})`,
      "  .catch((e) => postMessage({ type: 'fatal', message: `the replay worker did not load: ${e}` }));",
    ].join('\n');
    const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    this.worker = new Worker(blobUrl, { type: 'module', name: 'dynamodb-scan-replay' });
    this.worker.onmessage = ({ data }) => {
      if (!isFromWorker(data)) return;
      if (data.type === 'ready') URL.revokeObjectURL(blobUrl);
      this.receive(data);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      handlers.fatal(`the replay worker failed: ${event.message || 'it could not start'}`);
    };
  }

  /** @param {FromWorker} data */
  receive(data) {
    switch (data.type) {
      case 'ready': return this.handlers.ready(data);
      case 'fatal': return this.handlers.fatal(data.message);
      case 'progress': return data.id === this.runId ? this.handlers.progress(data) : undefined;
      case 'principals': return data.id === this.runId ? this.handlers.principals(data.rows) : undefined;
      case 'done': return data.id === this.runId ? this.handlers.done(data) : undefined;
      case 'checked': {
        const pending = this.answered(data.id);
        return pending?.type === 'check' ? pending.resolve(data) : undefined;
      }
      case 'ordered': {
        const pending = this.answered(data.id);
        return pending?.type === 'order' ? pending.resolve(data.order) : undefined;
      }
      case 'alerts-file': {
        const pending = this.answered(data.id);
        return pending?.type === 'export-alerts' ? pending.resolve(data.blob) : undefined;
      }
      case 'state-file': {
        const pending = this.answered(data.id);
        return pending?.type === 'export-state' ? pending.resolve(data.bytes) : undefined;
      }
      case 'detailed': {
        const pending = this.answered(data.id);
        return pending?.type === 'details' ? pending.resolve(data.details) : undefined;
      }
      case 'sourced': {
        const pending = this.answered(data.id);
        return pending?.type === 'source' ? pending.resolve(data.source) : undefined;
      }
      case 'scans-of': {
        const pending = this.answered(data.id);
        return pending?.type === 'scans' ? pending.resolve(data.scans) : undefined;
      }
      default: return undefined;
    }
  }

  /**
   * The request that message `id` answers, taken off the waiting list.
   * @param {number} id
   */
  answered(id) {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  /** A fresh message id. */
  nextId() {
    this.lastId += 1;
    return this.lastId;
  }

  /**
   * Send `message`, and wait for its answer with `pending`.
   * @param {Question} message
   * @param {Pending} pending
   */
  ask(message, pending) {
    this.pending.set(message.id, pending);
    this.worker.postMessage(message);
  }

  /**
   * Answer a waiting export of this type with null: only the latest one of each is saved.
   * @param {'export-alerts' | 'export-state'} type
   */
  supersede(type) {
    for (const [id, pending] of this.pending) {
      if (pending.type === type) {
        this.pending.delete(id);
        pending.resolve(null);
      }
    }
  }

  /**
   * Replay `files` (File objects, in order); progress and done carry the returned id.
   * @param {File[]} files
   * @param {ConfigDocument} config
   * @param {CallOptions['detectionTime']} alertTime
   * @param {RuleFile[]} [rules]   Elastic's rule files to run instead of the built-in rule
   */
  run(files, config, alertTime, rules) {
    this.runId = this.nextId();
    this.worker.postMessage(toWorker.run(this.runId, files, config, alertTime, rules));
    return this.runId;
  }

  cancel() {
    this.worker.postMessage(toWorker.cancel());
  }

  /**
   * Alert `seq` of the last run in full (null if there is none).
   * @param {number} seq
   * @returns {Promise<AlertDetails | null>}
   */
  details(seq) {
    return new Promise((resolve) => this.ask(toWorker.details(this.nextId(), seq), { type: 'details', resolve }));
  }

  /**
   * The record alert `seq` of the last run was raised at, found again in its files.
   * @param {number} seq
   * @returns {Promise<SourceRecord>}
   */
  source(seq) {
    return new Promise((resolve) => this.ask(toWorker.source(this.nextId(), seq), { type: 'source', resolve }));
  }

  /**
   * The scans the last run kept that `filters` follow (the principals with such scans,
   * and the scans' times, sorted).
   * @param {ScanFilters} filters
   * @returns {Promise<FollowedScans>}
   */
  scans(filters) {
    return new Promise((resolve) => this.ask(toWorker.scans(this.nextId(), filters), { type: 'scans', resolve }));
  }

  /**
   * `{effective}` for a valid config document, `{error}` naming the problem otherwise.
   * @param {ConfigDocument} config
   * @returns {Promise<CheckResult>}
   */
  check(config) {
    return new Promise((resolve) => this.ask(toWorker.check(this.nextId(), config), { type: 'check', resolve }));
  }

  /**
   * The order in which to replay files with these paths: indices into `paths`
   * (`Detector.replayOrder`, the core's rule; digest files left out).
   * @param {string[]} paths
   * @returns {Promise<Uint32Array>}
   */
  order(paths) {
    return new Promise((resolve) => this.ask(toWorker.order(this.nextId(), paths), { type: 'order', resolve }));
  }

  /**
   * The last run's alerts as the detector wrote them (NDJSON), as a Blob; null if there
   * was no run, or if a later call asked again before the worker answered.
   * @returns {Promise<Blob | null>}
   */
  alertsFile() {
    this.supersede('export-alerts');
    return new Promise((resolve) => this.ask(toWorker.exportAlerts(this.nextId()), { type: 'export-alerts', resolve }));
  }

  /**
   * The last run's detector state (`snapshot()` bytes); null as for alertsFile().
   * @returns {Promise<Uint8Array<ArrayBuffer> | null>}
   */
  stateFile() {
    this.supersede('export-state');
    return new Promise((resolve) => this.ask(toWorker.exportState(this.nextId()), { type: 'export-state', resolve }));
  }
}
