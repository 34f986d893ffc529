//! The bundled sample: four days of one AWS account's trail in CloudTrail's S3 layout
//! (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz`,
//! one `{"Records":[…]}` file per hour).
//!
//! The story, for the default rule (ARN, 14 days):
//! * regular scanners: the `reporting-etl` role on an EC2 instance (hourly), the
//!   `analytics-bot` IAM user (every 6 hours), the `inventory-sync` Lambda (every 30 min);
//!   they alert on day 1 only, as every principal does on a fresh detector, except that
//!   on day 3 the ETL instance is replaced and its new session ARN alerts once (Elastic's
//!   current rule, keyed on the role name, stays quiet);
//! * unusual ones: a cross-account `vendor-audit` role on day 2; the developer `jdoe`,
//!   who only ever reads single items, scans `Customers` from a new address on day 3;
//!   `AdminRole` assumed by `mallory@example.com` on day 4, first denied on
//!   `PaymentMethods`, then successful on `Customers`;
//! * failures: the `intern` user's scans are denied (never alert);
//! * everything else: the web app's GetItem/PutItem/Query, S3, EC2, KMS, STS, IAM, logs.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use super::events::{background, dynamodb, Principal, Table, BOTO_UA, CLI_UA, CONSOLE_UA, SDK_UA};
use super::rng::Rng;

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "us-east-1";
/// 2026-11-02T00:00:00Z, a Monday.
pub const START: i64 = 1_793_577_600_000;
const HOUR: i64 = 3_600_000;
const DAYS: i64 = 4;

