use super::store::*;

/// Observe with the watermark a stream would have: the newest time this test has seen
/// (each test runs on its own thread).
fn obs(s: &mut TermStore, key: u64, t: i64) -> Seen {
    let w = WATERMARK.with(|w| w.get()).max(t);
    WATERMARK.with(|c| c.set(w));
    s.observe(key, t, H, w)
}

thread_local! {
    static WATERMARK: std::cell::Cell<i64> = const { std::cell::Cell::new(i64::MIN) };
}

const H: i64 = 14 * 86_400_000;

#[test]
fn novelty_follows_the_window() {
    let mut s = TermStore::new(10);
    assert_eq!(obs(&mut s, 1, 0), Seen::First);
    assert_eq!(obs(&mut s, 1, 1000), Seen::Repeat);
    assert_eq!(obs(&mut s, 1, 500), Seen::Late);
    assert_eq!(
        s.observe(1, 900, H, 1000 + H),
        Seen::Late,
        "late, and not yet expired by the watermark"
    );
    assert_eq!(
        s.observe(1, 900, H, 1001 + H),
        Seen::Expired,
        "expired by the watermark: judged new, even out of order"
    );
    assert_eq!(
        s.observe(1, 1000, H, 1001 + H),
        Seen::Expired,
        "900 is still too old for this watermark"
    );
    assert_eq!(s.last_seen(1), Some(1000));
    assert_eq!(
        obs(&mut s, 1, 1000 + H),
        Seen::Repeat,
        "exactly the window is still history"
    );
    assert_eq!(obs(&mut s, 1, 1000 + 2 * H + 1), Seen::Expired);
    assert_eq!(
        obs(&mut s, 1, 1000 + 2 * H + 1),
        Seen::Repeat,
        "equal time is not late"
    );
}

/// `src/README.md` test plan item 32: cap 3 and keys A, B, C, D evict A; A again is new.
#[test]
fn item_32_lru_eviction_at_the_cap() {
    let mut s = TermStore::new(3);
    for (i, k) in [10u64, 11, 12].into_iter().enumerate() {
        assert_eq!(obs(&mut s, k, i as i64), Seen::First);
    }
    assert_eq!(
        obs(&mut s, 10, 5),
        Seen::Repeat,
        "touching A makes B the oldest"
    );
    assert_eq!(obs(&mut s, 13, 6), Seen::First);
    assert_eq!(s.len(), 3);
    assert_eq!(s.counters.evicted, 1);
    assert_eq!(s.last_seen(11), None, "B was least recently seen");
    assert_eq!(
        obs(&mut s, 11, 7),
        Seen::First,
        "an evicted term alerts again"
    );
    assert_eq!(s.counters.evicted, 2);
}

/// `src/README.md` test plan item 33: after a window without activity the store empties.
#[test]
fn item_33_expiry_frees_the_store() {
    let mut s = TermStore::new(100);
    for k in 0..50u64 {
        obs(&mut s, k, k as i64);
    }
    let held = s.heap_bytes();
    assert_eq!(s.expire(H, H), 0, "exactly the window is still history");
    assert_eq!(s.expire(48 + H + 1, H), 49);
    assert_eq!(s.len(), 1);
    assert_eq!(s.expire(49 + H + 1, H), 1);
    assert!(s.is_empty());
    assert_eq!(s.counters.expired, 50);
    // Slots are reused, not leaked.
    for k in 100..150u64 {
        obs(&mut s, k, 3 * H);
    }
    assert_eq!(s.heap_bytes(), held, "freed slots are reused");
}

#[test]
fn iteration_is_oldest_first_and_restores_identically() {
    let mut s = TermStore::new(10);
    for (k, t) in [(1u64, 5i64), (2, 3), (3, 9), (1, 10)] {
        obs(&mut s, k, t);
    }
    let order: Vec<_> = s.iter_oldest_first().collect();
    assert_eq!(order, [(2, 3), (3, 9), (1, 10)]);
    let mut r = TermStore::new(2);
    for (k, t) in &order {
        r.restore_entry(*k, *t);
    }
    assert_eq!(
        r.iter_oldest_first().collect::<Vec<_>>(),
        [(3, 9), (1, 10)],
        "restore into a smaller cap keeps the newest"
    );
}

#[test]
fn many_terms_stay_consistent() {
    let mut s = TermStore::new(1000);
    let mut t = 0;
    for round in 0..5u64 {
        for k in 0..3000u64 {
            t += 1;
            let _ = obs(&mut s, k * 7919 + round % 2, t);
            assert!(s.len() <= 1000);
        }
    }
    assert_eq!(s.iter_oldest_first().count(), s.len());
    let times: Vec<_> = s.iter_oldest_first().map(|(_, t)| t).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "in-order input keeps the list sorted by time"
    );
}

#[test]
fn a_million_terms_fit_in_40_bytes_each() {
    let n = 1_000_000u64;
    let mut s = TermStore::new(n as usize);
    for k in 0..n {
        obs(&mut s, k.wrapping_mul(0x9E37_79B9_7F4A_7C15), k as i64);
    }
    assert_eq!(s.len(), n as usize);
    let per_term = s.heap_bytes() as f64 / n as f64;
    assert!(per_term <= 40.0, "{per_term:.1} bytes per term");
}
