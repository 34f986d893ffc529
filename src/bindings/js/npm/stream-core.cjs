// @ts-check
'use strict';
// The Node stream helper's implementation, shared by its two entries (stream.cjs for
// `require`, stream.mjs for `import`), each of which gives it its own build's Detector
// class, so that a program that only imports (or only requires) loads one instance.
// A Node Transform stream around one Detector: bytes (or objects) in, alerts (or the
// passthrough stream: every record followed by the alerts decided at it) out. The
// bytes go to the detector as they arrive, each chunk a batch call with `more: true`:
// the core reads them as the command line reads a file (gzip by its magic bytes, a
// byte-order mark skipped, NDJSON or whole JSON documents, a line cut by a chunk's end
// carried to the next, a line over the limit skipped and counted); this module only
// moves bytes. Backpressure is the Transform's own: a chunk is judged only when the
// readable side has room, so a slow consumer slows the producer instead of filling
// memory. At the end of input the stream ends the detector's input, then flushes it,
// emitting the alerts of the events its reorder window still holds and the summary of
// the last alert-cap window if the cap held alerts back in it.

const { Transform } = require('node:stream');

/**
 * @import { TransformCallback } from 'node:stream'
 * @import { Alert, CallOptions, Detector, DetectorConfig, Input, NdjsonOptions } from './types'
 * @import { DetectorStreamOptions } from './stream'
 */

const NO_BYTES = new Uint8Array(0);
const KNOWN = [
  'detector', 'config', 'emit', 'input', 'output', 'detectionTime', 'fallbackTime',
  'flush', 'maxLineBytes', 'highWaterMark', 'readableHighWaterMark',
  'writableHighWaterMark',
];

/**
 * What was thrown, as the Error the stream reports: the detector and Node throw Errors
 * (kept as they are); anything else is wrapped in one.
 * @param {unknown} thrown
 * @returns {Error}
 */
