// @ts-check
// The timeline: successful scans (bars) and alerts (a red lane above them) over the
// replay's time span, drawn on a plain canvas in the theme's colours. The worker counts
// per minute; this view re-bins into as many bins as fit. Hover, or focus the canvas
// and use the arrow keys, to read a bin.
//
// It is also a control: drag across the plot to select a time range (snapped to bin
// edges; a click clears it), or with the canvas focused extend one from the cursor with
// Shift+ArrowLeft/Right (Escape clears it). `onBrush` hears each change the user makes.
// `shade` marks the selected alert's history window and the alert's time.

import { count, minute } from '../format.js';

/** @import { Timeline as TimelineData } from '../worker/protocol.js' */

/**
 * The timeline re-binned for the width drawn: `n` bins of `size` ms from `first`.
 * @typedef {object} Bins
 * @property {number} first   epoch ms
 * @property {number} size    ms
 * @property {number} n
 * @property {Float64Array} binScans
 * @property {Float64Array} binAlerts
 * @property {number} maxScans    the largest bin (at least 1)
 * @property {number} maxAlerts
 * @property {number} totalScans
 * @property {number} totalAlerts
 */

/**
 * A selected time range: epoch ms, `from` inclusive, `to` exclusive.
 * @typedef {{ from: number, to: number }} Range
 */
/**
 * The selected alert's history window [from, to) and the alert's own time `at` (epoch ms).
 * @typedef {{ from: number, to: number, at: number }} HistoryWindow
 */
/** @typedef {(range: Range | null) => void} BrushListener */

const MINUTE = 60_000;
const BIN_SIZES = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080, 43200].map((m) => m * MINUTE);
const MIN_BAR_PX = 4;
const PAD = { left: 44, right: 8, top: 6, alerts: 22, gap: 6, bottom: 20 };
/** How far the keys move the cursor, in bins. */
const KEY_STEPS = new Map([['ArrowRight', 1], ['ArrowLeft', -1], ['Home', -Infinity], ['End', Infinity]]);
/** A press and release closer than this (CSS px) is a click, not a drag. */
const DRAG_PX = 3;

/** @param {Range | null} a @param {Range | null} b */
const sameRange = (a, b) => (a === null || b === null ? a === b : a.from === b.from && a.to === b.to);

