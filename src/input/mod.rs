//! Splitting one input document into CloudTrail records, whatever its shape:
//!
//! * a raw record, or an ECS document (nested, dotted or mixed);
//! * CloudTrail's S3 delivery `{"Records":[…]}`, or a JSON array of any of these;
//! * an EventBridge "… via CloudTrail" event (the record is under `detail`);
//! * a CloudWatch Logs subscription payload (`logEvents[].message` holds records),
//!   decoded or still wrapped as `{"awslogs":{"data":base64(gzip(…))}}`;
//! * an Elasticsearch hit (`_source`, with `_index`/`_id`/`_version`) or a search response.
//!
//! Records are handed out as the exact JSON text they had in the input, so a host can
//! pass them on unchanged. A raw CloudTrail record also carries the few fields the query
//! needs, read without building a JSON tree, so that records which cannot match are
//! rejected cheaply.

mod cloudwatch;
pub mod documents;
pub mod gzip;
pub mod json_check;
pub mod lenient;
pub mod nesting;
pub mod reader;
pub mod replay_order;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::InputError;

/// How deep containers may nest (an array of S3 files of records, and so on).
const MAX_CONTAINER_DEPTH: usize = 4;

/// One piece of an input document.
// Pieces live for one callback; boxing the large variant would cost an allocation per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Piece<'a> {
    /// A record to judge.
    Record(Record<'a>),
    /// Valid JSON that is not a CloudTrail record or container; `reason` says what it is.
    NotCloudTrail { text: &'a str, reason: &'static str },
    /// Input that cannot be read.
    Invalid { text: &'a str, error: InputError },
}

/// Elasticsearch metadata of a source document (`_index`, `_id`, `_version` of a search
/// hit), when the input carried it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMeta {
    pub index: Option<String>,
    pub id: Option<String>,
    pub version: Option<String>,
}

/// One record with its exact text.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub text: &'a str,
    pub meta: SourceMeta,
    /// Present when the record is a raw CloudTrail record.
    pub cloudtrail: Option<CloudTrailFields<'a>>,
}

/// The fields of a raw CloudTrail record that the rule query, the usual new-terms
/// fields and the time basis read, still as raw JSON (borrowed from the input).
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudTrailFields<'a> {
    pub event_source: Option<&'a RawValue>,
    pub event_name: Option<&'a RawValue>,
    pub error_code: Option<&'a RawValue>,
    pub error_message: Option<&'a RawValue>,
    pub event_time: Option<&'a RawValue>,
    pub shipper_timestamp: Option<&'a RawValue>,
    pub user_identity: Option<&'a RawValue>,
    pub recipient_account_id: Option<&'a RawValue>,
    pub aws_region: Option<&'a RawValue>,
    pub source_ip_address: Option<&'a RawValue>,
    pub event_id: Option<&'a RawValue>,
    /// For rule files' queries (not read by the JavaScript build).
    #[cfg(rule_files)]
    pub user_agent: Option<&'a RawValue>,
    #[cfg(rule_files)]
    pub session_credential_from_console: Option<&'a RawValue>,
    #[cfg(rule_files)]
    pub request_parameters: Option<&'a RawValue>,
}

/// A document's top-level keys that [`split_object`] looks at, borrowed from its text:
/// those that say what a document is (containers, envelopes, a search hit) and the raw
/// record's fields of [`CloudTrailFields`]. `null` reads as absent; a key given twice is
/// an error, as it is for every derived struct. Read from objects only (the caller
/// checks): a derived struct would also take an array's values by position.
#[derive(Deserialize)]
struct Shape<'a> {
    #[serde(borrow, rename = "Records")]
    records: Option<&'a RawValue>,
    #[serde(borrow, rename = "detail-type")]
    detail_type: Option<&'a RawValue>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
    #[serde(borrow)]
    awslogs: Option<&'a RawValue>,
    #[serde(borrow, rename = "logEvents")]
    log_events: Option<&'a RawValue>,
    #[serde(borrow, rename = "messageType")]
    message_type: Option<&'a RawValue>,
    #[serde(borrow, rename = "_source")]
    source: Option<&'a RawValue>,
    #[serde(borrow, rename = "_index")]
    index: Option<&'a RawValue>,
    #[serde(borrow, rename = "_id")]
    id: Option<&'a RawValue>,
    #[serde(borrow, rename = "_version")]
    version: Option<&'a RawValue>,
    #[serde(borrow)]
    hits: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventSource")]
    event_source: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventName")]
    event_name: Option<&'a RawValue>,
    #[serde(borrow, rename = "errorCode")]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, rename = "errorMessage")]
    error_message: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventTime")]
    event_time: Option<&'a RawValue>,
    #[serde(borrow, rename = "@timestamp")]
    shipper_timestamp: Option<&'a RawValue>,
    #[serde(borrow, rename = "userIdentity")]
    user_identity: Option<&'a RawValue>,
    #[serde(borrow, rename = "recipientAccountId")]
    recipient_account_id: Option<&'a RawValue>,
    #[serde(borrow, rename = "awsRegion")]
    aws_region: Option<&'a RawValue>,
    #[serde(borrow, rename = "sourceIPAddress")]
    source_ip_address: Option<&'a RawValue>,
    #[serde(borrow, rename = "eventID")]
    event_id: Option<&'a RawValue>,
    #[cfg(rule_files)]
    #[serde(borrow, rename = "userAgent")]
    user_agent: Option<&'a RawValue>,
    #[cfg(rule_files)]
    #[serde(borrow, rename = "sessionCredentialFromConsole")]
    session_credential_from_console: Option<&'a RawValue>,
    #[cfg(rule_files)]
    #[serde(borrow, rename = "requestParameters")]
    request_parameters: Option<&'a RawValue>,
}

