'use strict';
// Shared by the consumer tests: the inputs, the command line's expected output for
// each, and how a file becomes the bytes a user would hand to the package.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const EXPECTED = process.env.NPM_TEST_EXPECTED;
const WORK = process.env.NPM_TEST_WORK;
if (!EXPECTED || !WORK) {
  throw new Error('run through tests/npm/run.sh (NPM_TEST_EXPECTED and NPM_TEST_WORK unset)');
}

/** `{index, input}` for every input file, in the order run.sh listed them. */
const cases = fs
  .readFileSync(path.join(EXPECTED, 'cases.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [index, input] = line.split('\t');
    return { index, input, name: path.basename(input) };
  });

/** A file's bytes, gunzipped when gzip (the command line reads .gz transparently). */
function readInput(file) {
  const raw = fs.readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
}

/** The command line's output for a case: `alerts` or `passthrough` NDJSON text. */
function expected(c, mode) {
  return fs.readFileSync(path.join(EXPECTED, `${c.index}.${mode}.ndjson`), 'utf8');
}

function lines(text) {
  return text.split('\n').filter((l) => l.length > 0);
}

/**
 * A result with every BigInt turned into the nearest number, to compare it with
 * `JSON.parse` of the expected text (which rounds the same way).
 */
function lossy(value) {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(lossy);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: lossy(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Whether the input is NDJSON (its first non-blank line is a JSON value). */
function isNdjson(bytes) {
  const first = bytes.toString('utf8').split('\n').find((l) => l.trim().length > 0);
  try {
    JSON.parse(first ?? '');
    return true;
  } catch {
    return false;
  }
}

/** Run every case through `judge(bytes) -> NDJSON text` and compare with the CLI. */
function assertAllCases(assert, mode, judge) {
  let alerts = 0;
  for (const c of cases) {
    const want = expected(c, mode);
    assert.equal(judge(readInput(c.input), c), want, `${mode}: ${c.input}`);
    alerts += lines(expected(c, 'alerts')).length;
  }
  // The comparison means something: the inputs raise alerts and cap summaries.
  assert.ok(alerts > 200, `only ${alerts} alerts in the expected output`);
  return alerts;
}

module.exports = {
  WORK,
  cases,
  readInput,
  expected,
  lines,
  lossy,
  isNdjson,
  assertAllCases,
};
