//! Gzip decoding as the data arrives: the header and trailer of each gzip member
//! (RFC 1952) read here, the DEFLATE body inflated by `miniz_oxide`. One decoder for
//! both uses: a log file, every member in turn, fed in pieces as a host reads it (as
//! `flate2::bufread::MultiGzDecoder` reads one), and a CloudWatch Logs `awslogs`
//! payload ([`gunzip`]: the first member only, at most `limit` bytes, as
//! `flate2::read::GzDecoder` reads it).
//!
//! This used to be `flate2`, which inflates with `miniz_oxide` too; reading the members
//! here keeps `flate2` and its 16 KiB CRC table out of the npm package's wasm. The
//! results are `flate2`'s, error messages included (tests hold the two to each other on
//! valid, truncated, corrupted, concatenated and oversized input, whole and in pieces):
//! header CRC and reserved flags checked, data CRC and size checked. One difference, on
//! purpose: the bytes inflated before an error are all handed out (flate2 drops those
//! of the read that fails), so what is read of a damaged file does not depend on how
//! its bytes were cut into pieces.

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_IGNORE_ADLER32,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide, TINFL_LZ_DICT_SIZE};
use miniz_oxide::inflate::TINFLStatus;
use thiserror::Error;

/// Why gzip could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GzipError {
    /// Not valid gzip; the message is `flate2`'s for the same input.
    #[error("{0}")]
    Invalid(&'static str),
    /// It inflates past the limit.
    #[error("inflates past the limit")]
    TooLarge,
}

const UNEXPECTED_EOF: &str = "unexpected end of file";
const BAD_HEADER: &str = "invalid gzip header";
const BAD_CHECKSUM: &str = "corrupt gzip stream does not have a matching checksum";
const FIELD_TOO_LONG: &str = "gzip header field too long";
const INCOMPLETE_DEFLATE: &str = "incomplete deflate stream";
const CORRUPT_DEFLATE: &str = "corrupt deflate stream";

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0b1110_0000;
/// The longest file name or comment `flate2` accepts.
const MAX_HEADER_FIELD: usize = 65535;

/// Whether input that begins with `head` is gzip, by its magic bytes (never by a name).
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// The data of the first gzip member of `input`, if it inflates to at most `limit`
/// bytes; anything after the member is ignored.
pub fn gunzip(input: &[u8], limit: usize) -> Result<Vec<u8>, GzipError> {
    let mut decoder = GzipDecoder::new(Members::First);
    let mut out = Vec::new();
    let mut read = 0;
    loop {
        let piece = if read < input.len() && !decoder.is_done() {
            let (used, piece) = decoder.decode(&input[read..])?;
            read += used;
            piece
        } else {
            match decoder.finish()? {
                [] => return Ok(out),
                piece => piece,
            }
        };
        if out.len() + piece.len() > limit {
            return Err(GzipError::TooLarge);
        }
        if out.len() + piece.len() > out.capacity() {
            // Grow by doubling, but never past the limit.
            let want = (out.capacity() * 2).max(out.len() + piece.len()).min(limit);
            out.reserve_exact(want - out.len());
        }
        out.extend_from_slice(piece);
    }
}

/// Which members a [`GzipDecoder`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// Every member in turn (a file; `cat a.gz b.gz` is one gzip file).
    All,
    /// The first member; what follows it is ignored.
    First,
}

/// Where the decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header(Field),
    Body,
    /// The trailer (CRC-32 and size), this many of its 8 bytes read.
    Trailer(usize),
    /// The first member ended ([`Members::First`]).
    Done,
}

/// The parts of a member's header, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// The 10 fixed bytes, then (with `FEXTRA`) the 2 of the extra field's length.
    Fixed,
    /// The extra field, this many bytes still to skip.
    Extra(usize),
    /// The file name (`FNAME`), this many bytes of it read.
    Name(usize),
    /// The comment (`FCOMMENT`), this many bytes of it read.
    Comment(usize),
    /// The header's CRC (`FHCRC`), this many of its 2 bytes read.
    Crc(usize),
}

