//! Raw CloudTrail record → ECS, as Elastic's `aws.cloudtrail` ingest pipeline maps it.
//!
//! Mapped: every field the rule, the new-terms fields and the alert use, and the rest of
//! the pipeline's plain renames (identity, session context, request/response strings and
//! their `flattened` objects, resources, TLS, console-login extras). Not mapped, because
//! they need data we do not ship or describe the shipper rather than the event:
//! `source.geo`/`source.as` (GeoIP), parsed `user_agent.*` beyond `original`,
//! `event.category` (a per-action table; `Scan` has none), `event.created`,
//! `event.original`, `tags`, `related.*` and the newer actor/target entity fields.
//! `event.ingested` is set by Elasticsearch at index time, so raw records have none
//! and their time basis is `@timestamp` (from `eventTime`).

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::java_map::{hash_map_order, to_java_string};
use super::java_value::{java_equal, java_fingerprint, map_hash, value_hash};
use crate::time::{format_timestamp, parse_timestamp};

/// The ECS version Elastic's pipeline stamps.
pub const ECS_VERSION: &str = "8.11.0";
/// Elasticsearch refuses keyword values longer than this; the pipeline keeps the
/// `flattened` object only when the string form is shorter.
const FLATTENED_LIMIT: usize = 32_766;

/// Map one raw record (already known to be a JSON object) to an ECS document.
pub fn to_ecs(record: Map<String, Value>) -> Map<String, Value> {
    let r = prune_object(record);
    let mut out = Map::new();
    let get = |k: &str| r.get(k);

    let ts = timestamp(get("eventTime"), get("@timestamp"));
    if let Some(ts) = ts {
        out.insert("@timestamp".into(), ts);
    }

    let caller = Caller::new(get("userIdentity"));
    let id = |k: &str| caller.get(k);
    let session = id("sessionContext").and_then(Value::as_object);
    let issuer = caller.issuer();
    let attributes = session
        .and_then(|s| s.get("attributes"))
        .and_then(Value::as_object);

    // cloud.*
    put(&mut out, "cloud.region", get("awsRegion"));
    put(
        &mut out,
        "cloud.account.id",
        caller.account_id(get("recipientAccountId")),
    );
    put(&mut out, "cloud.provider", Some(&Value::from("aws")));
    if let Some(service) = get("eventSource")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_suffix(".amazonaws.com"))
    {
        let name = service.split('.').next().unwrap_or(service);
        put(&mut out, "cloud.service.name", Some(&Value::from(name)));
    }

    // event.*, dataset as Elastic Agent's integration sets it.
    put(&mut out, "event.kind", Some(&Value::from("event")));
    put(
        &mut out,
        "event.type",
        Some(&Value::Array(vec![Value::from("info")])),
    );
    put(&mut out, "event.action", get("eventName"));
    put(&mut out, "event.provider", get("eventSource"));
    put(&mut out, "event.id", get("eventID"));
    put(&mut out, "event.outcome", Some(&Value::from(outcome(&r))));
    put(
        &mut out,
        "event.dataset",
        Some(&Value::from("aws.cloudtrail")),
    );
    put(&mut out, "event.module", Some(&Value::from("aws")));
    put(&mut out, "data_stream.type", Some(&Value::from("logs")));
    put(
        &mut out,
        "data_stream.dataset",
        Some(&Value::from("aws.cloudtrail")),
    );
    put(
        &mut out,
        "data_stream.namespace",
        Some(&Value::from("default")),
    );
    put(&mut out, "ecs.version", Some(&Value::from(ECS_VERSION)));

    // source.*, user_agent
    if let Some(addr) = get("sourceIPAddress") {
        put(&mut out, "source.address", Some(addr));
        put(&mut out, "source.ip", source_ip(addr).as_ref());
    }
    put(&mut out, "user_agent.original", get("userAgent"));

    // user.* — for assumed roles the name is the role's (the session issuer's).
    let user_name = caller.user_name();
    put(&mut out, "user.name", user_name);
    put(&mut out, "user.id", id("principalId"));
    if let Some(name) = user_name
        .and_then(Value::as_str)
        .filter(|n| n.contains('@'))
    {
        put(&mut out, "user.email", Some(&Value::from(name)));
    }

    // aws.cloudtrail.user_identity.*
    put(&mut out, "aws.cloudtrail.user_identity.type", id("type"));
    put(&mut out, "aws.cloudtrail.user_identity.arn", id("arn"));
    put(
        &mut out,
        "aws.cloudtrail.user_identity.access_key_id",
        id("accessKeyId"),
    );
    put(
        &mut out,
        "aws.cloudtrail.user_identity.invoked_by",
        id("invokedBy"),
    );
    let sc = "aws.cloudtrail.user_identity.session_context";
    put(
        &mut out,
        &format!("{sc}.mfa_authenticated"),
        attributes.and_then(|a| a.get("mfaAuthenticated")),
    );
    let created = attributes
        .and_then(|a| a.get("creationDate"))
        .and_then(Value::as_str)
        .filter(|s| s.as_bytes().get(4) == Some(&b'-'))
        .and_then(parse_timestamp);
    put(
        &mut out,
        &format!("{sc}.creation_date"),
        created.map(|t| Value::from(format_timestamp(t))).as_ref(),
    );
    for (raw, ecs) in [
        ("type", "type"),
        ("principalId", "principal_id"),
        ("arn", "arn"),
        ("accountId", "account_id"),
    ] {
        put(
            &mut out,
            &format!("{sc}.session_issuer.{ecs}"),
            issuer.and_then(|i| i.get(raw)),
        );
    }

    // aws.cloudtrail.* plain renames
    for (raw, ecs) in [
        ("eventVersion", "event_version"),
        ("eventType", "event_type"),
        ("eventCategory", "event_category"),
        ("requestID", "request_id"),
        ("apiVersion", "api_version"),
        ("recipientAccountId", "recipient_account_id"),
        ("vpcEndpointId", "vpc_endpoint_id"),
        ("errorCode", "error_code"),
        ("errorMessage", "error_message"),
    ] {
        put(&mut out, &format!("aws.cloudtrail.{ecs}"), get(raw));
    }
    put(
        &mut out,
        "aws.cloudtrail.read_only",
        get("readOnly").map(to_boolean).as_ref(),
    );
    put(
        &mut out,
        "aws.cloudtrail.management_event",
        get("managementEvent").map(to_text).as_ref(),
    );
    if let Some(Value::Array(resources)) = get("resources") {
        put(
            &mut out,
            "aws.cloudtrail.resources",
            Some(&map_resources(resources)),
        );
    }

    // Objects kept both as Java's Map.toString() and as a `flattened` object.
    for (raw, ecs) in [
        ("requestParameters", "request_parameters"),
        ("responseElements", "response_elements"),
        ("additionalEventData", "additional_eventdata"),
        ("serviceEventDetails", "service_event_details"),
    ] {
        if let Some(v) = get(raw) {
            let text = match v {
                Value::String(s) => s.clone(),
                other => to_java_string(other),
            };
            if v.is_object() && text.len() < FLATTENED_LIMIT {
                put(
                    &mut out,
                    &format!("aws.cloudtrail.flattened.{ecs}"),
                    Some(v),
                );
            }
            put(
                &mut out,
                &format!("aws.cloudtrail.{ecs}"),
                Some(&Value::String(text)),
            );
        }
    }
    if get("eventName").and_then(Value::as_str) == Some("ConsoleLogin") {
        console_login_extras(&r, &mut out);
    }

    // tls.*
    if let Some(tls) = get("tlsDetails").and_then(Value::as_object) {
        if let Some(v) = tls.get("tlsVersion").and_then(Value::as_str) {
            let (protocol, version) = split_tls_version(v);
            put(
                &mut out,
                "tls.version_protocol",
                Some(&Value::from(protocol)),
            );
            put(&mut out, "tls.version", Some(&Value::from(version)));
        }
        put(&mut out, "tls.cipher", tls.get("cipherSuite"));
        put(
            &mut out,
            "tls.client.server_name",
            tls.get("clientProvidedHostHeader"),
        );
    }
    out
}

