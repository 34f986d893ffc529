//! Benchmark corpora (NDJSON on stdout): `typical` (about 1% DynamoDB, mostly not Scan),
//! `scan-heavy` (every event a successful Scan, many principals), `high-cardinality`
//! (every event a Scan by a principal never seen before), `soak` (every event a Scan by one
//! of three million principals, for long runs against the state cap), in raw CloudTrail,
//! nested ECS, or ECS with dotted keys.

use std::io::{BufWriter, Write};

use serde_json::{Map, Value};

use super::events::{background, dynamodb, Principal, Table, BOTO_UA, CLI_UA, SDK_UA};
use super::rng::Rng;
use dynamodb_scan_detector::ecs::cloudtrail::to_ecs;
use dynamodb_scan_detector::time::format_timestamp;

const START: i64 = 1_793_577_600_000;
const ORDERS: Table<'static> = Table {
    region: "us-east-1",
    account: "111122223333",
    name: "Orders",
};

pub fn write(kind: &str, form: &str, events: &str, seed: Option<&str>) -> Result<(), String> {
    let events: u64 = events
        .parse()
        .map_err(|_| format!("EVENTS `{events}` is not a number"))?;
    let seed: u64 = seed
        .map_or(Ok(1), str::parse)
        .map_err(|_| "SEED is not a number".to_owned())?;
    let out = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, out.lock());
    write_to(&mut out, kind, form, events, seed)?;
    out.flush().map_err(|e| e.to_string())
}

/// Write `events` NDJSON lines of corpus `kind` in `form` to `out`.
pub fn write_to(
    out: &mut dyn Write,
    kind: &str,
    form: &str,
    events: u64,
    seed: u64,
) -> Result<(), String> {
    if !matches!(form, "raw" | "ecs-nested" | "ecs-dotted") {
        return Err(format!(
            "unknown FORM `{form}` (raw, ecs-nested, ecs-dotted)"
        ));
    }
    let mut rng = Rng::new(seed);
    let principals: Vec<Principal> = (0..500)
        .map(|i| match i % 3 {
            0 => Principal::user(
                "111122223333",
                &format!("user-{i}"),
                &format!("AKIAQ3EGRZ7K{i:08}"),
                &format!("10.1.{}.{}", i / 250, i % 250),
                CLI_UA,
            ),
            1 => Principal::role(
                "111122223333",
                &format!("role-{}", i % 40),
                &format!("i-{:017x}", i * 7919),
                &format!("ASIAQ3EGRZ7K{i:08}"),
                "10.2.0.9",
                BOTO_UA,
            ),
            _ => Principal::role(
                "444455556666",
                &format!("app-{}", i % 25),
                &format!("session-{i}"),
                &format!("ASIAW7VENDOR{i:08}"),
                "192.0.2.10",
                SDK_UA,
            ),
        })
        .collect();
    for n in 0..events {
        let t = START + (n as i64) * 50 + rng.below(50) as i64;
        let record = match kind {
            "typical" => {
                let p = principals[rng.below(principals.len() as u64) as usize].clone();
                if rng.chance(10) {
                    let action = if rng.chance(150) {
                        "Scan"
                    } else {
                        rng.pick(&["GetItem", "PutItem", "Query", "UpdateItem", "BatchGetItem"])
                    };
                    dynamodb(&mut rng, t, &p, ORDERS, action, None)
                } else {
                    background(&mut rng, t, &p, "us-east-1")
                }
            }
            "scan-heavy" => {
                let p = principals[rng.below(principals.len() as u64) as usize].clone();
                dynamodb(&mut rng, t, &p, ORDERS, "Scan", None)
            }
            "high-cardinality" => {
                let p = Principal::role(
                    "111122223333",
                    "batch",
                    &format!("job-{n}"),
                    "ASIAQ3EGRZ7KBATCH001",
                    "10.3.0.1",
                    BOTO_UA,
                );
                dynamodb(&mut rng, t, &p, ORDERS, "Scan", None)
            }
            "soak" => {
                // Every event a Scan, by one of 3,000,000 principals in a shuffled order:
                // far more than the default cap of 1,000,000 tracked terms, with repeats.
                let who = n.wrapping_mul(2_654_435_761) % 3_000_000;
                let p = Principal::role(
                    "111122223333",
                    "batch",
                    &format!("job-{who}"),
                    "ASIAQ3EGRZ7KBATCH001",
                    "10.3.0.1",
                    BOTO_UA,
                );
                let table = ORDERS;
                dynamodb(&mut rng, t, &p, table, "Scan", None)
            }
            other => {
                return Err(format!(
                    "unknown KIND `{other}` (typical, scan-heavy, high-cardinality, soak)"
                ))
            }
        };
        let line = match form {
            "raw" => record,
            _ => {
                let Value::Object(map) = record else { continue };
                let mut ecs = to_ecs(map);
                let ingested = format_timestamp(t + 90_000 + rng.below(240_000) as i64);
                if let Some(Value::Object(event)) = ecs.get_mut("event") {
                    event.insert("ingested".into(), Value::String(ingested));
                }
                if form == "ecs-dotted" {
                    Value::Object(dotted(&ecs))
                } else {
                    Value::Object(ecs)
                }
            }
        };
        let text = serde_json::to_vec(&line).map_err(|e| e.to_string())?;
        out.write_all(&text).map_err(|e| e.to_string())?;
        out.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Flatten nested objects into dotted keys, as Filebeat's module wrote them.
fn dotted(map: &Map<String, Value>) -> Map<String, Value> {
    fn walk(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) if !prefix.starts_with("aws.cloudtrail.flattened") => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.clone());
            }
        }
    }
    let mut out = Map::new();
    walk("", &Value::Object(map.clone()), &mut out);
    out
}