/// A gzip stream decoded a piece at a time, without I/O: [`GzipDecoder::decode`] takes
/// whatever input has arrived and hands out what it inflates; [`GzipDecoder::finish`]
/// is told that the input ended.
pub struct GzipDecoder {
    inflater: Box<DecompressorOxide>,
    /// The last 32 KiB of output (DEFLATE's window), which the bytes handed out are
    /// slices of; `at` is where the next output goes.
    window: Box<[u8]>,
    at: usize,
    members: Members,
    part: Part,
    /// The fixed header and the extra field's length, as far as read.
    head: [u8; 12],
    head_len: usize,
    /// The CRC of the header bytes read (for `FHCRC`), and of the member's data.
    head_crc: u32,
    crc: u32,
    /// The member's data size (mod 2^32).
    size: u32,
    /// The trailer as far as read (and the header's CRC).
    tail: [u8; 8],
    /// Members read to their end.
    ended_members: u64,
    /// The error that ended decoding; every later call returns it.
    failed: Option<GzipError>,
}

impl GzipDecoder {
    pub fn new(members: Members) -> Self {
        GzipDecoder {
            inflater: Box::default(),
            window: vec![0; TINFL_LZ_DICT_SIZE].into_boxed_slice(),
            at: 0,
            members,
            part: Part::Header(Field::Fixed),
            head: [0; 12],
            head_len: 0,
            head_crc: 0,
            crc: 0,
            size: 0,
            tail: [0; 8],
            ended_members: 0,
            failed: None,
        }
    }

    /// Whether the first member ended ([`Members::First`]): the rest is not read.
    pub fn is_done(&self) -> bool {
        self.part == Part::Done
    }

