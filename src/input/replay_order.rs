//! The order in which to replay a set of log files, from their paths alone: the one
//! rule every host uses (the command line for the files it is given and finds in
//! directories, the npm package's `Detector.replayOrder`, and so the replay page).
//!
//! Order matters because the detector judges each event against what came before it.
//! CloudTrail delivers to S3 as
//! `AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUEID.json.gz`,
//! one file per account and region about every five minutes, holding the events of the
//! minutes before its stamp. Name order walks that tree account by account and region
//! by region, so after one region's weeks the next region's events look new again.
//! The rule, for paths given as bytes (`/`-separated; UTF-8 or not):
//!
//! 1. **CloudTrail digest files** (`…_CloudTrail-Digest_…` in the file name) are left
//!    out: they hold the hashes of other files, no events (read as a document, one
//!    would count as an event that matches nothing).
//! 2. **Files without a delivery stamp** come first, in path order (below). They carry
//!    no time to place them by; first is where the page has always put them.
//! 3. **Files with a delivery stamp** follow, by the stamp (`20261103T1905Z`, read from
//!    `_CloudTrail_REGION_20261103T1905Z_` or `_CloudTrail-Insight_REGION_…_` in the
//!    file name), across accounts, regions and organization prefixes; equal stamps in
//!    path order. Events in a file lie in the five minutes before its stamp, so this
//!    order disorders events by less than five minutes.
//! 4. **Path order** compares the paths byte by byte, except that runs of ASCII digits
//!    compare as numbers (`day2` before `day10`; `007` equals `7`, and then plain byte
//!    order decides). It needs no locale, so every host gets the same order (the page's
//!    former `Intl.Collator` also ignored case and punctuation, differently by browser).
//! 5. Paths equal in all of this keep the order they were given in (the sort is stable).

use std::cmp::Ordering;

/// What a path names, as far as replay order is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A CloudTrail log file with its delivery stamp as `YYYYMMDDHHMM`.
    Delivery(u64),
    /// A CloudTrail digest file (no events; left out of the replay).
    Digest,
    /// Anything else: replayed first, in path order.
    Other,
}

/// The file-name markers of CloudTrail's log files (events and Insights events).
const DELIVERY_MARKERS: [&[u8]; 2] = [b"_CloudTrail_", b"_CloudTrail-Insight_"];
/// The file-name marker of CloudTrail's digest files.
const DIGEST_MARKER: &[u8] = b"_CloudTrail-Digest_";

/// What `path` names, from its last `/`-separated component.
pub fn file_kind(path: &[u8]) -> FileKind {
    let name = match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    };
    if find(name, DIGEST_MARKER).is_some() {
        return FileKind::Digest;
    }
    DELIVERY_MARKERS
        .iter()
        .find_map(|marker| {
            let at = find(name, marker)?;
            delivery_stamp(&name[at + marker.len()..])
        })
        .map_or(FileKind::Other, FileKind::Delivery)
}

