//! Raw CloudTrail record → ECS, as Elastic's `aws.cloudtrail` ingest pipeline maps it.
//!
//! Mapped: every field the rule, the new-terms fields and the alert use, and the rest of
//! the pipeline's plain renames (identity, session context, request/response strings and
//! their `flattened` objects, resources, TLS, console-login extras). Not mapped, because
//! they need data we do not ship or describe the shipper rather than the event:
//! `source.geo`/`source.as` (GeoIP), parsed `user_agent.*` beyond `original`,
//! `event.category` (a per-action table; `Scan` has none), `event.created`,
//! `event.original`, `tags`, `related.entity`/`related.hosts` and the actor/target
//! entity fields (per-action tables). Follows the `aws` integration 8.9.0.
//! `event.ingested` is set by Elasticsearch at index time, so raw records have none
//! and their time basis is `@timestamp` (from `eventTime`).

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::actor::map_actor;
use super::java_map::to_java_string;
use super::resources::map_resources;
use crate::time::{format_timestamp, parse_timestamp};

/// The ECS version Elastic's pipeline stamps.
pub const ECS_VERSION: &str = "8.11.0";
/// Elasticsearch refuses keyword values longer than this; the pipeline keeps the
/// `flattened` object only when the string form is shorter.
pub(crate) const FLATTENED_LIMIT: usize = 32_766;

/// The members an alert's document usually ends with (about 12 ECS groups, 11
/// `kibana.alert.original_*` copies, 20 of Kibana's fields), with room to spare.
const DOCUMENT_CAPACITY: usize = 48;

/// Map one raw record (already known to be a JSON object) to an ECS document, one ECS
/// field group after another (the order in which the groups write is the order of the
/// document's keys). Each group is built as its own object and attached once: writing
/// every field by its dotted path hashed and allocated each parent again, most of an
/// alert's mapping cost.
pub fn to_ecs(record: Map<String, Value>) -> Map<String, Value> {
    let r = prune_object(record);
    // Sized for the whole alert: the ECS groups, the `kibana.alert.original_*` copies and
    // Kibana's own fields all go into this map; growing it rehashes and moves them.
    let mut out = Map::with_capacity(DOCUMENT_CAPACITY);
    let get = |k: &str| r.get(k);
    if let Some(ts) = timestamp(get("eventTime"), get("@timestamp")) {
        out.insert("@timestamp".into(), ts);
    }
    let caller = Caller::new(get("userIdentity"));
    cloud_fields(&r, &caller, &mut out);
    event_fields(&r, &mut out);
    let source_ip = source_fields(&r, &mut out);
    // user.* (or service.name for AWS service actors), related.user, related.ip.
    map_actor(
        &caller,
        get("requestParameters"),
        source_ip.as_ref(),
        &mut out,
    );
    let mut cloudtrail = Map::with_capacity(16);
    identity_fields(&caller, &mut cloudtrail);
    cloudtrail_fields(&r, &mut cloudtrail);
    if get("eventName").and_then(Value::as_str) == Some("ConsoleLogin") {
        console_login_extras(&r, &mut cloudtrail);
    }
    if !cloudtrail.is_empty() {
        let mut aws = Map::new();
        aws.insert("cloudtrail".into(), Value::Object(cloudtrail));
        out.insert("aws".into(), Value::Object(aws));
    }
    tls_fields(&r, &mut out);
    out
}

/// `cloud.*`.
fn cloud_fields(r: &Map<String, Value>, caller: &Caller<'_>, out: &mut Map<String, Value>) {
    let mut cloud = Map::with_capacity(4);
    set(&mut cloud, "region", r.get("awsRegion"));
    let account = caller.account_id(r.get("recipientAccountId"));
    set_object(&mut cloud, "account", one("id", account));
    cloud.insert("provider".into(), Value::from("aws"));
    if let Some(service) = r
        .get("eventSource")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_suffix(".amazonaws.com"))
    {
        let name = service.split('.').next().unwrap_or(service);
        set_object(&mut cloud, "service", one("name", Some(&Value::from(name))));
    }
    set_object(out, "cloud", cloud);
}

