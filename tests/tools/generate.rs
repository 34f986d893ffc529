//! Deterministic generator of realistic CloudTrail, shaped after the real records in
//! `tests/data/third-party/` (the IBM DynamoDB Scan and data events, Stratus Red Team's
//! IAM/EC2/STS records, Elastic's S3 data event, AWS's console sign-in examples).
//!
//! ```text
//! cargo run --release --example generate -- sample DIR
//!     the bundled sample: four days of one account in CloudTrail's S3 layout (.json.gz)
//! cargo run --release --example generate -- org-trail DIR [DAYS]
//!     an organization trail: 3 accounts × 4 regions × DAYS days (default 3) in
//!     CloudTrail's S3 layout, one .json.gz per account, region and 5-minute delivery
//! cargo run --release --example generate -- corpus KIND FORM EVENTS [SEED]
//!     NDJSON on stdout; KIND: typical | scan-heavy | high-cardinality;
//!     FORM: raw | ecs-nested | ecs-dotted
//! cargo run --release --example generate -- family
//!     NDJSON on stdout: two weeks of two accounts for six of Elastic's AWS New Terms
//!     rules (tests/fixtures/aws-family.ndjson)
//! ```
//! Same arguments, same bytes: the generator has its own seeded PRNG and no clock.

mod corpus;
mod events;
mod family;
mod org_trail;
mod rng;
mod sample;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("family") if args.len() == 1 => family::write(),
        Some("sample") if args.len() == 2 => sample::write(std::path::Path::new(&args[1])),
        Some("org-trail") if (2..=3).contains(&args.len()) => {
            let days = match args.get(2).map(|d| d.parse::<i64>()) {
                None => Ok(org_trail::DAYS),
                Some(Ok(d)) => Ok(d),
                Some(Err(e)) => Err(format!("DAYS: {e}")),
            };
            days.and_then(|d| org_trail::write(std::path::Path::new(&args[1]), d))
                .map(|events| eprintln!("generate: {events} events"))
        }
        Some("corpus") if (4..=5).contains(&args.len()) => corpus::write(
            &args[1],
            &args[2],
            &args[3],
            args.get(4).map(String::as_str),
        ),
        _ => Err("usage: generate sample DIR | generate org-trail DIR [DAYS] | generate corpus KIND FORM EVENTS [SEED] | generate family".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("generate: {e}");
        std::process::exit(2);
    }
}