/// `REGION_YYYYMMDDTHHMMZ_…` → `YYYYMMDDHHMM`; `None` when `rest` is not that.
fn delivery_stamp(rest: &[u8]) -> Option<u64> {
    let underscore = rest.iter().position(|&b| b == b'_')?;
    if underscore == 0 {
        return None;
    }
    let stamp = rest.get(underscore + 1..underscore + 1 + 15)?;
    let (date, time) = (&stamp[..8], &stamp[9..13]);
    let shaped = stamp[8] == b'T' && stamp[13] == b'Z' && stamp[14] == b'_';
    if !shaped || !date.iter().chain(time).all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        date.iter()
            .chain(time)
            .fold(0, |n, &d| n * 10 + u64::from(d - b'0')),
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The indices of `paths` to replay, in replay order (see the module's rule): digest
/// files left out, files without a delivery stamp first in path order, then the
/// stamped ones by stamp and path.
pub fn replay_order<P: AsRef<[u8]>>(paths: &[P]) -> Vec<usize> {
    let mut keyed: Vec<(Option<u64>, usize)> = paths
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match file_kind(p.as_ref()) {
            FileKind::Digest => None,
            FileKind::Delivery(stamp) => Some((Some(stamp), i)),
            FileKind::Other => Some((None, i)),
        })
        .collect();
    keyed.sort_by(|(sa, a), (sb, b)| {
        sa.cmp(sb)
            .then_with(|| path_order(paths[*a].as_ref(), paths[*b].as_ref()))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Byte order, with runs of ASCII digits compared as numbers; paths that are equal
/// that way (`a07` and `a7`) then in plain byte order.
pub fn path_order(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let (na, next_i) = digit_run(a, i);
            let (nb, next_j) = digit_run(b, j);
            let by_value = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (i, j) = (next_i, next_j);
        } else {
            match a[i].cmp(&b[j]) {
                Ordering::Equal => (i, j) = (i + 1, j + 1),
                unequal => return unequal,
            }
        }
    }
    (a.len() - i).cmp(&(b.len() - j)).then_with(|| a.cmp(b))
}

/// The digits of the run starting at `start` without leading zeros, and where it ends.
fn digit_run(s: &[u8], start: usize) -> (&[u8], usize) {
    let end = s[start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(s.len(), |n| start + n);
    let run = &s[start..end];
    let significant = run.iter().position(|&b| b != b'0').unwrap_or(run.len());
    (&run[significant..], end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/03/111122223333_CloudTrail_us-east-1_20261103T1905Z_AAAA.json.gz";

    #[test]
    fn kinds() {
        let cases: &[(&str, FileKind)] = &[
            (ORG, FileKind::Delivery(202611031905)),
            (
                "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/03/111122223333_CloudTrail_eu-west-1_20261103T0000Z_Z9.json.gz",
                FileKind::Delivery(202611030000),
            ),
            ("111122223333_CloudTrail_us-east-1_20261103T1905Z_X.json", FileKind::Delivery(202611031905)),
            (
                "AWSLogs/1/CloudTrail-Insight/us-east-1/2026/11/03/1_CloudTrail-Insight_us-east-1_20261103T1910Z_Q.json.gz",
                FileKind::Delivery(202611031910),
            ),
            (
                "AWSLogs/o-abc123/111122223333/CloudTrail-Digest/us-east-1/2026/11/03/111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20261103T190512Z.json.gz",
                FileKind::Digest,
            ),
            // No unique id after the stamp, no region, a short stamp, letters in it.
            ("1_CloudTrail_us-east-1_20261103T1905Z.json.gz", FileKind::Other),
            ("1_CloudTrail__20261103T1905Z_X.json.gz", FileKind::Other),
            ("1_CloudTrail_us-east-1_2026113T1905Z_X.json.gz", FileKind::Other),
            ("1_CloudTrail_us-east-1_2026110xT1905Z_X.json.gz", FileKind::Other),
            // The marker must be in the file name, not a directory.
            ("x_CloudTrail_us-east-1_20261103T1905Z_X/events.json", FileKind::Other),
            ("events-20261103T1905Z_x.json", FileKind::Other),
            ("", FileKind::Other),
            ("/", FileKind::Other),
        ];
        for (path, want) in cases {
            assert_eq!(file_kind(path.as_bytes()), *want, "{path}");
        }
    }

    #[test]
    fn path_order_compares_numbers_as_numbers() {
        use Ordering::*;
        let cases: &[(&str, &str, Ordering)] = &[
            ("day2.json", "day10.json", Less),
            ("day10.json", "day2.json", Greater),
            ("a/b", "a/b", Equal),
            ("a7", "a07", Greater), // equal numbers: byte order decides ('7' > '0')
            ("a07", "a7b", Less),
            ("a", "a1", Less),
            ("a1", "a", Greater),
            ("a1b", "a1a", Greater),
            (
                "x99999999999999999999999",
                "x100000000000000000000000",
                Less,
            ),
            ("B", "a", Less), // plain bytes: upper case first
            ("2026/11/9/f", "2026/11/10/f", Less),
            ("", "", Equal),
            ("", "0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(path_order(a.as_bytes(), b.as_bytes()), *want, "{a} vs {b}");
        }
    }

    fn ordered(paths: &[&str]) -> Vec<String> {
        replay_order(paths)
            .into_iter()
            .map(|i| paths[i].to_owned())
            .collect()
    }

    fn org(account: &str, region: &str, stamp: &str, id: &str) -> String {
        let (y, m, d) = (&stamp[..4], &stamp[4..6], &stamp[6..8]);
        format!("AWSLogs/o-abc123/{account}/CloudTrail/{region}/{y}/{m}/{d}/{account}_CloudTrail_{region}_{stamp}_{id}.json.gz")
    }

    #[test]
    fn org_trail_interleaves_accounts_and_regions_by_stamp() {
        let a = org("111111111111", "us-east-1", "20261103T0005Z", "A");
        let b = org("111111111111", "us-east-1", "20261103T0010Z", "B");
        let c = org("111111111111", "eu-west-1", "20261103T0005Z", "C");
        let d = org("222222222222", "us-east-1", "20261103T0000Z", "D");
        let e = org("222222222222", "ap-south-1", "20261104T0000Z", "E");
        // Name order would be a, b, c, d, e's directories: account, then region.
        let given = [e.as_str(), d.as_str(), b.as_str(), a.as_str(), c.as_str()];
        assert_eq!(
            ordered(&given),
            [d.as_str(), c.as_str(), a.as_str(), b.as_str(), e.as_str()]
        );
    }

    #[test]
    fn mixed_layouts_digests_and_unstamped_files() {
        let single = "AWSLogs/333333333333/CloudTrail/us-east-1/2026/11/03/333333333333_CloudTrail_us-east-1_20261103T0007Z_S.json.gz";
        let digest = "AWSLogs/o-abc123/111111111111/CloudTrail-Digest/us-east-1/2026/11/03/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20261103T000512Z.json.gz";
        let org1 = org("111111111111", "us-east-1", "20261103T0005Z", "A");
        let org2 = org("111111111111", "us-east-1", "20261103T0010Z", "B");
        let given = [
            org2.as_str(),
            "notes/extra10.ndjson",
            digest,
            single,
            "notes/extra9.ndjson",
            org1.as_str(),
            "a.json",
        ];
        assert_eq!(
            ordered(&given),
            [
                "a.json",
                "notes/extra9.ndjson",
                "notes/extra10.ndjson",
                org1.as_str(),
                single,
                org2.as_str(),
            ]
        );
    }

    #[test]
    fn equal_stamps_go_by_path_then_given_order() {
        let x = org("111111111111", "us-west-2", "20261103T0005Z", "B");
        let y = org("111111111111", "us-east-1", "20261103T0005Z", "A");
        let z = org("2", "us-east-1", "20261103T0005Z", "A");
        assert_eq!(
            ordered(&[x.as_str(), y.as_str(), z.as_str()]),
            [z.as_str(), y.as_str(), x.as_str()]
        );
        assert_eq!(replay_order(&["same", "same", "same"]), [0, 1, 2]);
        assert_eq!(replay_order::<&str>(&[]), Vec::<usize>::new());
    }

    #[test]
    fn any_bytes_are_ordered_without_panic() {
        let paths: [&[u8]; 5] = [
            b"dir/\xff\xfe_CloudTrail_us-east-1_20261103T0005Z_A.json.gz",
            b"dir/\xff9",
            b"dir/\xff10",
            b"\x80",
            b"dir/x_CloudTrail_\xc3_20261103T0000Z_B",
        ];
        assert_eq!(replay_order(&paths), [1, 2, 3, 4, 0]);
    }
}
