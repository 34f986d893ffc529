//! The fast path for raw CloudTrail records that match the query: the handful of ECS
//! fields the usual new-terms fields and the time basis need, computed from the record's
//! raw fields (borrowed, already located by the input scan) with exactly the mapping
//! rules of [`super::cloudtrail::to_ecs`], so no JSON tree of the record is built.
//! The full ECS document is built only when an alert is rendered.
//!
//! `userIdentity` is read as borrowed raw values of the keys the mapping uses; if that
//! fails (not an object, duplicate keys, …) it is parsed and pruned as a whole, exactly
//! as the full mapping does, so the two paths can never disagree.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::cloudtrail::{prune, source_ip, Caller};
use crate::input::lenient::without_lone_surrogates;
use crate::input::{raw_str, CloudTrailFields};
use crate::time::{parse_timestamp, timestamp_from_value, Millis};

#[cfg(rule_files)]
/// The fields of the `event.*` and `data_stream.*` groups a query may read that the view
/// gives too (besides [`FIELDS`]): see [`RawView::query_field`].
pub const QUERY_FIELDS: &[&str] = &[
    "event.provider",
    "event.action",
    "event.outcome",
    "event.dataset",
    "event.module",
    "data_stream.dataset",
    "data_stream.type",
    "data_stream.namespace",
    "cloud.provider",
    "user_agent.original",
    "aws.cloudtrail.session_credential_from_console",
    "aws.cloudtrail.error_code",
    "aws.cloudtrail.error_message",
    "aws.cloudtrail.user_identity.session_context.session_issuer.type",
    "aws.cloudtrail.user_identity.session_context.session_issuer.principal_id",
    "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
    "aws.cloudtrail.user_identity.session_context.session_issuer.account_id",
];

#[cfg(rule_files)]
/// The prefix of the fields of `requestParameters` kept as an object.
#[cfg(rule_files)]
const FLATTENED_REQUEST: &str = "aws.cloudtrail.flattened.request_parameters.";

/// The prefix of the session issuer's fields.
#[cfg(rule_files)]
const ISSUER: &str = "aws.cloudtrail.user_identity.session_context.session_issuer.";

/// Fields the mapping of raw CloudTrail never writes (they need enrichment it does not
/// do, or come from newer versions of Elastic's integration): absent in every raw
/// record's view, as in its full ECS document.
pub const NEVER_MAPPED: [&str; 4] = ["source.as.", "source.geo.", "entity.", "related.entity"];

#[cfg(rule_files)]
/// Whether [`RawView::query_field`] gives `path` (for every record but a console
/// sign-in's `event.outcome`).
pub fn gives(path: &str) -> bool {
    FIELDS.contains(&path)
        || QUERY_FIELDS.contains(&path)
        || never_mapped(path)
        || path.starts_with(FLATTENED_REQUEST)
}

#[cfg(rule_files)]
fn never_mapped(path: &str) -> bool {
    NEVER_MAPPED.iter().any(|prefix| path.starts_with(prefix))
}

/// ECS fields the fast path can produce. Any other new-terms field takes the full path.
pub const FIELDS: &[&str] = &[
    "aws.cloudtrail.user_identity.arn",
    "aws.cloudtrail.user_identity.type",
    "aws.cloudtrail.user_identity.access_key_id",
    "aws.cloudtrail.user_identity.invoked_by",
    "aws.cloudtrail.recipient_account_id",
    "cloud.account.id",
    "cloud.region",
    "user.name",
    "user.id",
    "source.address",
    "source.ip",
    "event.id",
];

/// The `userIdentity` members the mapping reads.
#[derive(Default, Deserialize)]
struct IdentityFields<'a> {
    #[serde(borrow)]
    arn: Option<&'a RawValue>,
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow, rename = "accessKeyId")]
    access_key_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "invokedBy")]
    invoked_by: Option<&'a RawValue>,
    #[serde(borrow, rename = "userName")]
    user_name: Option<&'a RawValue>,
    #[serde(borrow, rename = "principalId")]
    principal_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "accountId")]
    account_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "sessionContext")]
    session_context: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct SessionContext<'a> {
    #[serde(borrow, rename = "sessionIssuer")]
    session_issuer: Option<&'a RawValue>,
}