/// `event.*` (dataset as Elastic Agent's integration sets it), `data_stream.*`, `ecs.version`.
fn event_fields(r: &Map<String, Value>, out: &mut Map<String, Value>) {
    let text = |s: &str| Some(Value::from(s));
    let mut event = Map::with_capacity(8);
    set(&mut event, "kind", text("event").as_ref());
    set(
        &mut event,
        "type",
        Some(&Value::Array(vec![Value::from("info")])),
    );
    set(&mut event, "action", r.get("eventName"));
    set(&mut event, "provider", r.get("eventSource"));
    set(&mut event, "id", r.get("eventID"));
    set(&mut event, "outcome", Some(&Value::from(outcome(r))));
    set(&mut event, "dataset", text("aws.cloudtrail").as_ref());
    set(&mut event, "module", text("aws").as_ref());
    set_object(out, "event", event);
    let mut data_stream = Map::with_capacity(3);
    set(&mut data_stream, "type", text("logs").as_ref());
    set(&mut data_stream, "dataset", text("aws.cloudtrail").as_ref());
    set(&mut data_stream, "namespace", text("default").as_ref());
    set_object(out, "data_stream", data_stream);
    set_object(out, "ecs", one("version", text(ECS_VERSION).as_ref()));
}

/// `source.*` and `user_agent.original`; the `source.ip` written, if any.
fn source_fields(r: &Map<String, Value>, out: &mut Map<String, Value>) -> Option<Value> {
    let mut ip = None;
    if let Some(addr) = r.get("sourceIPAddress") {
        let mut source = Map::with_capacity(2);
        set(&mut source, "address", Some(addr));
        ip = source_ip(addr);
        set(&mut source, "ip", ip.as_ref());
        set_object(out, "source", source);
    }
    set_object(out, "user_agent", one("original", r.get("userAgent")));
    ip
}

/// `aws.cloudtrail.user_identity.*`, session context and issuer included, into the
/// `aws.cloudtrail` object.
fn identity_fields(caller: &Caller<'_>, cloudtrail: &mut Map<String, Value>) {
    let id = |k: &str| caller.get(k);
    let mut identity = Map::with_capacity(5);
    set(&mut identity, "type", id("type"));
    set(&mut identity, "arn", id("arn"));
    set(&mut identity, "access_key_id", id("accessKeyId"));
    set(&mut identity, "invoked_by", id("invokedBy"));
    let session = id("sessionContext").and_then(Value::as_object);
    let attributes = session
        .and_then(|s| s.get("attributes"))
        .and_then(Value::as_object);
    let mut context = Map::new();
    set(
        &mut context,
        "mfa_authenticated",
        attributes.and_then(|a| a.get("mfaAuthenticated")),
    );
    let created = attributes
        .and_then(|a| a.get("creationDate"))
        .and_then(Value::as_str)
        .and_then(creation_date);
    set(
        &mut context,
        "creation_date",
        created.map(|t| Value::from(format_timestamp(t))).as_ref(),
    );
    set(
        &mut context,
        "ec2_role_delivery",
        session.and_then(|s| s.get("ec2RoleDelivery")),
    );
    let issuer = caller.issuer();
    let mut session_issuer = Map::new();
    for (raw, ecs) in [
        ("type", "type"),
        ("principalId", "principal_id"),
        ("arn", "arn"),
        ("accountId", "account_id"),
    ] {
        set(&mut session_issuer, ecs, issuer.and_then(|i| i.get(raw)));
    }
    set_object(&mut context, "session_issuer", session_issuer);
    set_object(&mut identity, "session_context", context);
    set_object(cloudtrail, "user_identity", identity);
}

/// `aws.cloudtrail.*`: plain renames, the two converted flags, resources, and the
/// objects kept both as Java's `Map.toString()` and as a `flattened` object, into the
/// `aws.cloudtrail` object.
fn cloudtrail_fields(r: &Map<String, Value>, cloudtrail: &mut Map<String, Value>) {
    for (raw, ecs) in [
        ("eventVersion", "event_version"),
        ("eventType", "event_type"),
        ("eventCategory", "event_category"),
        ("requestID", "request_id"),
        ("apiVersion", "api_version"),
        ("recipientAccountId", "recipient_account_id"),
        ("vpcEndpointId", "vpc_endpoint_id"),
        (
            "sessionCredentialFromConsole",
            "session_credential_from_console",
        ),
        ("errorCode", "error_code"),
        ("errorMessage", "error_message"),
    ] {
        set(cloudtrail, ecs, r.get(raw));
    }
    set(
        cloudtrail,
        "read_only",
        r.get("readOnly").map(to_boolean).as_ref(),
    );
    set(
        cloudtrail,
        "management_event",
        r.get("managementEvent").map(to_text).as_ref(),
    );
    if let Some(Value::Array(resources)) = r.get("resources") {
        cloudtrail.insert("resources".into(), map_resources(resources));
    }
    // `flattened` takes its place before the first object it holds.
    let mut flattened: Option<Map<String, Value>> = None;
    for (raw, ecs) in [
        ("requestParameters", "request_parameters"),
        ("responseElements", "response_elements"),
        ("additionalEventData", "additional_eventdata"),
        ("serviceEventDetails", "service_event_details"),
    ] {
        if let Some(v) = r.get(raw) {
            let text = match v {
                Value::String(s) => s.clone(),
                other => to_java_string(other),
            };
            if v.is_object() && text.len() < FLATTENED_LIMIT {
                if flattened.is_none() {
                    // The key's place; its members are written below.
                    cloudtrail.insert("flattened".into(), Value::Null);
                }
                flattened
                    .get_or_insert_with(Map::new)
                    .insert(ecs.to_owned(), v.clone());
            }
            cloudtrail.insert(ecs.to_owned(), Value::String(text));
        }
    }
    if let Some(members) = flattened {
        // In the place kept for it (an insert under a present key keeps its place).
        cloudtrail.insert("flattened".into(), Value::Object(members));
    }
}

