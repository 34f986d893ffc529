//! CloudWatch Logs subscription payloads: the `awslogs.data` wrapper (base64 of gzip)
//! and the `logEvents[].message` strings that each hold one CloudTrail record.

use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::gzip::{gunzip, GzipError};
use crate::error::InputError;

/// Inflated payloads larger than this are refused (a subscription batch is at most 1 MB
/// compressed; real payloads inflate to a few MB). Guards against gzip bombs.
pub const MAX_INFLATED: usize = 64 * 1024 * 1024;

/// Decode `{"data": "<base64 gzip>"}` into the payload's JSON text.
pub fn inflate_awslogs(awslogs: &str) -> Result<String, InputError> {
    #[derive(Deserialize)]
    struct AwsLogs<'a> {
        #[serde(borrow)]
        data: std::borrow::Cow<'a, str>,
    }
    let wrapper: AwsLogs =
        serde_json::from_str(awslogs).map_err(|e| InputError::Json(e.to_string()))?;
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(wrapper.data.trim().as_bytes())
        .map_err(|_| InputError::Base64)?;
    let inflated = gunzip(&compressed, MAX_INFLATED).map_err(|e| match e {
        GzipError::Invalid(message) => InputError::Gzip(message.into()),
        GzipError::TooLarge => InputError::InflatedTooLarge(MAX_INFLATED),
    })?;
    String::from_utf8(inflated).map_err(|e| InputError::Utf8(e.utf8_error().valid_up_to()))
}

/// The `message` of every log event, unescaped.
pub fn messages(log_events: &RawValue) -> Result<Vec<String>, InputError> {
    #[derive(Deserialize)]
    struct LogEvent {
        message: String,
    }
    serde_json::from_str::<Vec<LogEvent>>(log_events.get())
        .map(|events| events.into_iter().map(|e| e.message).collect())
        .map_err(|_| InputError::BadLogEvents)
}
