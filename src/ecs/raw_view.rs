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

#[derive(Deserialize)]
struct SessionIssuer<'a> {
    #[serde(borrow, rename = "userName")]
    user_name: Option<&'a RawValue>,
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

/// A raw record's view of the fast-path fields.
pub struct RawView<'a> {
    fields: CloudTrailFields<'a>,
    identity: Identity<'a>,
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
                "user.name" => value(id.user_name).or_else(|| issuer_user_name(id.session_context)),
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

/// `sessionContext.sessionIssuer.userName`, where both levels are objects. Shapes the
/// borrowed reads refuse (duplicate keys, …) are read as whole values instead.
fn issuer_user_name(session_context: Option<&RawValue>) -> Option<Value> {
    let raw = session_context?;
    let borrowed = object::<SessionContext>(raw).map(|c| {
        c.session_issuer
            .map(|i| object::<SessionIssuer>(i).map(|i| i.user_name))
    });
    match borrowed {
        Some(None) => None,
        Some(Some(Some(user_name))) => value(user_name),
        _ => {
            let session = value(Some(raw))?;
            session
                .get("sessionIssuer")?
                .as_object()?
                .get("userName")
                .cloned()
        }
    }
}