impl<'a> Shape<'a> {
    fn cloudtrail(&self) -> CloudTrailFields<'a> {
        CloudTrailFields {
            event_source: self.event_source,
            event_name: self.event_name,
            error_code: self.error_code,
            error_message: self.error_message,
            event_time: self.event_time,
            shipper_timestamp: self.shipper_timestamp,
            user_identity: self.user_identity,
            recipient_account_id: self.recipient_account_id,
            aws_region: self.aws_region,
            source_ip_address: self.source_ip_address,
            event_id: self.event_id,
            #[cfg(rule_files)]
            user_agent: self.user_agent,
            #[cfg(rule_files)]
            session_credential_from_console: self.session_credential_from_console,
            #[cfg(rule_files)]
            request_parameters: self.request_parameters,
        }
    }
}

/// Split a document given as bytes; invalid UTF-8 is one invalid piece.
pub fn split_bytes(bytes: &[u8], out: &mut dyn for<'x> FnMut(Piece<'x>)) {
    match std::str::from_utf8(bytes) {
        Ok(text) => split(text, out),
        Err(e) => out(Piece::Invalid {
            text: "",
            error: InputError::Utf8(e.valid_up_to()),
        }),
    }
}

/// Split a document into pieces, calling `out` for each in input order.
pub fn split(text: &str, out: &mut dyn for<'x> FnMut(Piece<'x>)) {
    split_at_depth(text, SourceMeta::default(), Nesting::default(), out);
}

/// Where a piece sits: how deep in containers, and whether it came out of
/// an inflated `awslogs` payload. One level of inflation is allowed, so a
/// document can never expand past `MAX_INFLATED` bytes in total.
#[derive(Debug, Clone, Copy, Default)]
struct Nesting {
    depth: usize,
    inflated: bool,
}

impl Nesting {
    fn deeper(self) -> Self {
        Nesting {
            depth: self.depth + 1,
            ..self
        }
    }

    fn inflate(self) -> Self {
        Nesting {
            depth: self.depth + 1,
            inflated: true,
        }
    }
}

fn split_at_depth(
    text: &str,
    meta: SourceMeta,
    at: Nesting,
    out: &mut dyn for<'x> FnMut(Piece<'x>),
) {
    let trimmed = text.trim_start();
    if at.depth > MAX_CONTAINER_DEPTH {
        return out(Piece::Invalid {
            text,
            error: InputError::TooDeep(MAX_CONTAINER_DEPTH),
        });
    }
    match trimmed.as_bytes().first() {
        Some(b'{') => split_object(text, meta, at, out),
        Some(b'[') => match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(items) => {
                split_items(&items, &meta, at, out);
            }
            Err(e) => out(Piece::Invalid {
                text,
                error: InputError::Json(e.to_string()),
            }),
        },
        _ => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => out(Piece::NotCloudTrail {
                text,
                reason: "not a JSON object",
            }),
            Err(e) => out(Piece::Invalid {
                text,
                error: InputError::Json(e.to_string()),
            }),
        },
    }
}

/// The elements of a container, one level deeper, in order.
fn split_items(
    items: &[&RawValue],
    meta: &SourceMeta,
    at: Nesting,
    out: &mut dyn for<'x> FnMut(Piece<'x>),
) {
    for item in items {
        split_at_depth(item.get(), meta.clone(), at.deeper(), out);
    }
}

