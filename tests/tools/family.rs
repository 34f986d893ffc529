//! Two weeks of two accounts' trails for six of Elastic's AWS New Terms rules
//! (tests/data/third-party/elastic-detection-rules): NDJSON of raw records in time
//! order, each rule's first-seen events among the calls its query leaves out.
//!
//! The story (2026-11-02 to 2026-11-15; account A 111122223333, B 444455556666):
//! * `alice` (A) scans `Orders`, reads the `db-password` secret and calls
//!   GetCallerIdentity every day; on day 7 she works from a new address.
//! * `bob` (A) reads the secret on day 0 and again on day 9, past the secrets rule's
//!   5-day window; he runs SendCommand on days 1 and 3 (one 7-day window) and exports
//!   `Orders` to S3 on day 2.
//! * the `ci-deploy` role (A) calls GetCallerIdentity hourly (AssumedRole callers are
//!   left out of the STS rule), and SSM runs SendCommand for it from
//!   `ssm.amazonaws.com` (left out of the SSM rule); its keys are temporary (`ASIA…`),
//!   so the long-term key rule never sees it.
//! * `carol` (B) scans and reads a secret in eu-west-1 on day 5.
//! * `mallory` (A), on day 12 from a new address: denied on the secret first, then every
//!   one of the rules' calls, successfully.
//! * everyone: S3, EC2, KMS and other calls in between.

use std::io::Write;

use serde_json::{json, Value};

use super::events::{
    background, dynamodb, record, Call, Principal, Table, BOTO_UA, CLI_UA, SDK_UA,
};
use super::rng::Rng;

const A: &str = "111122223333";
const B: &str = "444455556666";
/// 2026-11-02T00:00:00Z.
const START: i64 = 1_793_577_600_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const DAYS: i64 = 14;

fn call<'a>(
    source: &'a str,
    name: &'a str,
    params: Value,
    error: Option<(&'a str, &'a str)>,
) -> Call<'a> {
    Call {
        source,
        name,
        params,
        response: Value::Null,
        resources: Value::Null,
        error,
        data_event: false,
        read_only: name.starts_with("Get") || name.starts_with("Describe"),
    }
}

fn secret(
    rng: &mut Rng,
    t: i64,
    p: &Principal,
    region: &str,
    error: Option<(&str, &str)>,
) -> Value {
    let id = format!(
        "arn:aws:secretsmanager:{region}:{}:secret:db-password-AbCdEf",
        p.account
    );
    record(
        rng,
        t,
        p,
        region,
        &p.account,
        call(
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            json!({"secretId": id}),
            error,
        ),
    )
}

fn caller_identity(rng: &mut Rng, t: i64, p: &Principal) -> Value {
    record(
        rng,
        t,
        p,
        "us-east-1",
        &p.account,
        call("sts.amazonaws.com", "GetCallerIdentity", Value::Null, None),
    )
}

fn send_command(rng: &mut Rng, t: i64, p: &Principal) -> Value {
    let params = json!({"documentName": "AWS-RunShellScript", "instanceIds": ["i-0abc1234def567890"], "interactive": false});
    record(
        rng,
        t,
        p,
        "us-east-1",
        &p.account,
        call("ssm.amazonaws.com", "SendCommand", params, None),
    )
}

fn export(rng: &mut Rng, t: i64, p: &Principal) -> Value {
    let params = json!({"tableArn": format!("arn:aws:dynamodb:us-east-1:{}:table/Orders", p.account),
        "s3Bucket": "acme-exports", "exportFormat": "DYNAMODB_JSON"});
    record(
        rng,
        t,
        p,
        "us-east-1",
        &p.account,
        call(
            "dynamodb.amazonaws.com",
            "ExportTableToPointInTime",
            params,
            None,
        ),
    )
}

fn scan(rng: &mut Rng, t: i64, p: &Principal, region: &str) -> Value {
    let table = Table {
        region,
        account: &p.account,
        name: "Orders",
    };
    dynamodb(rng, t, p, table, "Scan", None)
}

