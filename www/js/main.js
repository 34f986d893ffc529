// @ts-check
// The replay page: wires the inputs, the settings, the worker and the views together.
// Every value that comes from a log reaches the DOM through textContent (the views),
// never as HTML.

import { ReplayClient } from './replay-client.js';
import { collectFiles, comparePaths, isRuleFile, sampleFiles } from './input-files.js';
import {
  SettingsForm, fromFragment, settingsLink, settingsProblem, toConfig, toFragment,
} from './settings.js';
import { ProgressView } from './views/progress-view.js';
import { AlertsView, PrincipalsView } from './views/result-tables.js';
import { Timeline } from './views/timeline.js';
import { AlertDetailsView } from './views/alert-details.js';
import { FilterBar, filtersFromFragment, withFilters } from './views/filters.js';
import { FilteredResults } from './views/filtered-results.js';
import { bytes, count } from './format.js';
import { ALERT, PRINCIPAL } from './worker/alert-rows.js';
import { MAX_ORIGINS } from './worker/observations.js';

/**
 * @import { InputFile } from './input-files.js'
 * @import { Settings } from './settings.js'
 * @import { CheckResult, RuleFile } from './worker/protocol.js'
 */

/**
 * The page's element `id` (index.html has each one), as the kind of element it is.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, readonly name: string }} type
 * @returns {T}
 */
function element(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}
/** @param {string} id */
const $ = (id) => element(id, HTMLElement);
/** @param {string} id */
const button = (id) => element(id, HTMLButtonElement);
const MAX_LISTED_FILES = 1000;

const form = new SettingsForm(element('settings', HTMLFormElement));
const progress = new ProgressView({
  bar: element('progress', HTMLProgressElement),
  status: $('status'),
  stats: $('stats'),
  counters: element('counters', HTMLDetailsElement),
  summary: $('run-summary'),
  warnings: $('warnings'),
  cancel: button('cancel'),
});
const alerts = new AlertsView($('alerts-table'));
const principals = new PrincipalsView($('principals-table'));
const timeline = new Timeline(element('timeline-canvas', HTMLCanvasElement), $('timeline-tip'));
/** @type {InputFile[]} the files of the last replay, in order */
let inputs = [];
/** @type {string | null} the settings (and rule files) of the last replay, as JSON */
let lastRunSettings = null;
/** @type {RuleFile[]} Elastic's rule files given, run instead of the built-in rule */
let ruleFiles = [];

/**
 * What a replay runs with, as JSON: the settings, and the rule files by name.
 * @param {Settings} settings
 */
function runKey(settings) {
  return JSON.stringify({ settings, rules: ruleFiles.map((r) => r.file) });
}

/** Show which rule files the next replay runs (none: the built-in rule). */
function showRules() {
  $('rule-files').hidden = ruleFiles.length === 0;
  $('rule-summary').textContent = ruleFiles.length
    ? `Rules: ${count(ruleFiles.length)} rule file${ruleFiles.length === 1 ? '' : 's'} `
      + `(${ruleFiles.slice(0, 3).map((r) => r.file).join(', ')}${ruleFiles.length > 3 ? ', …' : ''}), `
      + 'instead of the built-in rule; each sets its own fields and history window.'
    : '';
  $('settings').classList.toggle('rules-given', ruleFiles.length > 0);
}

const client = new ReplayClient({
  ready({ version }) {
    $('version').textContent = `detector v${version}`;
    document.body.dataset.detector = 'ready';
  },
  progress(m) {
    progress.update(m);
    alerts.addBlock(m.rows);
    if (m.timeline) results.setTimeline(m.timeline);
  },
  principals(rows) {
    principals.addBlock(rows);
  },
  done(m) {
    progress.finished(m);
    if (m.status === 'failed' && !m.stats) {
      showConfigError(m.message);
      return;
    }
    alerts.addBlock(m.rows);
    results.setTimeline(m.timeline);
    results.apply(filterBar.filters);
    if (m.droppedPrincipals) {
      $('warnings').hidden = false;
      $('warnings').textContent += `\nThe principal view holds the first ${count(m.principalCount)} principals; `
        + `${count(m.droppedPrincipals)} scans of later ones are not listed (the detector judged them all).`;
    }
    if (m.unnumberedScans) {
      $('warnings').hidden = false;
      $('warnings').textContent += `\nFollowing an account or a source address covers the first ${count(MAX_ORIGINS)} `
        + `of them; ${count(m.unnumberedScans)} scans from later ones are left out of it (their alerts are not).`;
    }
    button('export-alerts').disabled = false;
    button('export-state').disabled = false;
  },
  fatal(message) {
    progress.failed(message);
  },
});

