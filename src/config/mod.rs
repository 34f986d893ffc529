//! The one configuration document every host shares, and its validated form.
//!
//! [`DetectorOptions`] is what users write (JSON, snake_case keys that echo
//! Elastic's rule vocabulary, unknown keys rejected, every key optional with the
//! seed rule's value as default). [`Config`] is what the detector runs on: it can
//! only be built through validation, so it cannot be invalid.

pub mod duration;
pub mod exceptions;
pub mod profile;
// Elastic's rule files. Not in the JavaScript build yet: no JavaScript host loads rule
// files so far, and the module alone moves LTO's inlining enough to cost the npm .wasm
// about 470 bytes it does not have under its budget (tests/npm/run.sh).
#[cfg(rule_files)]
pub mod rule_file;
#[cfg(rule_files)]
pub mod suppression;

use std::num::{NonZeroU32, NonZeroUsize};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::time::Millis;
pub use duration::ElasticDuration;
pub use exceptions::{ExceptionItemOptions, Exceptions};
pub use profile::{ProfileName, RuleProfile};

/// Default cap on tracked terms.
pub const DEFAULT_MAX_TERMS: usize = 1_000_000;
/// Default cap on events held by the reorder window. Only events that may be new are
/// held (a principal's first scan in the window), so this is far above any real trail.
pub const DEFAULT_MAX_PENDING: usize = 100_000;
/// Default Kibana space.
pub const DEFAULT_SPACE: &str = "default";

/// The config document as users write it. Absent keys take the profile's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorOptions {
    /// `seed` (rule version 3, the default) or `current` (Elastic's version 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileName>,
    /// 1 to 3 unique ECS fields whose value combination must be new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_terms_fields: Option<Vec<String>>,
    /// How far back a term counts as seen: `14d` (or Elastic's `now-14d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_window: Option<String>,
    /// The rule's lookback, `now-9m`; the history window must reach past it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Field that gives an event's time: `event.ingested`, or `@timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_override: Option<String>,
    /// Whether events without the override field fall back to `@timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_fallback: Option<bool>,
    /// Most alerts per `interval` window of the time basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_signals: Option<u32>,
    /// Width of an alert-cap window: `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Hard cap on tracked terms; the least recently seen is evicted past it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_terms: Option<usize>,
    /// Alerts are muted until this span of the time basis has been observed: `0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_period: Option<String>,
    /// Matching events are judged in time order within this window (they wait until an
    /// event this much later has arrived, or the end of input): the rule's interval,
    /// `5m`. `0s` judges each event as it arrives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_window: Option<String>,
    /// Most events the reorder window holds; past it the earliest is judged early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending: Option<usize>,
    /// Elastic-style exception items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<Vec<ExceptionItemOptions>>,
    /// Kibana space the alerts belong to: `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    /// The rule's saved-object id in Kibana; defaults to the rule_id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_uuid: Option<String>,
    /// Elastic's rule files to run instead of the built-in rule: files, or directories
    /// walked for `*.toml` (the command line's `--rules`; a relative path is read from
    /// the config document's directory). Not in the JavaScript build.
    #[cfg(rule_files)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
}

/// A validated configuration. Build it with [`Config::from_json`] or [`Config::try_from`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub(crate) rule: &'static RuleProfile,
    pub(crate) new_terms_fields: Vec<String>,
    pub(crate) history_window: ElasticDuration,
    pub(crate) from: ElasticDuration,
    pub(crate) timestamp_override: String,
    pub(crate) timestamp_fallback: bool,
    pub(crate) max_signals: NonZeroU32,
    pub(crate) interval: ElasticDuration,
    pub(crate) max_terms: NonZeroUsize,
    pub(crate) learning_period: ElasticDuration,
    pub(crate) reorder_window: ElasticDuration,
    pub(crate) max_pending: NonZeroUsize,
    pub(crate) exception_items: Vec<ExceptionItemOptions>,
    pub(crate) exceptions: Exceptions,
    pub(crate) space_id: String,
    pub(crate) rule_uuid: String,
    /// The rule file this config runs instead of the built-in profile
    /// ([`Config::for_rule_file`]).
    #[cfg(rule_files)]
    pub(crate) file_rule: Option<std::sync::Arc<rule_file::RuleDefinition>>,
}

impl Default for Config {
    fn default() -> Self {
        Config::try_from(DetectorOptions::default())
            .unwrap_or_else(|_| unreachable!("the seed defaults are valid"))
    }
}

