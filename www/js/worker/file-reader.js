// @ts-check
// Reads one File and hands its bytes to the detector as they are read, in batches of
// about `batchBytes`: `feed(bytes, true)` for each, then `feed(rest, false)` at the end.
// This module only reads. The detector reads the bytes as the command line reads a file
// (the core's reader, src/input/reader.rs): gzip by its magic bytes, a byte-order mark
// skipped, NDJSON or whole JSON documents, a line cut by a batch's end carried to the
// next batch call, the size limits.

/**
 * Where the bytes go: `feed(bytes, more)`, `more` false for the last batch (possibly
 * empty) of the file.
 * @typedef {(bytes: Uint8Array, more: boolean) => void} Feed
 */

const YIELD_EVERY_MS = 50;

/** Bytes handed to the detector per call (the batches it reads are cut anywhere). */
export const DEFAULT_BATCH_BYTES = 4 << 20;

/**
 * Reads `file` into `feed`, calling `onRead(n)` with the number of bytes of the file
 * read so far. Resolves 'cancelled' if `cancelled()` turned true (the input is left
 * unfinished), 'complete' at the end, or the message of a read error (what was read
 * is then fed as the whole file).
 * @param {Blob} file
 * @param {Feed} feed
 * @param {{ batchBytes?: number, onRead: (n: number) => void, cancelled: () => boolean }} options
 * @returns {Promise<'complete' | 'cancelled' | { error: string }>}
 */
export async function readFile(file, feed, { batchBytes = DEFAULT_BATCH_BYTES, onRead, cancelled }) {
  const reader = file.stream().getReader();
  /** @type {Uint8Array[]} */
  let pieces = [];
  let size = 0;
  let read = 0;
  let lastYield = performance.now();
  /** @type {'complete' | { error: string }} */
  let ended = 'complete';
  try {
    for (;;) {
      if (cancelled()) {
        await reader.cancel();
        return 'cancelled';
      }
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      onRead(read);
      pieces.push(value);
      size += value.length;
      if (size >= batchBytes) {
        feed(joined(pieces, size), true);
        pieces = [];
        size = 0;
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Reads resolve without returning to the event loop while data is buffered:
        // give a cancel message its turn now and then.
        await yieldToEvents();
        lastYield = performance.now();
      }
    }
  } catch (error) {
    ended = { error: String(messageOf(error)) };
  }
  feed(joined(pieces, size), false);
  return ended;
}

/**
 * `pieces` as one array of `size` bytes.
 * @param {Uint8Array[]} pieces
 * @param {number} size
 */
function joined(pieces, size) {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
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