/// The records, in time order.
pub fn records() -> Vec<Value> {
    let mut rng = Rng::new(20_261_207);
    let alice = Principal::user(A, "alice", "AKIAIOSFODNN7ALICE01", "198.51.100.10", CLI_UA);
    let alice_away = Principal {
        source_ip: "198.51.100.77".into(),
        ..alice.clone()
    };
    let bob = Principal::user(A, "bob", "AKIAIOSFODNN7BOB0001", "198.51.100.20", BOTO_UA);
    let ci = Principal::role(
        A,
        "ci-deploy",
        "build-4711",
        "ASIAIOSFODNN7CIDEP01",
        "10.0.0.5",
        SDK_UA,
    );
    let ssm_for_ci = Principal {
        source_ip: "ssm.amazonaws.com".into(),
        user_agent: "ssm.amazonaws.com".into(),
        ..ci.clone()
    };
    let carol = Principal::user(B, "carol", "AKIAIOSFODNN7CAROL01", "203.0.113.30", CLI_UA);
    let mallory = Principal::user(A, "mallory", "AKIAIOSFODNN7MALLORY", "192.0.2.66", CLI_UA);
    let mut out: Vec<(i64, Value)> = Vec::new();
    for day in 0..DAYS {
        let d = START + day * DAY;
        let today = if day == 7 { &alice_away } else { &alice };
        out.push((
            d + 9 * HOUR,
            scan(&mut rng, d + 9 * HOUR, today, "us-east-1"),
        ));
        out.push((
            d + 9 * HOUR + 60_000,
            secret(&mut rng, d + 9 * HOUR + 60_000, today, "us-east-1", None),
        ));
        out.push((
            d + 9 * HOUR + 120_000,
            caller_identity(&mut rng, d + 9 * HOUR + 120_000, today),
        ));
        for h in 0..24 {
            let t = d + h * HOUR + 30 * 60_000;
            out.push((t, caller_identity(&mut rng, t, &ci)));
            out.push((
                t + 1_000,
                background(&mut rng, t + 1_000, &alice, "us-east-1"),
            ));
            out.push((
                t + 2_000,
                background(&mut rng, t + 2_000, &bob, "us-east-1"),
            ));
            if h % 6 == 0 {
                out.push((t + 3_000, send_command(&mut rng, t + 3_000, &ssm_for_ci)));
            }
        }
        let t = d + 14 * HOUR;
        match day {
            0 | 9 => out.push((t, secret(&mut rng, t, &bob, "us-east-1", None))),
            1 | 3 => out.push((t, send_command(&mut rng, t, &bob))),
            2 => out.push((t, export(&mut rng, t, &bob))),
            5 => {
                out.push((t, scan(&mut rng, t, &carol, "eu-west-1")));
                out.push((
                    t + 60_000,
                    secret(&mut rng, t + 60_000, &carol, "eu-west-1", None),
                ));
            }
            12 => {
                let denied = Some(("AccessDenied", "User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: secretsmanager:GetSecretValue"));
                out.push((t, secret(&mut rng, t, &mallory, "us-east-1", denied)));
                out.push((t + 60_000, caller_identity(&mut rng, t + 60_000, &mallory)));
                out.push((
                    t + 120_000,
                    secret(&mut rng, t + 120_000, &mallory, "us-east-1", None),
                ));
                out.push((
                    t + 180_000,
                    scan(&mut rng, t + 180_000, &mallory, "us-east-1"),
                ));
                out.push((t + 240_000, export(&mut rng, t + 240_000, &mallory)));
                out.push((t + 300_000, send_command(&mut rng, t + 300_000, &mallory)));
            }
            _ => {}
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Write the records as NDJSON to standard output.
pub fn write() -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    for r in records() {
        writeln!(w, "{r}").map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())
}
