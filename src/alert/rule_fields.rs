//! The rule's static fields (`kibana.alert.severity`, `kibana.alert.risk_score` and every
//! `kibana.alert.rule.*`): the same in every alert of a configuration, and most of an
//! alert's bytes (the investigation guide alone is written twice, in `note` and in
//! `parameters.note`). They are built and rendered as JSON once per detector and shared:
//! an alert holds its own fields and a handle to these, and is written as its own
//! fields followed by this text. Cloning and serialising them for every alert was most of
//! an alert's cost (about 4x in WAMR's interpreter, where Fluent Bit runs the module).

use serde_json::{Map, Value};

use crate::config::{Config, RuleProfile};
use crate::json_fields::object;

/// The static rule fields of one configuration, as a map and as JSON text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleFields {
    map: Map<String, Value>,
    /// The map's members as compact JSON, `"key":value,…` without braces.
    members: String,
}

impl RuleFields {
    pub fn new(config: &Config) -> Self {
        #[cfg(rule_files)]
        if let Some(rule) = &config.file_rule {
            return Self::from_map(super::file_rule_fields::build(config, rule));
        }
        Self::from_map(build(config))
    }

    /// Fields given as a map (tests, and any host-made rule).
    pub fn from_map(map: Map<String, Value>) -> Self {
        let whole = serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned());
        // `{…}` without its braces; a map of string keys always serialises.
        let members = whole
            .strip_prefix('{')
            .and_then(|w| w.strip_suffix('}'))
            .unwrap_or_default()
            .to_owned();
        RuleFields { map, members }
    }

    /// The fields as a map, in document order.
    pub fn map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The members as compact JSON, `"key":value,…` without braces (empty when none).
    pub fn json_members(&self) -> &str {
        &self.members
    }
}

/// The fields, from tables rather than `json!` literals: each `json!` entry inlines a map
/// insertion, which made this run-once function the largest in the .wasm.
fn build(c: &Config) -> Map<String, Value> {
    let r = c.rule;
    let threat = threat(r);
    let parameters = parameters(c, threat.clone());
    let mut m = Map::new();
    m.insert("kibana.alert.severity".into(), r.severity.into());
    m.insert("kibana.alert.risk_score".into(), r.risk_score.into());
    for (key, value) in [
        ("uuid", c.rule_uuid.as_str().into()),
        ("rule_id", r.rule_id.into()),
        ("name", r.rule_name.into()),
        ("description", r.description.into()),
        ("type", "new_terms".into()),
        ("category", "New Terms Rule".into()),
        ("rule_type_id", "siem.newTermsRule".into()),
        ("producer", "siem".into()),
        ("consumer", "siem".into()),
        ("author", strings(&["Elastic"])),
        ("license", "Elastic License v2".into()),
        ("references", strings(r.references)),
        ("tags", strings(r.tags)),
        ("threat", threat),
        ("from", c.from.as_date_math().into()),
        ("to", "now".into()),
        ("interval", c.interval.to_string().into()),
        ("max_signals", c.max_signals.get().into()),
        ("timestamp_override", c.timestamp_override.as_str().into()),
        ("indices", strings(r.index)),
        ("immutable", true.into()),
        ("version", r.version.into()),
        ("revision", 0.into()),
        ("enabled", true.into()),
        ("severity", r.severity.into()),
        ("risk_score", r.risk_score.into()),
        ("exceptions_list", empty()),
        ("false_positives", strings(r.false_positives)),
        ("risk_score_mapping", empty()),
        ("severity_mapping", empty()),
        ("actions", empty()),
        ("note", r.note.into()),
        ("setup", r.setup.into()),
        ("execution.type", "scheduled".into()),
        ("parameters", parameters),
    ] {
        m.insert(format!("kibana.alert.rule.{key}"), value);
    }
    m
}

