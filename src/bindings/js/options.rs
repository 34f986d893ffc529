//! The options object a JavaScript caller may pass to the constructor (defaults) and
//! to each call: `{ detectionTime, fallbackTime, input, output }`.
//!
//! * `detectionTime` is the alert's `@timestamp`: `'clock'` (the default: the JS clock,
//!   `Date.now()`), `'event'` (the event's own time, which makes output reproducible),
//!   or a fixed time as epoch milliseconds or a `Date`.
//! * `fallbackTime` is the time of events that carry none (epoch ms or a `Date`).
//! * `input` is how batch methods cut their input: `'auto'` (the default: NDJSON, or
//!   one JSON document such as a pretty-printed S3 file) or `'ndjson'` (strictly one
//!   document per line, whatever the first line holds).
//! * `more: true` says that the batch is a chunk of an input whose next chunk comes in
//!   the detector's next batch call (the core's reader is carried over, with the line
//!   the chunk cut); a call without it ends the input.
//! * `maxLineBytes` and `maxDocumentBytes` are the core's reading limits
//!   ([`Limits`]: the command line's `--max-line-bytes` and `--max-document-bytes`).
//! * `output` is `'objects'` (the default: plain objects) or `'ndjson'` (the exact
//!   JSON text, one document per line, each line ending in `\n`).
//!
//! The constructor (and `restore`) also take `validateAll`: `true` turns off the core's
//! byte-level pre-check, so every record is parsed and classified (what the command
//! line's `--validate-all` does); alerts are the same either way.
//!
//! They also take `rules`, Elastic's rule files to run instead of the built-in rule: an
//! array whose items are a file's TOML text, or `{ file, text }` to name it in messages;
//! and `strictRules`: `true` makes a refused rule file an error (by default it is listed
//! by `refusedRules()` and the rest run).
//!
//! The clock is read through `js_sys::Date::now()`: `SystemTime::now()` panics on
//! wasm32-unknown-unknown. Unknown keys are rejected, so a misspelt option is an
//! error rather than silently ignored.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::engine::RuleText;
use super::error::{self, type_name};
use crate::input::documents::{Format, Limits};
use crate::{Context, DetectionTime, Millis};

/// The range of a JavaScript `Date`: ±100,000,000 days around the epoch.
const MAX_DATE_MILLIS: f64 = 8.64e15;

const KEYS: [&str; 7] = [
    "detectionTime",
    "fallbackTime",
    "input",
    "output",
    "more",
    "maxLineBytes",
    "maxDocumentBytes",
];
const VALIDATE_ALL: &str = "validateAll";
const RULES: &str = "rules";
const STRICT_RULES: &str = "strictRules";

/// Where an alert's detection time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Clock,
    Event,
    At(Millis),
}

/// How results are returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
    Objects,
    Ndjson,
}

/// Parsed call options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOptions {
    pub detection_time: When,
    pub fallback_time: Option<Millis>,
    pub input: Format,
    pub output: OutputShape,
    /// The batch is a chunk of an input that goes on in the next batch call.
    pub more: bool,
    pub limits: Limits,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            detection_time: When::Clock,
            fallback_time: None,
            input: Format::Auto,
            output: OutputShape::Objects,
            more: false,
            limits: Limits::default(),
        }
    }
}

/// What the constructor's options set: the defaults of every call, the pre-check, and
/// the rule files to run.
#[derive(Debug, Clone, Default)]
pub struct DetectorSettings {
    pub defaults: CallOptions,
    pub validate_all: bool,
    pub rules: Option<Vec<RuleText>>,
    pub strict_rules: bool,
}

impl DetectorSettings {
    pub fn parse(value: &JsValue) -> Result<DetectorSettings, JsValue> {
        let mut keys = KEYS.to_vec();
        keys.extend([VALIDATE_ALL, RULES, STRICT_RULES]);
        let defaults = CallOptions::parse_keys(value, CallOptions::default(), &keys)?;
        let mut settings = DetectorSettings {
            defaults,
            ..DetectorSettings::default()
        };
        if value.is_object() {
            settings.validate_all = flag(value, VALIDATE_ALL)?;
            settings.strict_rules = flag(value, STRICT_RULES)?;
            settings.rules = rule_texts(&get(value, RULES)?)?;
        }
        Ok(settings)
    }
}

/// A `true`/`false` option (absent: false).
fn flag(options: &JsValue, key: &str) -> Result<bool, JsValue> {
    let value = get(options, key)?;
    if value.is_undefined() {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| choice_error(key, "true or false", &value))
}

/// `rules` given to the default entry, which reads no rule files: any value is handed
/// on as an empty list, which the engine refuses naming the entry that reads them.
#[cfg(not(rule_files))]
fn rule_texts(value: &JsValue) -> Result<Option<Vec<RuleText>>, JsValue> {
    Ok((!value.is_undefined()).then(Vec::new))
}

