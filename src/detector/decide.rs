//! Judging one event: each of its term tuples against the first-seen store, in time
//! order with everything judged before it, and the alerts (or cap summaries, muted and
//! learned counts) that follow.

use serde_json::Value;

use super::prepared::EventSource;
use super::{Context, Detector, Mode};
use crate::alert::cap::Admission;
use crate::alert::{Alert, AlertKind};
use crate::rule::terms::Term;
use crate::time::Millis;

/// How one event is judged: its time, the watermark its terms are forgotten against
/// (a term last seen more than the history window before it is new again), whether it
/// is large (its fields go into its first alert only), and whether its alerts come
/// after it has been handed back.
#[derive(Clone, Copy)]
pub(super) struct Judged {
    pub t: Millis,
    pub watermark: Millis,
    pub large: bool,
    pub mode: Mode,
    pub deferred: bool,
}

impl Detector {
    /// Judge one event's terms against the store, in time order with everything judged
    /// before it, and render the alerts it raises into `alerts`.
    pub(super) fn decide(
        &mut self,
        event: &mut dyn EventSource,
        terms: &[Term],
        judged: Judged,
        ctx: Context,
        alerts: &mut Vec<Alert>,
    ) {
        let Judged {
            t,
            watermark,
            large,
            mode,
            deferred,
        } = judged;
        let window = self.config.history_window.millis();
        let start = self.learning_start.unwrap_or(t);
        let learning = watermark < start.saturating_add(self.config.learning_period.millis());
        let mut detected = None;
        let mut detected_at = || *detected.get_or_insert_with(|| ctx.detection_time.resolve(t));
        let mut first_alert: Option<String> = None;
        // Suppression: the groups whose execution window this event's time closes are
        // brought up to date first; the event's group is read once, at its first candidate.
        #[cfg(alert_suppression)]
        let mut group: Option<crate::suppression::GroupTerms> = None;
        #[cfg(alert_suppression)]
        if mode == Mode::Alert {
            if let Some(s) = &mut self.suppression {
                s.advance(t);
                self.push_updates(deferred, alerts);
            }
        }
        for (i, term) in terms.iter().enumerate() {
            let seen = self.store.observe(term.key, t, window, watermark);
            if !seen.is_new() {
                continue;
            }
            if let Some(journal) = &mut self.journal {
                journal.new_term(term.key, t);
            }
            self.stats.new_terms += 1;
            if mode == Mode::Learn {
                self.stats.learned += 1;
                continue;
            }
            if learning {
                self.stats.muted += 1;
                continue;
            }
            #[cfg(alert_suppression)]
            let opening = match &mut self.suppression {
                None => None,
                Some(s) => {
                    let terms = group.get_or_insert_with(|| {
                        crate::suppression::group_terms(&event.source().doc, s.group_by())
                    });
                    let outcome = s.candidate(terms, t, detected_at());
                    // A group this candidate found expired is reported before it.
                    self.push_updates(deferred, alerts);
                    match outcome {
                        crate::suppression::Candidate::Suppressed => {
                            self.stats.suppressed += 1;
                            continue;
                        }
                        crate::suppression::Candidate::Plain => None,
                        crate::suppression::Candidate::Opens(opening) => Some(opening),
                    }
                }
            };
            let (closed, admission) = self.cap.admit(t, &term.values);
            if let Some(summary) = closed {
                let at = detected_at();
                alerts.push(self.summary_alert(&summary, at));
            }
            match admission {
                Admission::Emit => {
                    self.stats.alerts += 1;
                    // The event's last alert takes its document; earlier ones copy it.
                    let facts = self.renderer.facts(event.source());
                    let source_doc = if i + 1 == terms.len() {
                        event.take_doc()
                    } else {
                        event.source().doc.clone()
                    };
                    #[allow(unused_mut)]
                    let mut document = self.renderer.new_term(
                        source_doc,
                        &facts,
                        term,
                        detected_at(),
                        first_alert.as_deref(),
                    );
                    #[cfg(alert_suppression)]
                    if let (Some(opening), Some(s)) = (opening, &mut self.suppression) {
                        for (key, value) in s.fields(&opening) {
                            document.insert(key.to_owned(), value);
                        }
                        s.opened(opening, &document, detected_at());
                    }
                    // A large event's fields go into its first alert only.
                    if large && first_alert.is_none() {
                        first_alert = document
                            .get("kibana.alert.uuid")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                    }
                    alerts.push(Alert {
                        kind: AlertKind::NewTerm,
                        fields: document,
                        rule: self.renderer.rule_fields(),
                        deferred,
                    });
                }
                Admission::Suppress => self.stats.summarised += 1,
            }
        }
        // Groups closed to make room for one this event opened.
        #[cfg(alert_suppression)]
        self.push_updates(deferred, alerts);
    }

    /// Hand out the suppressed alerts brought up to date that wait in the suppressor
    /// ([`crate::suppression`]).
    #[cfg(alert_suppression)]
    pub(super) fn push_updates(&mut self, deferred: bool, alerts: &mut Vec<Alert>) {
        let Some(s) = &mut self.suppression else {
            return;
        };
        for fields in s.take_updates() {
            self.stats.suppression_updates += 1;
            alerts.push(Alert {
                kind: AlertKind::SuppressionUpdate,
                fields,
                rule: self.renderer.rule_fields(),
                deferred,
            });
        }
    }
}
