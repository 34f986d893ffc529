//! Elastic's detection-rules files (TOML: `[metadata]`, `[rule]`, `[rule.new_terms]`,
//! `[[rule.threat]]`, …) read into a rule definition that cannot be invalid: a New
//! Terms rule in KQL whose query compiles (src/rule/kql/), with one to three new-terms
//! fields and its windows. Anything else is refused with one message that names the
//! file, the rule and what is not supported; nothing is approximated. Reading files
//! and directories is the host's (I/O); this reads one file's text.

use serde::Deserialize;

use super::duration::ElasticDuration;
use super::suppression::AlertSuppression;
use crate::rule::kql::{Kql, KqlError};

/// A rule file that cannot be run, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{reason}", rule.as_ref().map(|r| format!("rule \"{r}\": ")).unwrap_or_default())]
pub struct RuleRefusal {
    /// The file as the host names it.
    pub file: String,
    /// The rule's name (or its id), once the file says it.
    pub rule: Option<String>,
    pub reason: String,
}

/// The severities Kibana accepts.
const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// Fields Elastic's AWS rules read that the raw-CloudTrail mapping (src/ecs/) does not
/// give, and why: a rule reading them runs, and says so ([`RuleDefinition::warnings`]):
/// on ECS documents that carry them (Elastic's own, enriched) it is the rule as written;
/// on raw CloudTrail, a query on them never matches and a new term keyed on them is
/// missing (counted as `missing_terms`).
const NOT_FROM_RAW_CLOUDTRAIL: [(&str, &str); 4] = [
    (
        "source.as.",
        "needs GeoIP/ASN enrichment of the source address, which the detector does not do",
    ),
    (
        "source.geo.",
        "needs GeoIP enrichment of the source address, which the detector does not do",
    ),
    (
        "entity.",
        "is written by newer versions of Elastic's AWS integration, not mapped here yet",
    ),
    (
        "related.entity",
        "is written by newer versions of Elastic's AWS integration, not mapped here yet",
    ),
];

/// A New Terms rule from a rule file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDefinition {
    pub rule_id: String,
    pub name: String,
    pub description: String,
    /// The query as written, and compiled.
    pub query_text: String,
    pub query: Kql,
    /// One to three fields whose value tuple is the new term.
    pub new_terms_fields: Vec<String>,
    /// `history_window_start`, e.g. `now-10d`.
    pub history_window: ElasticDuration,
    /// `from`, e.g. `now-6m` (the rule's lookback).
    pub lookback: ElasticDuration,
    /// `interval` (default `5m`).
    pub interval: ElasticDuration,
    pub max_signals: u32,
    pub index: Vec<String>,
    pub severity: String,
    pub risk_score: u32,
    pub timestamp_override: Option<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub author: Vec<String>,
    pub license: Option<String>,
    pub note: Option<String>,
    pub setup: Option<String>,
    pub false_positives: Vec<String>,
    /// `[[rule.threat]]` as JSON, for the alert's `kibana.alert.rule.threat`.
    pub threat: serde_json::Value,
    /// `[rule.investigation_fields] field_names`.
    pub investigation_fields: Vec<String>,
    /// `[rule.alert_suppression]`, when the rule has one.
    pub alert_suppression: Option<AlertSuppression>,
    /// The rule's version when the file carries one (Elastic keeps it in a version lock).
    pub version: Option<u32>,
    /// What the host should tell the user when loading it: fields it reads that raw
    /// CloudTrail does not give (one line each).
    pub warnings: Vec<String>,
}

/// A text field as Elastic's build sends it to Kibana: its lines trimmed and joined
/// with one space (detection-rules' `nested_normalize`, which spares only `query` and
/// the Markdown fields `note` and `setup`), so that a description wrapped in the TOML
/// file is one line in the alert.
fn one_line(text: &str) -> String {
    text.trim()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn lines(items: Vec<String>) -> Vec<String> {
    items.iter().map(|s| one_line(s)).collect()
}

/// `threat` as Elastic's build sends it: every text one line, and `technique` present
/// (empty) in every tactic that lists none.
fn as_kibana_gets_it(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = one_line(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(as_kibana_gets_it),
        serde_json::Value::Object(map) => map.values_mut().for_each(as_kibana_gets_it),
        _ => {}
    }
    if let serde_json::Value::Array(entries) = value {
        for entry in entries {
            if let Some(entry) = entry.as_object_mut() {
                if entry.contains_key("tactic") && !entry.contains_key("technique") {
                    entry.insert("technique".into(), serde_json::Value::Array(Vec::new()));
                }
            }
        }
    }
}

/// The warnings of a rule that reads `fields`.
fn raw_cloudtrail_warnings<'a>(fields: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut warnings = Vec::new();
    for field in fields {
        if let Some((_, why)) = NOT_FROM_RAW_CLOUDTRAIL
            .iter()
            .find(|(prefix, _)| field.starts_with(prefix))
        {
            let line = format!("`{field}` {why}: on raw CloudTrail the rule cannot see it");
            if !warnings.contains(&line) {
                warnings.push(line);
            }
        }
    }
    warnings
}

