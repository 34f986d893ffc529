// @ts-check
// A JSON document as a collapsible tree: objects and arrays are <details> (open), each
// value a line with its key, its value and two copy buttons (the field's path, its
// value). Every key and value is written with textContent, never parsed as HTML.

import { copyButton } from './clipboard.js';
import { el } from './dom.js';

/** Past this depth the rest of a value is shown as JSON text on one line. */
const MAX_DEPTH = 24;

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
 * @returns {HTMLElement}
 */
function node(key, value, path, depth) {
  const label = key === null ? null : el('span', 'jt-key', typeof key === 'number' ? `${key}` : key);
  if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
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
    for (const [childKey, child] of entries) children.append(node(childKey, child, childPath(path, childKey), depth + 1));
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
 * The tree of a parsed JSON document.
 * @param {unknown} document
 */
export function jsonTree(document) {
  const root = el('div', 'jt');
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', 'Alert document fields');
  root.append(node(null, document, '', 0));
  return root;
}
