use super::*;
use crate::input::reader::Reader;

/// An item with its bytes owned, for comparing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Doc(String, u64),
    TooLarge(u64, usize),
    Unreadable(String),
}

fn owned(item: Item<'_>) -> Got {
    match item {
        Item::Document { bytes, line } => {
            Got::Doc(String::from_utf8_lossy(bytes).into_owned(), line)
        }
        Item::TooLarge { line, limit } => Got::TooLarge(line, limit),
        Item::Unreadable(error) => Got::Unreadable(error.to_string()),
    }
}

/// What a [`Reader`] gives for `input` fed in chunks of `size` bytes.
fn read(input: &[u8], format: Format, limits: Limits, size: usize) -> Vec<Got> {
    let mut reader = Reader::new(format, limits);
    let mut got = Vec::new();
    for chunk in input.chunks(size.max(1)) {
        reader.feed(chunk, &mut |item| got.push(owned(item)));
    }
    reader.finish(&mut |item| got.push(owned(item)));
    got
}

fn limits(max_line: usize) -> Limits {
    Limits {
        max_line,
        max_document: 1 << 20,
    }
}

/// The same items at every chunk size (1 byte to whole), which it returns.
fn cut(input: &[u8], format: Format, limits: Limits) -> Vec<Got> {
    let whole = read(input, format, limits, input.len());
    for size in [1, 2, 3, 5, 7, 64, 1000] {
        assert_eq!(
            read(input, format, limits, size),
            whole,
            "{:?} in {size}-byte chunks",
            String::from_utf8_lossy(input)
        );
    }
    whole
}

fn auto(input: &str) -> Vec<Got> {
    cut(input.as_bytes(), Format::Auto, limits(1 << 20))
}

fn doc(s: &str, line: u64) -> Got {
    Got::Doc(s.to_owned(), line)
}

#[test]
fn recognises_ndjson_and_whole_documents() {
    let cases: Vec<(&str, Vec<Got>)> = vec![
        (
            "{\"a\":1}\n\n{\"b\":2}\r\n",
            vec![doc("{\"a\":1}", 1), doc("{\"b\":2}", 3)],
        ),
        (
            "{\"Records\":[{\"a\":1}]}",
            vec![doc("{\"Records\":[{\"a\":1}]}", 1)],
        ),
        (
            "[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n",
            vec![doc("[\n  {\"a\": 1},\n  {\"b\": 2}\n]", 1)],
        ),
        (
            "{\n \"a\": 1\n}\n{\n \"b\": 2\n}",
            vec![doc("{\n \"a\": 1\n}", 1), doc("{\n \"b\": 2\n}", 4)],
        ),
        (
            "\n\n{\"a\":1}\nnot json\n{\"c\":3}",
            vec![doc("{\"a\":1}", 3), doc("not json", 4), doc("{\"c\":3}", 5)],
        ),
        (
            "broken {\r\n{\"a\":1}\n",
            vec![doc("broken {", 1), doc("{\"a\":1}", 2)],
        ),
        (
            "{\"a\":1}\n{broken\n{\"c\":3}\n",
            vec![doc("{\"a\":1}", 1), doc("{broken", 2), doc("{\"c\":3}", 3)],
        ),
        ("{\n\"a\": 1\n", vec![doc("{", 1), doc("\"a\": 1", 2)]),
        (
            "1\n\"x\"\nnull",
            vec![doc("1", 1), doc("\"x\"", 2), doc("null", 3)],
        ),
        ("[1,2]\n", vec![doc("[1,2]", 1)]),
        ("{\"a\":1}\r", vec![doc("{\"a\":1}", 1)]),
        ("", vec![]),
        ("\n \n", vec![]),
        (" \n\r\n\t", vec![]),
    ];
    for (input, want) in &cases {
        assert_eq!(&auto(input), want, "{input:?}");
    }
    let s3 = "{\n  \"Records\": [\n    {\"eventName\": \"Scan\"}\n  ]\n}";
    let array = "[\n{\"a\":1},\n{\"b\":2}\n]";
    assert_eq!(
        auto(&format!("\n{s3}\n{array}\n")),
        [doc(s3, 2), doc(array, 7)],
        "concatenated, after a blank line"
    );
}

#[test]
fn ndjson_format_cuts_lines_from_the_start() {
    let input = b"{\n\"a\": 1\n}\n\n{\"b\":2}\r\n";
    assert_eq!(
        cut(input, Format::Ndjson, limits(1 << 20)),
        [
            doc("{", 1),
            doc("\"a\": 1", 2),
            doc("}", 3),
            doc("{\"b\":2}", 5)
        ]
    );
}

