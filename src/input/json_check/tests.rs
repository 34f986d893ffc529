use super::{check_object, is_one_object, utf8_sequence_len, Parser, Watch};

#[test]
fn utf8_sequences_as_the_standard_library_reads_them() {
    let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
    for b0 in 0x80..=0xffu8 {
        for b1 in 0..=0xffu8 {
            for b2 in edges {
                for b3 in edges {
                    let s = [b0, b1, b2, b3];
                    let std = (2..=4).find(|&k| std::str::from_utf8(&s[..k]).is_ok());
                    assert_eq!(utf8_sequence_len(&s), std, "{s:x?}");
                }
            }
        }
    }
    assert_eq!(utf8_sequence_len(&[0xe2, 0x82]), None, "cut short");
}

#[test]
fn special_bytes_found_at_every_position() {
    for watch in [b'"', b'S'] {
        let p = Parser {
            b: b"",
            i: 0,
            stack: Vec::new(),
            depth: 0,
            watch: crate::swar::splat(watch),
            keys: &[],
            seen: |_| false,
            found: false,
        };
        for pos in 0..8 {
            for byte in 0..=0xffu8 {
                let mut w = [b'a'; 8];
                w[pos] = byte;
                let plain =
                    (0x20..0x80).contains(&byte) && !b"\"\\".contains(&byte) && byte != watch;
                assert_eq!(p.is_plain(byte), plain);
                let special = if plain { 0 } else { 0x80 << (8 * pos) };
                assert_eq!(p.special_bytes(u64::from_le_bytes(w)), special, "{w:x?}");
            }
        }
    }
}

#[test]
fn watched_bytes_reported_in_order_until_seen() {
    let text = r#"{"Sw":["xxxxxxxxxxS","a\u0053\n",{"ww":"S","www":"ww"}],"S":1e5,"t":true}"#;
    let watch = Watch {
        byte: b'S',
        keys: &[b"ww", b"v"],
    };
    let positions = |stop_at: usize| {
        let mut asked = Vec::new();
        let found = check_object(text.as_bytes(), watch, |i| {
            asked.push(i);
            asked.len() == stop_at
        });
        (found, asked)
    };
    let key = text.find(r#""ww":"#).expect("key");
    let expect: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| c == 'S' || i == key || (c == '\\' && text.as_bytes()[i - 1] != b'\\'))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(expect.len(), 7);
    assert_eq!(positions(0), (Some(false), expect.clone()));
    assert_eq!(positions(3), (Some(true), expect[..3].to_vec()));
    assert_eq!(check_object(b"{\"S\":}", watch, |_| true), None);
}

#[test]
fn accepts_exactly_json_objects() {
    let yes = [
        "{}",
        " { } ",
        r#"{"a":1}"#,
        r#"{"a":[1,2,{"b":null}],"c":"\u00e9\n\"","d":-0.5e+10,"e":true,"f":false}"#,
        "{\"a\":\"\u{e9}\"}",
        "{\"caf\u{e9} \u{20ac}\u{10348}\":\"0123456789\u{e9}abcdefgh\u{10ffff}\"}",
        r#"{"a":"\ud800"}"#,
        "{\"a\":[]}\n",
        r#"{"a":{"b":{"c":[[[]]]}}}"#,
        r#"{"":0}"#,
        r#"{"a":1E400}"#,
        "\t{\"a\" : [ 1 , 2 ] }\r\n",
    ];
    let no = [
        "",
        " ",
        "[]",
        "1",
        r#""s""#,
        "{",
        "}",
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1,}"#,
        r#"{,"a":1}"#,
        "{a:1}",
        r#"{"a":1}{"b":2}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":1e}"#,
        r#"{"a":-}"#,
        r#"{"a":tru}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12g4"}"#,
        "{\"a\":\"\u{1}\"}",
        r#"{"a":[1,2}"#,
        r#"{"a":{"b":1]}"#,
        r#"{"a":"x}"#,
        r#"{"a":1 "b":2}"#,
        r#"{"a":NaN}"#,
        r#"{"a":+1}"#,
        "{\"a\":1}x",
    ];
    let not_utf8: [&[u8]; 7] = [
        b"{\"a\":\"\xff\"}",
        b"{\"\xc3\":1}",
        b"{\"a\":\"\xc0\x80\"}",
        b"{\"a\":\"\xed\xa0\x80\"}",
        b"{\"a\":\"\xf4\x90\x80\x80\"}",
        b"{\"a\":\"abcdefgh\xe2\x82\"}",
        b"{\"a\":1}\xc2\xa0",
    ];
    for t in not_utf8 {
        assert!(!is_one_object(t), "should reject {t:x?}");
    }
    for t in yes {
        assert!(is_one_object(t.as_bytes()), "should accept {t:?}");
        assert!(
            serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok(),
            "serde agrees: {t:?}"
        );
    }
    for t in no {
        assert!(!is_one_object(t.as_bytes()), "should reject {t:?}");
    }
}

#[test]
fn any_depth_without_recursion() {
    let n = 200_000;
    let deep =
        format!("{}{}{}", r#"{"a":"#.repeat(n), "[".repeat(n), "]".repeat(n)) + &"}".repeat(n);
    assert!(is_one_object(deep.as_bytes()));
    assert!(!is_one_object(&deep.as_bytes()[..deep.len() - 1]));
}

/// Agrees with serde_json (on objects) for every real record and many of its mutations.
#[test]
fn agrees_with_serde_on_real_records_and_mutations() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/third-party/ibm-universal-connectors-dynamodb");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read(entry.path()) else {
            continue;
        };
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            for cut in (0..line.len()).step_by(7) {
                for variant in [
                    line[..cut].to_vec(),
                    [&line[..cut], b"}", &line[cut..]].concat(),
                    [&line[..cut], b",", &line[cut..]].concat(),
                    [&line[..cut], b"\xc3\xa9", &line[cut..]].concat(),
                    [&line[..cut], b"\xe2\x82", &line[cut..]].concat(),
                    [&line[..cut], b"\x7f\x1f", &line[cut..]].concat(),
                ] {
                    let serde = std::str::from_utf8(&variant).is_ok()
                        && serde_json::from_slice::<serde::de::IgnoredAny>(&variant).is_ok()
                        && variant.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
                    assert_eq!(
                        is_one_object(&variant),
                        serde,
                        "{}",
                        String::from_utf8_lossy(&variant)
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}
