// @ts-check
// Turns one File into the batches the detector judges, in bounded memory, the way the
// command line reads its inputs (src/cli/reader.rs):
//
// * gzip is recognised by its magic bytes, not its name, and inflated by the
//   browser's own DecompressionStream;
// * the first non-blank line decides: if it is a complete JSON value the file is
//   NDJSON, streamed and cut on line breaks into batches of about `batchBytes`
//   (a later line longer than `maxLineBytes` is skipped and reported); otherwise the
//   file is one or more whole JSON documents (a pretty-printed S3 file, an array), read
//   whole up to `maxDocumentBytes` and handed over in one piece.
//
// A CloudTrail S3 file is one line holding `{"Records":[…]}`: NDJSON of one document.

/** @import { ReadLimits } from './protocol.js' */

/**
 * Where the batches go: `batch(bytes, shape)` with `shape` 'ndjson' (whole lines) or
 * 'auto' (one whole document); `skipped(message)` for what had to be skipped.
 * @typedef {object} Sink
 * @property {(bytes: Uint8Array, shape: 'ndjson' | 'auto') => void} batch
 * @property {(message: string) => void} skipped
 */

/**
 * The states of the cutter: 'start' (the shape is not decided yet), 'lines' (NDJSON),
 * 'whole' (one whole document), 'skip-line' (until the end of a line over the limit),
 * 'skip-file' (the rest of a document over the limit).
 * @typedef {'start' | 'lines' | 'whole' | 'skip-line' | 'skip-file'} Mode
 */

const NEWLINE = 10;
const YIELD_EVERY_MS = 50;

/** @type {Readonly<ReadLimits>} */
export const DEFAULT_LIMITS = Object.freeze({
  batchBytes: 4 << 20,
  maxLineBytes: 64 << 20,
  maxDocumentBytes: 256 << 20,
});

/**
 * Reads `file` and calls `sink.batch(bytes, shape)` with `shape` 'ndjson' (whole lines)
 * or 'auto' (one whole document); `sink.skipped(message)` for what it had to skip;
 * `onRead(n)` with the number of bytes of the file read so far (compressed bytes for
 * gzip). Resolves `false` if `cancelled()` turned true, `true` at the end.
 * @param {File} file
 * @param {Sink} sink
 * @param {{ limits?: ReadLimits, onRead: (n: number) => void, cancelled: () => boolean }} options
 * @returns {Promise<boolean>}
 */
export async function readFile(file, sink, { limits = DEFAULT_LIMITS, onRead, cancelled }) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
  let read = 0;
  /** @type {ReadableStream<Uint8Array<ArrayBuffer>>} */
  let stream = file.stream().pipeThrough(new TransformStream({
    transform(chunk, controller) {
      read += chunk.byteLength;
      onRead(read);
      controller.enqueue(chunk);
    },
  }));
  if (gzip) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const cutter = new BatchCutter(sink, limits, file.name);
  let lastYield = performance.now();
  try {
    for (;;) {
      if (cancelled()) {
        await reader.cancel();
        return false;
      }
      const { done, value } = await reader.read();
      if (done) break;
      cutter.push(value);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Reads resolve without returning to the event loop while data is buffered:
        // give a cancel message its turn now and then.
        await yieldToEvents();
        lastYield = performance.now();
      }
    }
  } catch (error) {
    cutter.finish();
    sink.skipped(`${file.name}: could not be read to the end (${messageOf(error)})`);
    return true;
  }
  cutter.finish();
  return true;
}

/** The state machine that decides the shape and cuts the byte stream into batches. */
class BatchCutter {
  /** @param {Sink} sink @param {ReadLimits} limits @param {string} name */
  constructor(sink, limits, name) {
    this.sink = sink;
    this.limits = limits;
    this.name = name;
    /** @type {Mode} */
    this.mode = 'start';
    /** @type {Uint8Array[]} */
    this.pieces = [];
    this.size = 0;
    this.hasNewline = false;
  }