/// A byte-order mark at the start is skipped, in any chunks; anywhere else it is input.
#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    let bom = "\u{FEFF}";
    assert_eq!(
        auto(&format!("{bom}{{\"a\":1}}\r\n{{\"b\":2}}\r\n")),
        [doc("{\"a\":1}", 1), doc("{\"b\":2}", 2)]
    );
    let pretty = "{\n  \"Records\": []\n}";
    assert_eq!(auto(&format!("{bom}{pretty}")), [doc(pretty, 1)]);
    assert_eq!(auto(bom), []);
    assert_eq!(auto(&format!("{bom}\n")), []);
    assert_eq!(
        auto(&format!("{{\"a\":1}}\n{bom}{{\"b\":2}}\n")),
        [doc("{\"a\":1}", 1), doc(&format!("{bom}{{\"b\":2}}"), 2)],
        "only at the start"
    );
    assert_eq!(
        auto(&format!("{bom}{bom}1")),
        [doc(&format!("{bom}1"), 1)],
        "only one"
    );
    // The start of a mark that is not one is input.
    for (input, want) in [
        (&b"\xEF\xBB"[..], "\u{FFFD}"),
        (b"\xEF", "\u{FFFD}"),
        (b"\xEF\xBBx\n1", "\u{FFFD}x"),
    ] {
        let got = cut(input, Format::Auto, limits(1 << 20));
        assert_eq!(got[0], doc(want, 1), "{input:?}");
    }
    assert_eq!(
        cut(
            format!("{bom}{{\"a\":1}}\n").as_bytes(),
            Format::Ndjson,
            limits(100)
        ),
        [doc("{\"a\":1}", 1)]
    );
}

#[test]
fn long_lines_are_skipped_and_reading_goes_on() {
    let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
    let input = format!("{{\"first\":1}}\n{long}\n{{\"after\":1}}\n{long}");
    assert_eq!(
        cut(input.as_bytes(), Format::Auto, limits(50)),
        [
            doc("{\"first\":1}", 1),
            Got::TooLarge(2, 50),
            doc("{\"after\":1}", 3),
            Got::TooLarge(4, 50),
        ]
    );
    // The first line decides the shape but is held to the line limit too.
    assert_eq!(
        cut(
            format!("{long}\n{{\"after\":1}}\n").as_bytes(),
            Format::Auto,
            limits(50)
        ),
        [Got::TooLarge(1, 50), doc("{\"after\":1}", 2)]
    );
    // A line is measured with its `\r` (the first line, as a document, without it).
    let line = "[\"12345\"]"; // 9 bytes
    assert_eq!(
        cut(format!("1\n{line}\r\n").as_bytes(), Format::Auto, limits(9)),
        [doc("1", 1), Got::TooLarge(2, 9)]
    );
    assert_eq!(
        cut(format!("{line}\r\n").as_bytes(), Format::Auto, limits(9)),
        [doc(line, 1)]
    );
    assert_eq!(
        cut(format!("1\n{line}\n").as_bytes(), Format::Ndjson, limits(8)),
        [doc("1", 1), Got::TooLarge(2, 8)]
    );
}

#[test]
fn whole_input_over_its_limit_is_skipped() {
    let small = Limits {
        max_line: 10,
        max_document: 40,
    };
    let pretty = "{\n  \"a\": \"0123456789\"\n}\n";
    assert_eq!(
        cut(pretty.as_bytes(), Format::Auto, small),
        [doc(pretty.trim_end(), 1)]
    );
    let twice = format!("\n{pretty}{pretty}");
    assert_eq!(
        cut(twice.as_bytes(), Format::Auto, small),
        [Got::TooLarge(2, 40)]
    );
    // A first line over the whole-input limit, then NDJSON.
    let long = format!("{{\"a\":\"{}\"}}", "x".repeat(50));
    assert_eq!(
        cut(format!("{long}\n[1]\n").as_bytes(), Format::Auto, small),
        [Got::TooLarge(1, 40), doc("[1]", 2)]
    );
    // The first line and its line end count: exactly at the limit, then one over.
    let first = "{".repeat(39);
    assert_eq!(
        cut(first.as_bytes(), Format::Auto, small),
        [doc(&first, 1)],
        "one line of 39 bytes: 40 with its line end"
    );
    let first = "{".repeat(40);
    assert_eq!(
        cut(first.as_bytes(), Format::Auto, small),
        [Got::TooLarge(1, 40)]
    );
}