/**
 * The message of what was thrown (fetch, JSON and the sample's loader throw Errors).
 * @param {unknown} error
 */
function messageOf(error) {
  return typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
}

/** @param {string | undefined} message */
function showConfigError(message) {
  $('config-error').textContent = message ? `Settings: ${message}` : '';
  $('config-error').hidden = !message;
}

/**
 * Replay `found` ({file, path}, in any order) in the core's replay order: CloudTrail's
 * files by delivery stamp across accounts and regions (the worker asks the detector).
 * @param {InputFile[]} found
 */
async function replayInOrder(found) {
  const rules = found.filter((input) => isRuleFile(input.path)).sort((a, b) => comparePaths(a.path, b.path));
  const logs = found.filter((input) => !isRuleFile(input.path));
  // At once, so that nobody (a test, a user) takes the previous replay's end for this one.
  progress.ordering(logs.length || inputs.length);
  if (rules.length) {
    // In path order, as the command line reads a folder of rule files (their order is
    // the order of alerts decided at one record).
    ruleFiles = await Promise.all(rules.map(async (r) => ({ file: r.path, text: await r.file.text() })));
    showRules();
    if (!logs.length) {
      // Rule files alone: the last logs again with them, or wait for logs.
      if (inputs.length) {
        replay(inputs);
      } else {
        progress.idle(`${count(ruleFiles.length)} rule files loaded: now give the logs to replay.`);
      }
      return;
    }
  }
  found = logs;
  const order = await client.order(found.map((input) => input.path));
  const given = Array.from(order, (index) => found[index]);
  if (!given.length) {
    progress.failed('Nothing to replay: CloudTrail digest files hold no events.');
    return;
  }
  replay(given);
}

/**
 * Replay `given` ({file, path}, in order) with the current settings.
 * @param {InputFile[]} given
 */
function replay(given) {
  inputs = given;
  const settings = form.read();
  const problem = settingsProblem(settings);
  if (problem) {
    showConfigError(problem);
    progress.failed(`Fix the settings first: ${problem}`);
    return;
  }
  lastRunSettings = runKey(settings);
  button('rerun').disabled = true;
  button('export-alerts').disabled = true;
  button('export-state').disabled = true;
  showFiles(given);
  details.close({ restoreFocus: false });
  alerts.clear();
  principals.clear();
  results.reset();
  const total = given.reduce((sum, input) => sum + input.file.size, 0);
  progress.started(given.length, total);
  client.run(given.map((input) => input.file), toConfig(settings), settings.alert_time, ruleFiles);
}

/** @param {InputFile[]} given */
function showFiles(given) {
  const total = given.reduce((sum, input) => sum + input.file.size, 0);
  $('file-summary').textContent = `${count(given.length)} files, ${bytes(total)}`;
  const items = given.slice(0, MAX_LISTED_FILES).map((input) => {
    const li = document.createElement('li');
    li.textContent = input.path;
    return li;
  });
  if (given.length > MAX_LISTED_FILES) {
    const li = document.createElement('li');
    li.textContent = `… and ${count(given.length - MAX_LISTED_FILES)} more`;
    items.push(li);
  }
  $('file-names').replaceChildren(...items);
  $('file-list').hidden = false;
}

// ---- Alert details, filters, the timeline as a control ------------------------------

const results = new FilteredResults({ alerts, principals, timeline, scans: (filters) => client.scans(filters) });
const filterBar = new FilterBar($('filters'), (filters) => {
  results.apply(filters);
  updateFragment();
});

const details = new AlertDetailsView($('alert-details'), {
  load: (seq) => client.details(seq),
  loadSource: (seq) => client.source(seq),
  neighbour(step) {
    const next = alerts.table.neighbour(alerts.table.selected, step);
    if (!next) return undefined;
    alerts.table.select(next.index);
    return Number(next.row[ALERT.seq]);
  },
  filter: (kind, value) => filterBar.follow(kind, value),
  shade: (window) => timeline.shade(window),
  closed: () => alerts.table.body.focus(),
});
alerts.table.onActivate((row) => { details.open(Number(row[ALERT.seq]), { focus: true }); });
// With the panel open, moving through the table with the arrow keys shows each alert.
alerts.table.onSelect((row) => { if (details.isOpen) details.open(Number(row[ALERT.seq])); });
principals.table.onActivate((row) => filterBar.follow('principal', String(row[PRINCIPAL.label])));
timeline.onBrush((range) => filterBar.setRange(range));
// Escape closes the panel from anywhere, unless something else used it (the timeline's
// brush, a dialog) or it belongs to a field being typed in.
document.addEventListener('keydown', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (event.key !== 'Escape' || event.defaultPrevented || !details.isOpen || document.querySelector('dialog[open]')
    || target?.closest('input, textarea, select')) return;
  details.close();
});

