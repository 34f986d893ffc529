//! A compiled query judged on an ECS document (nested, dotted or mixed): each test reads
//! every value at its field (arrays flattened, as Elasticsearch indexes them) and holds
//! when any of them passes; `not` holds where its query does not, documents without the
//! field included.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::compile::{canonical, number, Bound, Compiled, Test};
#[cfg(test)]
use super::glob::Glob;
#[cfg(test)]
use super::syntax::Part;
use crate::ecs::field;

/// `any(path, passes)`: whether some value indexed at `path` passes.
pub type AnyValue<'a> = dyn FnMut(&str, &dyn Fn(Indexed<'_>) -> bool) -> bool + 'a;

/// One value indexed at a field: a JSON value, or text read straight from a raw record
/// (judged as the JSON string it is, without making one).
#[derive(Debug, Clone, Copy)]
pub enum Indexed<'v> {
    Text(&'v str),
    Value(&'v Value),
}

impl Compiled {
    /// Add the fields this query reads to `out` (each once).
    pub fn fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Compiled::Or(items) | Compiled::And(items) => items.iter().for_each(|q| q.fields(out)),
            Compiled::Not(inner) => inner.fields(out),
            Compiled::Test { field, .. } => {
                if !out.contains(&field.as_str()) {
                    out.push(field);
                }
            }
        }
    }

    /// Whether the document matches.
    pub fn matches(&self, doc: &Map<String, Value>) -> bool {
        self.matches_by(&mut |path, passes| {
            let mut values = Vec::new();
            field::collect(doc, path, &mut values);
            values.into_iter().any(|v| passes(Indexed::Value(v)))
        })
    }

    /// Whether a document matches whose fields `any` reads: `any(path, passes)` says
    /// whether some value indexed at `path` (arrays flattened) passes.
    pub fn matches_by(&self, any: &mut AnyValue<'_>) -> bool {
        match self {
            Compiled::Or(items) => items.iter().any(|q| q.matches_by(any)),
            Compiled::And(items) => items.iter().all(|q| q.matches_by(any)),
            Compiled::Not(inner) => !inner.matches_by(any),
            Compiled::Test { field: path, test } => any(path, &|v| test.passes(v)),
        }
    }
}

impl Test {
    /// Whether one indexed value passes.
    fn passes(&self, v: Indexed<'_>) -> bool {
        match self {
            Test::Exists => !matches!(v, Indexed::Value(Value::Null)),
            Test::Keyword(expected) => match v {
                Indexed::Text(s) => s == expected,
                Indexed::Value(v) => field::keyword_eq(v, expected),
            },
            Test::Glob(pattern) => keyword(v).is_some_and(|text| pattern.matches(&text)),
            Test::Number(expected) => as_number(v) == Some(*expected),
            Test::Date(expected) => as_date(v) == Some(*expected),
            Test::Boolean(expected) => as_bool(v) == Some(*expected),
            Test::Ip(expected) => as_ip(v) == Some(*expected),
            Test::Cidr(network, bits) => as_ip(v).is_some_and(|a| in_block(a, *network, *bits)),
            Test::Range(op, bound) => {
                let ordering = match bound {
                    Bound::Keyword(b) => keyword(v).map(|text| text.as_bytes().cmp(b.as_bytes())),
                    Bound::Number(b) => as_number(v).and_then(|n| n.partial_cmp(b)),
                    Bound::Date(b) => as_date(v).map(|t| t.cmp(b)),
                };
                ordering.is_some_and(|o| op.accepts(o))
            }
        }
    }
}

/// A value as a keyword field indexes it: strings as they are, numbers and booleans by
/// their text.
fn keyword(v: Indexed<'_>) -> Option<Cow<'_, str>> {
    match v {
        Indexed::Text(s) => Some(Cow::Borrowed(s)),
        Indexed::Value(Value::String(s)) => Some(Cow::Borrowed(s)),
        Indexed::Value(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
        Indexed::Value(Value::Bool(b)) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Indexed::Value(_) => None,
    }
}

/// The text of a string value, raw or JSON.
fn text(v: Indexed<'_>) -> Option<&str> {
    match v {
        Indexed::Text(s) => Some(s),
        Indexed::Value(v) => v.as_str(),
    }
}

fn as_number(v: Indexed<'_>) -> Option<f64> {
    match v {
        Indexed::Value(Value::Number(n)) => number(&n.to_string()),
        _ => text(v).and_then(number),
    }
}

fn as_date(v: Indexed<'_>) -> Option<crate::time::Millis> {
    match v {
        Indexed::Value(Value::Number(n)) => n.as_i64(),
        _ => text(v).and_then(crate::time::parse_timestamp),
    }
}

fn as_bool(v: Indexed<'_>) -> Option<bool> {
    match v {
        Indexed::Value(Value::Bool(b)) => Some(*b),
        _ => match text(v) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        },
    }
}

fn as_ip(v: Indexed<'_>) -> Option<IpAddr> {
    text(v)
        .and_then(|s| s.parse::<IpAddr>().ok())
        .map(canonical)
}

fn in_block(address: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (address, canonical(network)) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Whether `text` matches the pattern `parts` (see [`Glob`]).
#[cfg(test)]
pub fn glob(parts: &[Part], text: &str) -> bool {
    Glob::new(parts.to_vec()).matches(text)
}