/// The caller, as the pipeline reads it from a (pruned) `userIdentity`.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    identity: Option<&'a Map<String, Value>>,
}

impl<'a> Caller<'a> {
    pub fn new(user_identity: Option<&'a Value>) -> Self {
        Caller {
            identity: user_identity.and_then(Value::as_object),
        }
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

    /// `userName`, else (assumed roles) the session issuer's: the role name.
    pub fn user_name(&self) -> Option<&'a Value> {
        self.get("userName")
            .or_else(|| self.issuer().and_then(|i| i.get("userName")))
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

fn console_login_extras(r: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Some(extra) = r.get("additionalEventData").and_then(Value::as_object) else {
        return;
    };
    let base = "aws.cloudtrail.console_login.additional_eventdata";
    put(out, &format!("{base}.login_to"), extra.get("LoginTo"));
    for (raw, ecs) in [("MobileVersion", "mobile_version"), ("MFAUsed", "mfa_used")] {
        if let Some(s) = extra.get(raw).and_then(Value::as_str) {
            put(
                out,
                &format!("{base}.{ecs}"),
                Some(&Value::Bool(s.eq_ignore_ascii_case("yes"))),
            );
        }
    }
}

/// Resources are de-duplicated through a Java `HashSet` (which decides their order),
/// then `ARN` → `arn` and `accountId` → `account_id`.
fn map_resources(resources: &[Value]) -> Value {
    // De-duplicated as the Java HashSet does it: by hash, then Java equality within a
    // hash (numbers as Jackson holds them: `0` and `-0` are one Integer, `1.0` and
    // `1.00` one Double). Buckets are keyed by the Java hash and a strong fingerprint
    // too, since Java string hashes collide on demand ("Aa" and "BB") and one crowded
    // bucket would make this quadratic in a hostile record.
    let hash = |v: &Value| match v {
        Value::Object(m) => map_hash(m),
        other => value_hash(other),
    };
    let mut by_hash: crate::hashing::KeyHashMap<(i32, u64), Vec<usize>> = Default::default();
    let mut unique: Vec<&Value> = Vec::new();
    for r in resources {
        let key = (hash(r), java_fingerprint(r));
        let same = by_hash.entry(key).or_default();
        if !same.iter().any(|&i| java_equal(unique[i], r)) {
            same.push(unique.len());
            unique.push(r);
        }
    }
    let ordered = hash_map_order(unique.iter().copied(), hash);
    Value::Array(
        ordered
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .map(|(k, v)| {
                            let key = match k.as_str() {
                                "ARN" => "arn".to_owned(),
                                "accountId" => "account_id".to_owned(),
                                other => other.to_owned(),
                            };
                            (key, v.clone())
                        })
                        .collect(),
                ),
                other => other.clone(),
            })
            .collect(),
    )
}