export class Timeline {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} tip   the tooltip
   */
  constructor(canvas, tip) {
    this.canvas = canvas;
    this.tip = tip;
    /** @type {TimelineData | null} */
    this.data = null;
    this.cursor = -1;
    /** @type {Bins | null} as last drawn */
    this.bins = null;
    /** what `bins` were computed from: re-binning happens only when these change */
    this.binnedFor = { data: /** @type {TimelineData | null} */ (null), width: -1 };
    this.plotWidth = 0;
    /** @type {Range | null} the selection */
    this.range = null;
    /** @type {HistoryWindow | null} the shaded history window */
    this.window = null;
    /** @type {Set<BrushListener>} */
    this.listeners = new Set();
    /**
     * A drag under way: where it started (epoch ms) and the selection before it.
     * @type {{ x: number, at: number, moved: boolean, before: Range | null } | null}
     */
    this.drag = null;
    /** the bin a keyboard selection extends from (-1: the cursor, at the next Shift+arrow) */
    this.keyAnchor = -1;
    canvas.tabIndex = 0;
    canvas.style.cursor = 'crosshair';
    new ResizeObserver(() => this.draw()).observe(canvas);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
    canvas.addEventListener('mousemove', (e) => {
      if (!this.drag) this.point(this.binAt(e.offsetX));
    });
    canvas.addEventListener('mouseleave', () => {
      if (!this.drag) this.point(-1);
    });
    canvas.addEventListener('blur', () => this.point(-1));
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('mousedown', (e) => this.press(e));
    /** @param {MouseEvent} e */
    this.onDragMove = (e) => this.dragTo(e.clientX);
    /** @param {MouseEvent} e */
    this.onDragEnd = (e) => this.release(e.clientX);
  }

  /**
   * `{minutes (minute numbers since the epoch), scans, alerts}` or null. The selection
   * stays if it still overlaps the data's span; otherwise it is cleared (without telling
   * the listeners). The shading stays.
   * @param {TimelineData | null} timeline
   */
  show(timeline) {
    this.data = timeline && timeline.minutes.length ? timeline : null;
    this.cursor = -1;
    this.keyAnchor = -1;
    const span = this.span();
    if (this.range && !(span && this.range.from < span.to && this.range.to > span.from)) this.range = null;
    this.draw();
    this.retip(); // the bins changed: hide the tooltip rather than show an old bin's counts
  }

  /** The data's span in epoch ms, `[from, to)`, or null. */
  span() {
    if (!this.data) return null;
    const { minutes } = this.data;
    return { from: minutes[0] * MINUTE, to: (minutes[minutes.length - 1] + 1) * MINUTE };
  }

  /**
   * Hear each change the user makes to the selection: `{from, to}` (epoch ms on bin
   * edges, `to` exclusive) or null when it is cleared. Returns a function that stops it.
   * @param {BrushListener} callback
   * @returns {() => void}
   */
  onBrush(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** The selection (epoch ms, `to` exclusive), or null. @returns {Range | null} */
  get brush() {
    return this.range ? { ...this.range } : null;
  }

  /**
   * Set the selection without telling the listeners (null, or a range with `from` < `to`
   * clears it).
   * @param {Range | null} range
   */
  setBrush(range) {
    const valid = range && Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to;
    this.range = valid ? { from: range.from, to: range.to } : null;
    this.keyAnchor = -1;
    this.draw();
    this.retip();
  }

  /**
   * Shade the selected alert's history window `[from, to)` and mark the alert's time
   * `at` (epoch ms), or remove them (null).
   * @param {HistoryWindow | null} history
   */
  shade(history) {
    this.window = history && [history.from, history.to, history.at].every(Number.isFinite)
      ? { from: history.from, to: history.to, at: history.at } : null;
    this.draw();
    this.retip();
  }

  /**
   * Per-bin sums over the span, in bins of a round size that fit the width.
   * @param {TimelineData} data
   * @param {number} width
   * @returns {Bins}
   */
  bin({ minutes, scans, alerts }, width) {
    const start = minutes[0] * MINUTE;
    const end = (minutes[minutes.length - 1] + 1) * MINUTE;
    const maxBins = Math.max(1, Math.floor(width / MIN_BAR_PX));
    const size = BIN_SIZES.find((s) => (end - start) / s <= maxBins) ?? Math.ceil((end - start) / maxBins);
    const first = Math.floor(start / size) * size;
    const n = Math.max(1, Math.ceil((end - first) / size));
    const binScans = new Float64Array(n);
    const binAlerts = new Float64Array(n);
    for (let i = 0; i < minutes.length; i += 1) {
      const b = Math.min(n - 1, Math.floor((minutes[i] * MINUTE - first) / size));
      binScans[b] += scans[i];
      binAlerts[b] += alerts[i];
    }
    let maxScans = 1;
    let maxAlerts = 1;
    let totalScans = 0;
    let totalAlerts = 0;
    for (let b = 0; b < n; b += 1) {
      if (binScans[b] > maxScans) maxScans = binScans[b];
      if (binAlerts[b] > maxAlerts) maxAlerts = binAlerts[b];
      totalScans += binScans[b];
      totalAlerts += binAlerts[b];
    }
    return { first, size, n, binScans, binAlerts, maxScans, maxAlerts, totalScans, totalAlerts };
  }

  /** Redraw everything; the data is re-binned only when it or the width changed. */
  draw() {
    const canvas = this.canvas;
    const css = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(css.width * ratio));
    const height = Math.max(1, Math.round(css.height * ratio));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const g = canvas.getContext('2d');
    if (!g) return; // no 2D context (the canvas never has another kind)
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, css.width, css.height);
    const style = getComputedStyle(document.documentElement);
    /** @param {string} name a custom property of the theme */
    const colour = (name) => style.getPropertyValue(name).trim();
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'left';
    g.fillStyle = colour('--muted');
    if (!this.data) {
      g.fillText('Scans and alerts appear here during a replay.', PAD.left, css.height / 2);
      canvas.setAttribute('aria-label', 'Timeline: no data yet');
      this.bins = null;
      this.binnedFor = { data: null, width: -1 };
      return;
    }
    const plotWidth = Math.max(1, css.width - PAD.left - PAD.right);
    if (!this.bins || this.binnedFor.data !== this.data || this.binnedFor.width !== plotWidth) {
      this.bins = this.bin(this.data, plotWidth);
      this.binnedFor = { data: this.data, width: plotWidth };
      this.cursor = Math.min(this.cursor, this.bins.n - 1);
    }
    const bins = this.bins;
    this.plotWidth = plotWidth;
    const barWidth = plotWidth / bins.n;
    const scanTop = PAD.top + PAD.alerts + PAD.gap;
    const scanHeight = Math.max(1, css.height - scanTop - PAD.bottom);
    const plotBottom = scanTop + scanHeight;
    const { maxScans, maxAlerts } = bins;
    const spanMs = bins.n * bins.size;
    /** x of an epoch-ms time, clamped to the plot. @param {number} t */
    const xOf = (t) => PAD.left + Math.min(1, Math.max(0, (t - bins.first) / spanMs)) * plotWidth;

    // Behind the bars: the history window (muted, hatched), then the selection (accent).
    const shaded = this.window;
    if (shaded && shaded.to > shaded.from) {
      const x0 = xOf(shaded.from);
      const x1 = xOf(shaded.to);
      if (x1 > x0) {
        g.save();
        g.fillStyle = colour('--muted');
        g.globalAlpha = 0.12;
        g.fillRect(x0, PAD.top, x1 - x0, plotBottom - PAD.top);
        g.beginPath();
        g.rect(x0, PAD.top, x1 - x0, plotBottom - PAD.top);
        g.clip();
        g.globalAlpha = 0.3;
        g.strokeStyle = colour('--muted');
        g.lineWidth = 1;
        g.beginPath();
        const h = plotBottom - PAD.top;
        for (let x = x0 - h - ((x0 - PAD.left) % 8); x < x1; x += 8) {
          g.moveTo(x, plotBottom);
          g.lineTo(x + h, PAD.top);
        }
        g.stroke();
        g.restore();
      }
    }
    const brush = this.range;
    const bx0 = brush ? xOf(brush.from) : 0;
    const bx1 = brush ? xOf(brush.to) : 0;
    if (brush && bx1 > bx0) {
      g.save();
      g.fillStyle = colour('--accent');
      g.globalAlpha = 0.18;
      g.fillRect(bx0, PAD.top, bx1 - bx0, plotBottom - PAD.top);
      g.restore();
    }

    g.fillStyle = colour('--scan');
    for (let i = 0; i < bins.n; i += 1) {
      const v = bins.binScans[i];
      if (!v) continue;
      const h = Math.max(1, (v / maxScans) * scanHeight);
      g.fillRect(PAD.left + i * barWidth, plotBottom - h, Math.max(1, barWidth - 1), h);
    }
    g.fillStyle = colour('--alert');
    for (let i = 0; i < bins.n; i += 1) {
      const v = bins.binAlerts[i];
      if (!v) continue;
      const h = Math.max(3, (v / maxAlerts) * PAD.alerts);
      g.fillRect(PAD.left + i * barWidth, PAD.top + PAD.alerts - h, Math.max(2, barWidth - 1), h);
    }

    // In front of the bars: the selection's edges, the alert's time, the cursor.
    if (brush && bx1 > bx0) {
      g.fillStyle = colour('--accent');
      g.fillRect(bx0, PAD.top, 2, plotBottom - PAD.top);
      g.fillRect(bx1 - 2, PAD.top, 2, plotBottom - PAD.top);
    }
    if (shaded && shaded.at >= bins.first && shaded.at <= bins.first + spanMs) {
      const x = Math.round(xOf(shaded.at)) + 0.5;
      g.save();
      g.strokeStyle = colour('--alert');
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(x, PAD.top);
      g.lineTo(x, plotBottom);
      g.stroke();
      g.beginPath(); // a small triangle on top, so the marker reads as "here"
      g.fillStyle = colour('--alert');
      g.moveTo(x - 4, PAD.top);
      g.lineTo(x + 4, PAD.top);
      g.lineTo(x, PAD.top + 5);
      g.fill();
      g.restore();
    }
    if (this.cursor >= 0) {
      g.strokeStyle = colour('--focus');
      g.lineWidth = 1;
      g.strokeRect(PAD.left + this.cursor * barWidth, PAD.top, Math.max(2, barWidth), plotBottom - PAD.top);
    }

    g.fillStyle = colour('--muted');
    g.strokeStyle = colour('--border');
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(PAD.left, plotBottom + 0.5);
    g.lineTo(PAD.left + plotWidth, plotBottom + 0.5);
    g.stroke();
    g.textAlign = 'right';
    g.fillText(count(maxScans), PAD.left - 4, scanTop + 8);
    g.fillText('0', PAD.left - 4, plotBottom);
    g.fillStyle = colour('--alert');
    g.fillText('alerts', PAD.left - 4, PAD.top + PAD.alerts - 4);
    g.fillStyle = colour('--muted');
    const ticks = Math.max(2, Math.min(6, Math.floor(plotWidth / 140)));
    for (let t = 0; t <= ticks; t += 1) {
      const x = PAD.left + (t / ticks) * plotWidth;
      g.textAlign = t === 0 ? 'left' : t === ticks ? 'right' : 'center';
      g.fillText(minute(bins.first + (t / ticks) * spanMs), x, css.height - 5);
    }
    let label = `Timeline: ${count(bins.totalScans)} successful scans and ${count(bins.totalAlerts)} alerts `
      + `from ${minute(bins.first)} to ${minute(bins.first + spanMs)} UTC, in bins of ${bins.size / MINUTE} minutes`;
    if (brush) label += `. Selected: ${minute(brush.from)} – ${minute(brush.to)} UTC`;
    if (shaded) {
      label += `. Shaded: the selected alert's history window, ${minute(shaded.from)} – ${minute(shaded.to)} UTC, `
        + `alert at ${minute(shaded.at)} UTC`;
    }
    canvas.setAttribute('aria-label', label);
  }

  /**
   * The bin under `x` (CSS pixels from the canvas's left edge), or -1.
   * @param {number} x
   */
  binAt(x) {
    if (!this.bins) return -1;
    const i = Math.floor(((x - PAD.left) / this.plotWidth) * this.bins.n);
    return i >= 0 && i < this.bins.n ? i : -1;
  }

  /**
   * The bin under `x`, or the nearest one (for drags that leave the plot).
   * @param {number} x
   */
  nearestBin(x) {
    if (!this.bins) return -1;
    const i = Math.floor(((x - PAD.left) / this.plotWidth) * this.bins.n);
    return Math.max(0, Math.min(this.bins.n - 1, i));
  }

  /**
   * Bins `a` to `b` (either order, both included) as a range of epoch ms.
   * @param {number} a @param {number} b
   * @returns {Range}
   */
  binRange(a, b) {
    const { first, size } = /** @type {Bins} */ (this.bins);
    return { from: first + Math.min(a, b) * size, to: first + (Math.max(a, b) + 1) * size };
  }

  /**
   * Change the selection on the user's behalf: redraw, and tell the listeners if it
   * changed from `before`.
   * @param {Range | null} range
   * @param {Range | null} before
   */
  commit(range, before) {
    this.range = range;
    this.draw();
    this.retip();
    if (sameRange(range, before)) return;
    for (const listener of this.listeners) listener(range ? { ...range } : null);
  }

  /** @param {MouseEvent} event */
  press(event) {
    if (event.button !== 0 || !this.bins) return;
    event.preventDefault(); // no text selection while dragging; take the focus by hand
    this.canvas.focus({ preventScroll: true });
    const x = event.clientX - this.canvas.getBoundingClientRect().left;
    const i = this.nearestBin(x);
    this.drag = { x: event.clientX, at: this.bins.first + (i + 0.5) * this.bins.size, moved: false, before: this.range };
    this.keyAnchor = -1;
    window.addEventListener('mousemove', this.onDragMove);
    window.addEventListener('mouseup', this.onDragEnd);
  }

  /**
   * The drag reached `clientX`: select the bins between, and redraw (never re-bins).
   * @param {number} clientX
   */
  dragTo(clientX) {
    const drag = this.drag;
    if (!drag || !this.bins) return;
    if (Math.abs(clientX - drag.x) >= DRAG_PX) drag.moved = true;
    if (!drag.moved) return;
    const { first, size } = this.bins;
    const i = this.nearestBin(clientX - this.canvas.getBoundingClientRect().left);
    const start = Math.max(0, Math.min(this.bins.n - 1, Math.floor((drag.at - first) / size)));
    this.range = this.binRange(start, i);
    this.cursor = i;
    this.draw();
    this.retip();
  }

  /**
   * The button went up at `clientX`: a drag selects, a click clears.
   * @param {number} clientX
   */
  release(clientX) {
    const drag = this.drag;
    if (!drag) return;
    this.dragTo(clientX);
    this.stopDrag();
    this.commit(drag.moved ? this.range : null, drag.before);
  }

  /** End the drag under way, if any; returns the selection from before it. */
  stopDrag() {
    window.removeEventListener('mousemove', this.onDragMove);
    window.removeEventListener('mouseup', this.onDragEnd);
    const before = this.drag ? this.drag.before : this.range;
    this.drag = null;
    return before;
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.key === 'Escape') {
      if (this.drag) { // cancel the drag: the selection is as it was
        this.range = this.stopDrag();
        this.draw();
        this.retip();
        event.preventDefault();
      } else if (this.range) {
        event.preventDefault();
        this.keyAnchor = -1;
        this.commit(null, this.range);
      }
      return;
    }
    if (!this.bins) return;
    const step = KEY_STEPS.get(event.key);
    if (step === undefined) return;
    event.preventDefault();
    const n = this.bins.n;
    const from = this.cursor < 0 ? 0 : this.cursor;
    const next = Math.max(0, Math.min(n - 1, this.cursor < 0 ? 0 : this.cursor + step));
    if (!event.shiftKey) {
      this.keyAnchor = -1;
      this.point(next);
      return;
    }
    if (this.keyAnchor < 0 || this.keyAnchor >= n) this.keyAnchor = from;
    const before = this.range;
    this.cursor = next;
    this.commit(this.binRange(this.keyAnchor, next), before);
  }

  /**
   * Show bin `i` in the tooltip (-1 hides it).
   * @param {number} i
   */
  point(i) {
    if (i === this.cursor) return;
    this.cursor = i;
    this.draw();
    this.retip();
  }

  /** Fill the tooltip for the cursor's bin (or hide it). */
  retip() {
    const i = this.cursor;
    if (i < 0 || !this.bins) {
      this.tip.hidden = true;
      return;
    }
    const { first, size, binScans, binAlerts } = this.bins;
    const from = first + i * size;
    let text = `${minute(from)} – ${minute(from + size)} UTC\n`
      + `${count(binScans[i])} successful scans\n${count(binAlerts[i])} alerts`;
    const w = this.window;
    if (w && from < w.to && from + size > w.from) text += '\nin the selected alert\'s history window';
    if (this.range && from < this.range.to && from + size > this.range.from) text += '\nin the selection';
    this.tip.textContent = text;
    this.tip.hidden = false;
    const x = PAD.left + ((i + 0.5) / this.bins.n) * this.plotWidth;
    this.tip.style.left = `${Math.min(Math.max(0, x - 80), this.canvas.clientWidth - 170)}px`;
  }
}
