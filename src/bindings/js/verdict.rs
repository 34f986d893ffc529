//! A core [`RecordReport`] as `processRecords` returns it: a plain object, or NDJSON
//! lines of the passthrough stream (the command line's `--output passthrough`); and what
//! a recorded record wrote to the state, as `processObserved` returns it.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::{Observed, RecordReport, Verdict};

/// The record's text as [`RecordReport::text_or`] gives it, with U+FFFD for bytes that
/// are not UTF-8.
pub fn record_text<'a>(report: &RecordReport<'a>, doc: &'a [u8]) -> Cow<'a, str> {
    String::from_utf8_lossy(report.text_or(doc))
}

/// `{record, verdict, reason?, alerts}` for one record of document `doc`.
pub fn report(report: RecordReport<'_>, doc: &[u8]) -> Value {
    let mut out = Map::new();
    out.insert(
        "record".into(),
        Value::from(record_text(&report, doc).into_owned()),
    );
    out.insert("verdict".into(), Value::from(name(&report.verdict)));
    match &report.verdict {
        Verdict::Unparseable(e) => {
            out.insert("reason".into(), Value::from(e.to_string()));
        }
        Verdict::NotCloudTrail(reason) => {
            out.insert("reason".into(), Value::from(*reason));
        }
        _ => {}
    }
    let alerts = report.alerts.iter().map(|a| Value::Object(a.document()));
    out.insert("alerts".into(), Value::Array(alerts.collect()));
    Value::Object(out)
}

/// `{time, terms}`: what a recorded record wrote to the state, as `processObserved`
/// reports it (the time basis in epoch milliseconds, the term tuples as JSON values).
pub fn observed(o: &Observed) -> Value {
    let terms = o.terms.iter().map(|t| Value::Array(t.values.clone()));
    let mut out = Map::new();
    out.insert("time".into(), Value::from(o.time));
    out.insert("terms".into(), Value::Array(terms.collect()));
    Value::Object(out)
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
pub fn passthrough(report: &RecordReport<'_>, doc: &[u8], out: &mut String) {
    let text = record_text(report, doc);
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