pub fn write(dir: &Path) -> Result<(), String> {
    let mut rng = Rng::new(20_261_102);
    let mut by_hour: Vec<Vec<(i64, Value)>> = vec![Vec::new(); (DAYS * 24) as usize];
    let mut add = |t: i64, r: Value| {
        let h = ((t - START) / HOUR) as usize;
        if h < by_hour.len() {
            by_hour[h].push((t, r));
        }
    };
    let etl = |instance: &str| {
        Principal::role(
            ACCOUNT,
            "reporting-etl",
            instance,
            "ASIAQ3EGRZ7KETL00001",
            "10.20.4.17",
            BOTO_UA,
        )
    };
    let bot = Principal::user(
        ACCOUNT,
        "analytics-bot",
        "AKIAQ3EGRZ7KANALYT01",
        "10.20.8.41",
        SDK_UA,
    );
    let lambda = Principal::role(
        ACCOUNT,
        "inventory-sync",
        "inventory-sync-fn",
        "ASIAQ3EGRZ7KINVSYNC1",
        "10.20.12.9",
        BOTO_UA,
    );
    let web = Principal::role(
        ACCOUNT,
        "web-app",
        "ecs-task-7f3a9c",
        "ASIAQ3EGRZ7KWEBAPP01",
        "10.20.16.5",
        SDK_UA,
    );
    let jdoe = Principal::user(
        ACCOUNT,
        "jdoe",
        "AKIAQ3EGRZ7KJDOE0001",
        "198.51.100.10",
        CONSOLE_UA,
    );
    let intern = Principal::user(
        ACCOUNT,
        "intern",
        "AKIAQ3EGRZ7KINTERN01",
        "198.51.100.44",
        CLI_UA,
    );
    let vendor = Principal::role(
        "444455556666",
        "vendor-audit",
        "audit-2026-11",
        "ASIAW7VENDORAUDIT001",
        "192.0.2.200",
        CLI_UA,
    );
    let mallory = Principal::role(
        ACCOUNT,
        "AdminRole",
        "mallory@example.com",
        "ASIAQ3EGRZ7KADMIN001",
        "203.0.113.77",
        CLI_UA,
    );
    let ec2 = Principal::service("ec2.amazonaws.com");
    let denied = Some((
        "AccessDeniedException",
        "User is not authorized to perform: dynamodb:Scan on this resource",
    ));

    for hour in 0..DAYS * 24 {
        let base = START + hour * HOUR;
        let day = hour / 24;
        let instance = if day < 2 {
            "i-0a1b2c3d4e5f60718"
        } else {
            "i-0f9e8d7c6b5a43210"
        };
        add(
            base + 5 * 60_000 + rng.below(60_000) as i64,
            dynamodb(
                &mut rng,
                base + 5 * 60_000,
                &etl(instance),
                table("Orders"),
                "Scan",
                None,
            ),
        );
        if hour % 6 == 2 {
            add(
                base + 20 * 60_000,
                dynamodb(
                    &mut rng,
                    base + 20 * 60_000,
                    &bot,
                    table("Products"),
                    "Scan",
                    None,
                ),
            );
        }
        for half in [0, 30] {
            let t = base + half * 60_000 + 12_000;
            add(
                t,
                dynamodb(&mut rng, t, &lambda, table("Inventory"), "Scan", None),
            );
        }
        for _ in 0..25 {
            let t = base + rng.below(HOUR as u64) as i64;
            let action = rng.pick(&["GetItem", "GetItem", "PutItem", "Query", "UpdateItem"]);
            let name = rng_table(&mut rng);
            let r = dynamodb(&mut rng, t, &web, table(name), action, None);
            add(t, r);
        }
        for _ in 0..30 {
            let t = base + rng.below(HOUR as u64) as i64;
            let who = match rng.below(5) {
                0 => &bot,
                1 => &web,
                2 => &jdoe,
                3 => &ec2,
                _ => &lambda,
            };
            let r = background(&mut rng, t, who, REGION);
            add(t, r);
        }
        if (9..18).contains(&(hour % 24)) && rng.chance(600) {
            let t = base + rng.below(HOUR as u64) as i64;
            let action = rng.pick(&["GetItem", "Query"]);
            add(
                t,
                dynamodb(&mut rng, t, &jdoe, table("Customers"), action, None),
            );
        }
        if hour % 24 == 14 {
            let t = base + 33 * 60_000;
            add(
                t,
                dynamodb(&mut rng, t, &intern, table("Customers"), "Scan", denied),
            );
        }
    }
    let at = |day: i64, h: i64, m: i64| START + day * 24 * HOUR + h * HOUR + m * 60_000;
    add(
        at(1, 10, 41),
        dynamodb(
            &mut rng,
            at(1, 10, 41),
            &vendor,
            table("Orders"),
            "Scan",
            None,
        ),
    );
    let jdoe_away = Principal {
        source_ip: "203.0.113.15".into(),
        user_agent: CLI_UA.into(),
        ..jdoe.clone()
    };
    add(
        at(2, 2, 17),
        dynamodb(
            &mut rng,
            at(2, 2, 17),
            &jdoe_away,
            table("Customers"),
            "Scan",
            None,
        ),
    );
    add(
        at(3, 3, 2),
        dynamodb(
            &mut rng,
            at(3, 3, 2),
            &mallory,
            table("PaymentMethods"),
            "Scan",
            denied,
        ),
    );
    add(
        at(3, 3, 4),
        dynamodb(
            &mut rng,
            at(3, 3, 4),
            &mallory,
            table("Customers"),
            "Scan",
            None,
        ),
    );

    for (hour, mut records) in by_hour.into_iter().enumerate() {
        records.sort_by_key(|(t, _)| *t);
        let t = START + hour as i64 * HOUR;
        let stamp = dynamodb_scan_detector::time::format_timestamp(t);
        let (date, hh) = (&stamp[..10], &stamp[11..13]);
        let folder = dir.join(format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{}",
            date.replace('-', "/")
        ));
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let name = format!(
            "{ACCOUNT}_CloudTrail_{REGION}_{}T{hh}00Z_{}.json.gz",
            date.replace('-', ""),
            rng.alnum(16)
        );
        let body = json!({"Records": records.into_iter().map(|(_, r)| r).collect::<Vec<_>>()});
        let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
        let path = folder.join(name);
        let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // mtime-free gzip header: the output is byte-for-byte reproducible.
        let mut gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(file, flate2::Compression::best());
        gz.write_all(&bytes)
            .and_then(|()| gz.finish().map(drop))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// A table of the sample's account.
fn table(name: &str) -> Table<'_> {
    Table {
        region: REGION,
        account: ACCOUNT,
        name,
    }
}

fn rng_table(rng: &mut Rng) -> &'static str {
    rng.pick(&["Customers", "Orders", "Sessions", "Carts"])
}