impl Config {
    /// Parse and validate a config document.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let options: DetectorOptions =
            serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        Config::try_from(options)
    }

    /// The built-in profile with no overrides.
    pub fn for_profile(profile: ProfileName) -> Self {
        let options = DetectorOptions {
            profile: Some(profile),
            ..Default::default()
        };
        Config::try_from(options).unwrap_or_else(|_| unreachable!("built-in profiles are valid"))
    }

    /// Every key filled in: the document that reproduces this config exactly.
    pub fn to_options(&self) -> DetectorOptions {
        DetectorOptions {
            profile: Some(self.rule.name),
            new_terms_fields: Some(self.new_terms_fields.clone()),
            history_window: Some(self.history_window.to_string()),
            from: Some(self.from.as_date_math()),
            timestamp_override: Some(self.timestamp_override.clone()),
            timestamp_fallback: Some(self.timestamp_fallback),
            max_signals: Some(self.max_signals.get()),
            interval: Some(self.interval.to_string()),
            max_terms: Some(self.max_terms.get()),
            learning_period: Some(self.learning_period.to_string()),
            reorder_window: Some(self.reorder_window.to_string()),
            max_pending: Some(self.max_pending.get()),
            exceptions: Some(self.exception_items.clone()),
            space_id: Some(self.space_id.clone()),
            rule_uuid: Some(self.rule_uuid.clone()),
            #[cfg(rule_files)]
            rules: None,
        }
    }

    /// The effective config as a pretty JSON document.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.to_options()).unwrap_or_default()
    }

    pub fn profile(&self) -> &'static RuleProfile {
        self.rule
    }
    /// The rule's name, as alerts give it.
    pub fn rule_name(&self) -> std::borrow::Cow<'static, str> {
        #[cfg(rule_files)]
        if let Some(rule) = &self.file_rule {
            return rule.name.clone().into();
        }
        self.rule.rule_name.into()
    }
    /// The rule's severity.
    pub fn severity(&self) -> std::borrow::Cow<'static, str> {
        #[cfg(rule_files)]
        if let Some(rule) = &self.file_rule {
            return rule.severity.clone().into();
        }
        self.rule.severity.into()
    }
    /// The rule's `rule_id`.
    pub fn rule_id(&self) -> &str {
        #[cfg(rule_files)]
        if let Some(rule) = &self.file_rule {
            return &rule.rule_id;
        }
        self.rule.rule_id
    }
    /// The rule file this config runs, if it runs one.
    #[cfg(rule_files)]
    pub fn file_rule(&self) -> Option<&rule_file::RuleDefinition> {
        self.file_rule.as_deref()
    }
    /// The rule's version (a rule file without one counts as version 1).
    pub fn rule_version(&self) -> u32 {
        #[cfg(rule_files)]
        if let Some(rule) = &self.file_rule {
            return rule.version.unwrap_or(1);
        }
        self.rule.version
    }
    pub fn new_terms_fields(&self) -> &[String] {
        &self.new_terms_fields
    }
    pub fn history_window_millis(&self) -> Millis {
        self.history_window.millis()
    }
    pub fn max_terms(&self) -> usize {
        self.max_terms.get()
    }
    pub fn max_signals(&self) -> u32 {
        self.max_signals.get()
    }
    pub fn interval_millis(&self) -> Millis {
        self.interval.millis()
    }
    pub fn learning_period_millis(&self) -> Millis {
        self.learning_period.millis()
    }
    pub fn reorder_window_millis(&self) -> Millis {
        self.reorder_window.millis()
    }
    pub fn space_id(&self) -> &str {
        &self.space_id
    }
    pub fn rule_uuid(&self) -> &str {
        &self.rule_uuid
    }
}

impl TryFrom<DetectorOptions> for Config {
    type Error = ConfigError;