    /// Decode from `input`: how many of its bytes were used, and the bytes inflated
    /// from them (borrowed until the next call). Returns as soon as bytes were
    /// inflated, or when the input is used up or the first member ended
    /// ([`Members::First`]); call again with the rest of the input.
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, &[u8]), GzipError> {
        self.check()?;
        let mut used = 0;
        while used < input.len() && self.failed.is_none() {
            let rest = &input[used..];
            match self.part {
                Part::Header(field) => used += self.header(field, rest),
                Part::Trailer(read) => used += self.trailer(read, rest),
                Part::Done => break,
                Part::Body => {
                    let (u, start, written) = self.inflate(rest, TINFL_FLAG_HAS_MORE_INPUT);
                    used += u;
                    if written > 0 {
                        return Ok((used, &self.window[start..start + written]));
                    }
                    if u == 0 && self.part == Part::Body && self.failed.is_none() {
                        // No progress from input: miniz_oxide never does this.
                        self.failed = Some(GzipError::Invalid(CORRUPT_DEFLATE));
                    }
                }
            }
        }
        self.check()?;
        Ok((used, &[]))
    }

    /// The input ended: the rest of the output (call again until it is empty), or why
    /// the input cannot end here. A stream of [`Members::All`] may end between members,
    /// after the first.
    pub fn finish(&mut self) -> Result<&[u8], GzipError> {
        self.check()?;
        match self.part {
            Part::Done => return Ok(&[]),
            Part::Header(Field::Fixed)
                if self.head_len == 0 && self.members == Members::All && self.ended_members > 0 =>
            {
                return Ok(&[])
            }
            Part::Header(_) | Part::Trailer(_) => {
                self.failed = Some(GzipError::Invalid(UNEXPECTED_EOF));
            }
            Part::Body => {
                let (_, start, written) = self.inflate(&[], 0);
                if written > 0 {
                    return Ok(&self.window[start..start + written]);
                }
                if self.part != Part::Body {
                    return self.finish(); // the body ended; the trailer is missing
                }
                self.failed
                    .get_or_insert(GzipError::Invalid(INCOMPLETE_DEFLATE));
            }
        }
        self.check()?;
        Ok(&[])
    }

    fn check(&self) -> Result<(), GzipError> {
        match &self.failed {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// Read header bytes from `input` (at least one); how many were used.
    fn header(&mut self, field: Field, input: &[u8]) -> usize {
        let used = match field {
            Field::Fixed => {
                let extra = self.head_len >= 10 && self.head[3] & FEXTRA != 0;
                let n = (if extra { 12 } else { 10 } - self.head_len).min(input.len());
                self.head[self.head_len..self.head_len + n].copy_from_slice(&input[..n]);
                self.head_len += n;
                let flags = self.head[3];
                if self.head_len == 10
                    && (self.head[..3] != [0x1f, 0x8b, 8] || flags & FRESERVED != 0)
                {
                    self.failed = Some(GzipError::Invalid(BAD_HEADER));
                } else if self.head_len == 12 {
                    let xlen = usize::from(u16::from_le_bytes([self.head[10], self.head[11]]));
                    self.part = Part::Header(Field::Extra(xlen));
                    if xlen == 0 {
                        self.next_field(Field::Extra(0));
                    }
                } else if self.head_len == 10 && flags & FEXTRA == 0 {
                    self.next_field(Field::Fixed);
                }
                n
            }
            Field::Extra(left) => {
                let n = left.min(input.len());
                self.part = Part::Header(Field::Extra(left - n));
                if n == left {
                    self.next_field(field);
                }
                n
            }
            Field::Name(read) | Field::Comment(read) => {
                // A field ends at its NUL within MAX_HEADER_FIELD bytes, as flate2 reads it.
                let window = (MAX_HEADER_FIELD + 1 - read).min(input.len());
                match memchr::memchr(0, &input[..window]) {
                    Some(i) => {
                        self.next_field(field);
                        i + 1
                    }
                    None if read + input.len() > MAX_HEADER_FIELD => {
                        self.failed = Some(GzipError::Invalid(FIELD_TOO_LONG));
                        window
                    }
                    None => {
                        let read = read + input.len();
                        self.part = Part::Header(match field {
                            Field::Name(_) => Field::Name(read),
                            _ => Field::Comment(read),
                        });
                        input.len()
                    }
                }
            }
            Field::Crc(read) => {
                let n = (2 - read).min(input.len());
                self.tail[read..read + n].copy_from_slice(&input[..n]);
                if read + n < 2 {
                    self.part = Part::Header(Field::Crc(read + n));
                } else if u16::from_le_bytes([self.tail[0], self.tail[1]]) != self.head_crc as u16 {
                    self.failed = Some(GzipError::Invalid(BAD_CHECKSUM));
                } else {
                    self.next_field(field);
                }
                return n;
            }
        };
        self.head_crc = crc32(self.head_crc, &input[..used]);
        used
    }

    /// Move past `done` to the next field the flags announce, or to the body.
    fn next_field(&mut self, done: Field) {
        let flags = self.head[3];
        let rank = match done {
            Field::Fixed | Field::Extra(_) => 0,
            Field::Name(_) => 1,
            Field::Comment(_) => 2,
            Field::Crc(_) => 3,
        };
        self.part = if rank < 1 && flags & FNAME != 0 {
            Part::Header(Field::Name(0))
        } else if rank < 2 && flags & FCOMMENT != 0 {
            Part::Header(Field::Comment(0))
        } else if rank < 3 && flags & FHCRC != 0 {
            Part::Header(Field::Crc(0))
        } else {
            (self.crc, self.size) = (0, 0);
            Part::Body
        };
    }

    /// Inflate body bytes into the window, with `TINFL_FLAG_HAS_MORE_INPUT` until the
    /// input ended (as flate2 calls miniz_oxide; the window starts as zeros, so a
    /// distance reaching before the start is not an error): how many bytes were used,
    /// and where the output starts in the window and how long it is.
    fn inflate(&mut self, input: &[u8], more: u32) -> (usize, usize, usize) {
        let start = self.at;
        let flags = TINFL_FLAG_IGNORE_ADLER32 | more;
        let (status, used, written) =
            decompress(&mut self.inflater, input, &mut self.window, start, flags);
        self.at = (start + written) & (TINFL_LZ_DICT_SIZE - 1);
        self.crc = crc32(self.crc, &self.window[start..start + written]);
        self.size = self.size.wrapping_add(written as u32);
        match status {
            TINFLStatus::Done => self.part = Part::Trailer(0),
            TINFLStatus::NeedsMoreInput | TINFLStatus::HasMoreOutput => {}
            TINFLStatus::FailedCannotMakeProgress => {
                self.failed = Some(GzipError::Invalid(INCOMPLETE_DEFLATE));
            }
            _ => self.failed = Some(GzipError::Invalid(CORRUPT_DEFLATE)),
        }
        (used, start, written)
    }

    /// Read trailer bytes from `input` (at least one) and check them; how many were used.
    fn trailer(&mut self, read: usize, input: &[u8]) -> usize {
        let n = (8 - read).min(input.len());
        self.tail[read..read + n].copy_from_slice(&input[..n]);
        if read + n < 8 {
            self.part = Part::Trailer(read + n);
            return n;
        }
        let (crc, size) = self.tail.split_at(4);
        if le_u32(crc) != self.crc || le_u32(size) != self.size {
            self.failed = Some(GzipError::Invalid(BAD_CHECKSUM));
            return n;
        }
        self.ended_members += 1;
        self.part = match self.members {
            Members::First => Part::Done,
            Members::All => {
                // The next member starts afresh, as in flate2 (a zeroed window).
                self.inflater.init();
                self.window.fill(0);
                (self.at, self.head_len, self.head_crc) = (0, 0, 0);
                Part::Header(Field::Fixed)
            }
        };
        n
    }
}

fn le_u32(bytes: &[u8]) -> u32 {
    bytes.iter().rev().fold(0, |n, &b| (n << 8) | u32::from(b))
}

/// The CRC-32 of gzip (IEEE 802.3, reflected), continued from `crc`: natively
/// crc32fast's (SIMD, about ten times a table's speed), in wasm `crc32_by_tables`.
#[cfg(not(target_family = "wasm"))]
fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(crc);
    hasher.update(bytes);
    hasher.finalize()
}

