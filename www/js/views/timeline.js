// @ts-check
// The timeline: successful scans (bars) and alerts (a red lane above them) over the
// replay's time span, drawn on a plain canvas in the theme's colours. The worker counts
// per minute; this view re-bins into as many bins as fit. Hover, or focus the canvas
// and use the arrow keys, to read a bin.

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
 */

const MINUTE = 60_000;
const BIN_SIZES = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080, 43200].map((m) => m * MINUTE);
const MIN_BAR_PX = 4;
const PAD = { left: 44, right: 8, top: 6, alerts: 22, gap: 6, bottom: 20 };
/** How far the keys move the cursor, in bins. */
const KEY_STEPS = new Map([['ArrowRight', 1], ['ArrowLeft', -1], ['Home', -Infinity], ['End', Infinity]]);

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
    this.plotWidth = 0;
    canvas.tabIndex = 0;
    new ResizeObserver(() => this.draw()).observe(canvas);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
    canvas.addEventListener('mousemove', (e) => this.point(this.binAt(e.offsetX)));
    canvas.addEventListener('mouseleave', () => this.point(-1));
    canvas.addEventListener('blur', () => this.point(-1));
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /**
   * `{minutes (minute numbers since the epoch), scans, alerts}` or null.
   * @param {TimelineData | null} timeline
   */
  show(timeline) {
    this.data = timeline && timeline.minutes.length ? timeline : null;
    this.cursor = -1;
    this.draw();
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
    return { first, size, n, binScans, binAlerts };
  }

  draw() {
    const canvas = this.canvas;
    const css = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(css.width * ratio));
    canvas.height = Math.max(1, Math.round(css.height * ratio));
    const g = canvas.getContext('2d');
    if (!g) return; // no 2D context (the canvas never has another kind)
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, css.width, css.height);
    /** @param {string} name a custom property of the theme */
    const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = colour('--muted');
    if (!this.data) {
      g.fillText('Scans and alerts appear here during a replay.', PAD.left, css.height / 2);
      canvas.setAttribute('aria-label', 'Timeline: no data yet');
      this.bins = null;
      return;
    }
    const plotWidth = Math.max(1, css.width - PAD.left - PAD.right);
    const bins = this.bin(this.data, plotWidth);
    this.bins = bins;
    this.plotWidth = plotWidth;
    const barWidth = plotWidth / bins.n;
    const scanTop = PAD.top + PAD.alerts + PAD.gap;
    const scanHeight = Math.max(1, css.height - scanTop - PAD.bottom);
    const maxScans = Math.max(1, ...bins.binScans);
    const maxAlerts = Math.max(1, ...bins.binAlerts);

    g.fillStyle = colour('--scan');
    bins.binScans.forEach((v, i) => {
      if (!v) return;
      const h = Math.max(1, (v / maxScans) * scanHeight);
      g.fillRect(PAD.left + i * barWidth, scanTop + scanHeight - h, Math.max(1, barWidth - 1), h);
    });
    g.fillStyle = colour('--alert');
    bins.binAlerts.forEach((v, i) => {
      if (!v) return;
      const h = Math.max(3, (v / maxAlerts) * PAD.alerts);
      g.fillRect(PAD.left + i * barWidth, PAD.top + PAD.alerts - h, Math.max(2, barWidth - 1), h);
    });
    if (this.cursor >= 0) {
      g.strokeStyle = colour('--focus');
      g.strokeRect(PAD.left + this.cursor * barWidth, PAD.top, Math.max(2, barWidth), scanTop + scanHeight - PAD.top);
    }

    g.fillStyle = colour('--muted');
    g.strokeStyle = colour('--border');
    g.beginPath();
    g.moveTo(PAD.left, scanTop + scanHeight + 0.5);
    g.lineTo(PAD.left + plotWidth, scanTop + scanHeight + 0.5);
    g.stroke();
    g.textAlign = 'right';
    g.fillText(count(maxScans), PAD.left - 4, scanTop + 8);
    g.fillText('0', PAD.left - 4, scanTop + scanHeight);
    g.fillStyle = colour('--alert');
    g.fillText('alerts', PAD.left - 4, PAD.top + PAD.alerts - 4);
    g.fillStyle = colour('--muted');
    const ticks = Math.max(2, Math.min(6, Math.floor(plotWidth / 140)));
    for (let t = 0; t <= ticks; t += 1) {
      const x = PAD.left + (t / ticks) * plotWidth;
      g.textAlign = t === 0 ? 'left' : t === ticks ? 'right' : 'center';
      g.fillText(minute(bins.first + (t / ticks) * bins.n * bins.size), x, css.height - 5);
    }
    const totalScans = bins.binScans.reduce((a, b) => a + b, 0);
    const totalAlerts = bins.binAlerts.reduce((a, b) => a + b, 0);
    canvas.setAttribute('aria-label', `Timeline: ${count(totalScans)} successful scans and ${count(totalAlerts)} alerts `
      + `from ${minute(bins.first)} to ${minute(bins.first + bins.n * bins.size)} UTC, in bins of ${bins.size / MINUTE} minutes`);
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

  /** @param {KeyboardEvent} event */
  key(event) {
    if (!this.bins) return;
    const step = KEY_STEPS.get(event.key);
    if (step === undefined) return;
    event.preventDefault();
    const next = this.cursor < 0 ? 0 : this.cursor + step;
    this.point(Math.max(0, Math.min(this.bins.n - 1, next)));
  }

  /**
   * Show bin `i` in the tooltip (-1 hides it).
   * @param {number} i
   */
  point(i) {
    if (i === this.cursor) return;
    this.cursor = i;
    this.draw();
    if (i < 0 || !this.bins) {
      this.tip.hidden = true;
      return;
    }
    const { first, size, binScans, binAlerts } = this.bins;
    const from = first + i * size;
    this.tip.textContent = `${minute(from)} – ${minute(from + size)} UTC\n`
      + `${count(binScans[i])} successful scans\n${count(binAlerts[i])} alerts`;
    this.tip.hidden = false;
    const x = PAD.left + ((i + 0.5) / this.bins.n) * this.plotWidth;
    this.tip.style.left = `${Math.min(Math.max(0, x - 80), this.canvas.clientWidth - 170)}px`;
  }
}