/// The `sessionContext.sessionIssuer` members the mapping and the queries read.
#[derive(Deserialize)]
struct SessionIssuer<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow, rename = "principalId")]
    principal_id: Option<&'a RawValue>,
    #[serde(borrow)]
    arn: Option<&'a RawValue>,
    #[serde(borrow, rename = "accountId")]
    account_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "userName")]
    user_name: Option<&'a RawValue>,
}

impl<'a> SessionIssuer<'a> {
    /// A member by its raw name (one of the fields above).
    fn member(&self, raw_name: &str) -> Option<&'a RawValue> {
        match raw_name {
            "type" => self.kind,
            "principalId" => self.principal_id,
            "arn" => self.arn,
            "accountId" => self.account_id,
            "userName" => self.user_name,
            _ => None,
        }
    }
}

/// The members of the object `raw` that `T` names, borrowed (`null` reads as absent);
/// `None` when `raw` is not an object or is refused (a named key given twice). Objects
/// only: a derived struct would also take an array's values by position.
fn object<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Option<T> {
    let text = raw.get();
    if !text.starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

enum Identity<'a> {
    Fields(IdentityFields<'a>),
    /// The whole `userIdentity`, parsed and pruned.
    Whole(Option<Value>),
}

#[cfg(rule_files)]
/// A field the view cannot give as the full mapping would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotInView;

/// A raw record's view of the fast-path fields.
pub struct RawView<'a> {
    fields: CloudTrailFields<'a>,
    identity: Identity<'a>,
}

/// Whether a raw value is "present" in Elastic's sense: not null, `""`, `{}` or `[]`
/// (after Elastic's recursive clean-up, which empties `{"a":null}` too).
pub fn raw_is_present(raw: Option<&RawValue>) -> bool {
    let Some(raw) = raw else { return false };
    match raw.get().as_bytes().first() {
        Some(b'"') => raw.get().len() > 2,
        // Read as the ECS mapping reads it (lone surrogates and all), then cleaned up.
        Some(b'{' | b'[') => serde_json::from_str::<serde_json::Value>(
            &crate::input::lenient::without_lone_surrogates(raw.get()),
        )
        .ok()
        .and_then(prune)
        .is_some(),
        Some(b'n') | None => false,
        Some(_) => true,
    }
}

/// The values at `path` inside a raw object the mapping keeps under
/// `aws.cloudtrail.flattened.*` (pruned, and only while its Java text is under
/// Elasticsearch's limit), as one array of the leaves an ECS lookup finds.
#[cfg(rule_files)]
fn flattened(raw: Option<&RawValue>, path: &str) -> Option<Value> {
    let object = value(raw)?;
    object.as_object()?;
    if super::java_map::to_java_string(&object).len() >= super::cloudtrail::FLATTENED_LIMIT {
        return None;
    }
    // Looked up where the ECS document holds it, so that the lookup's depth bound
    // counts the same levels.
    let mut doc = serde_json::Map::new();
    let flattened = serde_json::Map::from_iter([("request_parameters".to_owned(), object)]);
    let cloudtrail =
        serde_json::Map::from_iter([("flattened".to_owned(), Value::Object(flattened))]);
    let aws = serde_json::Map::from_iter([("cloudtrail".to_owned(), Value::Object(cloudtrail))]);
    doc.insert("aws".to_owned(), Value::Object(aws));
    let mut leaves = Vec::new();
    super::field::collect(&doc, &format!("{FLATTENED_REQUEST}{path}"), &mut leaves);
    (!leaves.is_empty()).then(|| Value::Array(leaves.into_iter().cloned().collect()))
}

/// What [`RawView::query_field`] reads: a string's text, borrowed from the record where
/// it holds no escape (or a constant of the mapping), or a whole value.
#[cfg(rule_files)]
#[derive(Debug, Clone, PartialEq)]
pub enum Read<'a> {
    Text(Cow<'a, str>),
    Value(Value),
}

