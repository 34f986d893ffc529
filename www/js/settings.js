// The replay's settings: the form, the config document the detector takes (the same
// document as the command line's --config), and the URL fragment that carries them
// (`#profile=current&history_window=7d`): the settings only, never any data.

/** Every setting, as the form holds it ('' = the profile's default). */
export const SETTING_NAMES = ['profile', 'history_window', 'learning_period', 'max_terms', 'alert_time'];
const DEFAULTS = { profile: 'seed', history_window: '', learning_period: '', max_terms: '', alert_time: 'event' };
const CHOICES = { profile: ['seed', 'current'], alert_time: ['event', 'clock'] };
/** Free-text settings are short: durations and a number. */
const MAX_VALUE_LENGTH = 32;

/** The settings in a URL fragment; unknown keys and impossible values are ignored. */
export function fromFragment(hash) {
  const settings = { ...DEFAULTS };
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const name of SETTING_NAMES) {
    const value = params.get(name);
    if (value === null || value.length > MAX_VALUE_LENGTH) continue;
    if (CHOICES[name] && !CHOICES[name].includes(value)) continue;
    settings[name] = value.trim();
  }
  return settings;
}

/** The fragment for `settings`: only what differs from the defaults. */
export function toFragment(settings) {
  const params = new URLSearchParams();
  for (const name of SETTING_NAMES) {
    if (settings[name] !== DEFAULTS[name]) params.set(name, settings[name]);
  }
  const text = params.toString();
  return text ? `#${text}` : '';
}

/** A link to this page with `settings` (and nothing else) in its fragment. */
export function settingsLink(settings, location = window.location) {
  return `${location.origin}${location.pathname}${toFragment(settings)}`;
}

/**
 * What is wrong with `settings` before the detector sees them ('' if nothing): the
 * detector names the key of a bad duration, but not of a number given as text.
 */
export function settingsProblem(settings) {
  if (settings.max_terms && !/^[1-9][0-9]*$/.test(normalisedNumber(settings.max_terms))) {
    return 'max_terms: must be a whole number of at least 1';
  }
  return '';
}

/** The config document for `settings`: the profile, and each other key only when set. */
export function toConfig(settings) {
  const config = { profile: settings.profile };
  if (settings.history_window) config.history_window = settings.history_window;
  if (settings.learning_period) config.learning_period = settings.learning_period;
  if (settings.max_terms) {
    const n = Number(normalisedNumber(settings.max_terms));
    config.max_terms = Number.isSafeInteger(n) ? n : settings.max_terms;
  }
  return config;
}

/** `1,000,000`, `1 000 000` and `1_000_000` as `1000000`. */
function normalisedNumber(text) {
  return text.replaceAll(/[\s_,]/g, '');
}

/** Reads and writes the settings form. */
export class SettingsForm {
  constructor(form) {
    this.form = form;
  }

  read() {
    const settings = {};
    for (const name of SETTING_NAMES) settings[name] = String(this.form.elements[name].value).trim();
    return settings;
  }

  write(settings) {
    for (const name of SETTING_NAMES) this.form.elements[name].value = settings[name] ?? DEFAULTS[name];
  }

  onChange(callback) {
    this.form.addEventListener('input', () => callback(this.read()));
    this.form.addEventListener('change', () => callback(this.read()));
    this.form.addEventListener('submit', (event) => event.preventDefault());
  }
}
