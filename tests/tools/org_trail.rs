//! An organization trail in CloudTrail's S3 layout: three member accounts × four
//! regions × `days` days, one gzipped `{"Records":[…]}` file per account and region per
//! five-minute delivery that has events (CloudTrail writes none for a quiet interval):
//! `AWSLogs/o-ORGID/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz`,
//! the file stamped `HHMM` holding the events of `[HHMM − 5 min, HHMM)`. One digest
//! file per account and region per day under `CloudTrail-Digest/` too (no events).
//!
//! Read in name order (account by account, region by region) it replays each region's
//! days before the next region's; the stories below make that visible:
//! * recurring scanners: an `etl` role in every account and region every four hours,
//!   and an `inventory-sync` Lambda hourly in each account's first region;
//! * an enumeration script: the `security-audit` role scans the four regions of the
//!   first account within seconds, daily at 02:04:57, across a delivery boundary and
//!   in an order unlike the regions' names (so equal stamps hold events out of order);
//! * new principals: an attacker's session scanning every region of the second and
//!   then the third account within seconds (on the second day), a cross-account vendor role and a
//!   developer who never scanned before (last day), an intern whose scans are denied;
//! * everything else: S3, EC2, KMS, STS, IAM and CloudWatch Logs calls.
//!
//! A few thousand events for three days: small enough for tests, big enough that the
//! accounts and regions interleave.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use super::events::{background, dynamodb, Principal, Table, BOTO_UA, CLI_UA, SDK_UA};
use super::rng::Rng;

pub const ORG: &str = "o-a1b2c3d4e5";
pub const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "777788889999"];
pub const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"];
/// 2026-11-02T00:00:00Z, as the bundled sample.
pub const START: i64 = 1_793_577_600_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// CloudTrail's delivery interval: a file per account and region about every 5 minutes.
pub const DELIVERY: i64 = 5 * MINUTE;

/// The default number of days.
pub const DAYS: i64 = 3;

/// Events by (account, region, delivery slot).
type Deliveries = BTreeMap<(usize, usize, i64), Vec<(i64, Value)>>;