/// [`value`] without making a `Value` of a string: its text (`None` when empty).
#[cfg(rule_files)]
fn read(raw: Option<&RawValue>) -> Option<Read<'_>> {
    let raw = raw?;
    match raw_str(raw) {
        Some(text) => (!text.is_empty()).then_some(Read::Text(text)),
        None => value(Some(raw)).map(Read::Value),
    }
}

/// A raw value as the mapping would keep it: parsed, pruned (`None` when empty).
fn value(raw: Option<&RawValue>) -> Option<Value> {
    let raw = raw?;
    if let Some(s) = raw_str(raw) {
        return (!s.is_empty()).then(|| Value::String(s.into_owned()));
    }
    serde_json::from_str::<Value>(&without_lone_surrogates(raw.get()))
        .ok()
        .and_then(prune)
}

impl<'a> RawView<'a> {
    pub fn new(fields: &CloudTrailFields<'a>) -> Self {
        let identity = match fields.user_identity.map(object::<IdentityFields>) {
            None => Identity::Fields(IdentityFields::default()),
            Some(Some(f)) => Identity::Fields(f),
            Some(None) => Identity::Whole(value(fields.user_identity)),
        };
        RawView {
            fields: *fields,
            identity,
        }
    }

    /// The value of a fast-path ECS field (`None` when absent). Unknown fields are absent;
    /// check [`FIELDS`] first.
    pub fn field(&self, path: &str) -> Option<Value> {
        let f = &self.fields;
        match path {
            "aws.cloudtrail.recipient_account_id" => value(f.recipient_account_id),
            "cloud.region" => value(f.aws_region),
            "source.address" => value(f.source_ip_address),
            "source.ip" => value(f.source_ip_address).as_ref().and_then(source_ip),
            "event.id" => value(f.event_id),
            identity_path => self.identity_field(identity_path),
        }
    }