/// `threat`: the rule's MITRE ATT&CK tactics and techniques.
fn threat(r: &RuleProfile) -> Value {
    Value::Array(
        r.threat
            .iter()
            .map(|t| {
                let (id, name, reference) = t.tactic;
                let techniques = t.techniques.iter().map(|&(id, name, reference)| {
                    object(vec![
                        ("id", id.into()),
                        ("name", name.into()),
                        ("reference", reference.into()),
                    ])
                });
                object(vec![
                    ("framework", "MITRE ATT&CK".into()),
                    (
                        "tactic",
                        object(vec![
                            ("id", id.into()),
                            ("name", name.into()),
                            ("reference", reference.into()),
                        ]),
                    ),
                    ("technique", Value::Array(techniques.collect())),
                ])
            })
            .collect(),
    )
}

/// `kibana.alert.rule.parameters`: the rule's own parameters, as Kibana stores them.
fn parameters(c: &Config, threat: Value) -> Value {
    let r = c.rule;
    let (package, integration, version) = r.related_integration;
    let required = |name: &str, kind: &str| {
        object(vec![
            ("name", name.into()),
            ("type", kind.into()),
            ("ecs", true.into()),
        ])
    };
    let dataset_type = if r.dataset_field == "event.dataset" {
        "keyword"
    } else {
        "constant_keyword"
    };
    let parameters = object(vec![
        ("author", strings(&["Elastic"])),
        ("description", r.description.into()),
        ("exceptions_list", empty()),
        ("false_positives", strings(r.false_positives)),
        ("from", c.from.as_date_math().into()),
        (
            "history_window_start",
            c.history_window.as_date_math().into(),
        ),
        ("immutable", true.into()),
        ("index", strings(r.index)),
        ("language", "kuery".into()),
        ("license", "Elastic License v2".into()),
        ("max_signals", c.max_signals.get().into()),
        (
            "new_terms_fields",
            strings(
                &c.new_terms_fields
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
        ),
        ("note", r.note.into()),
        ("query", r.query().into()),
        ("references", strings(r.references)),
        (
            "related_integrations",
            Value::Array(vec![object(vec![
                ("package", package.into()),
                ("integration", integration.into()),
                ("version", version.into()),
            ])]),
        ),
        (
            "required_fields",
            Value::Array(vec![
                required("event.action", "keyword"),
                required(r.dataset_field, dataset_type),
                required("event.outcome", "keyword"),
                required("event.provider", "keyword"),
            ]),
        ),
        ("risk_score", r.risk_score.into()),
        ("risk_score_mapping", empty()),
        ("rule_id", r.rule_id.into()),
        ("setup", r.setup.into()),
        ("severity", r.severity.into()),
        ("severity_mapping", empty()),
        ("threat", threat),
        ("timestamp_override", c.timestamp_override.as_str().into()),
        ("to", "now".into()),
        ("type", "new_terms".into()),
        ("version", r.version.into()),
    ]);
    let mut parameters = parameters;
    if let Value::Object(p) = &mut parameters {
        // Kibana copies `timestampOverrideFallbackDisabled` only when the rule defines it;
        // the prebuilt rule does not, so it appears only when the fallback is turned off.
        if !c.timestamp_fallback {
            p.insert("timestamp_override_fallback_disabled".into(), true.into());
        }
        // Likewise `investigation_fields`, present only in rule versions that have them.
        if !r.investigation_fields.is_empty() {
            p.insert(
                "investigation_fields".into(),
                object(vec![("field_names", strings(r.investigation_fields))]),
            );
        }
    }
    parameters
}

/// A JSON array of strings.
pub(super) fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|&s| Value::from(s)).collect())
}

pub(super) fn empty() -> Value {
    Value::Array(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_maps_members() {
        let fields = RuleFields::new(&Config::default());
        let whole = format!("{{{}}}", fields.json_members());
        let reparsed: Map<String, Value> = serde_json::from_str(&whole).expect("valid JSON");
        assert_eq!(&reparsed, fields.map());
        assert!(fields.map().keys().all(|k| k.starts_with("kibana.alert.")));
        assert_eq!(RuleFields::from_map(Map::new()).json_members(), "");
    }
}
