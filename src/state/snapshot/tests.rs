//! Snapshot format tests: round trips, strict headers, corruption, impossible counters.

use serde_json::Value;

use super::*;
use crate::ecs::{SourceForm, SourceMeta};
use crate::rule::terms::{term_key, Term};

fn sample() -> State {
    State {
        new_terms_fields: vec!["aws.cloudtrail.user_identity.arn".into()],
        watermark: Some(5),
        learning_start: Some(1),
        cap: SignalCap::new(300_000, 100),
        stats: Stats {
            events_in: 3,
            not_matched: 2,
            matched: 1,
            recorded: 1,
            ..Stats::default()
        },
        terms: vec![(1, 2), (3, 4), (u64::MAX, -5)],
        pending: vec![PendingEvent {
            time: 6,
            seq: 2,
            held_at: Some(9),
            text: r#"{"eventName":"Scan","x":"\u00e9"}"#.into(),
            meta: SourceMeta {
                index: Some("i".into()),
                id: None,
                version: Some("3".into()),
            },
            form: SourceForm::CloudTrail,
            terms: vec![Term {
                values: vec![Value::String("arn:b".into())],
                key: term_key(&[Value::String("arn:b".into())]),
            }],
        }],
        next_seq: 3,
    }
}

#[test]
fn round_trips() {
    let s = sample();
    assert_eq!(decode(&encode(&s)), Ok(s));
    // With a pending summary and suppressed terms in the cap.
    let mut s = sample();
    s.cap = SignalCap::new(1000, 1);
    for t in [5, 6, 7] {
        s.cap
            .admit(t, &[serde_json::json!("arn:a"), serde_json::json!(t)]);
    }
    s.cap.reconfigure(2000, 1);
    assert_eq!(decode(&encode(&s)), Ok(s));
}

#[test]
fn the_header_is_read_as_strictly_as_it_is_written() {
    let s = sample();
    let meta = Meta {
        new_terms_fields: s.new_terms_fields.clone(),
        watermark: None,
        learning_start: s.learning_start,
        cap: s.cap.clone(),
        stats: s.stats.clone(),
        terms: 3,
        pending: 1,
        next_seq: 3,
    };
    let good = meta.to_json();
    assert!(Meta::from_json(&good).is_ok());
    let broken = [
        (
            "unknown",
            serde_json::json!(1),
            "header: unknown field `unknown`",
        ),
        (
            "terms",
            serde_json::json!(-1),
            "header.terms: expected an unsigned integer",
        ),
        (
            "cap",
            serde_json::json!({}),
            "cap: missing field `interval`",
        ),
        (
            "watermark",
            serde_json::json!("soon"),
            "header.watermark: expected an integer",
        ),
        (
            "new_terms_fields",
            serde_json::json!([1]),
            "header.new_terms_fields[0]: expected a string, got a number",
        ),
    ];
    for (key, value, want) in broken {
        let mut bad = good.clone();
        bad[key] = value;
        let result = Meta::from_json(&bad).map(|_| ());
        assert!(
            result.as_ref().is_err_and(|e| e.contains(want)),
            "{key}: {result:?}"
        );
    }
    let mut no_cap = good;
    no_cap.as_object_mut().unwrap().remove("cap");
    assert!(Meta::from_json(&no_cap).is_err_and(|e| e.contains("missing field `cap`")));
}

#[test]
fn every_corruption_is_a_clear_error() {
    let good = encode(&sample());
    assert_eq!(
        decode(&[]),
        Err(SnapshotError::Truncated("shorter than the header"))
    );
    assert_eq!(
        decode(b"NOTASNAPSHOTATALL....."),
        Err(SnapshotError::BadMagic)
    );
    let mut v3 = good.clone();
    v3[8] = 3;
    assert_eq!(
        decode(&v3),
        Err(SnapshotError::UnsupportedVersion {
            found: 3,
            supported: 2
        })
    );
    for cut in [
        9,
        HEADER_LEN,
        HEADER_LEN + 3,
        good.len() - 9,
        good.len() - 1,
    ] {
        assert!(
            matches!(decode(&good[..cut]), Err(SnapshotError::Truncated(_))),
            "cut at {cut}"
        );
    }
    for i in HEADER_LEN..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x40;
        assert_eq!(decode(&bad), Err(SnapshotError::Checksum), "flip at {i}");
    }
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(decode(&long), Err(SnapshotError::Malformed(_))));
    let mut huge = good;
    huge[10..18].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(decode(&huge), Err(SnapshotError::Truncated(_))));
}

/// Well-formed, checksummed bytes whose counters cannot be true are refused, so a
/// restored detector never reports counts that do not add up or cannot count on.
#[test]
fn counters_that_cannot_be_true_are_refused() {
    type Corrupt = fn(&mut Stats);
    let cases: [(Corrupt, &str); 4] = [
        (|s| s.events_in = 4, "events_in 4 != "),
        (
            |s| {
                s.events_in = u64::MAX;
                s.not_matched = u64::MAX - 1;
            },
            "events_in 18446744073709551615 is not below 2^53",
        ),
        (
            |s| {
                // Adds up only with wrapping arithmetic.
                s.not_matched = u64::MAX;
                s.events_in = 0;
            },
            "events_in 0 != ",
        ),
        (
            |s| s.late = 1 << 53,
            "late 9007199254740992 is not below 2^53",
        ),
    ];
    for (corrupt, want) in cases {
        let mut state = sample();
        corrupt(&mut state.stats);
        match decode(&encode(&state)) {
            Err(SnapshotError::Malformed(e)) => assert!(e.contains(want), "{e}"),
            other => panic!("{want}: {other:?}"),
        }
    }
    let mut fine = sample();
    fine.stats.late = (1 << 53) - 1;
    assert!(decode(&encode(&fine)).is_ok());
}
