//! A core [`RecordReport`] as the plain object `processRecords` returns.

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