#[cfg(target_family = "wasm")]
fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    crc32_by_tables(crc, bytes)
}

/// The same CRC eight bytes at a time ("slicing by 8"). In the npm package's wasm it
/// checks every inflated byte of a `.gz` input: 95 MB took 200 ms a byte at a time, 3x
/// the inflating's share; eight at a time it is about 4x faster.
#[cfg(any(target_family = "wasm", test))]
fn crc32_by_tables(crc: u32, bytes: &[u8]) -> u32 {
    let t = crc_tables();
    let mut crc = !crc;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let lo = crc ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        crc = t[7][usize::from(lo as u8)]
            ^ t[6][usize::from((lo >> 8) as u8)]
            ^ t[5][usize::from((lo >> 16) as u8)]
            ^ t[4][usize::from((lo >> 24) as u8)]
            ^ t[3][usize::from(w[4])]
            ^ t[2][usize::from(w[5])]
            ^ t[1][usize::from(w[6])]
            ^ t[0][usize::from(w[7])];
    }
    for &b in words.remainder() {
        crc = t[0][usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

/// The tables of slicing by 8: `t[0]` the CRC of every byte value, `t[k]` that of a
/// byte followed by `k` zero bytes. Computed on first use (8 KiB of memory, none of
/// the .wasm's bytes).
#[cfg(any(target_family = "wasm", test))]
fn crc_tables() -> &'static [[u32; 256]; 8] {
    static TABLES: std::sync::OnceLock<Box<[[u32; 256]; 8]>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Box::new([[0; 256]; 8]);
        for i in 0..256 {
            t[0][i] = (0..8).fold(i as u32, |c, _| {
                (c >> 1) ^ (0xEDB8_8320 & (c & 1).wrapping_neg())
            });
        }
        for k in 1..8 {
            for i in 0..256 {
                t[k][i] = (t[k - 1][i] >> 8) ^ t[0][(t[k - 1][i] & 0xff) as usize];
            }
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// What `flate2::read::GzDecoder` gives for the same input and limit.
    fn flate2(input: &[u8], limit: usize) -> Result<Vec<u8>, GzipError> {
        let mut out = Vec::new();
        match flate2::read::GzDecoder::new(input)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
        {
            Err(e) => Err(GzipError::Invalid(match e.to_string().as_str() {
                UNEXPECTED_EOF => UNEXPECTED_EOF,
                BAD_HEADER => BAD_HEADER,
                BAD_CHECKSUM => BAD_CHECKSUM,
                FIELD_TOO_LONG => FIELD_TOO_LONG,
                INCOMPLETE_DEFLATE => INCOMPLETE_DEFLATE,
                CORRUPT_DEFLATE => CORRUPT_DEFLATE,
                other => panic!("a flate2 message this module does not know: {other}"),
            })),
            Ok(_) if out.len() > limit => Err(GzipError::TooLarge),
            Ok(_) => Ok(out),
        }
    }

    fn gzip(data: &[u8], header: flate2::GzBuilder) -> Vec<u8> {
        let mut gz = header.write(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    /// `count` small NDJSON lines that compress well but not trivially.
    fn json_lines(count: u32, modulus: u32) -> Vec<u8> {
        (0..count)
            .flat_map(|i| {
                format!("{{\"n\":{},\"s\":\"{}\"}}\n", i % modulus, i * 7919 % 1013).into_bytes()
            })
            .collect()
    }

    fn same(input: &[u8], limit: usize) {
        assert_eq!(gunzip(input, limit), flate2(input, limit), "{input:02x?}");
    }

    #[test]
    fn agrees_with_flate2() {
        let text = json_lines(3000, 97);
        let plain = gzip(&text, flate2::GzBuilder::new());
        let dressed = gzip(
            &text[..500],
            flate2::GzBuilder::new()
                .filename("events.json")
                .comment("a comment")
                .extra(vec![1, 2, 3, 4])
                .mtime(1_700_000_000),
        );
        let mut with_header_crc = gzip(b"{\"a\":1}", flate2::GzBuilder::new().filename("x"));
        // Set FHCRC and insert a header CRC after the file name ("x\0" ends at 12).
        with_header_crc[3] |= FHCRC;
        let crc = (crc32(0, &with_header_crc[..12]) as u16).to_le_bytes();
        with_header_crc.splice(12..12, crc);
        for input in [&plain, &dressed, &with_header_crc] {
            same(input, 1 << 20);
            same(input, text.len());
            same(input, text.len() - 1);
            same(input, 10);
            same(input, 0);
            let mut trailing = input.clone();
            trailing.extend_from_slice(b"garbage after the member");
            same(&trailing, 1 << 20);
            for len in 0..input.len() {
                same(&input[..len], 1 << 20);
            }
            for at in 0..input.len().min(400) {
                for bit in [0x01, 0x10, 0x80] {
                    let mut bad = input.clone();
                    bad[at] ^= bit;
                    same(&bad, 1 << 20);
                }
            }
        }
        let mut long_name = vec![0x1f, 0x8b, 8, FNAME, 0, 0, 0, 0, 0, 0];
        long_name.extend(std::iter::repeat_n(b'a', 70_000));
        same(&long_name, 100);
        long_name.push(0);
        same(&long_name, 100);
        same(&[], 100);
    }

    fn known(message: &str) -> &'static str {
        [
            UNEXPECTED_EOF,
            BAD_HEADER,
            BAD_CHECKSUM,
            FIELD_TOO_LONG,
            INCOMPLETE_DEFLATE,
            CORRUPT_DEFLATE,
        ]
        .into_iter()
        .find(|known| *known == message)
        .unwrap_or_else(|| panic!("a flate2 message this module does not know: {message}"))
    }

    /// What `flate2::bufread::MultiGzDecoder` reads of a file: the data before the
    /// error (it drops what the failing read inflated), and the error.
    fn flate2_file(input: &[u8]) -> (Vec<u8>, Option<GzipError>) {
        let mut out = Vec::new();
        let error = flate2::bufread::MultiGzDecoder::new(input)
            .read_to_end(&mut out)
            .err()
            .map(|e| GzipError::Invalid(known(&e.to_string())));
        (out, error)
    }

    /// What a [`Members::All`] decoder reads of `input` fed in pieces of `piece` bytes.
    fn decoded_file(input: &[u8], piece: usize) -> (Vec<u8>, Option<GzipError>) {
        let mut decoder = GzipDecoder::new(Members::All);
        let mut out = Vec::new();
        for chunk in input.chunks(piece) {
            let mut at = 0;
            while at < chunk.len() {
                match decoder.decode(&chunk[at..]) {
                    Ok((0, [])) => panic!("no progress"),
                    Ok((used, inflated)) => {
                        at += used;
                        out.extend_from_slice(inflated);
                    }
                    Err(error) => return (out, Some(error)),
                }
            }
        }
        loop {
            match decoder.finish() {
                Ok([]) => return (out, None),
                Ok(inflated) => out.extend_from_slice(inflated),
                Err(error) => return (out, Some(error)),
            }
        }
    }

    /// The same result at every cut of the input, and flate2's (its
    /// data may stop short of ours before an error: it drops what the failing read
    /// inflated).
    fn same_file(input: &[u8]) {
        let whole = decoded_file(input, input.len().max(1));
        for piece in [1, 7, 4096] {
            assert!(decoded_file(input, piece) == whole, "{piece}: {input:02x?}");
        }
        let (data, error) = flate2_file(input);
        assert_eq!(whole.1, error, "{input:02x?}");
        assert!(whole.0.starts_with(&data), "{input:02x?}");
        if error.is_none() {
            assert!(whole.0 == data);
        }
    }

    #[test]
    fn files_agree_with_flate2_in_any_pieces() {
        let text = json_lines(2000, 89);
        let a = gzip(&text[..9000], flate2::GzBuilder::new());
        let b = gzip(
            &text[9000..],
            flate2::GzBuilder::new()
                .filename("b.json")
                .comment("c")
                .extra(vec![7; 300]),
        );
        let empty = gzip(b"", flate2::GzBuilder::new());
        let mut with_header_crc = gzip(b"{\"a\":1}", flate2::GzBuilder::new().filename("x"));
        with_header_crc[3] |= FHCRC;
        let crc = (crc32(0, &with_header_crc[..12]) as u16).to_le_bytes();
        with_header_crc.splice(12..12, crc);
        let two = [a.clone(), b.clone()].concat();
        let three = [a.clone(), empty.clone(), with_header_crc.clone()].concat();
        for input in [&a, &b, &two, &three, &empty, &with_header_crc] {
            same_file(input);
            for junk in [
                &b"\n"[..],
                b"\x1f",
                b"\x1f\x8b\x08",
                &[0; 20],
                b"not gzip at all",
            ] {
                same_file(&[input.as_slice(), junk].concat());
            }
        }
        let small = [
            gzip(&text[..300], flate2::GzBuilder::new().filename("s")),
            with_header_crc,
        ]
        .concat();
        for len in 0..small.len() {
            same_file(&small[..len]);
        }
        for at in 0..small.len() {
            for bit in [0x01, 0x10, 0x80] {
                let mut bad = small.clone();
                bad[at] ^= bit;
                same_file(&bad);
            }
        }
        let mut long_name = vec![0x1f, 0x8b, 8, FNAME, 0, 0, 0, 0, 0, 0];
        long_name.extend(std::iter::repeat_n(b'a', 70_000));
        assert_eq!(decoded_file(&long_name, 1000).1, flate2_file(&long_name).1);
    }

    #[test]
    fn the_output_never_outgrows_the_limit() {
        let data = vec![b'x'; 3 << 20];
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&data).expect("gzip");
        let gz = z.finish().expect("gzip");
        for limit in [data.len(), data.len() + 1, (3 << 20) + 12345] {
            let out = gunzip(&gz, limit).expect("within the limit");
            assert_eq!(out, data);
            assert!(out.capacity() <= limit + 1, "{} > {limit}", out.capacity());
        }
        assert_eq!(gunzip(&gz, data.len() - 1), Err(GzipError::TooLarge));
    }

    #[test]
    fn crc32_of_a_known_string() {
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_by_tables(0, b"123456789"), 0xCBF4_3926);
        // Both, continued piece by piece, on every length up to a few blocks.
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in (0..data.len()).step_by(97) {
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(
                crc32(crc32(0, a), b),
                crc32_by_tables(0, &data[..len]),
                "{len}"
            );
        }
    }
}
