// @ts-check
// The alert details: a side panel that opens on an alert (a click, or Enter on the
// selected row) and shows it whole: a summary in words (who scanned which table, from
// where, when, and why the rule found it unusual: the principal's first successful scan
// in the replayed logs, or the first in N days with when it was last seen), the
// principal's successful scans on a small timeline with the history window drawn, the
// alert document as a tree with copy buttons, and the record the alert was raised at,
// as the detector received it. With the focus on the panel (where opening puts it) or
// its buttons, ArrowUp/ArrowDown (or Left/Right) move between alerts; inside the
// document the arrows scroll as usual. Escape closes. Every value is written with
// textContent, never parsed as HTML.

import { count, minute } from '../format.js';
import { field, tableName, termLabel, text } from '../worker/alert-rows.js';
import { copyButton } from './clipboard.js';
import { el } from './dom.js';
import { jsonTree } from './json-tree.js';

/**
 * @import { AlertDetails as Details, SourceRecord } from '../worker/protocol.js'
 * @import { Alert } from '../../pkg/index.js'
 */

/**
 * What the panel asks of the page.
 * @typedef {object} DetailsHost
 * @property {(seq: number) => Promise<Details | null>} load          the alert in full
 * @property {(seq: number) => Promise<SourceRecord>} loadSource      its record
 * @property {(step: number) => number | undefined} neighbour          the seq `step` alerts away in the table, if any
 * @property {(kind: 'principal' | 'account' | 'source' | 'rule', value: string) => void} filter   follow a value
 * @property {(window: { from: number, to: number, at: number } | null) => void} shade    the main timeline's window
 * @property {() => void} closed                                        the panel closed (the focus goes back)
 */

const DAY = 86_400_000;

/**
 * A span of time in words: `23 days`, `5 hours`, `12 minutes`, `40 seconds`.
 * @param {number} ms
 */
