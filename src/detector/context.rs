//! What a host passes with each document: the detection time and a fallback event time.
//! The core reads no clock; a host that wants wall-clock alerts passes a time, or a
//! clock function called only when an alert is rendered.

use crate::time::Millis;

/// Which time an alert's `@timestamp` (the detection time) takes.
#[derive(Debug, Clone, Copy)]
pub enum DetectionTime {
    /// A time the host read from its clock.
    At(Millis),
    /// The host's clock, read only when an alert is rendered (so a host that passes
    /// millions of events pays for no clock reads until something alerts).
    Clock(fn() -> Millis),
    /// The time basis of the event that raised the alert: reproducible output.
    EventTime,
}

impl DetectionTime {
    /// The detection time for an alert whose event time is `event_time`.
    pub(super) fn resolve(self, event_time: Millis) -> Millis {
        match self {
            DetectionTime::At(now) => now,
            DetectionTime::Clock(now) => now(),
            DetectionTime::EventTime => event_time,
        }
    }

    /// The host's clock, when this detection time is one.
    pub(super) fn clock(self) -> Option<Millis> {
        match self {
            DetectionTime::At(now) => Some(now),
            DetectionTime::Clock(now) => Some(now()),
            DetectionTime::EventTime => None,
        }
    }
}

/// What the host passes with each document.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub detection_time: DetectionTime,
    /// A time for events that carry none (Fluent Bit's record time, for example).
    pub fallback_time: Option<Millis>,
}

impl Context {
    pub fn at(now: Millis) -> Self {
        Context {
            detection_time: DetectionTime::At(now),
            fallback_time: None,
        }
    }
    pub fn clock(now: fn() -> Millis) -> Self {
        Context {
            detection_time: DetectionTime::Clock(now),
            fallback_time: None,
        }
    }
    pub fn event_time() -> Self {
        Context {
            detection_time: DetectionTime::EventTime,
            fallback_time: None,
        }
    }
}
