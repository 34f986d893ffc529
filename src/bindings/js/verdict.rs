//! A record's [`Report`] as `processRecords` returns it: a plain object, or NDJSON
//! lines of the passthrough stream (the command line's `--output passthrough`); and what
//! a recorded record wrote to the state, as `processObserved` returns it.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::engine::Report;
use crate::{Observed, Verdict};

/// The record's text, with U+FFFD for bytes that are not UTF-8.
pub fn record_text<'a>(report: &Report<'a>) -> Cow<'a, str> {
    String::from_utf8_lossy(report.bytes)
}

/// `{record, verdict, reason?, alerts}` for one record.
pub fn report(report: Report<'_>) -> Value {
    let mut out = Map::new();
    let text = record_text(&report).into_owned();
    put(&mut out, "record", Value::from(text));
    put(&mut out, "verdict", Value::from(name(&report.verdict)));
    match &report.verdict {
        Verdict::Unparseable(e) => put(&mut out, "reason", Value::from(e.to_string())),
        Verdict::NotCloudTrail(reason) => put(&mut out, "reason", Value::from(*reason)),
        _ => {}
    }
    let alerts = report.alerts.iter().map(|a| Value::Object(a.document()));
    put(&mut out, "alerts", Value::Array(alerts.collect()));
    Value::Object(out)
}

/// `{time, terms, account, address, rule_id}`: what a recorded record wrote to the
/// state of one rule, as `processObserved` reports it (the time basis in epoch
/// milliseconds, the term tuples as JSON values, where it came from as its alert has
/// it, or `null`).
pub fn observed((rule_id, o): &(&str, Observed)) -> Value {
    let terms = o.terms.iter().map(|t| Value::Array(t.values.clone()));
    let mut out = Map::new();
    put(&mut out, "time", Value::from(o.time));
    put(&mut out, "terms", Value::Array(terms.collect()));
    put(&mut out, "account", o.account.clone().unwrap_or_default());
    put(&mut out, "address", o.address.clone().unwrap_or_default());
    put(&mut out, "rule_id", Value::from(*rule_id));
    Value::Object(out)
}

/// One member more. Never inlined: the map's insert is large, and one copy of it
/// serves every member here (the npm `.wasm` has a size budget).
#[inline(never)]
pub(super) fn put(out: &mut Map<String, Value>, key: &str, value: Value) {
    out.insert(key.into(), value);
}

/// The verdict's name, as the matching counter in `stats()` is named.
pub fn name(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Unparseable(_) => "unparseable",
        Verdict::NotCloudTrail(_) => "not_cloudtrail",
        Verdict::Prefiltered => "prefiltered",
        Verdict::NotMatched => "not_matched",
        Verdict::Excepted => "excepted",
        Verdict::NoTimestamp => "no_timestamp",
        Verdict::MissingTerms => "missing_terms",
        Verdict::Recorded => "recorded",
    }
}

/// Append the record and then its alerts to an NDJSON passthrough stream, as the
/// command line writes it: a raw line break inside a record's JSON text is
/// insignificant whitespace and becomes a space, so every record stays on one line.
pub fn passthrough(report: &Report<'_>, out: &mut String) {
    let text = record_text(report);
    if text.contains(['\n', '\r']) {
        out.extend(
            text.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
    } else {
        out.push_str(&text);
    }
    out.push('\n');
    for alert in &report.alerts {
        out.push_str(&alert.to_json());
        out.push('\n');
    }
}