    fn try_from(mut o: DetectorOptions) -> Result<Self, ConfigError> {
        #[cfg(rule_files)]
        if o.rules.is_some() {
            return Err(ConfigError::invalid(
                "rules",
                "rule files run as a rule set, which this host does not load (the command line does)",
            ));
        }
        let rule = o.profile.unwrap_or_default().profile();
        let new_terms_fields = validate_fields(o.new_terms_fields.take().unwrap_or_else(|| {
            rule.new_terms_fields
                .iter()
                .map(|f| (*f).to_owned())
                .collect()
        }))?;
        let windows = Windows::validate(&o, rule)?;
        let timestamp_override = o
            .timestamp_override
            .unwrap_or_else(|| rule.timestamp_override.to_owned());
        if timestamp_override.trim().is_empty() {
            return Err(ConfigError::invalid(
                "timestamp_override",
                "must name a field, such as `event.ingested` or `@timestamp`",
            ));
        }
        let at_least_one = |field| ConfigError::invalid(field, "must be at least 1");
        let max_signals = NonZeroU32::new(o.max_signals.unwrap_or(rule.max_signals))
            .ok_or_else(|| at_least_one("max_signals"))?;
        let max_terms = NonZeroUsize::new(o.max_terms.unwrap_or(DEFAULT_MAX_TERMS))
            .ok_or_else(|| at_least_one("max_terms"))?;
        if max_terms.get() > u32::MAX as usize - 1 {
            return Err(ConfigError::invalid(
                "max_terms",
                format!("must be at most {}", u32::MAX - 1),
            ));
        }
        let max_pending = NonZeroUsize::new(o.max_pending.unwrap_or(DEFAULT_MAX_PENDING))
            .ok_or_else(|| at_least_one("max_pending"))?;
        let exception_items = o.exceptions.unwrap_or_default();
        let exceptions = Exceptions::compile(&exception_items)?;
        let non_empty = |value: Option<String>, default: &str, field| {
            let value = value.unwrap_or_else(|| default.to_owned());
            if value.is_empty() {
                return Err(ConfigError::invalid(field, "must not be empty"));
            }
            Ok(value)
        };
        let space_id = non_empty(o.space_id, DEFAULT_SPACE, "space_id")?;
        let rule_uuid = non_empty(o.rule_uuid, rule.rule_id, "rule_uuid")?;
        Ok(Config {
            rule,
            new_terms_fields,
            history_window: windows.history_window,
            from: windows.from,
            timestamp_override: timestamp_override.trim().to_owned(),
            timestamp_fallback: o.timestamp_fallback.unwrap_or(true),
            max_signals,
            interval: windows.interval,
            max_terms,
            learning_period: windows.learning_period,
            reorder_window: windows.reorder_window,
            max_pending,
            exception_items,
            exceptions,
            space_id,
            rule_uuid,
            #[cfg(rule_files)]
            file_rule: None,
        })
    }
}

/// The configuration's spans of time, each valid and valid against the others.
struct Windows {
    history_window: ElasticDuration,
    from: ElasticDuration,
    interval: ElasticDuration,
    learning_period: ElasticDuration,
    reorder_window: ElasticDuration,
}

impl Windows {
    fn validate(o: &DetectorOptions, rule: &RuleProfile) -> Result<Self, ConfigError> {
        let history_window = duration_or(
            o.history_window.as_deref(),
            rule.history_window,
            "history_window",
            true,
        )?;
        let from = duration_or(o.from.as_deref(), rule.from, "from", true)?;
        let interval = duration_or(o.interval.as_deref(), rule.interval, "interval", false)?;
        let learning_period = duration_or(
            o.learning_period.as_deref(),
            ElasticDuration::zero(),
            "learning_period",
            false,
        )?;
        // By default the rule's interval (the delay Kibana itself runs behind), when it is
        // shorter than the history window.
        let default_reorder = if interval.millis() < history_window.millis() {
            interval
        } else {
            ElasticDuration::zero()
        };
        let reorder_window = duration_or(
            o.reorder_window.as_deref(),
            default_reorder,
            "reorder_window",
            false,
        )?;
        if interval.millis() == 0 {
            return Err(ConfigError::invalid("interval", "must be longer than zero"));
        }
        if history_window.millis() <= from.millis() {
            return Err(ConfigError::HistoryWindowTooShort {
                history: history_window.as_date_math(),
                from: from.as_date_math(),
            });
        }
        if reorder_window.millis() >= history_window.millis() {
            return Err(ConfigError::invalid(
                "reorder_window",
                format!(
                    "must be shorter than history_window ({})",
                    history_window.as_date_math()
                ),
            ));
        }
        Ok(Windows {
            history_window,
            from,
            interval,
            learning_period,
            reorder_window,
        })
    }
}

fn validate_fields(fields: Vec<String>) -> Result<Vec<String>, ConfigError> {
    let fields: Vec<String> = fields.into_iter().map(|f| f.trim().to_owned()).collect();
    if fields.is_empty() || fields.len() > 3 {
        return Err(ConfigError::invalid(
            "new_terms_fields",
            format!("must name 1 to 3 fields, got {}", fields.len()),
        ));
    }
    for (i, f) in fields.iter().enumerate() {
        if f.is_empty() {
            return Err(ConfigError::invalid(
                "new_terms_fields",
                "field names must not be empty",
            ));
        }
        if fields[..i].contains(f) {
            return Err(ConfigError::invalid(
                "new_terms_fields",
                format!("field `{f}` is listed twice; fields must be unique"),
            ));
        }
    }
    Ok(fields)
}

fn duration_or(
    text: Option<&str>,
    default: ElasticDuration,
    field: &'static str,
    date_math: bool,
) -> Result<ElasticDuration, ConfigError> {
    match text {
        None => Ok(default),
        Some(t) => ElasticDuration::parse(t, date_math).map_err(|m| ConfigError::invalid(field, m)),
    }
}

#[cfg(test)]
mod tests;
