//! How each field of a CloudTrail document is indexed, which decides how KQL compares
//! it: the ECS mapping and the AWS integration's own fields. A field not listed is a
//! `keyword` (exact, case-sensitive text), as nearly every CloudTrail field is,
//! `aws.cloudtrail.flattened.*` included (a `flattened` field indexes its leaves as
//! keywords).

/// The mapping type of a field, as far as KQL's comparisons differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Keyword,
    /// `long`, `integer`, `float`, …: compared as numbers (`5` equals `5.0`).
    Number,
    /// `date`: compared as instants (`2026-11-02T00:00:00Z` equals `2026-11-02T00:00:00.000Z`).
    Date,
    Boolean,
    /// `ip`: compared as addresses; a value may be a CIDR block (`10.0.0.0/8`).
    Ip,
}

const DATES: &[&str] = &[
    "@timestamp",
    "event.created",
    "event.ingested",
    "event.start",
    "event.end",
    "aws.cloudtrail.user_identity.session_context.creation_date",
];

const NUMBERS: &[&str] = &[
    "source.port",
    "source.as.number",
    "destination.port",
    "event.duration",
    "event.severity",
    "event.sequence",
    "event.risk_score",
];

const BOOLEANS: &[&str] = &[
    "aws.cloudtrail.read_only",
    "aws.cloudtrail.management_event",
    "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
    "aws.cloudtrail.console_login.additional_eventdata.mfa_used",
];

const IPS: &[&str] = &[
    "source.ip",
    "destination.ip",
    "client.ip",
    "server.ip",
    "host.ip",
    "related.ip",
];

/// The type `path` is indexed as.
pub fn field_type(path: &str) -> FieldType {
    if DATES.contains(&path) {
        FieldType::Date
    } else if NUMBERS.contains(&path) {
        FieldType::Number
    } else if BOOLEANS.contains(&path) {
        FieldType::Boolean
    } else if IPS.contains(&path) {
        FieldType::Ip
    } else {
        FieldType::Keyword
    }
}