export function span(ms) {
  const units = /** @type {const} */ ([[DAY, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']]);
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.floor(ms / size);
      return `${count(n)} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(0, Math.round(ms))} ms`;
}

/**
 * An epoch-ms time to the second, in UTC: `2026-11-02 14:05:09 UTC`.
 * @param {number} ms
 */
function second(ms) {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '–' : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The first index of sorted `times` whose time is not `below(time)` (binary search).
 * @param {Float64Array} times
 * @param {(time: number) => boolean} below
 */
function partition(times, below) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(times[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The latest of sorted `times` before `at` and the earliest after it, and how many come
 * before and after it (in O(log n): a principal may have millions of scans).
 * @param {Float64Array} times
 * @param {number} at
 */
export function around(times, at) {
  const before = partition(times, (t) => t < at);
  const after = partition(times, (t) => t <= at);
  return { previous: before > 0 ? times[before - 1] : undefined, before, after: times.length - after,
    next: after < times.length ? times[after] : undefined };
}

/**
 * Why the rule found this alert's principal unusual, in words.
 * @param {Details} details
 */
export function why(details) {
  const { principal, time, windowMs } = details;
  if (!principal) {
    return details.summary
      ? 'A summary: the alert cap held alerts back in this window (see the reason).'
      : 'This principal is past the number of principals the page keeps (1,000,000): its scans are not known here.';
  }
  const { previous } = around(principal.times, time);
  const window = Number.isFinite(windowMs) ? ` (the history window is ${span(windowMs)})` : '';
  if (previous === undefined) {
    return principal.complete
      ? `First successful scan by this principal in the replayed logs${window}.`
      : `First successful scan by this principal among the scans the page kept${window}.`;
  }
  return `First in ${span(time - previous)}: last seen ${second(previous)}${window}.`;
}

export class AlertDetailsView {
  /**
   * @param {HTMLElement} panel   the (empty, hidden) side panel
   * @param {DetailsHost} host
   */
  constructor(panel, host) {
    this.panel = panel;
    this.host = host;
    /** the alert shown (its seq), or -1 */
    this.seq = -1;
    /** bumps with every open, so that a slow answer for an older alert is dropped */
    this.generation = 0;
    panel.tabIndex = -1;
    panel.addEventListener('keydown', (event) => this.key(event));
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /**
   * Show alert `seq` (and load it); `focus` moves the keyboard focus into the panel.
   * @param {number} seq
   * @param {{ focus?: boolean }} [options]
   */
  async open(seq, { focus = false } = {}) {
    this.seq = seq;
    const generation = ++this.generation;
    this.panel.hidden = false;
    document.body.dataset.details = 'open';
    this.panel.dataset.seq = String(seq);
    this.panel.dataset.state = 'loading';
    // The previous alert's content goes at once: nothing stale while this one loads.
    this.panel.replaceChildren(this.header(), el('p', 'hint', 'Loading the alert…'));
    if (focus) this.panel.focus();
    const details = await this.host.load(seq);
    if (generation !== this.generation) return;
    if (!details) {
      this.panel.replaceChildren(this.header(), el('p', 'hint', 'This alert is no longer available (a newer replay replaced it).'));
      this.panel.dataset.state = 'missing';
      this.host.shade(null);
      return;
    }
    const built = this.render(details);
    const windowShade = details.principal && Number.isFinite(details.windowMs)
      ? { from: details.time - details.windowMs, to: details.time, at: details.time } : null;
    this.host.shade(windowShade);
    const source = this.host.loadSource(seq);
    // `ready` once the whole document is in the tree (it is built in slices).
    await built;
    if (generation !== this.generation) return;
    this.panel.dataset.state = 'ready';
    const record = await source;
    if (generation !== this.generation) return;
    this.showSource(record);
  }

  /**
   * Close the panel; `restoreFocus` (the default) gives the focus back to the table.
   * @param {{ restoreFocus?: boolean }} [options]
   */
  close({ restoreFocus = true } = {}) {
    if (!this.isOpen) return;
    this.generation += 1;
    this.panel.hidden = true;
    delete document.body.dataset.details;
    this.seq = -1;
    delete this.panel.dataset.seq;
    this.panel.replaceChildren();
    this.host.shade(null);
    if (restoreFocus) this.host.closed();
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
      return;
    }
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey) return;
    // Only from the panel itself or its header: in the document the arrows scroll.
    const target = event.target instanceof Element ? event.target : null;
    if (target !== this.panel && !target?.closest('.details-head')) return;
    event.preventDefault();
    this.move(step);
  }

  /** @param {number} step */
  move(step) {
    const next = this.host.neighbour(step);
    if (next !== undefined) this.open(next, { focus: true });
  }

  header() {
    const head = el('div', 'details-head');
    const title = el('h2', '', 'Alert');
    title.id = 'details-title';
    const buttons = el('div', 'buttons');
    for (const [label, caption, step] of /** @type {const} */ ([['Previous alert', '↑ previous', -1], ['Next alert', '↓ next', 1]])) {
      const button = el('button', 'secondary', caption);
      button.type = 'button';
      button.setAttribute('aria-label', label);
      button.addEventListener('click', () => this.move(step));
      buttons.append(button);
    }
    const close = el('button', 'secondary', 'Close');
    close.type = 'button';
    close.id = 'details-close';
    close.addEventListener('click', () => this.close());
    buttons.append(close);
    head.append(title, buttons);
    return head;
  }

  /**
   * Show `details`; resolves when its document's tree is all built.
   * @param {Details} details
   * @returns {Promise<void>}
   */
  render(details) {
    /** @type {Alert} the detector's own alert document */
    const alert = JSON.parse(details.text);
    const terms = alert['kibana.alert.new_terms'];
    const principal = details.principal?.label ?? (Array.isArray(terms) ? termLabel(terms) : '');
    const account = text(field(alert, 'cloud.account.id') ?? field(alert, 'aws.cloudtrail.recipient_account_id'));
    const source = text(field(alert, 'source.address') ?? field(alert, 'source.ip'));
    const table = tableName(alert);
    const who = text(field(alert, 'aws.cloudtrail.user_identity.arn') ?? field(alert, 'user.name')) || principal;
    const rule = text(alert['kibana.alert.rule.name']);
    const action = text(field(alert, 'event.action'));
    // Another of Elastic's rules than the DynamoDB one: what the event did, by its API call.
    const did = action === 'Scan' || !action
      ? `scanned ${table ? `the table ${table}` : 'a table'}`
      : `called ${text(field(alert, 'event.provider')) || 'AWS'} ${action}`;

    const summary = el('section', 'details-summary');
    summary.setAttribute('aria-label', 'Summary');
    const sentence = el('p', 'details-sentence');
    sentence.id = 'details-sentence';
    sentence.textContent = !details.summary
      ? `${who || 'A principal'} ${did}`
        + `${source ? ` from ${source}` : ''}${account ? ` in account ${account}` : ''} at ${second(details.time)}.`
      : text(alert['kibana.alert.reason']);
    const reason = el('p', 'details-why', why(details));
    reason.id = 'details-why';
    summary.append(sentence, reason);

    const facts = el('dl', 'details-facts');
    /** @type {[string, string, ('principal' | 'account' | 'source' | 'rule')?][]} */
    const rows = [
      ['Principal (new terms)', principal, 'principal'],
      ['Account', account, 'account'],
      ['Source address', source, 'source'],
      ['Table', table],
      ['Rule', rule, 'rule'],
      ['Alert id', text(alert['kibana.alert.uuid'])],
    ];
    for (const [label, value, kind] of rows) {
      if (!value) continue;
      const item = el('div');
      const dd = el('dd');
      dd.append(el('span', 'mono', value));
      if (kind) {
        const follow = el('button', 'secondary small', 'filter');
        follow.type = 'button';
        follow.dataset.follow = kind;
        follow.setAttribute('aria-label', `Show only ${label.toLowerCase()} ${value}`);
        follow.addEventListener('click', () => this.host.filter(kind, value));
        dd.append(' ', follow);
      }
      item.append(el('dt', '', label), dd);
      facts.append(item);
    }

    const scans = el('section', 'details-scans');
    scans.append(el('h3', '', "The principal's successful scans"));
    if (details.principal) {
      const { times, scans: total, complete } = details.principal;
      const { before, after, previous, next } = around(times, details.time);
      const canvas = el('canvas', 'details-timeline');
      canvas.setAttribute('role', 'img');
      scans.append(canvas, el('p', 'hint', `${count(total)} in the replay: ${count(before)} before this one`
        + `${previous === undefined ? '' : ` (the last ${second(previous)})`}, ${count(after)} after`
        + `${next === undefined ? '' : ` (the next ${second(next)})`}.${complete ? '' : ' The page stopped keeping scan times past its memory bound; some are missing.'}`
        + ' The shaded band is the history window before this alert.'));
      requestAnimationFrame(() => drawScans(canvas, times, details.time, details.windowMs));
    } else {
      scans.append(el('p', 'hint', details.summary ? 'A cap summary is about many principals.' : why(details)));
    }

    const documentSection = el('section', 'details-document');
    const docHead = el('div', 'details-subhead');
    docHead.append(el('h3', '', 'Alert document'),
      copyButton('Copy the whole alert document (the detector\'s exact JSON text)', 'copy document', () => details.text));
    const tree = jsonTree(alert);
    documentSection.append(docHead, tree.root);

    const sourceSection = el('section', 'details-source');
    sourceSection.id = 'details-source';
    sourceSection.append(el('h3', '', 'Source event, as the detector received it'), el('p', 'hint', 'Looking for it in the files…'));

    this.panel.replaceChildren(this.header(), summary, facts, scans, documentSection, sourceSection);
    return tree.built;
  }

  /** @param {SourceRecord} source */
  showSource(source) {
    const section = this.panel.querySelector('#details-source');
    if (!(section instanceof HTMLElement)) return;
    const head = el('div', 'details-subhead');
    head.append(el('h3', '', 'Source event, as the detector received it'));
    if (source.text === null) {
      section.replaceChildren(head, el('p', 'hint', source.note));
      section.dataset.found = 'no';
      return;
    }
    const sourceText = source.text;
    head.append(copyButton('Copy the source event', 'copy event', () => sourceText));
    const pre = el('pre', 'details-record', sourceText);
    section.replaceChildren(head, el('p', 'hint', `From ${source.file}.${source.note ? ` ${source.note}` : ''}`), pre);
    section.dataset.found = 'yes';
  }
}

/**
 * The principal's scans as ticks on a line, the alert in red, the history window before
 * it shaded.
 * @param {HTMLCanvasElement} canvas
 * @param {Float64Array} times   sorted
 * @param {number} at            the alert's time
 * @param {number} windowMs
 */
function drawScans(canvas, times, at, windowMs) {
  const css = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(css.width * ratio));
  canvas.height = Math.max(1, Math.round(css.height * ratio));
  const g = canvas.getContext('2d');
  if (!g) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  /** @param {string} name */
  const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const windowStart = Number.isFinite(windowMs) ? at - windowMs : at;
  const start = Math.min(times[0] ?? at, windowStart);
  const end = Math.max(times[times.length - 1] ?? at, at);
  const pad = 8;
  const width = Math.max(1, css.width - 2 * pad);
  const spanMs = Math.max(1, end - start);
  /** @param {number} t */
  const x = (t) => pad + ((t - start) / spanMs) * width;
  const top = 6;
  const bottom = css.height - 18;
  g.globalAlpha = 0.18;
  g.fillStyle = colour('--muted');
  g.fillRect(x(windowStart), top, Math.max(1, x(at) - x(windowStart)), bottom - top);
  g.globalAlpha = 1;
  g.fillStyle = colour('--scan');
  let lastX = -1;
  for (const t of times) {
    const px = Math.round(x(t));
    if (px === lastX) continue; // one tick per pixel is enough
    lastX = px;
    g.fillRect(px, top + 6, 1.5, bottom - top - 12);
  }
  g.fillStyle = colour('--alert');
  g.fillRect(x(at) - 1, top, 3, bottom - top);
  g.fillStyle = colour('--muted');
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'left';
  g.fillText(minute(start), pad, css.height - 4);
  g.textAlign = 'right';
  g.fillText(minute(end), pad + width, css.height - 4);
  canvas.setAttribute('aria-label', `${count(times.length)} successful scans from ${minute(start)} to ${minute(end)} UTC; `
    + `the alert at ${minute(at)} UTC, its history window shaded`);
}
