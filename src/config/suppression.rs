//! A rule's `[rule.alert_suppression]`, as Elastic's detection-rules files write it and
//! Kibana runs it on New Terms rules (8.14 and later):
//!
//! ```toml
//! [rule.alert_suppression]
//! group_by = ["cloud.account.id", "source.ip"]   # one to three fields
//! duration = {value = 1, unit = "h"}             # s, m or h; absent: per rule execution
//! missing_fields_strategy = "suppress"           # or "doNotSuppress"
//! ```
//!
//! Read into a type that cannot be invalid; how the detector applies it is described in
//! `src/suppression/mod.rs`. (A build without `cfg(alert_suppression)`, the Fluent Bit
//! module's, refuses such a rule and reads none of this.)
#![cfg_attr(not(alert_suppression), allow(dead_code))]

use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// Suppression, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSuppression {
    /// One to three fields whose values (from the alert's source event) form the group.
    pub group_by: Vec<String>,
    pub window: SuppressionWindow,
    pub missing_fields: MissingFields,
}

/// How long one alert takes in the later candidates of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionWindow {
    /// No `duration`: Kibana suppresses within one rule execution. The detector's
    /// executions are the rule's `interval` windows (aligned to the epoch, as the
    /// `max_signals` cap counts them).
    PerExecution,
    /// `duration`: an alert takes in its group's candidates until this long after its
    /// first event.
    Duration { value: u32, unit: DurationUnit },
}

/// The units Kibana accepts for a suppression `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurationUnit {
    #[serde(rename = "s")]
    Seconds,
    #[serde(rename = "m")]
    Minutes,
    #[serde(rename = "h")]
    Hours,
}

/// What happens to a candidate whose event lacks a group-by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MissingFields {
    /// `suppress` (Kibana's default): a missing field is the value `null` of the group.
    #[serde(rename = "suppress")]
    Suppress,
    /// `doNotSuppress`: such a candidate is an ordinary alert, with no suppression fields.
    #[serde(rename = "doNotSuppress")]
    DoNotSuppress,
}

impl DurationUnit {
    fn millis(self) -> Millis {
        match self {
            DurationUnit::Seconds => 1_000,
            DurationUnit::Minutes => 60_000,
            DurationUnit::Hours => 3_600_000,
        }
    }
    fn text(self) -> &'static str {
        match self {
            DurationUnit::Seconds => "s",
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
        }
    }
}

impl SuppressionWindow {
    /// The duration in milliseconds, `None` per execution.
    pub fn millis(self) -> Option<Millis> {
        match self {
            SuppressionWindow::PerExecution => None,
            SuppressionWindow::Duration { value, unit } => {
                Some(Millis::from(value).saturating_mul(unit.millis()))
            }
        }
    }
}

/// `[rule.alert_suppression]` as the file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AlertSuppressionToml {
    group_by: Vec<String>,
    duration: Option<DurationToml>,
    missing_fields_strategy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DurationToml {
    value: i64,
    unit: String,
}

/// The largest `duration` accepted: a year, far past any alert's useful life, and far
/// from overflow in millisecond arithmetic.
const MAX_DURATION: Millis = 366 * 86_400_000;

impl AlertSuppressionToml {
    /// Checked as detection-rules' schema checks it (`group_by` one to three non-empty
    /// names, `duration` value at least 1 in `s`, `m` or `h`, the strategy one of two).
    /// A missing `missing_fields_strategy` is Kibana's default, `suppress`.
    pub(super) fn check(self) -> Result<AlertSuppression, String> {
        if self.group_by.is_empty() || self.group_by.len() > 3 {
            return Err(format!(
                "alert_suppression: {} group_by fields (Kibana takes one to three)",
                self.group_by.len()
            ));
        }
        if let Some(empty) = self.group_by.iter().position(|f| f.trim().is_empty()) {
            return Err(format!(
                "alert_suppression: group_by field {} is empty",
                empty + 1
            ));
        }
        for (i, f) in self.group_by.iter().enumerate() {
            if self.group_by[..i].contains(f) {
                return Err(format!("alert_suppression: group_by names `{f}` twice"));
            }
        }
        let window = match self.duration {
            None => SuppressionWindow::PerExecution,
            Some(d) => {
                let unit = match d.unit.as_str() {
                    "s" => DurationUnit::Seconds,
                    "m" => DurationUnit::Minutes,
                    "h" => DurationUnit::Hours,
                    other => {
                        return Err(format!(
                            "alert_suppression: duration unit \"{other}\" is not s, m or h"
                        ))
                    }
                };
                let value = u32::try_from(d.value)
                    .ok()
                    .filter(|v| *v >= 1)
                    .filter(|v| Millis::from(*v).saturating_mul(unit.millis()) <= MAX_DURATION)
                    .ok_or_else(|| {
                        format!(
                            "alert_suppression: duration {}{} is not between 1s and a year",
                            d.value,
                            unit.text()
                        )
                    })?;
                SuppressionWindow::Duration { value, unit }
            }
        };
        let missing_fields = match self.missing_fields_strategy.as_deref() {
            None | Some("suppress") => MissingFields::Suppress,
            Some("doNotSuppress") => MissingFields::DoNotSuppress,
            Some(other) => {
                return Err(format!(
                    "alert_suppression: missing_fields_strategy \"{other}\" is not suppress or doNotSuppress"
                ))
            }
        };
        Ok(AlertSuppression {
            group_by: self.group_by,
            window,
            missing_fields,
        })
    }
}

