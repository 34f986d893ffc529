'use strict';
// The Node stream helper: the same output as the command line on every input (gzip and
// whole JSON documents included), chunk boundaries anywhere, object mode, the final
// flush, backpressure, and lines over the limit skipped and counted.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { readFileSync } = require('node:fs');

const { Detector } = require('dynamodb-scan-detector');
const { DetectorStream, createDetectorStream } = require('dynamodb-scan-detector/stream');
const { cases, readInput, expected, lines, isNdjson } = require('./common.cjs');

const EVENT = { detectionTime: 'event' };

/** A readable of `bytes` in chunks of `size` (boundaries fall inside lines). */
function chunked(bytes, size) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}

async function collect(readable, transform) {
  const out = [];
  await pipeline(readable, transform, new Writable({
    objectMode: true,
    write(chunk, _encoding, done) {
      out.push(chunk);
      done();
    },
  }));
  return out;
}

const ndjsonCases = cases.filter((c) => isNdjson(readInput(c.input)));

test('a file\'s bytes in, alert NDJSON out: the command line output at any chunk size', async () => {
  assert.ok(ndjsonCases.length > 50 && cases.length > ndjsonCases.length, 'NDJSON and whole documents');
  for (const c of cases) {
    const bytes = readFileSync(c.input); // gzip as it is: the stream inflates it
    for (const size of [1 << 16, 777]) {
      const out = await collect(chunked(bytes, size), createDetectorStream({ ...EVENT, output: 'ndjson' }));
      assert.equal(out.map(String).join(''), expected(c, 'alerts'), `${c.input} in ${size}-byte chunks`);
    }
  }
});

test('passthrough: every record, each followed by its alerts, as the command line', async () => {
  for (const c of cases) {
    const stream = new DetectorStream({ ...EVENT, emit: 'passthrough', output: 'ndjson' });
    const out = await collect(chunked(readFileSync(c.input), 4096), stream);
    assert.equal(out.map(String).join(''), expected(c, 'passthrough'), c.input);
  }
});

test('objects out; objects in', async () => {
  const generated = cases.find((c) => c.name === 'generated.ndjson');
  const want = lines(expected(generated, 'alerts')).map((l) => JSON.parse(l)['kibana.alert.uuid']);
  const bytes = readInput(generated.input);
  const alerts = await collect(chunked(bytes, 10_000), createDetectorStream(EVENT));
  assert.deepEqual(alerts.map((a) => a['kibana.alert.uuid']), want);

  // One document per write; JSON.parse rounds the 64-bit values, which are not terms.
  const docs = lines(bytes.toString('utf8'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return l;
      }
    });
  const fromObjects = await collect(Readable.from(docs), createDetectorStream({ ...EVENT, input: 'objects' }));
  assert.deepEqual(fromObjects.map((a) => a['kibana.alert.uuid']), want);

  const passthrough = await collect(
    Readable.from(docs.slice(0, 500)),
    createDetectorStream({ ...EVENT, input: 'objects', emit: 'passthrough' }),
  );
  const records = passthrough.filter((d) => !(typeof d === 'object' && 'kibana.alert.uuid' in d));
  assert.deepEqual(records, docs.slice(0, 500), 'the written objects, unchanged and in order');
});