    #[cfg(rule_files)]
    /// The value of a field a query reads (`None` when absent), or `Err` when the view
    /// cannot say what the full mapping would hold there: a field outside [`FIELDS`] and
    /// [`QUERY_FIELDS`], or `event.outcome` of a console sign-in (read from its
    /// response).
    pub fn query_field(&self, path: &str) -> Result<Option<Read<'a>>, NotInView> {
        let f = &self.fields;
        let constant = |s: &'static str| Ok(Some(Read::Text(Cow::Borrowed(s))));
        let whole = |v: Option<Value>| Ok(v.map(Read::Value));
        match path {
            "event.provider" => Ok(read(f.event_source)),
            "event.action" => Ok(read(f.event_name)),
            "event.outcome" => {
                if f.event_name.and_then(raw_str).as_deref() == Some("ConsoleLogin") {
                    return Err(NotInView);
                }
                let failed = raw_is_present(f.error_code) || raw_is_present(f.error_message);
                constant(if failed { "failure" } else { "success" })
            }
            "event.dataset" | "data_stream.dataset" => constant("aws.cloudtrail"),
            "event.module" | "cloud.provider" => constant("aws"),
            "data_stream.type" => constant("logs"),
            "data_stream.namespace" => constant("default"),
            "user_agent.original" => Ok(read(f.user_agent)),
            "aws.cloudtrail.session_credential_from_console" => {
                Ok(read(f.session_credential_from_console))
            }
            "aws.cloudtrail.error_code" => Ok(read(f.error_code)),
            issuer if issuer.starts_with(ISSUER) => {
                whole(self.issuer_field(&issuer[ISSUER.len()..]))
            }
            request if request.starts_with(FLATTENED_REQUEST) => whole(flattened(
                f.request_parameters,
                &request[FLATTENED_REQUEST.len()..],
            )),
            "aws.cloudtrail.error_message" => Ok(read(f.error_message)),
            _ if FIELDS.contains(&path) => whole(self.field(path)),
            _ if never_mapped(path) => Ok(None),
            _ => Err(NotInView),
        }
    }

    /// A member of `sessionContext.sessionIssuer` by its ECS name, as the mapping reads
    /// it: both levels objects, after pruning.
    #[cfg(rule_files)]
    fn issuer_field(&self, ecs_name: &str) -> Option<Value> {
        let raw_name = match ecs_name {
            "type" => "type",
            "principal_id" => "principalId",
            "arn" => "arn",
            "account_id" => "accountId",
            _ => return None,
        };
        match &self.identity {
            Identity::Whole(whole) => whole
                .as_ref()?
                .get("sessionContext")?
                .get("sessionIssuer")?
                .as_object()?
                .get(raw_name)
                .cloned(),
            Identity::Fields(id) => issuer_member(id.session_context, raw_name),
        }
    }

    fn identity_field(&self, path: &str) -> Option<Value> {
        match &self.identity {
            Identity::Whole(whole) => {
                let caller = Caller::new(whole.as_ref());
                let recipient = value(self.fields.recipient_account_id);
                match path {
                    "aws.cloudtrail.user_identity.arn" => caller.get("arn").cloned(),
                    "aws.cloudtrail.user_identity.type" => caller.get("type").cloned(),
                    "aws.cloudtrail.user_identity.access_key_id" => {
                        caller.get("accessKeyId").cloned()
                    }
                    "aws.cloudtrail.user_identity.invoked_by" => caller.get("invokedBy").cloned(),
                    "cloud.account.id" => caller.account_id(recipient.as_ref()).cloned(),
                    "user.name" => caller.user_name().cloned(),
                    "user.id" => caller.user_id().cloned(),
                    _ => None,
                }
            }
            Identity::Fields(id) => match path {
                "aws.cloudtrail.user_identity.arn" => value(id.arn),
                "aws.cloudtrail.user_identity.type" => value(id.kind),
                "aws.cloudtrail.user_identity.access_key_id" => value(id.access_key_id),
                "aws.cloudtrail.user_identity.invoked_by" => value(id.invoked_by),
                // The caller's account, else the recipient's (AWS services have none).
                "cloud.account.id" => {
                    value(id.account_id).or_else(|| value(self.fields.recipient_account_id))
                }
                // `userName`, else (assumed roles) the session issuer's: the role name;
                // neither for AWS service actors (see `Caller::service_actor`).
                "user.name" | "user.id" if service_actor(id) => None,
                "user.name" => {
                    value(id.user_name).or_else(|| issuer_member(id.session_context, "userName"))
                }
                "user.id" => value(id.principal_id),
                _ => None,
            },
        }
    }

    /// `@timestamp` as the mapping sets it, as a time: `eventTime`, else a shipper's
    /// `@timestamp` on the record.
    pub fn timestamp(&self) -> Option<Millis> {
        let from_event_time = self
            .fields
            .event_time
            .and_then(raw_str)
            .and_then(|s: Cow<'_, str>| parse_timestamp(&s));
        match from_event_time {
            Some(t) => Some(t),
            None => value(self.fields.shipper_timestamp)
                .as_ref()
                .and_then(timestamp_from_value),
        }
    }
}

/// Whether the caller is an AWS service (an `AWSService` identity or a service-linked
/// role's session), decided by the same [`Caller::service_actor`] the full mapping uses,
/// on the few members it reads.
fn service_actor(id: &IdentityFields<'_>) -> bool {
    let mut identity = serde_json::Map::new();
    for (key, raw) in [
        ("type", id.kind),
        ("invokedBy", id.invoked_by),
        ("sessionContext", id.session_context),
    ] {
        if let Some(v) = value(raw) {
            identity.insert(key.to_owned(), v);
        }
    }
    let identity = Value::Object(identity);
    Caller::new(Some(&identity)).service_actor().is_some()
}