/** The address bar: the settings that differ from the defaults, then the filters. */
function updateFragment() {
  const params = withFilters(new URLSearchParams(toFragment(form.read()).replace(/^#/, '')), filterBar.filters);
  const text = params.toString();
  history.replaceState(null, '', text ? `#${text}` : window.location.pathname);
}

let checkTimer = 0;
/** @param {Settings} settings */
function settingsChanged(settings) {
  updateFragment();
  button('rerun').disabled = !inputs.length || runKey(settings) === lastRunSettings;
  clearTimeout(checkTimer);
  const problem = settingsProblem(settings);
  showConfigError(problem);
  if (problem) return;
  checkTimer = setTimeout(async () => {
    const { error } = await client.check(toConfig(settings));
    showConfigError(error);
  }, 200);
}

form.write(fromFragment(window.location.hash));
filterBar.set(filtersFromFragment(window.location.hash));
results.apply(filterBar.filters);
form.onChange(settingsChanged);
window.addEventListener('hashchange', () => {
  form.write(fromFragment(window.location.hash));
  filterBar.set(filtersFromFragment(window.location.hash));
  results.apply(filterBar.filters);
  settingsChanged(form.read());
});

collectFiles({
  dropzone: $('dropzone'),
  pickFiles: $('pick-files'),
  pickFolder: $('pick-folder'),
  fileInput: element('file-input', HTMLInputElement),
  folderInput: element('folder-input', HTMLInputElement),
}, replayInOrder);

$('load-sample').addEventListener('click', async () => {
  $('status').textContent = 'Loading the bundled sample…';
  try {
    await replayInOrder(await sampleFiles());
  } catch (error) {
    progress.failed(`The bundled sample could not be loaded: ${messageOf(error)}`);
  }
});
button('rerun').addEventListener('click', () => replay(inputs));
button('clear-rules').addEventListener('click', () => {
  ruleFiles = [];
  showRules();
  // The built-in rule's alerts all carry its name: a filter on a rule file's is moot.
  if (filterBar.filters.rule) filterBar.remove('rule');
  settingsChanged(form.read());
});
button('cancel').addEventListener('click', () => {
  button('cancel').disabled = true;
  $('status').textContent = 'Cancelling…';
  client.cancel();
});

$('show-config').addEventListener('click', async () => {
  const settings = form.read();
  const config = toConfig(settings);
  $('config-document').textContent = JSON.stringify(config, null, 2);
  $('config-effective').textContent = 'checking…';
  element('config-dialog', HTMLDialogElement).showModal();
  const problem = settingsProblem(settings);
  /** @type {CheckResult} */
  const { effective, error } = problem ? { error: problem } : await client.check(config);
  $('config-effective').textContent = error ? `Invalid: ${error}` : JSON.stringify(effective, null, 2);
});

$('copy-link').addEventListener('click', async () => {
  const link = settingsLink(form.read());
  const note = $('link-note');
  note.textContent = `Settings link (settings only, never your data): ${link}`;
  try {
    await navigator.clipboard.writeText(link);
    note.textContent = `Copied (settings only, never your data): ${link}`;
  } catch {
    // No clipboard (permissions, insecure context): the link stays shown to copy by hand.
  }
});

$('export-alerts').addEventListener('click', async () => {
  const blob = await client.alertsFile();
  if (blob) download(blob, stampedName('dynamodb-scan-alerts', 'ndjson'));
});
$('export-state').addEventListener('click', async () => {
  const state = await client.stateFile();
  if (state) download(new Blob([state], { type: 'application/octet-stream' }), stampedName('dynamodb-scan-state', 'bin'));
});

/**
 * Save a Blob as a file, without any server: a blob: URL and a temporary link.
 * @param {Blob} blob
 * @param {string} filename
 */
function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * `name-2026-11-02T14-05-00.ext`: a file name that sorts by when it was saved.
 * @param {string} name
 * @param {string} extension
 */
function stampedName(name, extension) {
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  return `${name}-${stamp}.${extension}`;
}
