// @ts-check
// One alert document (as the detector writes it, Kibana's shape) reduced to the row the
// alerts table shows. Values are copied as they are; the page renders them as text.

/**
 * @import { Alert, JsonValue } from '../../pkg/index.js'
 * @import { AlertRow } from './protocol.js'
 */

/** The columns of a row, in order (js/views/result-tables.js labels them). */
export const ALERT_COLUMNS = [
  'time', 'principal', 'account', 'source', 'table', 'userAgent', 'reason', 'id', 'seq', 'termLabel', 'timeMs',
];

/**
 * An alert's time as the rule judged it (its time basis, as `Observed.time`): the
 * event's `event.ingested`, else its own time; epoch ms (NaN for a summary).
 * @param {Alert} alert
 */
export function judgedTime(alert) {
  const basis = field(alert, 'event.ingested') ?? alert['kibana.alert.original_time'] ?? alert['@timestamp'];
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
 * The key that names one term tuple, the same for the alert and for its scans.
 * @param {JsonValue[]} terms
 */
export function termKey(terms) {
  return JSON.stringify(terms, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The label of a term tuple as people read it: its values joined by " / ".
 * @param {JsonValue[]} terms
 */
export function termLabel(terms) {
  return terms.map(text).join(' / ');
}

/** @param {Alert} alert */
function tableName(alert) {
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
    seq,
    Array.isArray(terms) ? termLabel(terms) : '',
    Date.parse(time),
  ];
  return { row, key: Array.isArray(terms) ? termKey(terms) : null };
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
  /** @type {string[]} */
  const lines = [];
  let start = 0;
  while (start < ndjson.length) {
    let end = ndjson.indexOf('\n', start);
    if (end < 0) end = ndjson.length;
    if (end > start) lines.push(ndjson.slice(start, end));
    start = end + 1;
  }
  return lines;
}
