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
/// carry crosses lanes).
pub const fn zero_bytes(w: u64) -> u64 {
    !nonzero_lanes(w) & HIGHS
}

/// A word whose lanes have their high bit set where `w`'s lane is not zero (exact; the
/// other bits are noise). ANDing several and then taking [`zero_bytes`]' last step finds
/// the lanes where any of them was zero, cheaper than one `zero_bytes` each.
pub const fn nonzero_lanes(w: u64) -> u64 {
    ((w & !HIGHS) + !HIGHS) | w
}

/// The high bit of every lane flagged in none of the `nonzero_lanes` words ANDed into
/// `all`.
pub const fn unflagged(all: u64) -> u64 {
    !all & HIGHS
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
                // Below 0x20 when the top three bits are clear.
                assert_eq!(zero_bytes(w & splat(0xe0)), at(byte < 0x20), "{lanes:x?}");
                let any = at(!(0x20..0x80).contains(&byte));
                let combined = nonzero_lanes(w) & nonzero_lanes(w & splat(0xe0)) & !w;
                assert_eq!(unflagged(combined), any, "{lanes:x?}");
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