function asError(thrown) {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * `value` if it is one of `choices`; a TypeError naming option `name` otherwise.
 * @template {string} T
 * @param {string} name
 * @param {unknown} value
 * @param {readonly T[]} choices
 * @returns {T}
 */
function oneOf(name, value, choices) {
  const choice = choices.find((c) => c === value);
  if (choice === undefined) {
    throw new TypeError(
      `DetectorStream: \`${name}\` must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${String(value)}`,
    );
  }
  return choice;
}

class DetectorStream extends Transform {
  /**
   * @param {DetectorStreamOptions | undefined} options
   * @param {new (config?: DetectorConfig | string) => Detector} DetectorClass the
   *   build whose detector the stream creates when `options.detector` is not given
   */
  constructor(options = {}, DetectorClass) {
    for (const key of Object.keys(options)) {
      if (!KNOWN.includes(key)) {
        throw new TypeError(`DetectorStream: unknown option \`${key}\` (known: ${KNOWN.join(', ')})`);
      }
    }
    const emit = oneOf('emit', options.emit ?? 'alerts', ['alerts', 'passthrough']);
    const input = oneOf('input', options.input ?? 'ndjson', ['ndjson', 'objects']);
    const output = oneOf('output', options.output ?? 'objects', ['objects', 'ndjson']);
    /** @type {Pick<DetectorStreamOptions, 'highWaterMark' | 'readableHighWaterMark' | 'writableHighWaterMark'>} */
    const sizes = {};
    for (const key of /** @type {const} */ (['highWaterMark', 'readableHighWaterMark', 'writableHighWaterMark'])) {
      if (options[key] !== undefined) sizes[key] = options[key];
    }
    super({ ...sizes, writableObjectMode: input === 'objects', readableObjectMode: output === 'objects' });
    if (options.detector !== undefined && options.config !== undefined) {
      throw new TypeError('DetectorStream: pass `detector` or `config`, not both');
    }
    /** The detector this stream feeds (its stats, snapshot, …); the caller frees it. */
    this.detector = options.detector ?? new DetectorClass(options.config);
    this._emit = emit;
    this._input = input;
    this._output = output;
    this._flushAtEnd = options.flush ?? true;
    /** @type {CallOptions} the options of every call (`output` and `more` aside) */
    this._call = {};
    if (options.detectionTime !== undefined) this._call.detectionTime = options.detectionTime;
    if (options.fallbackTime !== undefined) this._call.fallbackTime = options.fallbackTime;
    if (options.maxLineBytes !== undefined) this._call.maxLineBytes = options.maxLineBytes;
    /** Whether the detector holds this stream's unfinished input (a chunk went in). */
    this._reading = false;
  }

  /**
   * @param {Input} chunk   one document (input 'objects'); otherwise bytes: Node hands the
   *   writable side's Buffers here (and strings, if `decodeStrings` is off)
   * @param {BufferEncoding} encoding
   * @param {TransformCallback} callback
   */
  _transform(chunk, encoding, callback) {
    try {
      if (this._input === 'objects') {
        this._judgeObject(chunk);
      } else if (typeof chunk === 'string') {
        this._judgeBytes(Buffer.from(chunk, encoding), true);
      } else if (chunk instanceof Uint8Array) {
        this._judgeBytes(chunk, true);
      } else {
        throw new TypeError(`DetectorStream: expected bytes, got ${typeof chunk}`);
      }
      callback();
    } catch (error) {
      callback(asError(error));
    }
  }

  /** @param {TransformCallback} callback */
  _flush(callback) {
    try {
      if (this._reading) this._judgeBytes(NO_BYTES, false);
      if (this._flushAtEnd) {
        this._pushAlerts(this.detector.flush(this._options()));
      }
      callback();
    } catch (error) {
      callback(asError(error));
    }
  }

  /**
   * An input cut short (a pipeline's error, `destroy()`) is ended all the same, so that
   * the detector's next batch call does not go on with its unfinished line; what that
   * last line gives is dropped with the stream.
   * @param {Error | null} error
   * @param {(error?: Error | null) => void} callback
   */
  _destroy(error, callback) {
    if (this._reading) {
      this._reading = false;
      try {
        this.detector.processBatch(NO_BYTES, this._call);
      } catch {
        // The caller's detector may be freed already: nothing to end then.
      }
    }
    callback(error);
  }

  /**
   * The next bytes of the input, or its end (`more` false).
   * @param {Uint8Array} bytes
   * @param {boolean} more
   */
  _judgeBytes(bytes, more) {
    const d = this.detector;
    const call = { ...this._call, more };
    this._reading = more;
    if (this._emit === 'alerts') {
      this._pushAlerts(this._output === 'ndjson'
        ? d.processBatch(bytes, { ...call, output: 'ndjson' })
        : d.processBatch(bytes, call));
    } else if (this._output === 'ndjson') {
      this._pushText(d.processRecords(bytes, { ...call, output: 'ndjson' }));
    } else {
      for (const r of d.processRecords(bytes, call)) {
        this.push(r.verdict === 'unparseable' ? r.record : JSON.parse(r.record));
        for (const alert of r.alerts) this.push(alert);
      }
    }
  }

  /**
   * One written object is one document (a record, an S3 file, an array, …).
   * @param {Input} doc
   */
  _judgeObject(doc) {
    const d = this.detector;
    if (this._emit === 'passthrough' && this._output === 'ndjson') {
      this._pushText(d.processRecords(doc, this._ndjsonOptions()));
      return;
    }
    const alerts = d.process(doc, this._options());
    if (this._emit === 'passthrough') this.push(doc);
    this._pushAlerts(alerts);
  }

  /** The options of a call: NDJSON out if the stream's output is NDJSON. */
  _options() {
    return this._output === 'ndjson' ? this._ndjsonOptions() : this._call;
  }

  /** @returns {NdjsonOptions} */
  _ndjsonOptions() {
    return { ...this._call, output: 'ndjson' };
  }

  /** @param {Alert[] | string} alerts */
  _pushAlerts(alerts) {
    if (typeof alerts === 'string') {
      this._pushText(alerts);
    } else {
      for (const alert of alerts) this.push(alert);
    }
  }

  /** @param {string} text */
  _pushText(text) {
    if (text.length > 0) this.push(text);
  }
}

module.exports = { DetectorStream };
