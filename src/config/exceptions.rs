//! Rule exceptions in Elastic's shape: a list of items, each a list of entries that
//! must all hold (`field` `is` / `is not` / `is one of` / `is not one of` / `exists`).
//! An event that matches any item is excepted: it neither alerts nor enters history,
//! exactly as Kibana applies exceptions as query filters.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ecs::field;
use crate::error::ConfigError;

/// One exception item as written in the config document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionItemOptions {
    /// Free text shown nowhere but in the config; Elastic's items carry a name too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub entries: Vec<ExceptionEntryOptions>,
}

/// One condition of an exception item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionEntryOptions {
    pub field: String,
    #[serde(rename = "type")]
    pub kind: EntryKind,
    #[serde(default)]
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// Elastic's entry types that apply to a single event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// `is`: the field has this value.
    Match,
    /// `is one of`: the field has one of these values.
    MatchAny,
    /// `exists`: the field has any value.
    Exists,
}

/// `included` keeps the condition, `excluded` negates it (`is not`, `does not exist`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    #[default]
    Included,
    Excluded,
}

/// Validated exceptions, ready to test events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exceptions {
    items: Vec<Vec<Entry>>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    field: String,
    negate: bool,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    OneOf(Vec<String>),
    Exists,
}

impl Exceptions {
    pub fn compile(items: &[ExceptionItemOptions]) -> Result<Self, ConfigError> {
        let mut compiled = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if item.entries.is_empty() {
                return Err(ConfigError::invalid(
                    "exceptions",
                    format!("item {i} has no entries"),
                ));
            }
            let mut entries = Vec::with_capacity(item.entries.len());
            for entry in &item.entries {
                entries.push(compile_entry(i, entry)?);
            }
            compiled.push(entries);
        }
        Ok(Exceptions { items: compiled })
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the event falls under any exception item.
    pub fn excepts(&self, doc: &Map<String, Value>) -> bool {
        self.items
            .iter()
            .any(|entries| entries.iter().all(|e| e.holds(doc)))
    }
}

fn compile_entry(item: usize, e: &ExceptionEntryOptions) -> Result<Entry, ConfigError> {
    let bad = |msg: String| {
        ConfigError::invalid(
            "exceptions",
            format!("item {item}, field `{}`: {msg}", e.field),
        )
    };
    if e.field.trim().is_empty() {
        return Err(ConfigError::invalid(
            "exceptions",
            format!("item {item} has an entry with an empty field"),
        ));
    }
    let test = match (e.kind, &e.value) {
        (EntryKind::Exists, None) => Test::Exists,
        (EntryKind::Exists, Some(_)) => return Err(bad("`exists` takes no value".into())),
        (EntryKind::Match, Some(v)) => Test::OneOf(vec![
            scalar_text(v).ok_or_else(|| bad("`match` needs a string value".into()))?
        ]),
        (EntryKind::MatchAny, Some(Value::Array(vs))) if !vs.is_empty() => Test::OneOf(
            vs.iter()
                .map(|v| {
                    scalar_text(v).ok_or_else(|| bad("`match_any` values must be strings".into()))
                })
                .collect::<Result<_, _>>()?,
        ),
        (EntryKind::MatchAny, _) => {
            return Err(bad("`match_any` needs a non-empty array of strings".into()))
        }
        (EntryKind::Match, None) => return Err(bad("`match` needs a value".into())),
    };
    Ok(Entry {
        field: e.field.trim().to_owned(),
        negate: e.operator == Operator::Excluded,
        test,
    })
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Entry {
    fn holds(&self, doc: &Map<String, Value>) -> bool {
        let mut values = Vec::new();
        field::collect(doc, &self.field, &mut values);
        let found = match &self.test {
            Test::Exists => values.iter().any(|v| !v.is_null()),
            Test::OneOf(wanted) => values
                .iter()
                .any(|v| wanted.iter().any(|w| field::keyword_eq(v, w))),
        };
        found != self.negate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compile(v: Value) -> Result<Exceptions, ConfigError> {
        let items: Vec<ExceptionItemOptions> =
            serde_json::from_value(v).expect("test config parses");
        Exceptions::compile(&items)
    }

    #[test]
    fn elastic_operators_hold_as_documented() {
        let doc =
            json!({"user": {"name": "ci-bot"}, "cloud.account.id": "111", "tags": ["a", "b"]});
        let doc = doc.as_object().expect("object");
        let cases = [
            (
                json!([{"entries": [{"field": "user.name", "type": "match", "value": "ci-bot"}]}]),
                true,
            ),
            (
                json!([{"entries": [{"field": "user.name", "type": "match", "value": "other"}]}]),
                false,
            ),
            (
                json!([{"entries": [{"field": "user.name", "type": "match", "operator": "excluded", "value": "other"}]}]),
                true,
            ),
            (
                json!([{"entries": [{"field": "cloud.account.id", "type": "match_any", "value": ["9", "111"]}]}]),
                true,
            ),
            (
                json!([{"entries": [{"field": "tags", "type": "match", "value": "b"}]}]),
                true,
            ),
            (
                json!([{"entries": [{"field": "source.ip", "type": "exists"}]}]),
                false,
            ),
            (
                json!([{"entries": [{"field": "source.ip", "type": "exists", "operator": "excluded"}]}]),
                true,
            ),
            (
                json!([{"entries": [
                {"field": "user.name", "type": "match", "value": "ci-bot"},
                {"field": "cloud.account.id", "type": "match", "value": "222"}]}]),
                false,
            ),
            (
                json!([{"entries": [{"field": "user.name", "type": "match", "value": "x"}]},
                    {"name": "second", "entries": [{"field": "cloud.account.id", "type": "match", "value": "111"}]}]),
                true,
            ),
        ];
        for (config, want) in cases {
            let ex = compile(config.clone()).expect("valid");
            assert_eq!(ex.excepts(doc), want, "{config}");
        }
    }

    #[test]
    fn invalid_entries_name_the_problem() {
        let cases = [
            (json!([{"entries": []}]), "no entries"),
            (
                json!([{"entries": [{"field": "", "type": "match", "value": "x"}]}]),
                "empty field",
            ),
            (
                json!([{"entries": [{"field": "a", "type": "match"}]}]),
                "needs a value",
            ),
            (
                json!([{"entries": [{"field": "a", "type": "match_any", "value": []}]}]),
                "non-empty array",
            ),
            (
                json!([{"entries": [{"field": "a", "type": "exists", "value": "x"}]}]),
                "takes no value",
            ),
            (
                json!([{"entries": [{"field": "a", "type": "match", "value": {"x": 1}}]}]),
                "string value",
            ),
        ];
        for (config, reason) in cases {
            let err = compile(config).expect_err("invalid").to_string();
            assert!(err.contains(reason), "{err}");
        }
    }
}
