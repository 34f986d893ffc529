//! What the detector says about each record: its verdict, the documents it caused and,
//! for a matching event, what it wrote to the state.

use serde_json::Value;

use crate::alert::Alert;
use crate::rule::terms::Term;
use crate::time::Millis;
pub use crate::verdict::Verdict;

/// One record, its verdict and the documents decided at it: its own alerts and those of
/// earlier events the reorder window held until this record ([`Alert::deferred`]), in
/// time order (a summary of a window an alert closed comes before that alert).
#[derive(Debug)]
pub struct RecordReport<'a> {
    /// The record's exact text; empty when the core has none of its own (see
    /// [`RecordReport::text_or`]).
    pub text: &'a str,
    pub verdict: Verdict,
    pub alerts: Vec<Alert>,
    /// For a [`Verdict::Recorded`] record: what it counts in the state.
    pub observed: Option<Observed>,
}

impl<'a> RecordReport<'a> {
    /// The record's bytes: its text, or the whole document `doc` it came from when the
    /// core has no text for it (a document the byte-level pre-check skipped unread, or
    /// bytes that are not UTF-8). A piece of a larger document (an `awslogs` payload
    /// that inflates to bad UTF-8) keeps its own text, so a host never repeats the
    /// document once per piece.
    pub fn text_or<'d>(&self, doc: &'d [u8]) -> &'d [u8]
    where
        'a: 'd,
    {
        if self.text.is_empty() {
            doc
        } else {
            self.text.as_bytes()
        }
    }
}

/// What a recorded record (a matching event) counts in the state: its time basis and
/// its term tuples, new or not (written at once, or when the reorder window judges it). Lets a host follow every matching event (who scanned
/// when), not only the ones that alerted.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub time: Millis,
    pub terms: Vec<Term>,
    /// Where it came from, as its alert has it: the first value of `cloud.account.id`
    /// (else of `aws.cloudtrail.recipient_account_id`) and of `source.address` (else of
    /// `source.ip`) that is not null. Text for raw CloudTrail; an ECS document may hold
    /// any JSON there. Lets a host follow one account or address exactly; filled only
    /// when the host asked ([`super::Detector::set_observe_origins`]).
    pub account: Option<Value>,
    pub address: Option<Value>,
}