/// `tls.*`: a `tlsVersion` that is present but no version (the placeholder text of aws
/// 8.9.0's test-tls-details-json Grafana record) gives no `tls.*` at all; an absent one
/// still leaves the cipher and server name.
fn tls_fields(r: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(tls) = r.get("tlsDetails").and_then(Value::as_object) else {
        return;
    };
    let version = tls
        .get("tlsVersion")
        .map(|v| v.as_str().and_then(split_tls_version));
    if matches!(version, Some(None)) {
        return;
    }
    let mut fields = Map::new();
    if let Some(Some((protocol, version))) = version {
        set(
            &mut fields,
            "version_protocol",
            protocol.map(Value::from).as_ref(),
        );
        fields.insert("version".into(), Value::from(version));
    }
    set(&mut fields, "cipher", tls.get("cipherSuite"));
    set_object(
        &mut fields,
        "client",
        one("server_name", tls.get("clientProvidedHostHeader")),
    );
    set_object(out, "tls", fields);
}

/// The caller, as the pipeline reads it from a (pruned) `userIdentity`.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    identity: Option<&'a Map<String, Value>>,
    /// [`Caller::service_actor`], decided once: four fields ask it.
    pub(super) service: Option<&'a str>,
}

impl<'a> Caller<'a> {
    pub fn new(user_identity: Option<&'a Value>) -> Self {
        let mut caller = Caller {
            identity: user_identity.and_then(Value::as_object),
            service: None,
        };
        caller.service = caller.find_service_actor();
        caller
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.identity.and_then(|i| i.get(key))
    }

    pub fn issuer(&self) -> Option<&'a Map<String, Value>> {
        self.get("sessionContext")
            .and_then(Value::as_object)
            .and_then(|s| s.get("sessionIssuer"))
            .and_then(Value::as_object)
    }

    /// `userName`, else (assumed roles) the session issuer's: the role name. `None` for
    /// AWS service actors, which get `service.name` instead (aws 8.9.0).
    pub fn user_name(&self) -> Option<&'a Value> {
        if self.service_actor().is_some() {
            return None;
        }
        self.get("userName")
            .or_else(|| self.issuer().and_then(|i| i.get("userName")))
    }

    /// `principalId`; `None` for AWS service actors.
    pub fn user_id(&self) -> Option<&'a Value> {
        if self.service_actor().is_some() {
            return None;
        }
        self.get("principalId")
    }

    /// The caller's account, else the recipient account (AWS services have none).
    pub fn account_id(&self, recipient: Option<&'a Value>) -> Option<&'a Value> {
        self.get("accountId").or(recipient)
    }
}

/// `source.ip`: set only when the whole `sourceIPAddress` is an IP address.
pub fn source_ip(address: &Value) -> Option<Value> {
    address
        .as_str()
        .and_then(|s| s.parse::<IpAddr>().ok())
        .map(|ip| Value::from(ip.to_string()))
}

/// `@timestamp`: `eventTime`, else a shipper's `@timestamp` already on the record.
pub fn timestamp(event_time: Option<&Value>, shipper: Option<&Value>) -> Option<Value> {
    event_time
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .map(|t| Value::String(format_timestamp(t)))
        .or_else(|| shipper.cloned())
}