/// The member `raw_name` of `sessionContext.sessionIssuer` (see [`SessionIssuer`]),
/// where both levels are objects, pruned as the mapping keeps it. The two levels are read
/// as borrowed members, so that the rest of the session context is skipped unparsed
/// (Elastic's rules read the issuer's ARN on many records); shapes the borrowed reads
/// refuse (not objects, duplicate keys, …) are read as whole values instead.
fn issuer_member(session_context: Option<&RawValue>, raw_name: &str) -> Option<Value> {
    let raw = session_context?;
    let borrowed = object::<SessionContext>(raw).map(|c| {
        c.session_issuer
            .map(|i| object::<SessionIssuer>(i).map(|i| i.member(raw_name)))
    });
    match borrowed {
        Some(None) => None,
        Some(Some(Some(member))) => value(member),
        _ => {
            let session = value(Some(raw))?;
            session
                .get("sessionIssuer")?
                .as_object()?
                .get(raw_name)
                .cloned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_members_read_borrowed_as_the_whole_value() {
        // The borrowed read and the whole-value read agree on every shape, including the
        // ones the borrowed read refuses and leaves to the whole value.
        let whole = |raw: &RawValue, name: &str| {
            value(Some(raw))?
                .get("sessionIssuer")?
                .as_object()?
                .get(name)
                .cloned()
        };
        let arn = r#""arn:aws:iam::111122223333:role/R""#;
        for text in [
            format!(r#"{{"sessionIssuer":{{"type":"Role","arn":{arn},"accountId":"1"}}}}"#),
            format!(r#"{{"attributes":{{"a":1}},"sessionIssuer":{{"arn":{arn},"userName":"R"}}}}"#),
            format!(r#"{{"sessionIssuer":{{"arn":{arn},"arn":"second"}}}}"#),
            format!(r#"{{"sessionIssuer":{{"arn":{arn}}},"sessionIssuer":{{"arn":"b"}}}}"#),
            r#"{"sessionIssuer":{"arn":"","type":{},"principalId":[],"accountId":null}}"#
                .to_owned(),
            r#"{"sessionIssuer":{"arn":{"x":null},"userName":["a",{}]}}"#.to_owned(),
            r#"{"sessionIssuer":"not an object"}"#.to_owned(),
            r#"{"sessionIssuer":null}"#.to_owned(),
            r#"{"other":1}"#.to_owned(),
            r#""a string""#.to_owned(),
            "[1,2]".to_owned(),
            r#"{"sessionIssuer":{"arn":"lone \ud800 surrogate"}}"#.to_owned(),
        ] {
            let raw: &RawValue = serde_json::from_str(&text).expect("raw");
            for name in ["type", "principalId", "arn", "accountId", "userName"] {
                assert_eq!(
                    issuer_member(Some(raw), name),
                    whole(raw, name),
                    "{text} {name}"
                );
            }
        }
        assert_eq!(issuer_member(None, "arn"), None);
    }

    #[test]
    #[cfg(rule_files)]
    fn a_query_reads_what_the_mapping_keeps() {
        // The borrowed read gives exactly the value the mapping keeps: a string's text
        // (escapes decoded, lone surrogates as the mapping reads them), nothing for an
        // empty one, and whole values for the rest.
        for text in [
            r#""Scan""#,
            r#""""#,
            r#""\u0053can""#,
            r#""a\"b\\c""#,
            r#""lone \ud800 surrogate""#,
            r#""\ud83d\ude00""#,
            "5",
            "1.50",
            "true",
            "null",
            "{}",
            r#"{"a":null}"#,
            r#"{"a":"b"}"#,
            r#"["x",""]"#,
            "[]",
        ] {
            let raw: &RawValue = serde_json::from_str(text).expect("raw");
            let as_value = read(Some(raw)).map(|r| match r {
                Read::Text(t) => Value::String(t.into_owned()),
                Read::Value(v) => v,
            });
            assert_eq!(as_value, value(Some(raw)), "{text}");
            if text.starts_with('"') && !text.contains('\\') && text.len() > 2 {
                assert!(
                    matches!(read(Some(raw)), Some(Read::Text(Cow::Borrowed(_)))),
                    "{text} is read in place"
                );
            }
        }
        assert_eq!(read(None), None);
    }

    #[test]
    fn presence_is_elastics_non_empty() {
        fn raw(s: &str) -> &RawValue {
            serde_json::from_str::<&RawValue>(s).expect("raw")
        }
        for (text, present) in [
            (r#""""#, false),
            (r#""x""#, true),
            ("{}", false),
            (r#"{"a":null}"#, false),
            ("[]", false),
            ("[1]", true),
            ("0", true),
            ("false", true),
        ] {
            assert_eq!(raw_is_present(Some(raw(text))), present, "{text}");
        }
        assert!(!raw_is_present(None));
    }
}