  /** @param {Uint8Array} chunk */
  push(chunk) {
    if (this.mode === 'skip-line') {
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) return;
      this.mode = 'lines';
      chunk = chunk.subarray(end + 1);
    }
    if (this.mode === 'skip-file') return;
    const newline = chunk.indexOf(NEWLINE) >= 0;
    this.pieces.push(chunk);
    this.size += chunk.length;
    this.hasNewline ||= newline;
    if (this.mode === 'start') {
      if (newline) this.decide(false);
      else if (this.size > this.limits.maxDocumentBytes) this.skipLongLine(this.limits.maxDocumentBytes);
    }
    if (this.mode === 'lines') this.cutLines();
    else if (this.mode === 'whole' && this.size > this.limits.maxDocumentBytes) {
      this.sink.skipped(`${this.name}: a JSON document over ${mb(this.limits.maxDocumentBytes)} was skipped`);
      this.pieces = [];
      this.size = 0;
      this.mode = 'skip-file';
    }
  }

  /**
   * In 'start': once the first non-blank line is complete, pick a mode. A first line
   * that runs to the end of the file is handed over whole: the core then decides
   * exactly as the command line does, and JavaScript never parses it.
   * @param {boolean} atEnd
   */
  decide(atEnd) {
    const buffer = this.joined();
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end < 0) {
        if (atEnd) {
          this.mode = 'whole';
        } else {
          // Only blank lines so far: keep the line still being read.
          this.pieces = [buffer.slice(start)];
          this.size = buffer.length - start;
          this.hasNewline = false;
        }
        return;
      }
      const line = buffer.subarray(start, end);
      if (!isBlank(line)) {
        this.mode = isJsonValue(line) ? 'lines' : 'whole';
        return;
      }
      start = end + 1;
    }
  }

  /** In 'lines': hand over every complete line once enough bytes are waiting. */
  cutLines() {
    if (this.hasNewline && this.size >= this.limits.batchBytes) this.flushLines(false);
    else if (!this.hasNewline && this.size > this.limits.maxLineBytes) this.skipLongLine(this.limits.maxLineBytes);
  }

  /** @param {boolean} atEnd */
  flushLines(atEnd) {
    const buffer = this.joined();
    const cut = atEnd ? buffer.length : buffer.lastIndexOf(NEWLINE) + 1;
    if (cut > 0) {
      this.sink.batch(buffer.subarray(0, cut), 'ndjson');
    }
    const rest = buffer.slice(cut);
    this.pieces = rest.length ? [rest] : [];
    this.size = rest.length;
    this.hasNewline = false;
  }

  /** @param {number} limit */
  skipLongLine(limit) {
    this.sink.skipped(`${this.name}: a line over ${mb(limit)} was skipped`);
    this.pieces = [];
    this.size = 0;
    this.hasNewline = false;
    this.mode = 'skip-line';
  }

  finish() {
    if (this.mode === 'start') this.decide(true);
    if (this.mode === 'lines' && this.size > 0) this.flushLines(true);
    if (this.mode === 'whole' && this.size > 0) {
      this.sink.batch(this.joined(), 'auto');
      this.pieces = [];
      this.size = 0;
    }
  }

  /** The waiting pieces as one buffer (kept as the only piece). */
  joined() {
    if (this.pieces.length === 1) return this.pieces[0];
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    this.pieces = [out];
    return out;
  }
}

/** @param {Uint8Array} bytes */
function isBlank(bytes) {
  for (const b of bytes) {
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  }
  return true;
}

const decoder = new TextDecoder();

/**
 * Whether a line is one complete JSON value (what makes a file NDJSON).
 * @param {Uint8Array} line
 */
function isJsonValue(line) {
  try {
    JSON.parse(decoder.decode(line));
    return true;
  } catch {
    return false;
  }
}

/** @param {number} bytes */
function mb(bytes) {
  return `${Math.round(bytes / (1 << 20))} MiB`;
}

/** @param {unknown} error */
function messageOf(error) {
  return (typeof error === 'object' && error !== null && 'message' in error && error.message) || error;
}

const channel = new MessageChannel();
/**
 * A turn of the event loop, without setTimeout's clamping (4 ms once nested).
 * @returns {Promise<void>}
 */
function yieldToEvents() {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}
