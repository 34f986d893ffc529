//! The fast path for raw CloudTrail records that match the query: the handful of ECS
//! fields the usual new-terms fields and the time basis need, computed from the record's
//! raw fields (borrowed, already located by the input scan) with exactly the mapping
//! rules of [`super::cloudtrail::to_ecs`], so no JSON tree of the record is built.
//! The full ECS document is built only when an alert is rendered.

use serde_json::Value;

use super::cloudtrail::{prune, source_ip, timestamp, Caller};
use crate::input::CloudTrailFields;
use crate::time::{timestamp_from_value, Millis};

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

/// The values a raw record gives to the fast-path fields (pruned, as Elastic would).
pub struct RawView {
    user_identity: Option<Value>,
    recipient_account_id: Option<Value>,
    aws_region: Option<Value>,
    source_ip_address: Option<Value>,
    event_id: Option<Value>,
    timestamp: Option<Value>,
}

fn value(raw: Option<&serde_json::value::RawValue>) -> Option<Value> {
    raw.and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
        .and_then(|v| prune(v, 0))
}

impl RawView {
    pub fn new(f: &CloudTrailFields<'_>) -> Self {
        RawView {
            user_identity: value(f.user_identity),
            recipient_account_id: value(f.recipient_account_id),
            aws_region: value(f.aws_region),
            source_ip_address: value(f.source_ip_address),
            event_id: value(f.event_id),
            timestamp: timestamp(
                value(f.event_time).as_ref(),
                value(f.shipper_timestamp).as_ref(),
            ),
        }
    }

    /// The value of a fast-path ECS field (`None` when absent). Unknown fields are absent;
    /// check [`FIELDS`] first.
    pub fn field(&self, path: &str) -> Option<Value> {
        let caller = Caller::new(self.user_identity.as_ref());
        let v = match path {
            "aws.cloudtrail.user_identity.arn" => caller.get("arn"),
            "aws.cloudtrail.user_identity.type" => caller.get("type"),
            "aws.cloudtrail.user_identity.access_key_id" => caller.get("accessKeyId"),
            "aws.cloudtrail.user_identity.invoked_by" => caller.get("invokedBy"),
            "aws.cloudtrail.recipient_account_id" => self.recipient_account_id.as_ref(),
            "cloud.account.id" => caller.account_id(self.recipient_account_id.as_ref()),
            "cloud.region" => self.aws_region.as_ref(),
            "user.name" => caller.user_name(),
            "user.id" => caller.get("principalId"),
            "source.address" => self.source_ip_address.as_ref(),
            "source.ip" => return self.source_ip_address.as_ref().and_then(source_ip),
            "event.id" => self.event_id.as_ref(),
            _ => None,
        };
        v.cloned()
    }

    /// `@timestamp` as the mapping sets it, as a time.
    pub fn timestamp(&self) -> Option<Millis> {
        self.timestamp.as_ref().and_then(timestamp_from_value)
    }
}
