//! Gzip decoding for CloudWatch Logs `awslogs` payloads: the header and trailer of one
//! gzip member (RFC 1952) read here, the DEFLATE body inflated by `miniz_oxide`.
//!
//! This used to be `flate2::read::GzDecoder`, which inflates with `miniz_oxide` too;
//! reading the member directly keeps `flate2` and its 16 KiB CRC table out of the
//! npm package's wasm. The results are `flate2`'s, error messages included (a test
//! holds the two to each other on valid, truncated, corrupted and oversized input):
//! the first member only (anything after it is ignored), header CRC and reserved
//! flags checked, data CRC and size checked, and at most `limit` bytes inflated.

use miniz_oxide::inflate::stream::{self, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Why a payload could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzipError {
    /// Not valid gzip; the message is `flate2`'s for the same input.
    Invalid(&'static str),
    /// It inflates past the limit.
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

/// The data of the first gzip member of `input`, if it inflates to at most `limit`
/// bytes.
pub fn gunzip(input: &[u8], limit: usize) -> Result<Vec<u8>, GzipError> {
    let body = header_len(input)?;
    let (data, used) = inflate(&input[body..], limit)?;
    let trailer = input[body + used..]
        .get(..8)
        .ok_or(GzipError::Invalid(UNEXPECTED_EOF))?;
    let (crc, size) = trailer.split_at(4);
    if le_u32(crc) != crc32(0, &data) || le_u32(size) != data.len() as u32 {
        return Err(GzipError::Invalid(BAD_CHECKSUM));
    }
    Ok(data)
}

/// The length of the member's header, checked as `flate2` checks it.
fn header_len(input: &[u8]) -> Result<usize, GzipError> {
    let eof = GzipError::Invalid(UNEXPECTED_EOF);
    let fixed = input.get(..10).ok_or(eof.clone())?;
    if fixed[..3] != [0x1f, 0x8b, 8] || fixed[3] & FRESERVED != 0 {
        return Err(GzipError::Invalid(BAD_HEADER));
    }
    let flags = fixed[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let xlen = input.get(at..at + 2).ok_or(eof.clone())?;
        at += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
        if at > input.len() {
            return Err(eof);
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = &input[at..];
            match memchr::memchr(0, rest) {
                Some(len) if len <= MAX_HEADER_FIELD => at += len + 1,
                _ if rest.len() > MAX_HEADER_FIELD => {
                    return Err(GzipError::Invalid(FIELD_TOO_LONG))
                }
                _ => return Err(eof),
            }
        }
    }
    if flags & FHCRC != 0 {
        let stored = input.get(at..at + 2).ok_or(eof)?;
        if u16::from_le_bytes([stored[0], stored[1]]) != crc32(0, &input[..at]) as u16 {
            return Err(GzipError::Invalid(BAD_CHECKSUM));
        }
        at += 2;
    }
    Ok(at)
}

/// Inflate a raw DEFLATE stream: its data and how many input bytes it took. Called
/// the way `flate2` calls `miniz_oxide` (the streaming API, whose 32 KiB window starts
/// as zeros, so a distance reaching before the start is not an error; more input
/// announced until the input is used up), so that damaged input gives the same result.
fn inflate(input: &[u8], limit: usize) -> Result<(Vec<u8>, usize), GzipError> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let cap = limit.saturating_add(1);
    let mut out = Vec::new();
    let mut chunk = vec![0; 32 * 1024];
    let mut read = 0;
    loop {
        let room = (cap - out.len()).min(chunk.len());
        if room == 0 {
            return Err(GzipError::TooLarge);
        }
        let rest = &input[read..];
        let eof = rest.is_empty();
        let flush = if eof { MZFlush::Finish } else { MZFlush::None };
        let result = stream::inflate(&mut state, rest, &mut chunk[..room], flush);
        read += result.bytes_consumed;
        let written = result.bytes_written;
        if out.len() + written > out.capacity() {
            // Grow by doubling, but never past the limit (a plain extend could double a
            // buffer at the limit to twice it before the next round refuses it).
            let want = (out.capacity() * 2).max(out.len() + written).min(cap);
            out.reserve_exact(want - out.len());
        }
        out.extend_from_slice(&chunk[..written]);
        match result.status {
            Ok(MZStatus::StreamEnd) if written == 0 => return Ok((out, read)),
            Ok(MZStatus::Ok) | Err(MZError::Buf) if written == 0 && eof => {
                return Err(GzipError::Invalid(INCOMPLETE_DEFLATE))
            }
            Ok(MZStatus::Ok | MZStatus::StreamEnd) | Err(MZError::Buf) => {}
            Ok(MZStatus::NeedDict) | Err(_) => return Err(GzipError::Invalid(CORRUPT_DEFLATE)),
        }
    }
}

fn le_u32(bytes: &[u8]) -> u32 {
    bytes.iter().rev().fold(0, |n, &b| (n << 8) | u32::from(b))
}

/// The CRC-32 of gzip (IEEE 802.3, reflected), continued from `crc`: natively
/// crc32fast's (SIMD, about ten times a table's speed), in wasm `crc32_by_table`.
#[cfg(not(target_family = "wasm"))]
fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(crc);
    hasher.update(bytes);
    hasher.finalize()
}

#[cfg(target_family = "wasm")]
fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    crc32_by_table(crc, bytes)
}

/// The same CRC a byte at a time from a 1 KiB table.
#[cfg(any(target_family = "wasm", test))]
fn crc32_by_table(crc: u32, bytes: &[u8]) -> u32 {
    let mut crc = !crc;
    for &b in bytes {
        crc = CRC_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

/// The CRC of every byte value, computed at compile time (1 KiB).
#[cfg(any(target_family = "wasm", test))]
const CRC_TABLE: [u32; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

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

    fn same(input: &[u8], limit: usize) {
        assert_eq!(gunzip(input, limit), flate2(input, limit), "{input:02x?}");
    }

    #[test]
    fn agrees_with_flate2() {
        let text: Vec<u8> = (0..3000u32)
            .flat_map(|i| {
                format!("{{\"n\":{},\"s\":\"{}\"}}\n", i % 97, i * 7919 % 1013).into_bytes()
            })
            .collect();
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
        assert_eq!(crc32_by_table(0, b"123456789"), 0xCBF4_3926);
        // Both, continued piece by piece, on every length up to a few blocks.
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in (0..data.len()).step_by(97) {
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(
                crc32(crc32(0, a), b),
                crc32_by_table(0, &data[..len]),
                "{len}"
            );
        }
    }
}
