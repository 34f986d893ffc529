// The Web Worker that runs the detector (the npm package's web build) off the main
// thread. Messages in: `check` (a config document), `order` (file paths), `run` (files
// in order, config, alert time), `cancel`, `export-alerts`, `export-state`. Messages
// out: `ready`, `checked`, `ordered` (the core's replay order), `progress` (throttled, with new alert rows), `principals` (slices of the
// per-principal rows, at the end), `done` (with the timeline), `alerts-file`,
// `state-file`, `fatal`.
//
// The alerts' exact NDJSON text is kept as Blob parts (which the browser may keep on
// disk), never in the page: the page only gets the rows it shows.

import init, { Detector } from '../../pkg/index.js';
import { readFile, DEFAULT_LIMITS } from './file-reader.js';
import { alertRows } from './alert-rows.js';
import { Observations } from './observations.js';

const PROGRESS_EVERY_MS = 100;
const TIMELINE_EVERY_MS = 1000;
const TIMELINE_LIVE_LIMIT = 50_000;
const MAX_WARNINGS = 20;
const PRINCIPAL_SLICE = 20_000;

const post = (message, transfer = []) => self.postMessage(message, transfer);

const ready = init().then(
  () => post({ type: 'ready', version: Detector.version(), defaults: Detector.defaultConfig() }),
  (error) => post({ type: 'fatal', message: `the detector could not load: ${describe(error)}` }),
);

let current = null;

self.onmessage = async ({ data }) => {
  await ready;
  switch (data.type) {
    case 'check':
      return post({ type: 'checked', id: data.id, ...check(data.config) });
    case 'order':
      return post({ type: 'ordered', id: data.id, order: Detector.replayOrder(data.paths) });
    case 'run':
      if (current) current.dispose();
      current = new Run(data);
      return current.start();
    case 'cancel':
      return current?.cancel();
    case 'export-alerts':
      return post({ type: 'alerts-file', blob: current?.alertsFile() ?? null });
    case 'export-state': {
      const bytes = current?.detector?.snapshot() ?? null;
      return post({ type: 'state-file', bytes }, bytes ? [bytes.buffer] : []);
    }
    default:
      return post({ type: 'fatal', message: `unknown message ${data.type}` });
  }
};

/** The effective configuration of a config document, or the error naming its problem. */
function check(config) {
  let detector;
  try {
    detector = new Detector(config);
    return { effective: detector.config() };
  } catch (error) {
    return { error: describe(error) };
  } finally {
    detector?.free();
  }
}

function describe(error) {
  return error && error.message ? error.message : String(error);
}

/** One replay of a list of files through a fresh detector. */
class Run {
  constructor({ id, files, config, alertTime, limits }) {
    this.id = id;
    this.files = files;
    this.config = config;
    this.alertTime = alertTime;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.cancelled = false;
    this.observations = new Observations();
    this.alertParts = [];
    this.pendingRows = [];
    this.warnings = [];
    this.warningCount = 0;
    this.bytesDone = 0;
    this.fileRead = 0;
    this.decodedBytes = 0;
    this.fileIndex = 0;
    this.lastProgress = 0;
    this.lastTimeline = 0;
    this.disposed = false;
  }

  async start() {
    try {
      this.detector = new Detector(this.config, { detectionTime: this.alertTime });
    } catch (error) {
      return post({ type: 'done', id: this.id, status: 'failed', message: describe(error) });
    }
    this.started = performance.now();
    const sink = {
      batch: (bytes, shape) => this.judge(bytes, shape),
      skipped: (message) => this.warn(message),
    };
    let status = 'complete';
    let message = '';
    try {
      for (this.fileIndex = 0; this.fileIndex < this.files.length; this.fileIndex += 1) {
        const file = this.files[this.fileIndex];
        this.fileRead = 0;
        const finished = await readFile(file, sink, {
          limits: this.limits,
          onRead: (n) => { this.fileRead = n; this.progress(); },
          cancelled: () => this.cancelled,
        });
        if (!finished) {
          status = 'cancelled';
          break;
        }
        this.bytesDone += file.size;
        this.fileRead = 0;
      }
      if (status === 'complete') this.addAlerts(this.detector.flush({ output: 'ndjson' }));
    } catch (error) {
      status = 'failed';
      message = describe(error);
    }
    if (this.disposed) return; // a newer run replaced this one
    this.elapsedMs = performance.now() - this.started;
    // The per-principal rows go in slices, so the page never stalls on one huge message.
    const principals = this.observations.principalRows();
    for (let i = 0; i < principals.length; i += PRINCIPAL_SLICE) {
      post({ type: 'principals', id: this.id, rows: principals.slice(i, i + PRINCIPAL_SLICE) });
    }
    const timeline = this.observations.timeline();
    post({
      type: 'done',
      id: this.id,
      status,
      message,
      ...this.counters(),
      rows: this.takeRows(),
      timeline,
      principalCount: principals.length,
      droppedPrincipals: this.observations.droppedPrincipals,
    }, [timeline.minutes.buffer, timeline.scans.buffer, timeline.alerts.buffer]);
  }

  /** One batch through the detector: its alerts and what its scans wrote to the state. */
  judge(bytes, shape) {
    if (this.disposed) return; // replaced while a read was pending
    const { alerts, observed } = this.detector.processObserved(bytes, { input: shape, output: 'ndjson' });
    this.decodedBytes += bytes.length;
    for (const scan of observed) this.observations.scan(scan);
    this.addAlerts(alerts);
    this.progress();
  }

  addAlerts(ndjson) {
    if (!ndjson) return;
    this.alertParts.push(new Blob([ndjson]));
    for (const { row, key } of alertRows(ndjson)) {
      this.observations.alert(Date.parse(row[0]), key);
      this.pendingRows.push(row);
    }
  }

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
  }

  alertsFile() {
    return new Blob(this.alertParts, { type: 'application/x-ndjson' });
  }

  takeRows() {
    const rows = this.pendingRows;
    this.pendingRows = [];
    return rows;
  }

  counters() {
    return {
      stats: this.detector.stats(),
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

  /** A progress message, at most every PROGRESS_EVERY_MS, with the rows found since. */
  progress() {
    const now = performance.now();
    if (this.disposed || now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const message = { type: 'progress', id: this.id, ...this.counters(), rows: this.takeRows() };
    const transfer = [];
    if (now - this.lastTimeline >= TIMELINE_EVERY_MS
      && this.observations.scansPerMinute.size < TIMELINE_LIVE_LIMIT) {
      this.lastTimeline = now;
      message.timeline = this.observations.timeline();
      transfer.push(message.timeline.minutes.buffer, message.timeline.scans.buffer, message.timeline.alerts.buffer);
    }
    post(message, transfer);
  }
}