/// `sessionContext.attributes.creationDate`: ISO-8601 extended (`2019-10-02T21:50:54Z`)
/// or, as aws 8.9.0 also reads it, basic (`20131102T010628Z`).
pub fn creation_date(s: &str) -> Option<crate::time::Millis> {
    let b = s.as_bytes();
    let basic = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    if basic {
        let extended = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &s[..4],
            &s[4..6],
            &s[6..8],
            &s[9..11],
            &s[11..13],
            &s[13..15]
        );
        return parse_timestamp(&extended);
    }
    if b.get(4) == Some(&b'-') {
        parse_timestamp(s)
    } else {
        None
    }
}

/// `success` unless a non-empty `errorCode` or `errorMessage` is present; for
/// `ConsoleLogin`, the lower-cased `responseElements.ConsoleLogin` wins.
fn outcome(r: &Map<String, Value>) -> String {
    if r.get("eventName").and_then(Value::as_str) == Some("ConsoleLogin") {
        if let Some(s) = r
            .get("responseElements")
            .and_then(|v| v.get("ConsoleLogin"))
            .and_then(Value::as_str)
        {
            return super::lowercase::lowercase(s);
        }
    }
    // Empty values were pruned, so presence means non-empty.
    if r.contains_key("errorCode") || r.contains_key("errorMessage") {
        "failure".into()
    } else {
        "success".into()
    }
}

fn console_login_extras(r: &Map<String, Value>, cloudtrail: &mut Map<String, Value>) {
    let Some(extra) = r.get("additionalEventData").and_then(Value::as_object) else {
        return;
    };
    let mut data = Map::new();
    set(&mut data, "login_to", extra.get("LoginTo"));
    for (raw, ecs) in [("MobileVersion", "mobile_version"), ("MFAUsed", "mfa_used")] {
        if let Some(s) = extra.get(raw).and_then(Value::as_str) {
            set(
                &mut data,
                ecs,
                Some(&Value::Bool(s.eq_ignore_ascii_case("yes"))),
            );
        }
    }
    let mut login = Map::new();
    set_object(&mut login, "additional_eventdata", data);
    set_object(cloudtrail, "console_login", login);
}

/// `TLSv1.2` → (`tls`, `1.2`); a bare `1.3` has no protocol (aws 8.9.0 writes only
/// `tls.version`); text with no digits is no version at all.
fn split_tls_version(v: &str) -> Option<(Option<String>, String)> {
    let digits = v.find(|c: char| c.is_ascii_digit())?;
    let prefix = v[..digits].trim_end_matches(['v', 'V']);
    let protocol = (!prefix.is_empty()).then(|| super::lowercase::lowercase(prefix));
    Some((protocol, v[digits..].to_owned()))
}

fn to_boolean(v: &Value) -> Value {
    match v {
        Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        other => other.clone(),
    }
}

fn to_text(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(b.to_string()),
        other => other.clone(),
    }
}

/// Insert a copy of `value` under `key` (one level, no dotted path); `None` inserts nothing.
pub(super) fn set(object: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value.clone());
    }
}

/// Insert `members` as an object under `key`, unless there are none.
pub(super) fn set_object(object: &mut Map<String, Value>, key: &str, members: Map<String, Value>) {
    if !members.is_empty() {
        object.insert(key.to_owned(), Value::Object(members));
    }
}

/// An object of at most one member: `key` with a copy of `value`, when there is one.
pub(super) fn one(key: &str, value: Option<&Value>) -> Map<String, Value> {
    let mut object = Map::new();
    set(&mut object, key, value);
    object
}

/// Elastic's clean-up: drop nulls, empty strings, empty objects and empty lists, recursively.
fn prune_object(map: Map<String, Value>) -> Map<String, Value> {
    match prune(Value::Object(map)) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Elastic's clean-up of one value: `None` when nothing is left of it. Recursive, with no
/// depth cut-off of its own, so that a field is cleaned the same wherever it sits: every
/// tree it sees was parsed by serde_json (at most 128 levels) and the detector refuses
/// records nested deeper than its limit (100) before mapping them.
pub fn prune(mut v: Value) -> Option<Value> {
    keep_pruned(&mut v).then_some(v)
}

/// [`prune`] in place (no map is rebuilt, no key hashed again); `false` when nothing
/// is left of `v`.
fn keep_pruned(v: &mut Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Object(m) => {
            m.retain(|_, v| keep_pruned(v));
            !m.is_empty()
        }
        Value::Array(a) => {
            a.retain_mut(keep_pruned);
            !a.is_empty()
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests;
