//! A parsed query checked against the fields' types and made ready to evaluate: each
//! value is converted once to what its field compares (a number, an instant, an
//! address), and what Elasticsearch would reject (a wildcard on a number, `abc` for a
//! port, date math relative to now) is refused with the position of the query.

use std::net::IpAddr;

use super::field_types::{field_type, FieldType};
use super::glob::Glob;
use super::syntax::{Query, RangeOp, Value, Values};
use super::KqlError;
use crate::time::Millis;

/// A compiled query: boolean combinations of tests on one field each.
#[derive(Debug, Clone, PartialEq)]
pub enum Compiled {
    Or(Vec<Compiled>),
    And(Vec<Compiled>),
    Not(Box<Compiled>),
    Test { field: String, test: Test },
}

/// What one value of a field must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Exists,
    Keyword(String),
    /// A keyword that matches the pattern (`Part::Wildcard` is any run of characters).
    Glob(Glob),
    Number(f64),
    Date(Millis),
    Boolean(bool),
    Ip(IpAddr),
    Cidr(IpAddr, u8),
    Range(RangeOp, Bound),
}

/// The bound of a range, as its field compares.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Keyword(String),
    Number(f64),
    Date(Millis),
}

/// Compile `query` (parsed from `text`, whose positions errors name).
pub fn compile(text: &str, query: &Query) -> Result<Compiled, KqlError> {
    Ok(match query {
        Query::Or(items) => Compiled::Or(
            items
                .iter()
                .map(|q| compile(text, q))
                .collect::<Result<_, _>>()?,
        ),
        Query::And(items) => Compiled::And(
            items
                .iter()
                .map(|q| compile(text, q))
                .collect::<Result<_, _>>()?,
        ),
        Query::Not(inner) => Compiled::Not(Box::new(compile(text, inner)?)),
        Query::Field { field, values } => compile_values(text, field, values)?,
        Query::Range { field, op, value } => Compiled::Test {
            field: field.clone(),
            test: Test::Range(*op, bound(text, field, value)?),
        },
    })
}

fn compile_values(text: &str, field: &str, values: &Values) -> Result<Compiled, KqlError> {
    Ok(match values {
        Values::Or(items) => Compiled::Or(
            items
                .iter()
                .map(|v| compile_values(text, field, v))
                .collect::<Result<_, _>>()?,
        ),
        Values::And(items) => Compiled::And(
            items
                .iter()
                .map(|v| compile_values(text, field, v))
                .collect::<Result<_, _>>()?,
        ),
        Values::Not(inner) => Compiled::Not(Box::new(compile_values(text, field, inner)?)),
        Values::Value(value) => Compiled::Test {
            field: field.to_owned(),
            test: test(text, field, value)?,
        },
    })
}

/// The error for `field`'s value: the query's positions are not kept in the tree, so
/// it names the field and the value.
fn refuse(text: &str, field: &str, message: String) -> KqlError {
    let at = text.find(field).unwrap_or(0);
    KqlError::at(text, at, message)
}

fn test(text: &str, field: &str, value: &Value) -> Result<Test, KqlError> {
    let kind = field_type(field);
    let exact = match value {
        Value::Exists => return Ok(Test::Exists),
        Value::Wildcard(parts) if kind == FieldType::Keyword => {
            return Ok(Test::Glob(Glob::new(parts.clone())))
        }
        Value::Wildcard(_) => {
            return Err(refuse(
                text,
                field,
                format!("`{field}` is not a keyword field: a wildcard cannot match it"),
            ))
        }
        Value::Exact(s) => s,
    };
    Ok(match kind {
        FieldType::Keyword => Test::Keyword(exact.clone()),
        FieldType::Number => Test::Number(
            number(exact).ok_or_else(|| refuse(text, field, format!("`{field}` is a number field: `{exact}` is not a number")))?,
        ),
        FieldType::Date => Test::Date(date(text, field, exact)?),
        FieldType::Boolean => match exact.as_str() {
            "true" => Test::Boolean(true),
            "false" => Test::Boolean(false),
            _ => return Err(refuse(text, field, format!("`{field}` is a boolean field: `{exact}` is neither true nor false"))),
        },
        FieldType::Ip => ip(exact).ok_or_else(|| {
            refuse(text, field, format!("`{field}` is an IP address field: `{exact}` is neither an address nor a CIDR block"))
        })?,
    })
}

fn bound(text: &str, field: &str, value: &str) -> Result<Bound, KqlError> {
    Ok(match field_type(field) {
        FieldType::Keyword => Bound::Keyword(value.to_owned()),
        FieldType::Number => Bound::Number(number(value).ok_or_else(|| {
            refuse(
                text,
                field,
                format!("`{field}` is a number field: `{value}` is not a number"),
            )
        })?),
        FieldType::Date => Bound::Date(date(text, field, value)?),
        FieldType::Boolean | FieldType::Ip => {
            return Err(refuse(
                text,
                field,
                format!("a range on `{field}` (a boolean or IP address field) is not supported"),
            ))
        }
    })
}

/// A number as Elasticsearch reads one for a numeric field (finite).
pub fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn date(text: &str, field: &str, value: &str) -> Result<Millis, KqlError> {
    if value.trim_start().starts_with("now") {
        return Err(refuse(
            text,
            field,
            format!("date math relative to now (`{value}`) is not supported: the detector judges events by their own time and has no clock"),
        ));
    }
    crate::time::parse_timestamp(value)
        .or_else(|| value.trim().parse::<i64>().ok())
        .ok_or_else(|| refuse(text, field, format!("`{field}` is a date field: `{value}` is not an ISO 8601 time or epoch milliseconds")))
}

fn ip(text: &str) -> Option<Test> {
    if let Some((address, bits)) = text.split_once('/') {
        let address: IpAddr = address.trim().parse().ok()?;
        let bits: u8 = bits.trim().parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(Test::Cidr(address, bits));
    }
    text.trim().parse().ok().map(|a| Test::Ip(canonical(a)))
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is (Elasticsearch stores both alike).
pub fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
        v4 => v4,
    }
}