impl AlertSuppression {
    /// One line for `--check-rules`: `one alert per cloud.account.id for 3h`.
    pub fn describe(&self) -> String {
        let window = match self.window {
            SuppressionWindow::PerExecution => "per rule execution".to_owned(),
            SuppressionWindow::Duration { value, unit } => format!("for {value}{}", unit.text()),
        };
        let missing = match self.missing_fields {
            MissingFields::Suppress => "",
            MissingFields::DoNotSuppress => ", a missing field not grouped",
        };
        format!(
            "one alert per {} {window}{missing}",
            self.group_by.join(" + ")
        )
    }

    /// As the alert's `kibana.alert.rule.parameters.alert_suppression` (Kibana's stored
    /// rule parameters, snake case).
    pub fn as_parameter(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("group_by".into(), self.group_by.clone().into());
        if let SuppressionWindow::Duration { value, unit } = self.window {
            let mut d = serde_json::Map::new();
            d.insert("value".into(), value.into());
            d.insert("unit".into(), unit.text().into());
            m.insert("duration".into(), d.into());
        }
        let strategy = match self.missing_fields {
            MissingFields::Suppress => "suppress",
            MissingFields::DoNotSuppress => "doNotSuppress",
        };
        m.insert("missing_fields_strategy".into(), strategy.into());
        m.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(toml_text: &str) -> Result<AlertSuppression, String> {
        let t: AlertSuppressionToml = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        t.check()
    }

    #[test]
    fn reads_what_elastic_writes_and_refuses_the_rest() {
        let ok = [
            (
                r#"group_by = ["source.ip", "cloud.account.id"]
                   duration = {value = 5, unit = "m"}
                   missing_fields_strategy = "suppress""#,
                AlertSuppression {
                    group_by: vec!["source.ip".into(), "cloud.account.id".into()],
                    window: SuppressionWindow::Duration {
                        value: 5,
                        unit: DurationUnit::Minutes,
                    },
                    missing_fields: MissingFields::Suppress,
                },
                "one alert per source.ip + cloud.account.id for 5m",
            ),
            (
                r#"group_by = ["user.name"]
                   missing_fields_strategy = "doNotSuppress""#,
                AlertSuppression {
                    group_by: vec!["user.name".into()],
                    window: SuppressionWindow::PerExecution,
                    missing_fields: MissingFields::DoNotSuppress,
                },
                "one alert per user.name per rule execution, a missing field not grouped",
            ),
            (
                r#"group_by = ["a"]"#,
                AlertSuppression {
                    group_by: vec!["a".into()],
                    window: SuppressionWindow::PerExecution,
                    missing_fields: MissingFields::Suppress,
                },
                "one alert per a per rule execution",
            ),
        ];
        for (text, want, described) in ok {
            assert_eq!(read(text).as_ref(), Ok(&want), "{text}");
            assert_eq!(want.describe(), described);
        }
        let refused = [
            (r#"group_by = []"#, "0 group_by fields"),
            (r#"group_by = ["a","b","c","d"]"#, "4 group_by fields"),
            (r#"group_by = ["a", " "]"#, "group_by field 2 is empty"),
            (r#"group_by = ["a", "a"]"#, "names `a` twice"),
            (
                r#"group_by = ["a"]
                   duration = {value = 0, unit = "m"}"#,
                "duration 0m",
            ),
            (
                r#"group_by = ["a"]
                   duration = {value = 2, unit = "d"}"#,
                "unit \"d\"",
            ),
            (
                r#"group_by = ["a"]
                   duration = {value = 9000, unit = "h"}"#,
                "duration 9000h",
            ),
            (
                r#"group_by = ["a"]
                   missing_fields_strategy = "ignore""#,
                "\"ignore\"",
            ),
            (
                r#"group_by = ["a"]
                threshold = 3"#,
                "unknown field",
            ),
        ];
        for (text, want) in refused {
            let err = read(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn duration_in_millis() {
        for (value, unit, want) in [
            (30, DurationUnit::Seconds, 30_000),
            (5, DurationUnit::Minutes, 300_000),
            (2, DurationUnit::Hours, 7_200_000),
        ] {
            assert_eq!(
                SuppressionWindow::Duration { value, unit }.millis(),
                Some(want)
            );
        }
        assert_eq!(SuppressionWindow::PerExecution.millis(), None);
    }
}
