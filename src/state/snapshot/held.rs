//! A held event (the reorder window's) as a snapshot writes it: one JSON object with
//! its time, arrival number, host clock, source form and metadata, exact text, and term
//! values. Term keys are computed again on restore.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ecs::{SourceForm, SourceMeta};
use crate::rule::terms::{term_key, Term};
use crate::state::reorder::PendingEvent;
use crate::time::Millis;

/// One held event as a snapshot writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeldRecord {
    time: Millis,
    seq: u64,
    held_at: Option<Millis>,
    /// `cloudtrail` (a raw record) or `ecs`.
    form: String,
    index: Option<String>,
    id: Option<String>,
    version: Option<String>,
    text: String,
    /// Each term tuple's values (keywords).
    terms: Vec<Vec<String>>,
}

impl HeldRecord {
    pub(crate) fn of(e: &PendingEvent) -> Self {
        HeldRecord {
            time: e.time,
            seq: e.seq,
            held_at: e.held_at,
            form: match e.form {
                SourceForm::CloudTrail => "cloudtrail",
                SourceForm::Ecs => "ecs",
            }
            .into(),
            index: e.meta.index.clone(),
            id: e.meta.id.clone(),
            version: e.meta.version.clone(),
            text: e.text.to_string(),
            terms: e
                .terms
                .iter()
                .map(|t| {
                    t.values
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .collect(),
        }
    }

    pub(crate) fn into_event(self) -> Result<PendingEvent, String> {
        let form = match self.form.as_str() {
            "cloudtrail" => SourceForm::CloudTrail,
            "ecs" => SourceForm::Ecs,
            other => {
                return Err(format!(
                    "form: expected `cloudtrail` or `ecs`, got `{other}`"
                ))
            }
        };
        if self.terms.is_empty() || self.terms.iter().any(Vec::is_empty) {
            return Err("terms: expected non-empty term tuples".into());
        }
        let terms = self
            .terms
            .into_iter()
            .map(|values| {
                let values: Vec<Value> = values.into_iter().map(Value::String).collect();
                Term {
                    key: term_key(&values),
                    values,
                }
            })
            .collect();
        Ok(PendingEvent {
            time: self.time,
            seq: self.seq,
            held_at: self.held_at,
            text: self.text.into(),
            meta: SourceMeta {
                index: self.index,
                id: self.id,
                version: self.version,
            },
            form,
            terms,
        })
    }
}
