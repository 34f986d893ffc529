// @ts-check
// One alert document (as the detector writes it, Kibana's shape) reduced to the row the
// alerts table shows. Values are copied as they are; the page renders them as text.

/**
 * @import { Alert, JsonValue } from '../../pkg/index.js'
 * @import { AlertRow } from './protocol.js'
 */

/**
 * Where each cell of an alert row is (js/views/result-tables.js labels the first nine,
 * the shown ones); the page reads rows through these names.
 */
export const ALERT = Object.freeze({
  time: 0, principal: 1, account: 2, source: 3, table: 4, userAgent: 5, reason: 6, id: 7,
  rule: 8, seq: 9, termLabel: 10, timeMs: 11,
});

/**
 * Where each cell of a principal row is (js/worker/observations.js): the first seven
 * are shown, the last two are the first and last seen times as epoch ms.
 */
export const PRINCIPAL = Object.freeze({
  label: 0, first: 1, last: 2, scans: 3, alerts: 4, alerted: 5, rule: 6, firstMs: 7, lastMs: 8,
});

/**
 * An alert's time as the rule judged it (its time basis, as `Observed.time`): the field
 * the rule's `timestamp_override` names (`event.ingested`) when the event has it, else
 * the event's own time; epoch ms (NaN for a summary).
 * @param {Alert} alert
 */
export function judgedTime(alert) {
  const override = text(alert['kibana.alert.rule.timestamp_override']);
  const basis = (override ? field(alert, override) : undefined)
    ?? alert['kibana.alert.original_time'] ?? alert['@timestamp'];
  return Date.parse(text(basis));
}

/**
 * A field of an ECS document, whether its path is nested (`{"source":{"address":…}}`),
 * dotted (`{"source.address":…}`) or mixed, as the detector itself reads fields.
 * @param {unknown} doc
 * @param {string} path
 * @returns {unknown}
 */
export function field(doc, path) {
  if (doc === null || typeof doc !== 'object') return undefined;
  if (Object.prototype.hasOwnProperty.call(doc, path)) return Reflect.get(doc, path);
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    if (Object.prototype.hasOwnProperty.call(doc, head)) {
      const found = field(Reflect.get(doc, head), path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

/**
 * A value as one line of text: arrays joined, objects as JSON, nothing as ''.
 * @param {unknown} value
 * @returns {string}
 */
export function text(value) {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(text).filter(Boolean).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The key that names one term tuple of one rule, the same for the alert and for its
 * scans (rules keep their histories apart, so one tuple under two rules is two keys).
 * @param {JsonValue[]} terms
 * @param {string} ruleId
 */
export function termKey(terms, ruleId) {
  return JSON.stringify([ruleId, terms], (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The label of a term tuple as people read it: its values joined by " / ".
 * @param {JsonValue[]} terms
 */
export function termLabel(terms) {
  return terms.map(text).join(' / ');
}

/**
 * The table an alert's scan read: the request's `tableName`, else the table in its
 * resources' ARNs; '' if none.
 * @param {Alert} alert
 */
export function tableName(alert) {
  const named = field(alert, 'aws.cloudtrail.flattened.request_parameters.tableName')
    ?? field(alert, 'aws.dynamodb.table_name');
  if (named !== undefined) return text(named);
  const resources = field(alert, 'aws.cloudtrail.resources');
  for (const r of Array.isArray(resources) ? resources : []) {
    const match = /:table\/([^/]+)/.exec(text(field(r, 'arn')));
    if (match) return match[1];
  }
  return '';
}

/**
 * The row of alert number `seq` of a run, and the key of the term tuple it is about
 * (`null` for a cap summary, which stands for alerts the cap held back rather than one
 * principal).
 * @param {Alert} alert
 * @param {number} seq
 * @returns {{ row: AlertRow, key: string | null }}
 */
export function alertRow(alert, seq) {
  const terms = alert['kibana.alert.new_terms'];
  const summary = alert['kibana.alert.max_signals_summary'];
  if (!Array.isArray(terms) && summary) {
    const start = text(summary.window_start);
    /** @type {AlertRow} */
    const row = [
      start,
      `(${summary.alerts_suppressed} alerts held back by the cap)`,
      '', '', '', '',
      text(alert['kibana.alert.reason']),
      text(alert['kibana.alert.uuid']),
      text(alert['kibana.alert.rule.name']),
      seq,
      '',
      Date.parse(start),
    ];
    return { row, key: null };
  }
  const time = text(alert['kibana.alert.original_time'] ?? alert['@timestamp']);
  /** @type {AlertRow} */
  const row = [
    time,
    text(field(alert, 'aws.cloudtrail.user_identity.arn') ?? field(alert, 'user.name') ?? terms),
    text(field(alert, 'cloud.account.id') ?? field(alert, 'aws.cloudtrail.recipient_account_id')),
    text(field(alert, 'source.address') ?? field(alert, 'source.ip')),
    tableName(alert),
    text(field(alert, 'user_agent.original')),
    text(alert['kibana.alert.reason']),
    text(alert['kibana.alert.uuid']),
    text(alert['kibana.alert.rule.name']),
    seq,
    Array.isArray(terms) ? termLabel(terms) : '',
    Date.parse(time),
  ];
  return { row, key: Array.isArray(terms) ? termKey(terms, text(alert['kibana.alert.rule.rule_id'])) : null };
}

/**
 * The rows of the alerts in NDJSON text (the detector's exact output), numbered from
 * `firstSeq`, with each alert's judged time.
 * @param {string} ndjson
 * @param {number} firstSeq
 */
export function alertRows(ndjson, firstSeq) {
  /** @type {{ row: AlertRow, key: string | null, time: number }[]} */
  const out = [];
  for (const line of ndjsonLines(ndjson)) {
    const alert = JSON.parse(line);
    out.push({ ...alertRow(alert, firstSeq + out.length), time: judgedTime(alert) });
  }
  return out;
}

/**
 * The non-empty lines of NDJSON text.
 * @param {string} ndjson
 */
export function ndjsonLines(ndjson) {
  const spans = lineSpans(ndjson);
  /** @type {string[]} */
  const lines = [];
  for (let i = 0; i < spans.length; i += 2) lines.push(ndjson.slice(spans[i], spans[i + 1]));
  return lines;
}

/**
 * Where each non-empty line of NDJSON starts and ends, in order: [start, end, start,
 * end, …], in characters of text or in bytes of its UTF-8 (a newline byte is never part
 * of another character, so the two give the same lines).
 * @param {string | Uint8Array} ndjson
 * @returns {number[]}
 */
export function lineSpans(ndjson) {
  /** @type {number[]} */
  const spans = [];
  let start = 0;
  while (start < ndjson.length) {
    let end = typeof ndjson === 'string' ? ndjson.indexOf('\n', start) : ndjson.indexOf(0x0a, start);
    if (end < 0) end = ndjson.length;
    if (end > start) spans.push(start, end);
    start = end + 1;
  }
  return spans;
}
