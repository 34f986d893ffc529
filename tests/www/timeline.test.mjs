// The timeline (www/js/views/timeline.js) as a control, in the real page: brushing with
// the mouse (drag selects bins, a click clears) and the keyboard (Shift+arrows extend,
// Escape clears), onBrush heard once per change and never for setBrush or show(), the
// alert's history window shaded (in the tooltip and in the pixels), and speed: a draw
// of 400,000 minutes and each mousemove of a drag well within a frame on a shared
// 2-core machine.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot } from './harness.mjs';

const MINUTE = 60_000;
const DAY0 = Date.UTC(2026, 0, 5); // 3 days of minutes from here
const DRAW_BUDGET_MS = 50;
const MOVE_BUDGET_MS = 16;

/** A second timeline of the test's own, under the page's, with 3 days of known counts. */
async function setUp(page) {
  await page.evaluate(async (day0) => {
    const { Timeline } = await import('./js/views/timeline.js');
    const host = document.createElement('div');
    host.className = 'timeline';
    host.id = 'test-timeline';
    const canvas = document.createElement('canvas');
    canvas.id = 'test-canvas';
    canvas.setAttribute('role', 'img');
    const tip = document.createElement('div');
    tip.className = 'timeline-tip';
    tip.id = 'test-tip';
    tip.hidden = true;
    host.append(canvas, tip);
    document.querySelector('#timeline').after(host);
    host.scrollIntoView({ block: 'center' });
    /** 3 days: a scan every minute, 60 in the first minute of each hour, an alert every 6 hours. */
    const make = (startMinute, n) => {
      const minutes = new Float64Array(n);
      const scans = new Uint32Array(n);
      const alerts = new Uint32Array(n);
      for (let i = 0; i < n; i += 1) {
        minutes[i] = startMinute + i;
        scans[i] = i % 60 === 0 ? 60 : 1;
        alerts[i] = i % 360 === 0 ? 1 : 0;
      }
      return { minuteMs: 60_000, minutes, scans, alerts };
    };
    const timeline = new Timeline(canvas, tip);
    window.__make = make;
    window.__data = make(day0 / 60_000, 3 * 1440);
    window.__timeline = timeline;
    window.__brushes = [];
    timeline.onBrush((range) => window.__brushes.push(range));
    timeline.show(window.__data);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, DAY0);
}

/** What the test's timeline holds now, and where its plot is on the page. */
function state(page) {
  return page.evaluate(() => {
    const t = window.__timeline;
    const rect = t.canvas.getBoundingClientRect();
    return {
      bins: { first: t.bins.first, size: t.bins.size, n: t.bins.n },
      plotWidth: t.plotWidth,
      rect: { left: rect.left, top: rect.top, width: rect.width, height: rect.height },
      brush: t.brush,
      brushes: window.__brushes.slice(),
      label: t.canvas.getAttribute('aria-label'),
      tip: t.tip.hidden ? null : t.tip.textContent,
      cursor: t.cursor,
    };
  });
}

/** The page x of the middle of bin `i`. */
const binX = (s, i) => s.rect.left + 44 + ((i + 0.5) / s.bins.n) * s.plotWidth;

test('the timeline selects time ranges and shades the history window', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    await setUp(page);
    let s = await state(page);
    assert.equal(s.bins.first, DAY0, 'the bins start at the first minute');
    assert.ok(s.bins.n > 50, `${s.bins.n} bins`);
    assert.equal(s.brush, null);

    // Drag from bin 10 to bin 20 (through 20 moves): one callback, at mouseup, bins 10..20.
    const y = s.rect.top + s.rect.height / 2;
    await page.mouse.move(binX(s, 10), y);
    await page.mouse.down();
    await page.mouse.move(binX(s, 20), y, { steps: 20 });
    assert.equal((await state(page)).brushes.length, 0, 'nothing is heard before the button goes up');
    assert.ok((await state(page)).brush, 'the selection is drawn while dragging');
    await page.mouse.up();
    s = await state(page);
    const dragged = { from: DAY0 + 10 * s.bins.size, to: DAY0 + 21 * s.bins.size };
    assert.deepEqual(s.brushes, [dragged], 'one callback, on bin edges, covering bins 10 to 20');
    assert.deepEqual(s.brush, dragged);
    const iso = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    assert.ok(s.label.includes(`Selected: ${iso(dragged.from)} – ${iso(dragged.to)} UTC`), s.label);
    assert.match(s.label, /successful scans and \d+ alerts/, 'the label still says what the timeline holds');
    assert.match(s.tip, /successful scans/, 'the hover tooltip still reads the bin');
    await screenshot(page, '11-timeline-brush');

    // A drag backwards works too, and leaving the canvas clamps to the last bin.
    await page.mouse.move(binX(s, 30), y);
    await page.mouse.down();
    await page.mouse.move(s.rect.left + s.rect.width + 40, y, { steps: 5 });
    await page.mouse.up();
    s = await state(page);
    assert.deepEqual(s.brushes.at(-1), { from: DAY0 + 30 * s.bins.size, to: DAY0 + s.bins.n * s.bins.size });

    // A click without a drag clears it: a callback with null.
    await page.mouse.click(binX(s, 5), y);
    s = await state(page);
    assert.equal(s.brushes.length, 3);
    assert.equal(s.brushes.at(-1), null);
    assert.equal(s.brush, null);
    assert.ok(!s.label.includes('Selected'), s.label);
    await page.mouse.click(binX(s, 6), y);
    assert.equal((await state(page)).brushes.length, 3, 'a click with nothing selected changes nothing');

    // Keyboard: ArrowRight to bin 0, Shift+ArrowRight x3: bins 0..3, heard on each change.
    await page.mouse.move(0, 0);
    await page.evaluate(() => { window.__timeline.canvas.blur(); window.__brushes.length = 0; });
    await page.focus('#test-canvas');
    await page.keyboard.press('ArrowRight');
    s = await state(page);
    assert.equal(s.cursor, 0);
    assert.match(s.tip, /successful scans/, 'the arrow keys still read the timeline');
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('Shift+ArrowRight');
    s = await state(page);
    assert.deepEqual(s.brush, { from: DAY0, to: DAY0 + 4 * s.bins.size }, 'a range of 4 bins');
    assert.equal(s.brushes.length, 3, 'heard on each change');
    assert.deepEqual(s.brushes.at(-1), s.brush);
    await page.keyboard.press('Shift+ArrowLeft');
    s = await state(page);
    assert.deepEqual(s.brush, { from: DAY0, to: DAY0 + 3 * s.bins.size }, 'Shift+ArrowLeft shrinks it');
    await page.keyboard.press('Escape');
    s = await state(page);
    assert.equal(s.brush, null);
    assert.equal(s.brushes.at(-1), null, 'Escape clears, and is heard');
    assert.equal(s.brushes.length, 5);
    await page.keyboard.press('Escape');
    assert.equal((await state(page)).brushes.length, 5, 'Escape with nothing selected changes nothing');

    // setBrush is not heard; show() keeps an overlapping selection and silently drops another.
    const set = { from: DAY0 + 1440 * MINUTE, to: DAY0 + 1500 * MINUTE };
    const quiet = await page.evaluate(([range, day0]) => {
      const t = window.__timeline;
      const out = {};
      t.setBrush(range);
      out.afterSet = t.brush;
      out.label = t.canvas.getAttribute('aria-label');
      t.show(window.__make(day0 / 60_000 + 1000, 1440)); // overlaps the selection
      out.afterOverlap = t.brush;
      t.show(window.__make(day0 / 60_000 + 10 * 1440, 1440)); // ten days later: no overlap
      out.afterOutside = t.brush;
      t.setBrush(range);
      t.show(null);
      out.afterNull = t.brush;
      t.show(window.__data);
      out.brushes = window.__brushes.length;
      return out;
    }, [set, DAY0]);
    assert.deepEqual(quiet.afterSet, set);
    assert.ok(quiet.label.includes(`Selected: ${iso(set.from)} – ${iso(set.to)} UTC`), quiet.label);
    assert.deepEqual(quiet.afterOverlap, set, 'show() keeps a selection that overlaps the data');
    assert.equal(quiet.afterOutside, null, 'show() drops a selection outside the data');
    assert.equal(quiet.afterNull, null);
    assert.equal(quiet.brushes, 5, 'neither setBrush nor show() is heard');

    // The history window: bins 40..59 shaded, the alert at bin 60; hover inside and outside.
    s = await state(page);
    const history = { from: DAY0 + 40 * s.bins.size, to: DAY0 + 60 * s.bins.size, at: DAY0 + 60 * s.bins.size };
    const pixel = await page.evaluate((h) => {
      const t = window.__timeline;
      const ratio = window.devicePixelRatio || 1;
      const x = Math.round((44 + ((45 + 0.5) / t.bins.n) * t.plotWidth) * ratio);
      const yy = Math.round((6 + 22 + 3) * ratio); // the gap between the alert lane and the bars
      const read = () => [...t.canvas.getContext('2d').getImageData(x, yy, 1, 1).data];
      t.shade(null);
      const without = read();
      t.shade(h);
      const withShade = read();
      t.show(window.__data); // survives show()
      const afterShow = read();
      return { without, withShade, afterShow };
    }, history);
    assert.notDeepEqual(pixel.withShade, pixel.without, `the band is drawn (${pixel.withShade} vs ${pixel.without})`);
    assert.deepEqual(pixel.afterShow, pixel.withShade, 'the shading survives show()');
    await page.mouse.move(binX(s, 45), y);
    s = await state(page);
    assert.match(s.tip, /in the selected alert's history window/);
    assert.match(s.label, /Shaded: the selected alert's history window/);
    await page.mouse.move(binX(s, 80), y);
    assert.doesNotMatch((await state(page)).tip, /history window/, 'not outside it');
    await page.mouse.move(binX(s, 45), y);
    await screenshot(page, '12-timeline-shade');
    // A window outside the data draws nothing outside the plot (and does not throw).
    const outside = await page.evaluate((day0) => {
      const t = window.__timeline;
      t.shade({ from: day0 - 10 * 86_400_000, to: day0 - 9 * 86_400_000, at: day0 - 9 * 86_400_000 });
      const left = [...t.canvas.getContext('2d').getImageData(2, 30, 1, 1).data];
      t.shade({ from: day0 - 86_400_000, to: day0 + 86_400_000, at: day0 + 86_400_000 });
      return { left, label: t.canvas.getAttribute('aria-label') };
    }, DAY0);
    assert.equal(outside.left[3], 0, 'nothing drawn left of the plot');
    assert.match(outside.label, /Shaded/);
    await page.evaluate(() => window.__timeline.shade(null));
    assert.doesNotMatch((await state(page)).label, /Shaded/, 'shade(null) removes it');
  } finally {
    await session.close();
  }
});

test('the timeline draws 400,000 minutes and follows a drag within budget', async () => {
  const session = await openPage();
  const { page } = session;
  try {
    await setUp(page);
    const timings = await page.evaluate(async (day0) => {
      const t = window.__timeline;
      const big = window.__make(day0 / 60_000, 400_000);
      const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const g = t.canvas.getContext('2d');
      const time = (step) => {
        const started = performance.now();
        step();
        return performance.now() - started;
      };
      // Reading a pixel back waits for the canvas to be painted, not only for the calls.
      const painted = (step) => time(() => { step(); g.getImageData(0, 0, 1, 1); });
      // A fresh object each time: show() re-bins all 400,000 minutes, then draws.
      const binAndDraw = [];
      for (let i = 0; i < 5; i += 1) binAndDraw.push(painted(() => t.show({ ...big })));
      const draw = [];
      for (let i = 0; i < 5; i += 1) draw.push(painted(() => t.draw()));

      // A drag of 20 mousemoves, dispatched as the browser would; count re-binnings.
      let binned = 0;
      t.bin = (...args) => { binned += 1; return Object.getPrototypeOf(t).bin.apply(t, args); };
      const rect = t.canvas.getBoundingClientRect();
      const y = rect.top + rect.height / 2;
      const x0 = rect.left + 60;
      const mouse = (type, x) => new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, button: 0 });
      t.canvas.dispatchEvent(mouse('mousedown', x0));
      const moves = [];
      for (let i = 1; i <= 20; i += 1) {
        const x = x0 + i * ((rect.width - 100) / 20);
        moves.push(painted(() => window.dispatchEvent(mouse('mousemove', x))));
      }
      window.dispatchEvent(mouse('mouseup', x0 + rect.width - 100));
      delete t.bin;
      return {
        n: t.bins.n,
        binAndDraw, draw, moves, binned,
        brush: t.brush,
        heard: window.__brushes.length,
        binAndDrawMedian: median(binAndDraw),
        drawMedian: median(draw),
        moveMax: Math.max(...moves),
      };
    }, DAY0);
    const round = (xs) => xs.map((x) => Math.round(x * 10) / 10);
    console.log(`timeline, 400,000 minutes in ${timings.n} bins: show (re-bin + draw) ${round(timings.binAndDraw)} ms; `
      + `draw ${round(timings.draw)} ms; drag mousemoves ${round(timings.moves)} ms`);
    assert.ok(timings.binAndDrawMedian < DRAW_BUDGET_MS, `re-bin and draw: median ${timings.binAndDrawMedian} ms`);
    assert.ok(timings.drawMedian < DRAW_BUDGET_MS, `draw: median ${timings.drawMedian} ms`);
    for (const [i, ms] of timings.moves.entries()) assert.ok(ms < MOVE_BUDGET_MS, `mousemove ${i} took ${ms} ms`);
    assert.equal(timings.binned, 0, 'a drag never re-bins');
    assert.ok(timings.brush, 'the drag selected a range');
    assert.equal(timings.heard, 1, 'heard once, at mouseup');
  } finally {
    await session.close();
  }
});
