// @ts-check
// The filters that follow one principal, account, source address or rule, and a time
// range brushed on the timeline: shown as removable chips, applied by the page to the
// tables and the timeline, and carried in the URL fragment
// (`principal=…&account=…&source=…&rule=…&from=…&to=…`,
// beside the settings) so that a link reopens the same view of the same logs. The
// fragment holds the filters only, never data read from the logs beyond those values.

import { minute } from '../format.js';
import { ALERT, PRINCIPAL } from '../worker/alert-rows.js';

/** @import { RowPredicate } from './virtual-table.js' */

/**
 * @typedef {object} Filters
 * @property {string} [principal]   a term label, as the principals table names it
 * @property {string} [account]
 * @property {string} [source]      a source address
 * @property {string} [rule]        a rule's name, as alerts give it
 * @property {{ from: number, to: number }} [range]   epoch ms, [from, to)
 */

/** The fragment's keys of the filters (the settings use others). */
export const FILTER_KEYS = ['principal', 'account', 'source', 'rule', 'from', 'to'];
/** The filters that follow one value. */
export const FOLLOW_KINDS = /** @type {const} */ (['principal', 'account', 'source', 'rule']);
/** @typedef {typeof FOLLOW_KINDS[number]} FollowKind */
const MAX_VALUE_LENGTH = 2048;
/** The range of a JavaScript Date, in ms either side of the epoch. */
const MAX_TIME = 8.64e15;
/** @type {Record<FollowKind, string>} */
const LABELS = { principal: 'Principal', account: 'Account', source: 'Source address', rule: 'Rule' };

/**
 * The filters in a URL fragment (unknown keys and impossible values ignored).
 * @param {string} hash
 * @returns {Filters}
 */
export function filtersFromFragment(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  /** @type {Filters} */
  const filters = {};
  for (const kind of FOLLOW_KINDS) {
    const value = params.get(kind);
    if (value && value.length <= MAX_VALUE_LENGTH) filters[kind] = value;
  }
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (params.has('from') && params.has('to') && Math.abs(from) <= MAX_TIME && Math.abs(to) <= MAX_TIME
    && from < to) {
    filters.range = { from, to };
  }
  return filters;
}

/**
 * `params` with the filters set (the filters' own keys replaced).
 * @param {URLSearchParams} params
 * @param {Filters} filters
 */
export function withFilters(params, filters) {
  for (const key of FILTER_KEYS) params.delete(key);
  for (const kind of FOLLOW_KINDS) {
    const value = filters[kind];
    if (value) params.set(kind, value);
  }
  if (filters.range) {
    params.set('from', String(filters.range.from));
    params.set('to', String(filters.range.to));
  }
  return params;
}

/**
 * Whether an alerts-table row passes: [time, principal, account, source, …, term label,
 * time in ms].
 * @param {Filters} filters
 * @returns {RowPredicate | null}
 */
export function alertPredicate(filters) {
  const { principal, account, source, rule, range } = filters;
  if (!principal && !account && !source && !rule && !range) return null;
  return (rows, i) => (!principal || rows.cellIs(i, ALERT.termLabel, principal))
    && (!account || rows.cellIs(i, ALERT.account, account))
    && (!source || rows.cellIs(i, ALERT.source, source))
    && (!rule || rows.cellIs(i, ALERT.rule, rule))
    && (!range || inRange(Number(rows.cell(i, ALERT.timeMs)), range));
}

/**
 * Whether a principals-table row passes: [principal, first seen, last seen, …]. The
 * principal filter keeps that principal; a time range keeps those whose span of scans
 * (first seen to last seen) overlaps it. The account and source
 * filters apply through `allowed`, by row: 1 for the principals with a scan from them,
 * as the worker finds them (the principals table knows neither).
 * @param {Filters} filters
 * @param {Uint8Array | null} allowed
 * @returns {RowPredicate | null}
 */
export function principalPredicate(filters, allowed) {
  const { principal, rule, range } = filters;
  if (!principal && !rule && !range && !allowed) return null;
  return (rows, i) => (!principal || rows.cellIs(i, PRINCIPAL.label, principal))
    && (!rule || rows.cellIs(i, PRINCIPAL.rule, rule))
    && (!allowed || allowed[i] === 1)
    && (!range || (Number(rows.cell(i, PRINCIPAL.firstMs)) < range.to
      && Number(rows.cell(i, PRINCIPAL.lastMs)) >= range.from));
}

/**
 * @param {number} t
 * @param {{ from: number, to: number }} range
 */
function inRange(t, range) {
  return t >= range.from && t < range.to;
}

export class FilterBar {
  /**
   * @param {HTMLElement} host   where the chips go (hidden while there are none)
   * @param {(filters: Filters) => void} changed
   */
  constructor(host, changed) {
    this.host = host;
    host.tabIndex = -1;
    this.changed = changed;
    /** @type {Filters} */
    this.filters = {};
  }

  /**
   * Replace the filters (from the fragment), without calling back.
   * @param {Filters} filters
   */
  set(filters) {
    this.filters = { ...filters };
    this.render();
  }

  /**
   * Follow `value` (a principal, an account, a source address or a rule).
   * @param {FollowKind} kind
   * @param {string} value
   */
  follow(kind, value) {
    this.filters = { ...this.filters, [kind]: value };
    this.update();
  }

  /**
   * A brushed time range, or null to drop it.
   * @param {{ from: number, to: number } | null} range
   */
  setRange(range) {
    const { range: _, ...rest } = this.filters;
    this.filters = range ? { ...rest, range } : rest;
    this.update();
  }

  /** @param {FollowKind | 'range'} kind */
  remove(kind) {
    const next = { ...this.filters };
    delete next[kind];
    this.filters = next;
    const hadFocus = this.host.contains(document.activeElement);
    this.update();
    // The chip that had the focus is gone: the next one (or the group) takes it.
    if (hadFocus) (this.host.querySelector('button') ?? this.host).focus();
  }

  clear() {
    this.filters = {};
    this.update();
  }

  update() {
    this.render();
    this.changed(this.filters);
  }

  render() {
    /** @type {HTMLElement[]} */
    const chips = [];
    for (const kind of FOLLOW_KINDS) {
      const value = this.filters[kind];
      if (value) chips.push(this.chip(kind, `${LABELS[kind]}: ${value}`));
    }
    const { range } = this.filters;
    if (range) chips.push(this.chip('range', `Time: ${minute(range.from)} – ${minute(range.to)} UTC`));
    if (chips.length > 1) {
      const all = document.createElement('button');
      all.type = 'button';
      all.className = 'secondary small';
      all.textContent = 'Clear all';
      all.addEventListener('click', () => this.clear());
      chips.push(all);
    }
    this.host.replaceChildren(...chips);
    this.host.hidden = chips.length === 0;
  }

  /**
   * @param {FollowKind | 'range'} kind
   * @param {string} label
   */
  chip(kind, label) {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.dataset.filter = kind;
    const name = document.createElement('span');
    name.textContent = label;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'chip-remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Remove the filter ${label}`);
    remove.addEventListener('click', () => this.remove(kind));
    chip.append(name, remove);
    return chip;
  }
}