fn split_tls_version(v: &str) -> (String, String) {
    let digits = v.find(|c: char| c.is_ascii_digit()).unwrap_or(v.len());
    let protocol = super::lowercase::lowercase(v[..digits].trim_end_matches(['v', 'V']));
    (protocol, v[digits..].to_owned())
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

/// Insert `value` at a dotted path as nested objects; `None` inserts nothing.
pub fn put(out: &mut Map<String, Value>, path: &str, value: Option<&Value>) {
    let Some(value) = value else { return };
    let mut node = out;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            node.insert(part.to_owned(), value.clone());
            return;
        }
        let child = node
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        let Value::Object(next) = child else { return };
        node = next;
    }
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
pub fn prune(v: Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Object(m) => {
            let m: Map<String, Value> = m
                .into_iter()
                .filter_map(|(k, v)| prune(v).map(|v| (k, v)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(a) => {
            let a: Vec<Value> = a.into_iter().filter_map(prune).collect();
            (!a.is_empty()).then_some(Value::Array(a))
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    /// Orders printed by Java 17's HashSet of HashMaps holding what Jackson parses
    /// (BigInteger, Integer, Double).
    #[test]
    fn resources_are_a_java_hash_set_of_jackson_values() {
        let cases = [
            (
                r#"[{"ARN":"e","n":123456789012345678901234567890},{"ARN":"z"}]"#,
                r#"[{"arn":"e","n":123456789012345678901234567890},{"arn":"z"}]"#,
            ),
            (
                r#"[{"ARN":"x","n":0},{"ARN":"x","n":-0},{"ARN":"x","n":1.0},{"ARN":"x","n":1.00},{"ARN":"x","n":-0.0},{"ARN":"x","n":0.0}]"#,
                r#"[{"arn":"x","n":0},{"arn":"x","n":1.0},{"arn":"x","n":-0.0},{"arn":"x","n":0.0}]"#,
            ),
        ];
        for (input, want) in cases {
            let resources: Vec<Value> = serde_json::from_str(input).unwrap();
            assert_eq!(map_resources(&resources).to_string(), want, "{input}");
        }
    }

    #[test]
    fn outcome_follows_non_empty_error_fields() {
        let cases = [
            (json!({"eventName": "Scan"}), "success"),
            (json!({"eventName": "Scan", "errorCode": ""}), "success"),
            (
                json!({"eventName": "Scan", "errorCode": null, "errorMessage": {}}),
                "success",
            ),
            (
                json!({"eventName": "Scan", "errorCode": "AccessDenied"}),
                "failure",
            ),
            (
                json!({"eventName": "Scan", "errorMessage": "denied"}),
                "failure",
            ),
            (
                json!({"eventName": "ConsoleLogin", "errorMessage": "x", "responseElements": {"ConsoleLogin": "Success"}}),
                "success",
            ),
        ];
        for (raw, want) in cases {
            let ecs = to_ecs(map(raw.clone()));
            assert_eq!(ecs["event"]["outcome"], want, "{raw}");
        }
    }

    #[test]
    fn assumed_role_user_name_is_the_role_and_source_ip_needs_an_ip() {
        let ecs = to_ecs(map(json!({
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/R/s", "accountId": "1",
                "sessionContext": {"sessionIssuer": {"userName": "R", "type": "Role"}}},
            "sourceIPAddress": "dynamodb.amazonaws.com",
            "eventTime": "2024-01-01T00:00:00Z"
        })));
        assert_eq!(ecs["user"]["name"], "R");
        assert_eq!(ecs["source"]["address"], "dynamodb.amazonaws.com");
        assert!(ecs["source"].get("ip").is_none());
        assert_eq!(ecs["@timestamp"], "2024-01-01T00:00:00.000Z");
        assert_eq!(ecs["cloud"]["account"]["id"], "1");
        let v6 = to_ecs(map(json!({"sourceIPAddress": "2001:db8::1"})));
        assert_eq!(v6["source"]["ip"], "2001:db8::1");
    }

    #[test]
    fn tls_versions_split() {
        assert_eq!(split_tls_version("TLSv1.3"), ("tls".into(), "1.3".into()));
        assert_eq!(split_tls_version("TLSv1.2"), ("tls".into(), "1.2".into()));
    }
}