/// Write the trail under `dir`; returns how many events it holds.
pub fn write(dir: &Path, days: i64) -> Result<usize, String> {
    if !(1..=60).contains(&days) {
        return Err(format!("days must be 1 to 60, not {days}"));
    }
    let mut rng = Rng::new(20_261_103);
    let mut files: Deliveries = BTreeMap::new();
    let mut add = |a: usize, r: usize, t: i64, record: Value| {
        files
            .entry((a, r, (t - START).div_euclid(DELIVERY)))
            .or_default()
            .push((t, record));
    };
    let ip = |a: usize, n: usize| format!("10.{}.{}.{}", 20 + a, 4 * n, 17 + a);
    let etl = |a: usize| {
        Principal::role(
            ACCOUNTS[a],
            "etl",
            "etl-batch",
            &format!("ASIAQ3EGRZ7KETL0000{a}"),
            &ip(a, 1),
            BOTO_UA,
        )
    };
    let lambda = |a: usize| {
        Principal::role(
            ACCOUNTS[a],
            "inventory-sync",
            "inventory-sync-fn",
            &format!("ASIAQ3EGRZ7KINVSYN0{a}"),
            &ip(a, 2),
            BOTO_UA,
        )
    };
    let web = |a: usize| {
        Principal::role(
            ACCOUNTS[a],
            "web-app",
            "ecs-task-7f3a9c",
            &format!("ASIAQ3EGRZ7KWEBAPP0{a}"),
            &ip(a, 3),
            SDK_UA,
        )
    };
    let audit = Principal::role(
        ACCOUNTS[0],
        "security-audit",
        "inventory-script",
        "ASIAQ3EGRZ7KAUDIT001",
        "10.20.30.40",
        CLI_UA,
    );
    let attacker = |a: usize| {
        Principal::role(
            ACCOUNTS[a],
            "OrganizationAccountAccessRole",
            "botocore-session-1793750400",
            &format!("ASIAW7ATTACKER0000{a}"),
            "203.0.113.66",
            CLI_UA,
        )
    };
    let vendor = Principal::role(
        "999988887777",
        "vendor-audit",
        "audit-2026-11",
        "ASIAW7VENDORAUDIT001",
        "192.0.2.200",
        CLI_UA,
    );
    let jdoe = Principal::user(
        ACCOUNTS[0],
        "jdoe",
        "AKIAQ3EGRZ7KJDOE0001",
        "198.51.100.10",
        CLI_UA,
    );
    let intern = Principal::user(
        ACCOUNTS[2],
        "intern",
        "AKIAQ3EGRZ7KINTERN01",
        "198.51.100.44",
        CLI_UA,
    );
    let ec2 = Principal::service("ec2.amazonaws.com");
    let denied = Some((
        "AccessDeniedException",
        "User is not authorized to perform: dynamodb:Scan on this resource",
    ));
    let table = |a: usize, r: usize, name: &'static str| Table {
        region: REGIONS[r],
        account: ACCOUNTS[a],
        name,
    };

    for day in 0..days {
        let base = START + day * DAY;
        for a in 0..ACCOUNTS.len() {
            let web = web(a);
            for (r, region) in REGIONS.iter().enumerate() {
                // The ETL role every four hours, with the calls around it.
                for h in (0..24).step_by(4) {
                    let t = base + h * HOUR + (7 + 3 * a as i64 + r as i64) * MINUTE + 11_000;
                    add(
                        a,
                        r,
                        t,
                        dynamodb(&mut rng, t, &etl(a), table(a, r, "Orders"), "Scan", None),
                    );
                    for _ in 0..2 {
                        let u = t + rng.below(90_000) as i64;
                        add(a, r, u, background(&mut rng, u, &etl(a), region));
                    }
                }
                // Busy intervals: the web app and everyday calls.
                for _ in 0..8 {
                    let slot = base + rng.below(DAY as u64 / DELIVERY as u64) as i64 * DELIVERY;
                    for _ in 0..6 {
                        let u = slot + rng.below(DELIVERY as u64) as i64;
                        let record = if rng.chance(400) {
                            let action = rng.pick(&["GetItem", "PutItem", "Query"]);
                            dynamodb(&mut rng, u, &web, table(a, r, "Carts"), action, None)
                        } else {
                            let who = if rng.chance(300) { &ec2 } else { &web };
                            background(&mut rng, u, who, region)
                        };
                        add(a, r, u, record);
                    }
                }
            }
            // The Lambda, hourly, in the account's first region.
            for h in 0..24 {
                let t = base + h * HOUR + 12 * MINUTE + 30_000 + a as i64 * 1000;
                let r = dynamodb(
                    &mut rng,
                    t,
                    &lambda(a),
                    table(a, 0, "Inventory"),
                    "Scan",
                    None,
                );
                add(a, 0, t, r);
            }
        }
        // The enumeration script: four regions within six seconds, across 02:05.
        for (k, r) in [2, 3, 0, 1].into_iter().enumerate() {
            let t = base + 2 * HOUR + 4 * MINUTE + 57_000 + 2_000 * k as i64;
            let rec = dynamodb(&mut rng, t, &audit, table(0, r, "Customers"), "Scan", None);
            add(0, r, t, rec);
        }
        // The intern, denied every afternoon.
        let t = base + 14 * HOUR + 33 * MINUTE;
        let rec = dynamodb(&mut rng, t, &intern, table(2, 1, "Payroll"), "Scan", denied);
        add(2, 1, t, rec);
    }
    // An attacker enumerating the second account, then the third, across 13:30.
    let attack_day = (days - 1).min(1);
    for (n, a) in [1, 2].into_iter().enumerate() {
        for (k, r) in [1, 0, 3, 2].into_iter().enumerate() {
            let t = START
                + attack_day * DAY
                + 13 * HOUR
                + 29 * MINUTE
                + 58_000
                + n as i64 * 10 * MINUTE
                + 1_000 * k as i64;
            let rec = dynamodb(
                &mut rng,
                t,
                &attacker(a),
                table(a, r, "Customers"),
                "Scan",
                None,
            );
            add(a, r, t, rec);
        }
    }
    // New on the last day: a vendor's cross-account role, a developer's first scan.
    let last = START + (days - 1) * DAY;
    let t = last + 10 * HOUR + 41 * MINUTE;
    let rec = dynamodb(&mut rng, t, &vendor, table(2, 1, "Orders"), "Scan", None);
    add(2, 1, t, rec);
    let t = last + 16 * HOUR + 2 * MINUTE + 17_000;
    let rec = dynamodb(&mut rng, t, &jdoe, table(0, 2, "Customers"), "Scan", None);
    add(0, 2, t, rec);

    let mut events = 0;
    for ((a, r, slot), mut records) in files {
        records.sort_by_key(|(t, _)| *t);
        events += records.len();
        let stamp = START + (slot + 1) * DELIVERY;
        let body = json!({"Records": records.into_iter().map(|(_, r)| r).collect::<Vec<_>>()});
        let name = format!(
            "{account}_CloudTrail_{region}_{}_{}.json.gz",
            compact(stamp),
            rng.alnum(16),
            account = ACCOUNTS[a],
            region = REGIONS[r],
        );
        write_gz(&folder(dir, "CloudTrail", a, r, stamp), &name, &body)?;
    }
    for day in 0..days {
        for (a, account) in ACCOUNTS.iter().enumerate() {
            for (r, region) in REGIONS.iter().enumerate() {
                let end = START + (day + 1) * DAY - 5 * MINUTE + 12_000;
                let digest = json!({
                    "awsAccountId": account,
                    "digestStartTime": cloudtrail_time(end - DAY),
                    "digestEndTime": cloudtrail_time(end),
                    "digestS3Bucket": "org-trail-bucket",
                    "digestS3Object": format!("AWSLogs/{ORG}/{account}/CloudTrail-Digest/{region}/…"),
                    "digestPublicKeyFingerprint": rng.hex(32),
                    "digestSignatureAlgorithm": "SHA256withRSA",
                    "previousDigestS3Bucket": null,
                    "previousDigestS3Object": null,
                    "previousDigestHashValue": null,
                    "previousDigestHashAlgorithm": null,
                    "previousDigestSignature": null,
                    "logFiles": [],
                });
                let name = format!(
                    "{account}_CloudTrail-Digest_{region}_org-trail_{region}_{}.json.gz",
                    compact_seconds(end)
                );
                write_gz(&folder(dir, "CloudTrail-Digest", a, r, end), &name, &digest)?;
            }
        }
    }
    Ok(events)
}

