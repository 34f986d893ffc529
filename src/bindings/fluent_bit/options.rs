//! The Fluent Bit module's own settings, read from [`super::OPTIONS_FILE`].
//!
//! They are kept apart from the detector's config document so that one config file
//! serves every host unchanged. Every key is optional; unknown keys are rejected:
//!
//! ```json
//! {"detection_time": "clock", "snapshot_every": "60s", "max_nesting": 40, "heartbeat_stats": true}
//! ```

use serde::Deserialize;
use thiserror::Error;

use crate::config::ElasticDuration;
use crate::time::Millis;

/// Default nesting limit: comfortably inside a 64 KiB WAMR stack (see the README).
pub const DEFAULT_MAX_NESTING: usize = 40;
/// serde_json refuses deeper documents anyway.
const MAX_MAX_NESTING: usize = 128;

/// Which time an alert's `@timestamp` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionClock {
    /// The WASI wall clock when the record is filtered (as Kibana's rule run time).
    Clock,
    /// The event's own time basis: reproducible output, equal to the CLI's
    /// `--detection-time event`.
    Event,
}

/// The validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub detection_time: DetectionClock,
    /// How often (at most) a changed state is written to [`super::SNAPSHOT_FILE`];
    /// `None` turns persistence off (the default).
    pub snapshot_every: Option<Millis>,
    /// Records nesting deeper than this are counted as unparseable, never parsed.
    pub max_nesting: usize,
    /// The heartbeat record ([`super::HEARTBEAT`]) comes back as the module's counters,
    /// a record of its own (`{"dynamodb_scan_detector":"stats",…}`); `false` passes it
    /// through the detector like any other record.
    pub heartbeat_stats: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            detection_time: DetectionClock::Clock,
            snapshot_every: None,
            max_nesting: DEFAULT_MAX_NESTING,
            heartbeat_stats: true,
        }
    }
}

/// Why the settings file was not used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OptionsError {
    #[error("not valid JSON for these settings: {0}")]
    Json(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsFile {
    detection_time: Option<String>,
    snapshot_every: Option<String>,
    max_nesting: Option<usize>,
    heartbeat_stats: Option<bool>,
}

impl Options {
    /// Parse and validate the settings document.
    pub fn from_json(text: &str) -> Result<Self, OptionsError> {
        let file: OptionsFile =
            serde_json::from_str(text).map_err(|e| OptionsError::Json(e.to_string()))?;
        let mut options = Options::default();
        if let Some(t) = file.detection_time {
            options.detection_time = match t.as_str() {
                "clock" => DetectionClock::Clock,
                "event" => DetectionClock::Event,
                other => {
                    return Err(OptionsError::Invalid {
                        field: "detection_time",
                        message: format!("`{other}` is neither `clock` nor `event`"),
                    })
                }
            };
        }
        if let Some(every) = file.snapshot_every {
            let d =
                ElasticDuration::parse(&every, false).map_err(|message| OptionsError::Invalid {
                    field: "snapshot_every",
                    message,
                })?;
            options.snapshot_every = Some(d.millis());
        }
        if let Some(n) = file.max_nesting {
            if !(8..=MAX_MAX_NESTING).contains(&n) {
                return Err(OptionsError::Invalid {
                    field: "max_nesting",
                    message: format!("{n} is outside 8..={MAX_MAX_NESTING}"),
                });
            }
            options.max_nesting = n;
        }
        if let Some(on) = file.heartbeat_stats {
            options.heartbeat_stats = on;
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_or_say_why_not() {
        let ok = |clock, every, nesting| {
            Ok(Options {
                detection_time: clock,
                snapshot_every: every,
                max_nesting: nesting,
                heartbeat_stats: true,
            })
        };
        use DetectionClock::{Clock, Event};
        let cases: &[(&str, Result<Options, &str>)] = &[
            ("{}", ok(Clock, None, 40)),
            (r#"{"detection_time":"event"}"#, ok(Event, None, 40)),
            (r#"{"snapshot_every":"60s"}"#, ok(Clock, Some(60_000), 40)),
            (r#"{"snapshot_every":"0s"}"#, ok(Clock, Some(0), 40)),
            (r#"{"max_nesting":64}"#, ok(Clock, None, 64)),
            (
                r#"{"heartbeat_stats":false}"#,
                Ok(Options {
                    heartbeat_stats: false,
                    ..Options::default()
                }),
            ),
            (
                r#"{"heartbeat_stats":"no"}"#,
                Err("not valid JSON for these settings: invalid type"),
            ),
            (
                r#"{"detection_time":"now"}"#,
                Err("detection_time: `now` is neither"),
            ),
            (
                r#"{"snapshot_every":"soon"}"#,
                Err("snapshot_every: `soon` has no amount"),
            ),
            (r#"{"max_nesting":4}"#, Err("max_nesting: 4 is outside")),
            (r#"{"max_nesting":500}"#, Err("max_nesting: 500 is outside")),
            (
                r#"{"snapshot":"60s"}"#,
                Err("not valid JSON for these settings: unknown field"),
            ),
            ("[", Err("not valid JSON")),
        ];
        for (text, want) in cases {
            match (Options::from_json(text), want) {
                (Ok(got), Ok(want)) => assert_eq!(&got, want, "{text}"),
                (Err(got), Err(prefix)) => {
                    assert!(got.to_string().starts_with(prefix), "{text}: {got}")
                }
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }
}