test('the end of input flushes the reorder window and the last cap summary (unless told not to)', async () => {
  const burst = ['alice', 'bob', 'carol']
    .map((u) => JSON.stringify({
      eventTime: '2024-03-12T06:01:00Z', eventSource: 'dynamodb.amazonaws.com', eventName: 'Scan',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::123456789012:user/${u}` },
    }))
    .join('\n');
  const config = { max_signals: 1 };
  const flushed = await collect(Readable.from([burst]), createDetectorStream({ ...EVENT, config }));
  assert.equal(flushed.length, 2, 'one alert, then the summary at the end');
  assert.equal(flushed[1]['kibana.alert.max_signals_summary'].alerts_suppressed, 2);
  const detector = new Detector(config, EVENT);
  // Without the flush, the three first sightings are still held by the reorder window
  // (five minutes of event time) when the input ends; the caller's flush decides them.
  const kept = await collect(Readable.from([burst]), createDetectorStream({ detector, flush: false }));
  assert.equal(kept.length, 0);
  assert.equal(detector.stats().pending, 3);
  const late = detector.flush();
  assert.equal(late.length, 2, 'the caller can still flush its detector: the alert and the summary');
  assert.equal(late[1]['kibana.alert.max_signals_summary'].alerts_suppressed, 2);
  detector.free();
});

test('backpressure: a reader that does not read stops the detector', async () => {
  const generated = cases.find((c) => c.name === 'generated.ndjson');
  const bytes = readInput(generated.input);
  const stream = createDetectorStream({ ...EVENT, emit: 'passthrough', output: 'ndjson', highWaterMark: 16 * 1024 });
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) chunks.push(bytes.subarray(i, i + 16 * 1024));
  let accepted = 0;
  for (const chunk of chunks) {
    accepted += 1;
    if (!stream.write(chunk)) break;
  }
  assert.ok(accepted < chunks.length, 'write() reports a full buffer');
  for (let i = 0; i < 20; i += 1) await new Promise((r) => setImmediate(r));
  const judged = stream.detector.stats().events_in;
  assert.ok(judged < 2000, `only what fits the buffers was judged (${judged} of ~${lines(bytes.toString()).length})`);
  assert.ok(stream.readableLength < 64 * 1024 + 16 * 1024 * 4, `readable buffer bounded (${stream.readableLength})`);

  // Now read slowly; every chunk gets through, in order.
  const out = [];
  const done = pipeline(stream, new Writable({
    highWaterMark: 1,
    write(chunk, _encoding, callback) {
      out.push(chunk);
      setImmediate(callback);
    },
  }));
  for (const chunk of chunks.slice(accepted)) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
  assert.equal(Buffer.concat(out).toString(), expected(generated, 'passthrough'));
});

test('bad options are errors; a line over maxLineBytes is skipped and counted, as the command line does', async () => {
  assert.throws(() => createDetectorStream({ emit: 'everything' }), { name: 'TypeError', message: /`emit` must be/ });
  assert.throws(() => createDetectorStream({ detectiontime: 'event' }), { name: 'TypeError', message: /unknown option/ });
  assert.throws(() => createDetectorStream({ config: { max_terms: 0 } }), { name: 'ConfigError' });
  await assert.rejects(
    collect(Readable.from([Buffer.from('{}\n')]), createDetectorStream({ maxLineBytes: 0 })),
    { name: 'OptionsError', message: /maxLineBytes/ },
  );
  const input = `{"a":1}\n["${'x'.repeat(2048)}"]\n{"b":2}\n`;
  const stream = createDetectorStream({ ...EVENT, emit: 'passthrough', output: 'ndjson', maxLineBytes: 1024 });
  const out = await collect(chunked(Buffer.from(input), 100), stream);
  assert.equal(out.map(String).join(''), '{"a":1}\n{"b":2}\n');
  const stats = stream.detector.stats();
  assert.equal(stats.events_in, 3);
  assert.equal(stats.unparseable, 1);
  assert.match(stats.last_error, /larger than 1024 bytes/);
});

test('a stream cut short ends the detector\'s input: its next batch starts afresh', async () => {
  const detector = new Detector(null, EVENT);
  const stream = createDetectorStream({ detector, flush: false });
  stream.write(Buffer.from('{"a":1}\n{"unfinished'));
  await new Promise((r) => setImmediate(r));
  stream.destroy();
  await new Promise((r) => stream.once('close', r));
  assert.equal(detector.stats().events_in, 2, 'the unfinished line was judged as the end of its input');
  const records = detector.processRecords('{"b":2}');
  assert.equal(records.length, 1);
  assert.equal(records[0].record, '{"b":2}');
  detector.free();
});
