//! Journal format tests: round trips, torn and corrupt lines, whole journals read back.

use serde_json::json;

use super::*;
use crate::ecs::{SourceForm, SourceMeta};
use crate::rule::terms::{term_key, Term};

fn held(seq: u64) -> PendingEvent {
    let values = vec![json!("arn:held")];
    PendingEvent {
        time: -7,
        seq,
        held_at: Some(9),
        text: "{\"eventName\":\"Scan\",\"x\":\"\u{e9}\\n\"}".into(),
        meta: SourceMeta {
            index: Some("i".into()),
            id: None,
            version: None,
        },
        form: SourceForm::Ecs,
        terms: vec![Term {
            key: term_key(&values),
            values,
        }],
    }
}

fn entry() -> Entry {
    let mut cap = SignalCap::new(300_000, 1);
    cap.admit(5, &[json!("arn:a")]);
    cap.admit(6, &[json!("arn:b")]);
    Entry {
        terms: vec![(1, 2), (u64::MAX, -5)],
        held: vec![held(4)],
        judged: vec![0, 3],
        watermark: Some(11),
        learning_start: None,
        next_seq: 5,
        cap,
        stats: Stats {
            events_in: 5,
            matched: 5,
            recorded: 5,
            new_terms: 2,
            alerts: 1,
            summarised: 1,
            last_error: Some("x".into()),
            ..Stats::default()
        },
    }
}

fn line(write: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out);
    out
}

#[test]
fn bases_and_entries_round_trip_one_line_each() {
    let bases = [
        Base {
            snapshot: None,
            new_terms_fields: vec!["aws.cloudtrail.user_identity.arn".into()],
        },
        Base {
            snapshot: Some(0x0123_4567_89ab_cdef),
            new_terms_fields: vec!["a".into(), "b".into()],
        },
    ];
    for base in bases {
        let text = line(|out| base.encode(out));
        assert_eq!(text.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(text.last(), Some(&b'\n'));
        assert_eq!(Base::decode(&text[..text.len() - 1]), Ok(base));
    }
    let e = entry();
    let text = line(|out| e.encode(out));
    assert_eq!(text.iter().filter(|&&b| b == b'\n').count(), 1, "one line");
    assert_eq!(Entry::decode(&text[..text.len() - 1]), Ok(e));
    let base_text = line(|out| bases_first().encode(out));
    assert!(
        String::from_utf8_lossy(&base_text).contains(r#""snapshot":"0000000000000007""#),
        "{}",
        String::from_utf8_lossy(&base_text)
    );
}

fn bases_first() -> Base {
    Base {
        snapshot: Some(7),
        new_terms_fields: vec!["f".into()],
    }
}

/// A line cut anywhere, or with any byte changed, is refused as a whole, never read in
/// part; a checksummed line that is not an entry says why.
#[test]
fn torn_or_corrupt_lines_are_refused_whole() {
    let text = line(|out| entry().encode(out));
    let text = &text[..text.len() - 1];
    for cut in 0..text.len() {
        let got = Entry::decode(&text[..cut]);
        assert!(
            matches!(got, Err(JournalError::Truncated | JournalError::Checksum)),
            "cut at {cut}: {got:?}"
        );
    }
    for i in 0..text.len() {
        let mut bad = text.to_vec();
        bad[i] ^= 0x01;
        let got = Entry::decode(&bad);
        assert!(
            matches!(got, Err(JournalError::Checksum | JournalError::Truncated)),
            "flip at {i}: {got:?}"
        );
    }
    let framed = |json: serde_json::Value| {
        let mut out = Vec::new();
        frame(&json.to_string(), &mut out);
        out.pop();
        out
    };
    // (line, expected error text)
    let mut unknown = serde_json::from_slice::<Value>(&text[SUM_DIGITS + 1..]).expect("json");
    unknown["extra"] = json!(1);
    let mut bad_term = unknown.clone();
    bad_term.as_object_mut().expect("object").remove("extra");
    bad_term["terms"] = json!([[1]]);
    let mut bad_stats = bad_term.clone();
    bad_stats["terms"] = json!([]);
    bad_stats["stats"] = json!({"events_in": 1});
    let cases = [
        (framed(unknown), "journal entry: unknown field `extra`"),
        (
            framed(bad_term),
            "journal entry.terms[0]: expected [key, time]",
        ),
        (framed(bad_stats), "journal entry.stats: events_in 1 != "),
        (framed(json!([])), "journal entry: expected an object"),
    ];
    for (bad, want) in cases {
        match Entry::decode(&bad) {
            Err(JournalError::Malformed(e)) => assert!(e.contains(want), "{e}"),
            other => panic!("{want}: {other:?}"),
        }
    }
    let v2 = framed(json!({"journal": 2, "snapshot": null, "new_terms_fields": []}));
    assert_eq!(
        Base::decode(&v2),
        Err(JournalError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
    let short = framed(json!({"journal": 1, "snapshot": "12", "new_terms_fields": []}));
    assert!(
        matches!(Base::decode(&short), Err(JournalError::Malformed(e)) if e.contains("16 hex digits"))
    );
}

#[test]
fn a_journal_is_read_line_by_line_and_bad_lines_are_listed() {
    let base = line(|out| bases_first().encode(out));
    let one = line(|out| entry().encode(out));
    let mut two_entry = entry();
    two_entry.next_seq = 6;
    let two = line(|out| two_entry.encode(out));
    let cat = |parts: &[&[u8]]| parts.concat();
    // (text, base readable, entries, unusable line numbers, ends cleanly)
    let torn = &two[..two.len() / 2];
    type Case = (Vec<u8>, bool, usize, Vec<usize>, bool);
    let cases: Vec<Case> = vec![
        (Vec::new(), false, 0, vec![], true),
        (base.clone(), true, 0, vec![], true),
        (cat(&[&base, &one, &two]), true, 2, vec![], true),
        (cat(&[&base, &one, torn]), true, 1, vec![3], false),
        (
            cat(&[&base, &one, &two[..two.len() - 1]]),
            true,
            2,
            vec![],
            false,
        ),
        (cat(&[&base, torn, b"\n", &one]), true, 1, vec![2], true),
        (cat(&[&base, b"\n\n", &one]), true, 1, vec![], true),
        (cat(&[&base[..10]]), false, 0, vec![], false),
        (cat(&[&one, &two]), false, 1, vec![], true),
    ];
    for (i, (text, base_ok, entries, unusable, clean)) in cases.into_iter().enumerate() {
        let c = read(&text);
        assert_eq!(c.base.is_ok(), base_ok, "case {i}: {:?}", c.base);
        assert_eq!(c.entries.len(), entries, "case {i}");
        assert_eq!(c.entry_lines.len(), entries, "case {i}");
        let lines: Vec<usize> = c.unusable.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, unusable, "case {i}");
        assert_eq!(c.ends_cleanly, clean, "case {i}");
    }
    let text = cat(&[&base, &one]);
    let c = read(&text);
    assert_eq!(c.entry_lines, vec![&one[..one.len() - 1]]);
    assert_eq!(c.entries, vec![entry()]);
}
