//! Eight bytes at a time in a `u64` ("SIMD within a register"): byte searches that stay
//! fast where there is no SIMD (wasm32 without `simd128`, which Fluent Bit's WAMR may
//! not run).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// `byte` in every lane.
pub const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// The high bit of every lane of `w` that is zero, and of no other lane (exact: no
/// borrow crosses lanes).
pub const fn zero_bytes(w: u64) -> u64 {
    !(((w & !HIGHS) + !HIGHS) | w) & HIGHS
}

/// The high bit of every lane of `w` below 0x20 (a JSON control character).
pub const fn controls(w: u64) -> u64 {
    zero_bytes(w & splat(0xe0))
}

/// The high bit of every lane of `w` at or above 0x80 (a non-ASCII byte).
pub const fn non_ascii(w: u64) -> u64 {
    w & HIGHS
}

/// The lane of the lowest flagged high bit in `mask` (not zero): the first byte in
/// memory order.
pub const fn first_lane(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The eight bytes of `bytes` from `at`, if there are eight.
pub fn load(bytes: &[u8], at: usize) -> Option<u64> {
    let word: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_one_at_a_time() {
        for pos in 0..8 {
            for byte in 0..=0xffu8 {
                let mut lanes = [b'a'; 8];
                lanes[pos] = byte;
                let w = u64::from_le_bytes(lanes);
                let expect = if byte == 0 { 0x80 << (8 * pos) } else { 0 };
                assert_eq!(zero_bytes(w), expect, "{lanes:x?}");
                let at = |flag: bool| if flag { 0x80 << (8 * pos) } else { 0 };
                assert_eq!(controls(w), at(byte < 0x20), "{lanes:x?}");
                assert_eq!(non_ascii(w), at(byte >= 0x80), "{lanes:x?}");
                let any = zero_bytes(w) | controls(w) | non_ascii(w);
                if any != 0 {
                    assert_eq!(first_lane(any), pos);
                }
            }
        }
    }

    #[test]
    fn exact_positions_with_neighbouring_matches() {
        let w = u64::from_le_bytes([0, 1, 0, 0xff, 0x80, 0, 0x7f, 0]);
        assert_eq!(zero_bytes(w), 0x8000_8000_0080_0080);
        assert_eq!(zero_bytes(w ^ splat(b'S')).count_ones(), 0);
        assert_eq!(zero_bytes(splat(b'S') ^ splat(b'S')), HIGHS);
        assert_eq!(first_lane(zero_bytes(w)), 0);
        assert_eq!(load(b"abcdefgh", 0), Some(u64::from_le_bytes(*b"abcdefgh")));
        assert_eq!(load(b"abcdefgh", 1), None);
    }
}
