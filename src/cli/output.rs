//! Writing NDJSON: alerts only, the whole stream, or the stream with alert fields
//! merged into the events that raised them.

use std::io::{self, Write};

use dynamodb_scan_detector::{Alert, AlertKind};
use serde_json::Value;

use super::args::OutputMode;

/// The output stream. Flushes after every event that caused documents, so a pipeline
/// downstream sees each alert at once.
pub struct Output<W: Write> {
    out: W,
    mode: OutputMode,
    pub lines: u64,
}

impl<W: Write> Output<W> {
    pub fn new(out: W, mode: OutputMode) -> Self {
        Output {
            out,
            mode,
            lines: 0,
        }
    }

    /// One input event (its exact text, or its raw bytes when it is not text) and the
    /// documents decided at it: its own alerts, and alerts the reorder window held back
    /// whose events passed earlier ([`Alert::deferred`]).
    pub fn event(&mut self, text: &[u8], alerts: &[Alert]) -> io::Result<()> {
        match self.mode {
            OutputMode::Alerts => return self.documents(alerts),
            OutputMode::Passthrough => {
                self.line(text)?;
                return self.documents(alerts);
            }
            OutputMode::Annotate => {
                let mut annotated = false;
                for a in alerts {
                    // A deferred alert's event has been written already: the alert comes
                    // as a document of its own, as a cap summary does.
                    if a.kind == AlertKind::NewTerm && !a.deferred {
                        self.line(annotate(text, a).as_bytes())?;
                        annotated = true;
                    } else {
                        self.line(a.to_json().as_bytes())?;
                    }
                }
                if !annotated {
                    self.line(text)?;
                }
            }
        }
        self.flush_if_any(alerts)
    }

    /// Documents not tied to an event (summaries at the end of input).
    pub fn documents(&mut self, alerts: &[Alert]) -> io::Result<()> {
        for a in alerts {
            self.line(a.to_json().as_bytes())?;
        }
        self.flush_if_any(alerts)
    }

    fn flush_if_any(&mut self, alerts: &[Alert]) -> io::Result<()> {
        if alerts.is_empty() {
            Ok(())
        } else {
            self.out.flush()
        }
    }

    /// Write one line; raw newlines inside a JSON text are insignificant whitespace and
    /// become spaces, so every record stays on one line.
    fn line(&mut self, text: &[u8]) -> io::Result<()> {
        if memchr::memchr2(b'\n', b'\r', text).is_some() {
            let flat: Vec<u8> = text
                .iter()
                .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
                .collect();
            self.out.write_all(&flat)?;
        } else {
            self.out.write_all(text)?;
        }
        self.lines += 1;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The event's own text with the alert's `kibana.*` fields spliced in before its closing
/// brace: the event's bytes are kept as they were. Non-object text is returned as is.
pub fn annotate(text: &[u8], alert: &Alert) -> String {
    let event = String::from_utf8_lossy(text);
    let trimmed = event.trim_end();
    let Some(body) = trimmed.strip_suffix('}') else {
        return event.into_owned();
    };
    let empty = body
        .trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim().is_empty());
    let mut out = String::with_capacity(text.len() + 2048 + alert.rule.json_members().len());
    out.push_str(body.trim_end());
    let mut first = empty;
    let mut separate = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
    };
    for (k, v) in alert
        .fields
        .iter()
        .filter(|(k, _)| k.starts_with("kibana."))
    {
        separate(&mut out);
        out.push_str(&Value::String(k.clone()).to_string());
        out.push(':');
        out.push_str(&v.to_string());
    }
    // The rule's static fields are all `kibana.*`, rendered once.
    let rule = alert.rule.json_members();
    if !rule.is_empty() {
        separate(&mut out);
        out.push_str(rule);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alert() -> Alert {
        let doc = json!({"event": {"kind": "signal"}, "kibana.alert.uuid": "u", "kibana.alert.new_terms": ["a"]});
        Alert {
            kind: AlertKind::NewTerm,
            fields: doc.as_object().cloned().unwrap_or_default(),
            rule: Default::default(),
            deferred: false,
        }
    }

    #[test]
    fn annotation_keeps_the_event_bytes_and_adds_kibana_fields() {
        let cases = [
            (
                r#"{"eventName":"Scan", "x" : 1 }"#,
                r#"{"eventName":"Scan", "x" : 1,"kibana.alert.uuid":"u","kibana.alert.new_terms":["a"]}"#,
            ),
            (
                "{ }",
                r#"{"kibana.alert.uuid":"u","kibana.alert.new_terms":["a"]}"#,
            ),
            ("[1]", "[1]"),
        ];
        for (event, want) in cases {
            let got = annotate(event.as_bytes(), &alert());
            assert_eq!(got, want);
            if event.starts_with('{') {
                serde_json::from_str::<Value>(&got).expect("valid JSON");
            }
        }
    }

    #[test]
    fn modes_write_the_right_lines() {
        let a = [alert()];
        for (mode, want) in [
            (OutputMode::Alerts, 1),
            (OutputMode::Passthrough, 3),
            (OutputMode::Annotate, 2),
        ] {
            let mut buf = Vec::new();
            let mut o = Output::new(&mut buf, mode);
            o.event(b"{\"a\":\n1}", &a).expect("write");
            o.event(b"{\"b\":2}", &[]).expect("write");
            let mut deferred = alert();
            deferred.deferred = true;
            o.event(b"{\"c\":3}", &[deferred]).expect("write");
            // The deferred alert is a line of its own in every mode.
            let want = want + 2 - u64::from(mode == OutputMode::Alerts);
            assert_eq!(o.lines, want, "{mode:?}");
            let text = String::from_utf8(buf).expect("utf-8");
            assert!(
                text.lines()
                    .all(|l| serde_json::from_str::<Value>(l).is_ok()),
                "{text}"
            );
        }
    }
}
