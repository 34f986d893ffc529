// @ts-check
// A JSON document as a collapsible tree: objects and arrays are <details> (open), each
// value a line with its key, its value and two copy buttons (the field's path, its
// value). Every key and value is written with textContent, never parsed as HTML.
//
// An alert document is about 300 values (2,000 elements): the first FIRST_VALUES are
// built at once, the rest in time slices after, so that opening an alert is not one
// long task of building, styling and laying out all of them.

import { copyButton } from './clipboard.js';
import { el } from './dom.js';
import { TimeSlices } from './time-slices.js';

/** Past this depth the rest of a value is shown as JSON text on one line. */
const MAX_DEPTH = 24;
/** The values built at once (a screenful and more). */
const FIRST_VALUES = 60;
/** The values built between two looks at the clock, after the first. */
const VALUES_PER_LOOK = 40;

/**
 * The children of a branch not built yet: `entries` from `next` on go into `children`.
 * @typedef {{ children: HTMLElement, entries: [string | number, unknown][], next: number, path: string, depth: number }} Pending
 */

/**
 * How many values may still be built now, and the branches left for later (in order:
 * each branch has at most one entry, so every branch's children keep their order).
 * @typedef {{ budget: number, pending: Pending[] }} Builder
 */

/**
 * The path of a field as Kibana names it: keys joined by dots (a key with dots, such
 * as `kibana.alert.uuid`, stays as it is), array elements as `[i]`.
 * @param {string} parent
 * @param {string | number} key
 */
function childPath(parent, key) {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * A value as the copy button copies it: strings as they are, the rest as JSON.
 * @param {unknown} value
 */
function copyable(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * One value of the tree under `key`, at `path`.
 * @param {string | number | null} key   null for the root
 * @param {unknown} value
 * @param {string} path
 * @param {number} depth
 * @param {Builder} builder
 * @returns {HTMLElement}
 */
function node(key, value, path, depth, builder) {
  builder.budget -= 1;
  const label = key === null ? null : el('span', 'jt-key', typeof key === 'number' ? `${key}` : key);
  if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    /** @type {[string | number, unknown][]} */
    const entries = Array.isArray(value) ? value.map((v, i) => /** @type {[number, unknown]} */ ([i, v]))
      : Object.entries(value);
    const details = el('details', 'jt-branch');
    details.open = true;
    const summary = el('summary');
    if (label) summary.append(label, el('span', 'jt-punct', ': '));
    summary.append(el('span', 'jt-count', Array.isArray(value)
      ? `[${entries.length} item${entries.length === 1 ? '' : 's'}]`
      : `{${entries.length} field${entries.length === 1 ? '' : 's'}}`));
    if (path) summary.append(copyButton(`Copy the path ${path}`, 'path', () => path));
    details.append(summary);
    const children = el('div', 'jt-children');
    appendChildren({ children, entries, next: 0, path, depth }, builder);
    details.append(children);
    return details;
  }
  const line = el('div', 'jt-leaf');
  if (label) line.append(label, el('span', 'jt-punct', ': '));
  const type = value === null ? 'null' : typeof value;
  line.append(el('span', `jt-value jt-${type}`, typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value)));
  if (path) line.append(copyButton(`Copy the path ${path}`, 'path', () => path));
  line.append(copyButton(path ? `Copy the value of ${path}` : 'Copy the value', 'value', () => copyable(value)));
  return line;
}

/**
 * Build a branch's children from `branch.next` on while the builder's budget lasts; the
 * rest wait in its queue.
 * @param {Pending} branch
 * @param {Builder} builder
 */
function appendChildren(branch, builder) {
  const { children, entries, path, depth } = branch;
  for (let i = branch.next; i < entries.length; i += 1) {
    if (builder.budget <= 0) {
      builder.pending.push({ ...branch, next: i });
      return;
    }
    const [childKey, child] = entries[i];
    children.append(node(childKey, child, childPath(path, childKey), depth + 1, builder));
  }
}

/**
 * The tree of a parsed JSON document, and a promise that resolves when all of it is
 * built (or when the tree was taken out of the page before that: the rest is dropped).
 * @param {unknown} document
 * @returns {{ root: HTMLElement, built: Promise<void> }}
 */
export function jsonTree(document) {
  const root = el('div', 'jt');
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', 'Alert document fields');
  /** @type {Builder} */
  const builder = { budget: FIRST_VALUES, pending: [] };
  root.append(node(null, document, '', 0, builder));
  return { root, built: buildRest(root, builder) };
}

/**
 * The values the first task left, in time slices (the first part shows in between).
 * @param {HTMLElement} root
 * @param {Builder} builder
 */
async function buildRest(root, builder) {
  if (!builder.pending.length) return;
  const slices = new TimeSlices();
  await slices.next();
  for (let branch = builder.pending.shift(); branch; branch = builder.pending.shift()) {
    if (!root.isConnected) return;
    builder.budget = VALUES_PER_LOOK;
    appendChildren(branch, builder);
    if (slices.due) await slices.next();
  }
}