#[derive(Deserialize)]
struct FileToml {
    rule: Option<RuleToml>,
}

#[derive(Deserialize)]
struct RuleToml {
    rule_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    language: Option<String>,
    query: Option<String>,
    #[serde(default)]
    description: String,
    from: Option<String>,
    interval: Option<String>,
    max_signals: Option<u32>,
    #[serde(default)]
    index: Vec<String>,
    severity: Option<String>,
    risk_score: Option<u32>,
    timestamp_override: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    author: Vec<String>,
    license: Option<String>,
    note: Option<String>,
    setup: Option<String>,
    #[serde(default)]
    false_positives: Vec<String>,
    #[serde(default)]
    threat: Vec<toml::Value>,
    investigation_fields: Option<InvestigationFieldsToml>,
    alert_suppression: Option<toml::Value>,
    new_terms: Option<NewTermsToml>,
    version: Option<u32>,
    data_view_id: Option<String>,
    #[serde(default)]
    filters: Vec<toml::Value>,
    #[serde(default)]
    exceptions_list: Vec<toml::Value>,
}

#[derive(Deserialize)]
struct InvestigationFieldsToml {
    #[serde(default)]
    field_names: Vec<String>,
}

#[derive(Deserialize)]
struct NewTermsToml {
    field: String,
    value: Vec<String>,
    #[serde(default)]
    history_window_start: Vec<NamedValueToml>,
}

#[derive(Deserialize)]
struct NamedValueToml {
    field: String,
    value: String,
}

/// Read one rule file's `text`; `file` is how errors name it.
pub fn parse_rule_file(file: &str, text: &str) -> Result<RuleDefinition, RuleRefusal> {
    let refuse = |rule: Option<&str>, reason: String| RuleRefusal {
        file: file.to_owned(),
        rule: rule.map(str::to_owned),
        reason,
    };
    let parsed: FileToml = toml::from_str(text)
        .map_err(|e| refuse(None, format!("not a rule file: {}", e.message())))?;
    let rule = parsed
        .rule
        .ok_or_else(|| refuse(None, "no [rule] table".into()))?;
    let name = rule.name.clone().or_else(|| rule.rule_id.clone());
    let refuse = |reason: String| refuse(name.as_deref(), reason);
    let rule_id = rule
        .rule_id
        .clone()
        .ok_or_else(|| refuse("no rule_id".into()))?;
    let kind = rule.kind.as_deref().unwrap_or("");
    if kind != "new_terms" {
        return Err(refuse(format!(
            "type \"{kind}\" is not supported (only new_terms rules run here)"
        )));
    }
    let language = rule.language.as_deref().unwrap_or("kuery");
    if language != "kuery" {
        return Err(refuse(format!(
            "language \"{language}\" is not supported (only KQL, \"kuery\")"
        )));
    }
    let alert_suppression: Option<AlertSuppression> = match rule.alert_suppression.clone() {
        None => None,
        // The Fluent Bit module reads no rule files; a build for it leaves suppression out.
        #[cfg(not(alert_suppression))]
        Some(_) => {
            return Err(refuse(
                "alert_suppression is not in this build (built for the Fluent Bit module)".into(),
            ))
        }
        #[cfg(alert_suppression)]
        Some(table) => Some(
            table
                .try_into::<super::suppression::AlertSuppressionToml>()
                .map_err(|e| refuse(format!("alert_suppression: {}", e.message())))?
                .check()
                .map_err(refuse)?,
        ),
    };
    if rule.data_view_id.is_some() {
        return Err(refuse(
            "data_view_id is not supported (the rule must name its index patterns)".into(),
        ));
    }
    if !rule.filters.is_empty() {
        return Err(refuse(
            "filters (Kibana query-bar filters beside the query) are not supported".into(),
        ));
    }
    if !rule.exceptions_list.is_empty() {
        return Err(refuse(
            "exceptions_list (shared exception lists) is not supported: give exceptions in the config document".into(),
        ));
    }
    let query_text = rule
        .query
        .clone()
        .ok_or_else(|| refuse("no query".into()))?;
    let query = Kql::new(&query_text).map_err(|e: KqlError| refuse(format!("query: {e}")))?;
    let new_terms = rule
        .new_terms
        .as_ref()
        .ok_or_else(|| refuse("no [rule.new_terms]".into()))?;
    if new_terms.field != "new_terms_fields" {
        return Err(refuse(format!(
            "[rule.new_terms] field \"{}\" is not supported (expected new_terms_fields)",
            new_terms.field
        )));
    }
    if new_terms.value.is_empty() || new_terms.value.len() > 3 {
        return Err(refuse(format!(
            "{} new-terms fields (Kibana takes one to three)",
            new_terms.value.len()
        )));
    }
    let history = match new_terms.history_window_start.as_slice() {
        [one] if one.field == "history_window_start" => one.value.as_str(),
        _ => {
            return Err(refuse(
                "[rule.new_terms] needs one history_window_start".into(),
            ))
        }
    };
    let duration = |what: &str, text: &str| {
        ElasticDuration::parse(text, true).map_err(|e| refuse(format!("{what}: {e}")))
    };
    let history_window = duration("history_window_start", history)?;
    let lookback = duration("from", rule.from.as_deref().unwrap_or("now-6m"))?;
    let interval = duration("interval", rule.interval.as_deref().unwrap_or("5m"))?;
    if history_window.millis() <= 0 {
        return Err(refuse(
            "history_window_start must reach into the past".into(),
        ));
    }
    let severity = rule
        .severity
        .clone()
        .ok_or_else(|| refuse("no severity".into()))?;
    if !SEVERITIES.contains(&severity.as_str()) {
        return Err(refuse(format!(
            "severity \"{severity}\" is not one of {}",
            SEVERITIES.join(", ")
        )));
    }
    let risk_score = rule
        .risk_score
        .ok_or_else(|| refuse("no risk_score".into()))?;
    if risk_score > 100 {
        return Err(refuse(format!("risk_score {risk_score} is over 100")));
    }
    let mut threat =
        serde_json::to_value(&rule.threat).map_err(|e| refuse(format!("threat: {e}")))?;
    as_kibana_gets_it(&mut threat);
    let name = name.unwrap_or_else(|| rule_id.clone());
    let warnings = raw_cloudtrail_warnings(
        query
            .fields()
            .into_iter()
            .chain(new_terms.value.iter().map(String::as_str))
            .chain(
                alert_suppression
                    .iter()
                    .flat_map(|s| s.group_by.iter().map(String::as_str)),
            ),
    );
    Ok(RuleDefinition {
        rule_id,
        name: one_line(&name),
        description: one_line(&rule.description),
        query_text,
        query,
        new_terms_fields: new_terms.value.clone(),
        history_window,
        lookback,
        interval,
        max_signals: rule.max_signals.unwrap_or(100),
        index: lines(rule.index),
        severity,
        risk_score,
        timestamp_override: rule.timestamp_override,
        tags: lines(rule.tags),
        references: lines(rule.references),
        author: lines(rule.author),
        license: rule.license.as_deref().map(one_line),
        note: rule.note,
        setup: rule.setup,
        false_positives: lines(rule.false_positives),
        threat,
        investigation_fields: rule
            .investigation_fields
            .map(|f| f.field_names)
            .unwrap_or_default(),
        alert_suppression,
        version: rule.version,
        warnings,
    })
}

