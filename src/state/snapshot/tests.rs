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
        #[cfg(alert_suppression)]
        suppression: None,
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
        #[cfg(alert_suppression)]
        suppression: None,
    };
    let good = serde_json::to_value(&meta).expect("a header");
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

/// The header's text is part of the format: its keys in this order (the order of the
/// fields, which the derived writers follow), `last_error` and the cap's `pending` only
/// when set.
#[test]
fn the_header_is_written_in_the_order_of_the_format() {
    let mut s = sample();
    s.stats.unparseable = 1;
    s.stats.last_error = Some("bad".into());
    s.cap = SignalCap::new(1000, 1);
    for t in [5, 6] {
        s.cap.admit(t, &[serde_json::json!("arn:a")]);
    }
    s.cap.reconfigure(2000, 1);
    let bytes = encode(&s);
    let len = u32::from_le_bytes(bytes[HEADER_LEN..HEADER_LEN + 4].try_into().unwrap());
    let header = &bytes[HEADER_LEN + 4..][..len as usize];
    assert_eq!(
        std::str::from_utf8(header),
        Ok(concat!(
            r#"{"new_terms_fields":["aws.cloudtrail.user_identity.arn"],"watermark":5,"#,
            r#""learning_start":1,"cap":{"interval":2000,"max_signals":1,"window":null,"#,
            r#""emitted":0,"suppressed":0,"suppressed_terms":[],"pending":{"window_start":0,"#,
            r#""window_end":1000,"max_signals":1,"emitted":1,"suppressed":1,"#,
            r#""suppressed_terms":[["arn:a"]],"terms_truncated":false}},"stats":{"events_in":3,"#,
            r#""unparseable":1,"last_error":"bad","not_cloudtrail":0,"prefiltered":0,"#,
            r#""not_matched":2,"matched":1,"excepted":0,"no_timestamp":0,"missing_terms":0,"#,
            r#""recorded":1,"terms_truncated":0,"late":0,"held":0,"released_early":0,"#,
            r#""pending":0,"new_terms":0,"alerts":0,"summarised":0,"summaries":0,"muted":0,"#,
            r#""learned":0,"tracked_terms":0,"expired":0,"evicted":0},"terms":3,"pending":1,"#,
            r#""next_seq":3}"#
        ))
    );
}
