//! KQL, the Kibana Query Language, as Kibana evaluates it for a detection rule's query
//! on CloudTrail documents: parsed (parse.rs) into a syntax tree (syntax.rs), checked
//! against the fields' mapping types (field_types.rs) and compiled (compile.rs), then
//! judged on ECS documents (eval.rs). What is supported, and what is refused and why, is
//! in src/README.md ("KQL").

mod compile;
mod eval;
mod field_types;
mod glob;
mod parse;
mod required;
mod syntax;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

#[cfg(rule_files)]
use crate::ecs::raw_view::{NotInView, RawView, Read};
#[cfg(rule_files)]
use eval::Indexed;

pub use compile::Compiled;
pub use field_types::{field_type, FieldType};
pub use required::{RequiredText, ENVELOPES, RAW_FIELDS};

/// A query that cannot be run, with where in its text (1-based line and column, in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("KQL, line {line}, column {column}: {message}")]
pub struct KqlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl KqlError {
    /// The error at byte offset `at` of `text`.
    fn at(text: &str, at: usize, message: impl Into<String>) -> Self {
        let before = &text[..at.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        KqlError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// A KQL query, parsed and compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Kql {
    compiled: Compiled,
}

impl Kql {
    /// Parse and compile `text`.
    pub fn new(text: &str) -> Result<Self, KqlError> {
        let query = parse::parse(text)?;
        Ok(Kql {
            compiled: compile::compile(text, &query)?,
        })
    }

    /// Whether an ECS document (nested, dotted or mixed keys) matches.
    pub fn matches(&self, doc: &Map<String, Value>) -> bool {
        self.compiled.matches(doc)
    }

    #[cfg(rule_files)]
    /// Whether a raw CloudTrail record matches, judged on its [`RawView`]: `None` when the
    /// query reads a field the view cannot give (the record's ECS document decides).
    pub fn matches_view(&self, view: &RawView<'_>) -> Option<bool> {
        let mut unknown = false;
        let matched = self
            .compiled
            .matches_by(&mut |path, passes| match view.query_field(path) {
                Ok(Some(Read::Text(text))) => passes(Indexed::Text(&text)),
                // An array's items, as [`crate::ecs::field::collect`] reads the ECS document.
                Ok(Some(Read::Value(Value::Array(items)))) => {
                    items.iter().any(|v| passes(Indexed::Value(v)))
                }
                Ok(Some(Read::Value(v))) => passes(Indexed::Value(&v)),
                Ok(None) => false,
                Err(NotInView) => {
                    unknown = true;
                    false
                }
            });
        (!unknown).then_some(matched)
    }

    /// The fields the query reads, each once, in the order they first appear.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.compiled.fields(&mut out);
        out
    }
}