/// `AWSLogs/o-ORGID/ACCOUNT/KIND/REGION/YYYY/MM/DD` of a delivery at `t`.
fn folder(dir: &Path, kind: &str, a: usize, r: usize, t: i64) -> std::path::PathBuf {
    let date = &dynamodb_scan_detector::time::format_timestamp(t)[..10];
    dir.join(format!(
        "AWSLogs/{ORG}/{}/{kind}/{}/{}",
        ACCOUNTS[a],
        REGIONS[r],
        date.replace('-', "/")
    ))
}

/// `YYYYMMDDTHHMMZ`.
fn compact(t: i64) -> String {
    let s = dynamodb_scan_detector::time::format_timestamp(t);
    format!("{}T{}{}Z", s[..10].replace('-', ""), &s[11..13], &s[14..16])
}

/// `YYYYMMDDTHHMMSSZ` (digest files).
fn compact_seconds(t: i64) -> String {
    let s = dynamodb_scan_detector::time::format_timestamp(t);
    format!("{}{}Z", &compact(t)[..13], &s[17..19])
}

fn cloudtrail_time(t: i64) -> String {
    super::events::cloudtrail_time(t)
}

/// A gzip file with an mtime-free header: the output is byte-for-byte reproducible.
fn write_gz(folder: &Path, name: &str, body: &Value) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let path = folder.join(name);
    let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(file, flate2::Compression::best());
    gz.write_all(&bytes)
        .and_then(|()| gz.finish().map(drop))
        .map_err(|e| format!("{}: {e}", path.display()))
}