/// A line that is not UTF-8 inside a string is still a JSON value, as serde_json reading
/// bytes decides it; outside a string it is not.
#[test]
fn json_values_are_judged_as_serde_json_judges_bytes() {
    let ndjson = b"{\"a\":\"\xff\"}\n{\"b\":1}\n";
    assert_eq!(cut(ndjson, Format::Auto, limits(100)).len(), 2);
    let bad = b"{\"a\":1\xff}\n{\"b\":1}\n";
    assert_eq!(
        cut(bad, Format::Auto, limits(100)).len(),
        2,
        "lines after all"
    );
    let bases: [&[u8]; 4] = [
        b"{\"a\":\"xy\"}",
        b"[\"xy\",1]",
        b"\"xy\"",
        b"{\"xy\":[true]}",
    ];
    let odd: [&[u8]; 6] = [
        b"\xff",
        b"\xc3",
        b"\xe2\x82",
        b"\xed\xa0\x80",
        b"\xc3\xa9",
        b"\x00",
    ];
    for base in bases {
        for at in 0..=base.len() {
            for b in odd {
                let variant = [&base[..at], b, &base[at..]].concat();
                let serde = serde_json::from_slice::<serde::de::IgnoredAny>(&variant).is_ok();
                assert_eq!(
                    is_json_value(&variant),
                    serde,
                    "{:?}",
                    String::from_utf8_lossy(&variant)
                );
            }
        }
    }
}

#[test]
fn gzip_is_inflated_in_any_chunks_and_a_cut_is_reported() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).expect("gzip");
        z.finish().expect("gzip")
    };
    let text = "\u{FEFF}{\"a\":1}\r\n{\"b\":\"é\"}\n{\"c\":3}";
    let want = [
        doc("{\"a\":1}", 1),
        doc("{\"b\":\"é\"}", 2),
        doc("{\"c\":3}", 3),
    ];
    let one = gzip(text.as_bytes());
    assert_eq!(cut(&one, Format::Auto, limits(100)), want);
    let (a, b) = text.as_bytes().split_at(12);
    let members = [gzip(a), gzip(b)].concat();
    assert_eq!(cut(&members, Format::Auto, limits(100)), want);
    // Cut in the last member: the lines before are read, the one it ends in is lost.
    let got = cut(&members[..members.len() - 6], Format::Auto, limits(100));
    assert_eq!(
        got,
        [
            doc("{\"a\":1}", 1),
            doc("{\"b\":\"é\"}", 2),
            Got::Unreadable("unexpected end of file".into())
        ]
    );
    // One byte, and the two magic bytes alone.
    assert_eq!(cut(b"7", Format::Auto, limits(100)), [doc("7", 1)]);
    assert_eq!(
        cut(b"\x1f\x8b", Format::Auto, limits(100)),
        [Got::Unreadable("unexpected end of file".into())]
    );
}

/// Any input, cut anywhere, reads as it does in one piece, without a panic: inputs drawn
/// from a fixed seed out of JSON lines, blanks, `\r`, pretty documents, a byte-order
/// mark, bytes that are not UTF-8 and lines over small limits, each also gzipped (in one
/// member, in two, and cut short).
#[test]
fn any_input_cut_anywhere_reads_as_it_does_whole() {
    use std::io::Write;
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let gzip = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).expect("gzip");
        z.finish().expect("gzip")
    };
    let pieces: [&[u8]; 14] = [
        b"{\"a\":1}",
        b"",
        b"  ",
        b"\r",
        b"{",
        b"}",
        b"[1,\n2]",
        b"\"\xc3\xa9\xe2\x9c\x93\"",
        b"not json",
        b"{\"b\":\"\xff\"}",
        b"\xEF\xBB\xBF",
        b"{\"Records\":[{\"c\":3}]}",
        b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        b"1 2",
    ];
    for _ in 0..3000 {
        let mut plain = Vec::new();
        for _ in 0..next(9) {
            plain.extend_from_slice(pieces[next(pieces.len())]);
            if next(3) > 0 {
                plain.extend_from_slice(if next(4) == 0 { b"\r\n" } else { b"\n" });
            }
        }
        let limits = Limits {
            max_line: 1 + next(40),
            max_document: 1 + next(80),
        };
        let format = if next(4) == 0 {
            Format::Ndjson
        } else {
            Format::Auto
        };
        let zipped = gzip(&plain);
        let half = plain.len() / 2;
        let inputs = [
            plain.clone(),
            zipped.clone(),
            [gzip(&plain[..half]), gzip(&plain[half..])].concat(),
            zipped[..next(zipped.len())].to_vec(),
        ];
        for input in inputs {
            let whole = read(&input, format, limits, input.len());
            for _ in 0..3 {
                let size = 1 + next(8);
                assert_eq!(
                    read(&input, format, limits, size),
                    whole,
                    "{:?} in {size}-byte chunks, {limits:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}

#[test]
fn skip_errors_are_what_hosts_count() {
    assert_eq!(
        Item::Document {
            bytes: b"1",
            line: 1
        }
        .skip_error(),
        None
    );
    assert_eq!(
        Item::TooLarge { line: 2, limit: 9 }.skip_error(),
        Some(InputError::TooLarge(9))
    );
    assert_eq!(
        Item::Unreadable(GzipError::Invalid("corrupt deflate stream")).skip_error(),
        Some(InputError::Unreadable("corrupt deflate stream".into()))
    );
}
