// A stand-in for Fluent Bit's filter_wasm host (src/wasm/flb_wasm.c, JSON event format),
// on Node's WASI preview1. It calls the module exactly as Fluent Bit does:
//   1. copy tag and record into guest memory through the module's exported `malloc`,
//      each with a trailing NUL (wasm_runtime_module_dup_data(len + 1));
//      a failed copy gives the guest pointer 0 with the real length;
//   2. call the function with six i32 cells (tag, tag_len, sec, nsec, record, record_len);
//   3. check that the result is a NUL-terminated string inside linear memory, and copy it
//      out at once (strlen + strdup);
//   4. free both copies through the exported `free`.
// Then, as Fluent Bit does with the copy: "" drops the record, anything else must parse
// as one JSON object (the host aborts on text that does not; see research §4).

import fs from 'node:fs';
import { WASI } from 'node:wasi';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonObject(bytes) {
  try {
    const v = JSON.parse(strictUtf8.decode(bytes));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** WAMR's libc-builtin `memchr` ("(*ii)i"): [s, s + n) must lie inside memory (else
 *  it returns 0); the guest address of the first byte `c`, or 0. */
function memchr(memory, s, c, n) {
  const mem = new Uint8Array(memory.buffer);
  if (s < 0 || n < 0 || s + n > mem.length) return 0;
  const at = mem.subarray(s, s + n).indexOf(c & 0xff);
  return at < 0 ? 0 : s + at;
}

/** WAMR's libc-builtin `strstr` ("($$)i"): both arguments must be NUL-terminated
 *  strings inside linear memory (else WAMR raises an exception, here an Error); returns
 *  the guest address of the first match, or 0. */
function strstr(memory, s, find) {
  const mem = new Uint8Array(memory.buffer);
  const end = (p) => {
    const nul = p >= 0 && p < mem.length ? mem.indexOf(0, p) : -1;
    if (nul < 0) throw new Error(`strstr: the string at ${p} is not NUL-terminated inside memory`);
    return nul;
  };
  const needle = mem.subarray(find, end(find));
  const at = Buffer.from(mem.buffer, s, end(s) - s).indexOf(needle);
  return at < 0 ? 0 : s + at;
}

export class FluentBitHost {
  /**
   * @param {string} wasmPath the built module
   * @param {{dir?: string, guestDir?: string, stderrFd?: number}} options
   *   dir: host directory preopened as `guestDir` (Fluent Bit's Accessible_Paths)
   *   appHeap: bytes of a host-managed "app heap" to copy records into instead of the
   *     exported malloc, as WAMR does for a module that exports none: whole 64 KiB pages
   *     added after the initial memory (Wasm_Heap_Size 8192 becomes one page). A copy
   *     that does not fit gives the guest pointer 0.
   */
  static async load(wasmPath, { dir, guestDir = '/fluent-bit', stderrFd, stdoutFd, appHeap = 0 } = {}) {
    const wasi = new WASI({
      version: 'preview1',
      args: [],
      env: {},
      preopens: dir ? { [guestDir]: dir } : {},
      ...(stderrFd === undefined ? {} : { stderr: stderrFd }),
      ...(stdoutFd === undefined ? {} : { stdout: stdoutFd }),
      returnOnExit: true,
    });
    const module = await WebAssembly.compile(fs.readFileSync(wasmPath));
    let memory = null;
    const imports = { ...wasi.getImportObject(), env: {
      strstr: (s, find) => strstr(memory, s, find),
      memchr: (s, c, n) => memchr(memory, s, c, n),
    } };
    const instance = await WebAssembly.instantiate(module, imports);
    memory = instance.exports.memory;
    const host = new FluentBitHost(instance);
    if (appHeap > 0) {
      const pages = Math.ceil(appHeap / 65536);
      host.heap = { base: instance.exports.memory.grow(pages) * 65536, size: pages * 65536, next: 0, live: 0 };
    }
    // Fluent Bit's WAMR calls `_initialize` once at instantiation, as this does.
    wasi.initialize(instance);
    return host;
  }

  constructor(instance) {
    this.exports = instance.exports;
    this.calls = 0;
    this.heap = null;
  }

  malloc(size) {
    if (!this.heap) return this.exports.malloc(size);
    const h = this.heap;
    const start = (h.next + 7) & ~7;
    if (start + size > h.size) return 0;
    h.next = start + size;
    h.live++;
    return h.base + start;
  }

  free(ptr) {
    if (!this.heap) return this.exports.free(ptr);
    if (--this.heap.live === 0) this.heap.next = 0;
  }

  get memoryBytes() {
    return this.exports.memory.buffer.byteLength;
  }

  /** wasm_runtime_module_dup_data: malloc(len + 1), copy the bytes and a NUL (with
   *  `terminated` false: the bytes only, and a non-zero byte after them). */
  dup(bytes, terminated = true) {
    const ptr = this.malloc(bytes.length + 1);
    if (ptr === 0) return 0;
    const mem = new Uint8Array(this.exports.memory.buffer); // re-read: malloc may grow memory
    mem.set(bytes, ptr);
    mem[ptr + bytes.length] = terminated ? 0 : 0x20;
    return ptr;
  }

  /** Read the NUL-terminated string at `ptr`, as the host's validation and strdup do. */
  readResult(ptr) {
    const mem = new Uint8Array(this.exports.memory.buffer);
    if (ptr < 0 || ptr >= mem.length) throw new Error(`result pointer ${ptr} is outside memory`);
    const end = mem.indexOf(0, ptr);
    if (end < 0) throw new Error(`result at ${ptr} is not NUL-terminated inside memory`);
    return Buffer.from(mem.subarray(ptr, end)); // a copy, like flb_strdup
  }

  /**
   * One filter call. `record` is a string or bytes; `null` simulates a failed copy
   * (pointer 0 with the real length `nullLength`).
   * Fluent Bit hands a filter only JSON objects it wrote itself (from its msgpack
   * record), NUL-terminated, and the module returns such a record unread when it cannot
   * hold a Scan. Text Fluent Bit cannot have written (not one JSON object in UTF-8) is
   * handed over without the NUL, as another host might: the module then validates it,
   * and that path stays tested on every malformed input.
   * Returns { dropped, text, object } where object is the parsed record (or null).
   */
  call(fn, record, { tag = 'cloudtrail.test', sec = 0, nsec = 0, nullLength = 0 } = {}) {
    const f = this.exports[fn];
    if (typeof f !== 'function') throw new Error(`${fn} is not exported`);
    const tagBytes = encoder.encode(tag);
    const recBytes = record === null ? null : typeof record === 'string' ? encoder.encode(record) : record;
    const tagPtr = this.dup(tagBytes);
    const recPtr = recBytes === null ? 0 : this.dup(recBytes, isJsonObject(recBytes));
    const recLen = recBytes === null ? nullLength : recBytes.length;
    this.lastCopyFailed = recBytes !== null && recPtr === 0;
    let out;
    try {
      out = this.readResult(f(tagPtr, tagBytes.length, sec >>> 0, nsec >>> 0, recPtr, recLen));
    } finally {
      if (tagPtr) this.free(tagPtr);
      if (recPtr) this.free(recPtr);
    }
    this.calls++;
    if (out.length === 0) return { dropped: true, text: '', object: null, bytes: out };
    const text = strictUtf8.decode(out); // yyjson rejects invalid UTF-8
    const object = JSON.parse(text); // throws on anything that is not JSON
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      throw new Error(`result is JSON but not an object: ${text.slice(0, 200)}`);
    }
    return { dropped: false, text, object, bytes: out };
  }

  stats() {
    return JSON.parse(this.readResult(this.exports.dynamodb_scan_stats()).toString('utf8'));
  }
}

/** The records a host would read from a file, as the native tests and CLI read it:
 *  the whole file when it is one JSON document, else one document per non-blank line. */
export function documents(bytes) {
  try {
    JSON.parse(strictUtf8.decode(bytes));
    return [bytes];
  } catch {
    const out = [];
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        const line = bytes.subarray(start, i);
        if (line.some((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a)) out.push(line);
        start = i + 1;
      }
    }
    return out;
  }
}
