//! The Fluent Bit entry point's logic on arbitrary records: every reply is the record
//! itself (when it is a JSON object), an empty string, or one valid JSON object; the
//! annotate function answers every record; nothing panics. Records that are one JSON
//! object also go through the path for Fluent Bit's own text (searched by the host).
#![no_main]

use dynamodb_scan_detector::bindings::fluent_bit::{Filter, Mode, Record, Reply};
use dynamodb_scan_detector::rule::prefilter::Prefilter;
use dynamodb_scan_detector::{Config, Context, Detector, Verdict};
use libfuzzer_sys::fuzz_target;
use std::ffi::CStr;

/// One JSON object by the grammar (what Fluent Bit's parser needs). Not `Value`:
/// serde_json refuses some valid JSON, such as numbers beyond f64 (`2E2412`).
fn is_one_object(bytes: &[u8]) -> bool {
    let starts_with_brace = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    starts_with_brace && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// Whether `needle` occurs in `record`, as the host's `strstr`/`memchr` answer.
fn contains(record: &[u8], needle: &CStr) -> bool {
    let needle = needle.to_bytes();
    record.windows(needle.len()).any(|w| w == needle)
}

/// What annotate's one-pass check or the host-searched check rejects, the full path (no
/// pre-check) never matches.
fn check_is_sound(record: &[u8]) {
    let checked = Prefilter::whole_documents().check_object(record) == Some(false);
    let searched = Prefilter::whole_documents().rejects_searched(&|n| contains(record, n)) == Some(true);
    if !checked && !searched {
        return;
    }
    let mut full = Detector::new(Config::default());
    full.set_prefilter(false);
    full.process_each(record, Context::event_time(), &mut |report| {
        assert!(report.alerts.is_empty(), "rejected unread, but alerts");
        assert!(
            matches!(report.verdict, Verdict::NotMatched | Verdict::NotCloudTrail(_) | Verdict::Unparseable(_)),
            "rejected unread, but {:?}",
            report.verdict
        );
    });
}

fuzz_target!(|data: &[u8]| {
    let (flags, record) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    check_is_sound(record);
    let mut filter = Filter::start(None, 1_800_000_000_000, Box::new(|_| {}));
    for mode in [Mode::Annotate, Mode::AlertsOnly] {
        let search = |n: &CStr| contains(record, n);
        // Fluent Bit's own text (one JSON object, no NUL) may come with the host's search.
        let fluent_bit_text = flags & 4 == 4 && !record.contains(&0) && is_one_object(record);
        let input = if flags & 1 == 1 {
            Record::Missing(record.len() as u32)
        } else if fluent_bit_text {
            Record::FluentBitJson { text: record, contains: &search }
        } else {
            Record::Bytes(record)
        };
        let time = (flags & 2 == 2).then_some(1_800_000_000_000);
        match filter.call(mode, input, time, &mut || 1_800_000_000_000) {
            Reply::Unchanged => {
                assert_eq!(mode, Mode::Annotate, "alerts-only never passes a record on unchanged");
                assert!(is_one_object(record), "unchanged only for a record that is a JSON object");
            }
            Reply::Drop => assert_eq!(mode, Mode::AlertsOnly, "annotate answers every record"),
            Reply::Output => {
                let out = filter.output();
                let (last, text) = out.split_last().expect("NUL-terminated");
                assert_eq!(*last, 0);
                assert!(is_one_object(text), "output is one JSON object: {}", String::from_utf8_lossy(text));
            }
        }
    }
});