/// `rules`: an array of TOML texts or `{ file, text }` objects (absent: none).
#[cfg(rule_files)]
fn rule_texts(value: &JsValue) -> Result<Option<Vec<RuleText>>, JsValue> {
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(items) = value.dyn_ref::<js_sys::Array>() else {
        return Err(choice_error(
            RULES,
            "an array of rule files' TOML texts (or { file, text } objects)",
            value,
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let rule = if let Some(text) = item.as_string() {
            RuleText {
                file: format!("rules[{i}]"),
                text,
            }
        } else if item.is_object() {
            let text = get(&item, "text")?.as_string();
            let file = get(&item, "file")?;
            match (text, file.as_string()) {
                (Some(text), Some(file)) => RuleText { file, text },
                (Some(text), None) if file.is_undefined() => RuleText {
                    file: format!("rules[{i}]"),
                    text,
                },
                _ => {
                    return Err(error::options(format!(
                        "`rules[{i}]` must have a string `text` (and a string `file`, if any)"
                    )))
                }
            }
        } else {
            return Err(error::options(format!(
                "`rules[{i}]` must be a rule file's text or {{ file, text }}, got {}",
                describe_value(&item)
            )));
        };
        out.push(rule);
    }
    Ok(Some(out))
}

impl CallOptions {
    /// `value` laid over `defaults`; `undefined` and `null` keep the defaults.
    pub fn parse(value: &JsValue, defaults: CallOptions) -> Result<CallOptions, JsValue> {
        Self::parse_keys(value, defaults, &KEYS)
    }

    fn parse_keys(
        value: &JsValue,
        defaults: CallOptions,
        known: &[&str],
    ) -> Result<CallOptions, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(defaults);
        }
        let Some(object) = value.dyn_ref::<Object>().filter(|_| !value.is_function()) else {
            return Err(error::type_error(format!(
                "options must be an object such as {{ detectionTime: 'event' }}, got {}",
                type_name(value)
            )));
        };
        for key in Object::keys(object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(error::options(format!(
                    "unknown option `{key}` (known: {})",
                    known.join(", ")
                )));
            }
        }
        let mut out = defaults;
        let detection = get(value, "detectionTime")?;
        if !detection.is_undefined() {
            out.detection_time = match detection.as_string().as_deref() {
                Some("clock") => When::Clock,
                Some("event") => When::Event,
                _ => When::At(millis(&detection, "detectionTime")?),
            };
        }
        let fallback = get(value, "fallbackTime")?;
        if !fallback.is_undefined() {
            out.fallback_time = if fallback.is_null() {
                None
            } else {
                Some(millis(&fallback, "fallbackTime")?)
            };
        }
        let input = get(value, "input")?;
        if !input.is_undefined() {
            out.input = match input.as_string().as_deref() {
                Some("auto") => Format::Auto,
                Some("ndjson") => Format::Ndjson,
                _ => return Err(choice_error("input", "'auto' or 'ndjson'", &input)),
            };
        }
        let output = get(value, "output")?;
        if !output.is_undefined() {
            out.output = match output.as_string().as_deref() {
                Some("objects") => OutputShape::Objects,
                Some("ndjson") => OutputShape::Ndjson,
                _ => return Err(choice_error("output", "'objects' or 'ndjson'", &output)),
            };
        }
        let more = get(value, "more")?;
        if !more.is_undefined() {
            out.more = more
                .as_bool()
                .ok_or_else(|| choice_error("more", "true or false", &more))?;
        }
        if let Some(bytes) = byte_count(value, "maxLineBytes")? {
            out.limits.max_line = bytes;
        }
        if let Some(bytes) = byte_count(value, "maxDocumentBytes")? {
            out.limits.max_document = bytes;
        }
        Ok(out)
    }

    /// The detection time; the JS clock is read only when an alert is rendered.
    pub fn detection_time(&self) -> DetectionTime {
        match self.detection_time {
            When::Clock => DetectionTime::Clock(js_now),
            When::Event => DetectionTime::EventTime,
            When::At(t) => DetectionTime::At(t),
        }
    }

    /// The core's context for one call.
    pub fn context(&self) -> Context {
        Context {
            detection_time: self.detection_time(),
            fallback_time: self.fallback_time,
        }
    }
}

/// `Date.now()`: the JS clock (`SystemTime::now()` panics on wasm32-unknown-unknown).
fn js_now() -> Millis {
    Date::now() as Millis
}

fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
        .map_err(|e| error::from_js("reading the options", e))
}

/// Epoch milliseconds from a number or a `Date`.
fn millis(value: &JsValue, key: &str) -> Result<Millis, JsValue> {
    let ms = match value.dyn_ref::<Date>() {
        Some(date) => date.get_time(),
        None => value.as_f64().ok_or_else(|| {
            error::options(format!(
                "`{key}` must be 'clock', 'event', epoch milliseconds or a Date, got {}",
                describe_value(value)
            ))
        })?,
    };
    if !ms.is_finite() || ms.abs() > MAX_DATE_MILLIS {
        return Err(error::options(format!(
            "`{key}` must be a valid time (epoch milliseconds within the range of a Date), got {ms}"
        )));
    }
    Ok(ms.floor() as Millis)
}

/// A limit in bytes: a whole number from 1 up, if given.
fn byte_count(options: &JsValue, key: &str) -> Result<Option<usize>, JsValue> {
    let value = get(options, key)?;
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= usize::MAX as f64 => Ok(Some(n as usize)),
        _ => Err(choice_error(key, "a whole number of bytes", &value)),
    }
}

fn choice_error(key: &str, choices: &str, got: &JsValue) -> JsValue {
    error::options(format!(
        "`{key}` must be {choices}, got {}",
        describe_value(got)
    ))
}

fn describe_value(value: &JsValue) -> String {
    match value.as_string() {
        Some(s) => format!("'{s}'"),
        None => type_name(value),
    }
}