fn split_object(text: &str, meta: SourceMeta, at: Nesting, out: &mut dyn for<'x> FnMut(Piece<'x>)) {
    let shape = match serde_json::from_str::<Shape>(text) {
        Ok(s) => s,
        Err(e) => {
            return out(Piece::Invalid {
                text,
                error: InputError::Json(e.to_string()),
            })
        }
    };
    if let Some(records) = shape.records {
        return match serde_json::from_str::<Vec<&RawValue>>(records.get()) {
            Ok(items) => {
                split_items(&items, &meta, at, out);
            }
            Err(_) => out(Piece::Invalid {
                text,
                error: InputError::RecordsNotArray,
            }),
        };
    }
    if let (Some(kind), Some(detail)) = (shape.detail_type, shape.detail) {
        return if raw_str(kind).is_some_and(|k| k.contains("CloudTrail")) {
            split_at_depth(detail.get(), meta, at.deeper(), out)
        } else {
            out(Piece::NotCloudTrail {
                text,
                reason: "EventBridge event not delivered via CloudTrail",
            })
        };
    }
    if let Some(awslogs) = shape.awslogs {
        if at.inflated {
            return out(Piece::Invalid {
                text,
                error: InputError::NestedAwslogs,
            });
        }
        return match cloudwatch::inflate_awslogs(awslogs.get()) {
            Ok(payload) => split_at_depth(&payload, meta, at.inflate(), out),
            Err(error) => out(Piece::Invalid { text, error }),
        };
    }
    if let Some(events) = shape.log_events {
        if shape.message_type.and_then(raw_str).as_deref() == Some("CONTROL_MESSAGE") {
            return out(Piece::NotCloudTrail {
                text,
                reason: "CloudWatch Logs control message",
            });
        }
        return match cloudwatch::messages(events) {
            Ok(messages) => {
                for m in messages {
                    split_at_depth(&m, meta.clone(), at.deeper(), out);
                }
            }
            Err(error) => out(Piece::Invalid { text, error }),
        };
    }
    if let Some(source) = shape.source {
        let meta = SourceMeta {
            index: shape.index.and_then(raw_scalar),
            id: shape.id.and_then(raw_scalar),
            version: shape.version.and_then(raw_scalar),
        };
        return split_at_depth(source.get(), meta, at.deeper(), out);
    }
    if let Some(hits) = shape.hits {
        return split_hits(text, hits, meta, at, out);
    }
    let fields = shape.cloudtrail();
    let is_cloudtrail = fields.event_source.is_some() || fields.event_name.is_some();
    if is_cloudtrail
        && fields
            .event_source
            .and_then(raw_str)
            .is_some_and(|s| s.starts_with("aws:"))
    {
        return out(Piece::NotCloudTrail {
            text,
            reason: "AWS service record (e.g. DynamoDB Streams), not CloudTrail",
        });
    }
    let cloudtrail = is_cloudtrail.then_some(fields);
    out(Piece::Record(Record {
        text,
        meta,
        cloudtrail,
    }))
}

/// `{"hits": [...]}` or `{"hits": {"hits": [...]}}`.
fn split_hits(
    text: &str,
    hits: &RawValue,
    meta: SourceMeta,
    at: Nesting,
    out: &mut dyn for<'x> FnMut(Piece<'x>),
) {
    let items = serde_json::from_str::<Vec<&RawValue>>(hits.get()).or_else(|_| {
        #[derive(Deserialize)]
        struct Inner<'a> {
            #[serde(borrow)]
            hits: &'a RawValue,
        }
        let inner = serde_json::from_str::<Inner>(hits.get())?;
        serde_json::from_str::<Vec<&RawValue>>(inner.hits.get())
    });
    match items {
        Ok(items) => {
            split_items(&items, &meta, at, out);
        }
        Err(_) => out(Piece::NotCloudTrail {
            text,
            reason: "object with a `hits` key that is not a search response",
        }),
    }
}

/// The text of a JSON string, unescaped only when it has escapes; `None` for non-strings.
pub fn raw_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let s = raw.get();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(&lenient::without_lone_surrogates(s))
        .ok()
        .map(Cow::Owned)
}

/// A scalar as text (strings unescaped, numbers as written); `None` for null and containers.
fn raw_scalar(raw: &RawValue) -> Option<String> {
    match raw.get().as_bytes().first() {
        Some(b'"') => raw_str(raw).map(Cow::into_owned),
        Some(b'{' | b'[' | b'n') | None => None,
        Some(_) => Some(raw.get().to_owned()),
    }
}

#[cfg(test)]
mod tests;