/// The config keys a rule file sets for itself: given with rule files, they are refused
/// (they would apply to every rule alike).
pub const RULE_OWNED_KEYS: [&str; 8] = [
    "profile",
    "new_terms_fields",
    "history_window",
    "from",
    "interval",
    "max_signals",
    "timestamp_override",
    "rule_uuid",
];

impl super::Config {
    /// The config that runs `rule`: its new-terms fields, windows, `max_signals` and time
    /// basis (`timestamp_override`, else `@timestamp`, as Kibana reads a rule without
    /// one), with the host's tunables from `options` (`max_terms`, `reorder_window`,
    /// exceptions, `space_id`, …). `kibana.alert.rule.uuid` is the rule's `rule_id`.
    pub fn for_rule_file(
        rule: RuleDefinition,
        options: &super::DetectorOptions,
    ) -> Result<Self, crate::error::ConfigError> {
        let given = serde_json::to_value(options).unwrap_or_default();
        if let Some(key) = RULE_OWNED_KEYS
            .iter()
            .find(|k| given.get(**k).is_some_and(|v| !v.is_null()))
        {
            return Err(crate::error::ConfigError::invalid(
                key,
                "is set by each rule file; it cannot be given with rule files",
            ));
        }
        let options = super::DetectorOptions {
            new_terms_fields: Some(rule.new_terms_fields.clone()),
            history_window: Some(rule.history_window.as_date_math()),
            from: Some(rule.lookback.as_date_math()),
            interval: Some(rule.interval.to_string()),
            max_signals: Some(rule.max_signals.max(1)),
            timestamp_override: Some(
                rule.timestamp_override
                    .clone()
                    .unwrap_or_else(|| "@timestamp".to_owned()),
            ),
            rule_uuid: Some(rule.rule_id.clone()),
            ..options.clone()
        };
        let mut config = super::Config::try_from(options)?;
        config.file_rule = Some(std::sync::Arc::new(rule));
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
