//! A one-line progress bar on standard error, drawn only when it is a terminal.

use std::io::Write;
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    started: Instant,
    last_draw: Option<Instant>,
    total_bytes: Option<u64>,
}

impl Progress {
    pub fn new(enabled: bool, total_bytes: Option<u64>) -> Self {
        Progress {
            enabled,
            started: Instant::now(),
            last_draw: None,
            total_bytes,
        }
    }

    /// Redraw at most ten times a second; `events` is asked only when it redraws.
    pub fn update(&mut self, bytes: u64, events: impl FnOnce() -> u64) {
        if !self.enabled
            || self
                .last_draw
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(Instant::now());
        let events = events();
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mb = bytes as f64 / 1e6;
        let bar = match self.total_bytes.filter(|&t| t > 0) {
            Some(total) => {
                let frac = (bytes as f64 / total as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!(
                    "[{}{}] {:>3.0}% ",
                    "#".repeat(filled),
                    "-".repeat(30 - filled),
                    frac * 100.0
                )
            }
            None => String::new(),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{bar}{mb:.1} MB, {events} events, {:.1} MB/s, {:.0} events/s ",
            mb / secs,
            events as f64 / secs
        );
        let _ = err.flush();
    }

    /// Erase the bar.
    pub fn finish(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(100));
            let _ = err.flush();
        }
    }
}
