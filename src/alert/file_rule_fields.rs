//! The static rule fields of a rule read from a rule file (src/config/rule_file.rs): the
//! same keys, in the same order, as the built-in profiles' (rule_fields.rs), taken from
//! the file. A key the file leaves out (`note`, `setup`, `license`) is left out of the
//! alert, as Kibana leaves out what a rule does not define.

use serde_json::{Map, Value};

use super::rule_fields::{empty, strings};
use crate::config::rule_file::RuleDefinition;
use crate::config::Config;
use crate::json_fields::object;
use crate::rule::kql::{field_type, FieldType};

/// A JSON array of the strings `items`.
fn owned(items: &[String]) -> Value {
    strings(&items.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The fields of `rule` under `c`.
pub fn build(c: &Config, rule: &RuleDefinition) -> Map<String, Value> {
    let text = |s: &Option<String>| s.as_deref().map(Value::from);
    let version = rule.version.unwrap_or(1);
    let mut m = Map::new();
    m.insert(
        "kibana.alert.severity".into(),
        rule.severity.as_str().into(),
    );
    m.insert("kibana.alert.risk_score".into(), rule.risk_score.into());
    let mut fields: Vec<(&str, Option<Value>)> = vec![
        ("uuid", Some(c.rule_uuid.as_str().into())),
        ("rule_id", Some(rule.rule_id.as_str().into())),
        ("name", Some(rule.name.as_str().into())),
        ("description", Some(rule.description.as_str().into())),
        ("type", Some("new_terms".into())),
        ("category", Some("New Terms Rule".into())),
        ("rule_type_id", Some("siem.newTermsRule".into())),
        ("producer", Some("siem".into())),
        ("consumer", Some("siem".into())),
        ("author", Some(owned(&rule.author))),
        ("license", text(&rule.license)),
        ("references", Some(owned(&rule.references))),
        ("tags", Some(owned(&rule.tags))),
        ("threat", Some(rule.threat.clone())),
        ("from", Some(c.from.as_date_math().into())),
        ("to", Some("now".into())),
        ("interval", Some(c.interval.to_string().into())),
        ("max_signals", Some(c.max_signals.get().into())),
        (
            "timestamp_override",
            rule.timestamp_override.as_deref().map(Value::from),
        ),
        ("indices", Some(owned(&rule.index))),
        ("immutable", Some(true.into())),
        ("version", Some(version.into())),
        ("revision", Some(0.into())),
        ("enabled", Some(true.into())),
        ("severity", Some(rule.severity.as_str().into())),
        ("risk_score", Some(rule.risk_score.into())),
        ("exceptions_list", Some(empty())),
        ("false_positives", Some(owned(&rule.false_positives))),
        ("risk_score_mapping", Some(empty())),
        ("severity_mapping", Some(empty())),
        ("actions", Some(empty())),
        ("note", text(&rule.note)),
        ("setup", text(&rule.setup)),
        ("execution.type", Some("scheduled".into())),
    ];
    fields.push(("parameters", Some(parameters(c, rule, version))));
    for (key, value) in fields {
        if let Some(value) = value {
            m.insert(format!("kibana.alert.rule.{key}"), value);
        }
    }
    m
}

/// `kibana.alert.rule.parameters`, as Kibana stores a rule's own parameters.
fn parameters(c: &Config, rule: &RuleDefinition, version: u32) -> Value {
    let mut p = Vec::new();
    if let Some(suppression) = &rule.alert_suppression {
        p.push(("alert_suppression", suppression.as_parameter()));
    }
    p.extend([
        ("author", owned(&rule.author)),
        ("description", rule.description.as_str().into()),
        ("exceptions_list", empty()),
        ("false_positives", owned(&rule.false_positives)),
        ("from", c.from.as_date_math().into()),
        (
            "history_window_start",
            c.history_window.as_date_math().into(),
        ),
        ("immutable", true.into()),
        ("index", owned(&rule.index)),
        ("language", "kuery".into()),
    ]);
    if let Some(license) = &rule.license {
        p.push(("license", license.as_str().into()));
    }
    p.push(("max_signals", c.max_signals.get().into()));
    p.push(("new_terms_fields", owned(&c.new_terms_fields)));
    if let Some(note) = &rule.note {
        p.push(("note", note.as_str().into()));
    }
    p.push(("query", rule.query_text.as_str().into()));
    p.push(("references", owned(&rule.references)));
    p.push(("required_fields", required_fields(rule)));
    p.push(("risk_score", rule.risk_score.into()));
    p.push(("risk_score_mapping", empty()));
    p.push(("rule_id", rule.rule_id.as_str().into()));
    if let Some(setup) = &rule.setup {
        p.push(("setup", setup.as_str().into()));
    }
    p.push(("severity", rule.severity.as_str().into()));
    p.push(("severity_mapping", empty()));
    p.push(("threat", rule.threat.clone()));
    if let Some(t) = &rule.timestamp_override {
        p.push(("timestamp_override", t.as_str().into()));
    }
    p.push(("to", "now".into()));
    p.push(("type", "new_terms".into()));
    p.push(("version", version.into()));
    let mut parameters = object(p);
    if let Value::Object(map) = &mut parameters {
        if !c.timestamp_fallback {
            map.insert("timestamp_override_fallback_disabled".into(), true.into());
        }
        if !rule.investigation_fields.is_empty() {
            map.insert(
                "investigation_fields".into(),
                object(vec![("field_names", owned(&rule.investigation_fields))]),
            );
        }
    }
    parameters
}

/// The fields the query reads, as Elastic's build lists them: sorted by name, each with
/// its mapping type and whether ECS defines it (here: every field but the AWS
/// integration's own `aws.*`). ECS types the `data_stream.*` fields `constant_keyword`.
fn required_fields(rule: &RuleDefinition) -> Value {
    let mut names: Vec<&str> = rule.query.fields();
    names.sort_unstable();
    Value::Array(
        names
            .into_iter()
            .map(|name| {
                let kind = match field_type(name) {
                    _ if name.starts_with("data_stream.") => "constant_keyword",
                    FieldType::Keyword => "keyword",
                    FieldType::Number => "long",
                    FieldType::Date => "date",
                    FieldType::Boolean => "boolean",
                    FieldType::Ip => "ip",
                };
                object(vec![
                    ("name", name.into()),
                    ("type", kind.into()),
                    ("ecs", (!name.starts_with("aws.")).into()),
                ])
            })
            .collect(),
    )
}
