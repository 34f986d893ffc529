//! A core [`RecordReport`] as `processRecords` returns it: a plain object, or NDJSON
//! lines of the passthrough stream.

use serde_json::{Map, Value};

use crate::{RecordReport, Verdict};

/// `{record, verdict, reason?, alerts}` for one record.
pub fn report(report: RecordReport<'_>) -> Value {
    let mut out = Map::new();
    out.insert("record".into(), Value::from(report.text));
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
    let alerts = report.alerts.into_iter().map(|a| Value::Object(a.document));
    out.insert("alerts".into(), Value::Array(alerts.collect()));
    Value::Object(out)
}

/// The verdict's name, as the matching counter in `stats()` is named.
pub fn name(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Unparseable(_) => "unparseable",
        Verdict::NotCloudTrail(_) => "not_cloudtrail",
        Verdict::NotMatched => "not_matched",
        Verdict::Excepted => "excepted",
        Verdict::NoTimestamp => "no_timestamp",
        Verdict::MissingTerms => "missing_terms",
        Verdict::Recorded => "recorded",
    }
}

/// Append the record and then its alerts to an NDJSON passthrough stream. The record
/// keeps its exact text; only whitespace outside strings is removed when it spans
/// lines (a record inside a pretty-printed S3 file), so that it stays one line.
pub fn passthrough(report: &RecordReport<'_>, out: &mut String) {
    if report.text.contains(['\n', '\r']) {
        one_line(report.text, out);
    } else {
        out.push_str(report.text);
    }
    out.push('\n');
    for alert in &report.alerts {
        out.push_str(&alert.to_json());
        out.push('\n');
    }
}

/// `text` without the whitespace outside JSON strings (which is insignificant).
fn one_line(text: &str, out: &mut String) {
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        out.push(c);
    }
}
