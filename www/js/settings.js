// @ts-check
// The replay's settings: the form, the config document the detector takes (the same
// document as the command line's --config), and the URL fragment that carries them
// (`#profile=current&history_window=7d`): the settings only, never any data.

/** @import { ConfigDocument } from './worker/protocol.js' */

/**
 * Every setting, as the form holds it ('' = the profile's default); the two chosen
 * from a list always hold one of their choices.
 * @typedef {object} Settings
 * @property {Profile} profile
 * @property {string} history_window
 * @property {string} learning_period
 * @property {string} max_terms
 * @property {AlertTime} alert_time
 */
/** @typedef {keyof Settings} SettingName */
/** @typedef {typeof PROFILES[number]} Profile */
/** @typedef {typeof ALERT_TIMES[number]} AlertTime */

/** @type {readonly SettingName[]} */
export const SETTING_NAMES = ['profile', 'history_window', 'learning_period', 'max_terms', 'alert_time'];
/** @type {Readonly<Settings>} */
const DEFAULTS = { profile: 'seed', history_window: '', learning_period: '', max_terms: '', alert_time: 'event' };
const PROFILES = /** @type {const} */ (['seed', 'current']);
const ALERT_TIMES = /** @type {const} */ (['event', 'clock']);
/** Free-text settings are short: durations and a number. */
const MAX_VALUE_LENGTH = 32;

/**
 * The settings in a URL fragment; unknown keys and impossible values are ignored.
 * @param {string} hash
 * @returns {Settings}
 */
export function fromFragment(hash) {
  const settings = { ...DEFAULTS };
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const name of SETTING_NAMES) {
    const value = params.get(name);
    if (value === null || value.length > MAX_VALUE_LENGTH) continue;
    if (name === 'profile') {
      if (isOneOf(value, PROFILES)) settings.profile = value;
    } else if (name === 'alert_time') {
      if (isOneOf(value, ALERT_TIMES)) settings.alert_time = value;
    } else {
      settings[name] = value.trim();
    }
  }
  return settings;
}

/**
 * Whether `value` is one of `choices`.
 * @template {string} T
 * @param {string} value
 * @param {readonly T[]} choices
 * @returns {value is T}
 */
function isOneOf(value, choices) {
  return choices.some((choice) => choice === value);
}

/**
 * The fragment for `settings`: only what differs from the defaults.
 * @param {Settings} settings
 */
export function toFragment(settings) {
  const params = new URLSearchParams();
  for (const name of SETTING_NAMES) {
    if (settings[name] !== DEFAULTS[name]) params.set(name, settings[name]);
  }
  const text = params.toString();
  return text ? `#${text}` : '';
}

/**
 * A link to this page with `settings` (and nothing else) in its fragment.
 * @param {Settings} settings
 * @param {Pick<Location, 'origin' | 'pathname'>} [location]
 */
export function settingsLink(settings, location = window.location) {
  return `${location.origin}${location.pathname}${toFragment(settings)}`;
}

/**
 * What is wrong with `settings` before the detector sees them ('' if nothing): the
 * detector names the key of a bad duration, but not of a number given as text.
 * @param {Settings} settings
 */
export function settingsProblem(settings) {
  if (settings.max_terms && !/^[1-9][0-9]*$/.test(normalisedNumber(settings.max_terms))) {
    return 'max_terms: must be a whole number of at least 1';
  }
  return '';
}

/**
 * The config document for `settings`: the profile, and each other key only when set.
 * @param {Settings} settings
 */
export function toConfig(settings) {
  /** @type {ConfigDocument} */
  const config = { profile: settings.profile };
  if (settings.history_window) config.history_window = settings.history_window;
  if (settings.learning_period) config.learning_period = settings.learning_period;
  if (settings.max_terms) {
    const n = Number(normalisedNumber(settings.max_terms));
    config.max_terms = Number.isSafeInteger(n) ? n : settings.max_terms;
  }
  return config;
}

/**
 * `1,000,000`, `1 000 000` and `1_000_000` as `1000000`.
 * @param {string} text
 */
function normalisedNumber(text) {
  return text.replaceAll(/[\s_,]/g, '');
}

/** Reads and writes the settings form. */
export class SettingsForm {
  /** @param {HTMLFormElement} form */
  constructor(form) {
    this.form = form;
  }

  /** @returns {Settings} */
  read() {
    /** @param {SettingName} name */
    const value = (name) => this.control(name).value.trim();
    // The choices are <select>s of exactly those values: the defaults never stand in.
    const profile = value('profile');
    const alertTime = value('alert_time');
    return {
      profile: isOneOf(profile, PROFILES) ? profile : DEFAULTS.profile,
      history_window: value('history_window'),
      learning_period: value('learning_period'),
      max_terms: value('max_terms'),
      alert_time: isOneOf(alertTime, ALERT_TIMES) ? alertTime : DEFAULTS.alert_time,
    };
  }

  /** @param {Partial<Settings>} settings */
  write(settings) {
    for (const name of SETTING_NAMES) this.control(name).value = settings[name] ?? DEFAULTS[name];
  }

  /**
   * The form's control of one setting: a text field or a list.
   * @param {SettingName} name
   */
  control(name) {
    const element = this.form.elements.namedItem(name);
    if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) return element;
    throw new Error(`the settings form has no field ${name}`);
  }

  /** @param {(settings: Settings) => void} callback */
  onChange(callback) {
    this.form.addEventListener('input', () => callback(this.read()));
    this.form.addEventListener('change', () => callback(this.read()));
    this.form.addEventListener('submit', (event) => event.preventDefault());
  }
}
