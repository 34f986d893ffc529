// @ts-check
// The record an alert was raised at, found again in the files the page replayed: the
// detector keeps no input, so the alert details ask for it once, and this reads the
// file again (inflating gzip with the browser's DecompressionStream) and looks for the
// record whose event id is the alert's. Raw CloudTrail (`eventID`), ECS documents
// (`event.id`, nested or dotted) and records inside envelopes (S3's `Records`,
// EventBridge's `detail`, CloudWatch Logs' `logEvents[].message`, which is JSON text)
// are all found by walking the parsed JSON.

import { field } from './alert-rows.js';

/** Past this many bytes (inflated) a file is not searched again. */
export const MAX_SEARCH_BYTES = 256 * 1024 * 1024;

/** The last file read and its text: opening alert after alert reads one file once. */
let cached = /** @type {{ file: File, text: string } | null} */ (null);

/**
 * The text of `file`, inflated when it is gzip; null past MAX_SEARCH_BYTES (counted as
 * it inflates, so a small file that inflates to gigabytes stops early).
 * @param {File} file
 * @returns {Promise<string | null>}
 */
async function fileText(file) {
  if (cached?.file === file) return cached.text;
  if (file.size > MAX_SEARCH_BYTES) return null;
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzip ? file.stream().pipeThrough(new DecompressionStream('gzip')) : file.stream();
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parts = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_SEARCH_BYTES) {
      await reader.cancel();
      return null;
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  const text = parts.join('');
  cached = { file, text };
  return text;
}

/**
 * Whether `value` is the record with event id `id`.
 * @param {unknown} value
 * @param {string} id
 */
function isRecord(value, id) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Reflect.get(value, 'eventID') === id || field(value, 'event.id') === id;
}

/**
 * The record with event id `id` in a parsed JSON value, or undefined. `needle` (the id
 * as JSON text) tells which strings hold JSON worth parsing (CloudWatch Logs' messages).
 * @param {unknown} value
 * @param {string} id
 * @param {string} needle
 * @param {number} depth
 * @returns {unknown}
 */
function walk(value, id, needle, depth = 0) {
  if (depth > 64) return undefined;
  if (typeof value === 'string') {
    if (!value.startsWith('{') || !value.includes(needle)) return undefined;
    try {
      return walk(JSON.parse(value), id, needle, depth + 1);
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (isRecord(value, id)) return value;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    const found = walk(child, id, needle, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The JSON texts around position `at` of `text` worth parsing: the line that holds it
 * (NDJSON, one S3 file per line), then the whole text (a pretty-printed document).
 * @param {string} text
 * @param {number} at
 */
function candidates(text, at) {
  const start = text.lastIndexOf('\n', at) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  const line = text.slice(start, end).trim();
  return line.length === text.trim().length ? [line] : [line, text];
}

/**
 * The record with event id `id` in `file`: its exact text when it is a whole line or
 * document of the file (`exact`), otherwise (inside an envelope) its parsed value
 * written out again; undefined if it is not there, or null if the file is too large to
 * search again. Throws if the file cannot be read.
 * @param {File} file
 * @param {string} id
 * @returns {Promise<{ text: string, exact: boolean } | null | undefined>}
 */
export async function findRecord(file, id) {
  const text = await fileText(file);
  if (text === null) return null;
  // The id as it appears in JSON text; JSON.stringify escapes what JSON would.
  const needle = JSON.stringify(id);
  let at = text.indexOf(needle);
  while (at >= 0) {
    for (const candidate of candidates(text, at)) {
      let parsed;
      try {
        parsed = JSON.parse(candidate);
      } catch {
        continue;
      }
      const found = walk(parsed, id, needle);
      if (found === parsed) return { text: candidate, exact: true };
      if (found !== undefined) return { text: JSON.stringify(found, null, 2), exact: false };
    }
    // CloudWatch Logs carry records as JSON text inside JSON text, where the id's quotes
    // are escaped; the line was walked above. Look further only for a plain occurrence.
    at = text.indexOf(needle, at + needle.length);
  }
  const escaped = JSON.stringify(needle).slice(1, -1);
  at = text.indexOf(escaped);
  if (at >= 0) {
    for (const candidate of candidates(text, at)) {
      try {
        const found = walk(JSON.parse(candidate), id, needle);
        if (found !== undefined) return { text: JSON.stringify(found, null, 2), exact: false };
      } catch {
        // not JSON on its own: try the next candidate
      }
    }
  }
  return undefined;
}
