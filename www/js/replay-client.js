// The page's side of the replay worker (js/worker/replay-worker.js). The worker is
// started from a blob: URL that imports the real module: a worker from a local URL
// inherits the page's Content-Security-Policy (the meta tag), whatever headers the
// server sends, so the detector's thread is held to this origin too.

export class ReplayClient {
  /**
   * `handlers`: ready({version, defaults}), progress(msg), principals(rows), done(msg),
   * fatal(message).
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.runId = 0;
    this.pending = new Map();
    this.nextRequest = 0;
    const moduleUrl = new URL('./worker/replay-worker.js', import.meta.url).href;
    // A dynamic import (a static one from a blob: worker did not load under this policy
    // in Chromium), which also lets a failure to load be reported.
    const source = [
      "addEventListener('securitypolicyviolation', (e) => postMessage({ type: 'fatal',",
      "  message: `blocked by the page's Content-Security-Policy: ${e.effectiveDirective} ${e.blockedURI}` }));",
      `import(${JSON.stringify(moduleUrl)})`,
      "  .catch((e) => postMessage({ type: 'fatal', message: `the replay worker did not load: ${e}` }));",
    ].join('\n');
    const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    this.worker = new Worker(blobUrl, { type: 'module', name: 'dynamodb-scan-replay' });
    this.worker.onmessage = ({ data }) => {
      if (data.type === 'ready') URL.revokeObjectURL(blobUrl);
      this.receive(data);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      handlers.fatal(`the replay worker failed: ${event.message || 'it could not start'}`);
    };
  }

  receive(data) {
    switch (data.type) {
      case 'ready': return this.handlers.ready(data);
      case 'fatal': return this.handlers.fatal(data.message);
      case 'progress': return data.id === this.runId && this.handlers.progress(data);
      case 'principals': return data.id === this.runId && this.handlers.principals(data.rows);
      case 'done': return data.id === this.runId && this.handlers.done(data);
      case 'checked': return this.settle(data.id, data);
      case 'ordered': return this.settle(data.id, data.order);
      case 'alerts-file': return this.settle('alerts', data.blob);
      case 'state-file': return this.settle('state', data.bytes);
      default: return undefined;
    }
  }

  settle(key, value) {
    const resolve = this.pending.get(key);
    this.pending.delete(key);
    resolve?.(value);
  }

  request(key, message) {
    return new Promise((resolve) => {
      this.pending.get(key)?.(null);
      this.pending.set(key, resolve);
      this.worker.postMessage(message);
    });
  }

  /** Replay `files` (File objects, in order); progress and done carry the returned id. */
  run(files, config, alertTime) {
    this.runId += 1;
    this.worker.postMessage({ type: 'run', id: this.runId, files, config, alertTime });
    return this.runId;
  }

  cancel() {
    this.worker.postMessage({ type: 'cancel' });
  }

  /** `{effective}` for a valid config document, `{error}` naming the problem otherwise. */
  check(config) {
    this.nextRequest += 1;
    return this.request(this.nextRequest, { type: 'check', id: this.nextRequest, config });
  }

  /**
   * The order in which to replay files with these paths: indices into `paths`
   * (`Detector.replayOrder`, the core's rule; digest files left out).
   */
  order(paths) {
    this.nextRequest += 1;
    return this.request(this.nextRequest, { type: 'order', id: this.nextRequest, paths });
  }

  /** The last run's alerts as the detector wrote them (NDJSON), as a Blob. */
  alertsFile() {
    return this.request('alerts', { type: 'export-alerts' });
  }

  /** The last run's detector state (`snapshot()` bytes). */
  stateFile() {
    return this.request('state', { type: 'export-state' });
  }
}
