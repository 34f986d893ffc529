//! Core micro-benchmarks: the cost of one event on each path, and how the cost of a
//! matching event changes with the number of tracked terms (1k, 100k, 1M).
//!
//! `cargo bench --bench core` (CI runs it with `-- --sample-count 3` so it cannot rot);
//! add `--features fluent-bit` for the Fluent Bit filter's path.

use std::cell::Cell;

use divan::Bencher;
use dynamodb_scan_detector::{Config, Context, Detector};

fn main() {
    divan::main();
}

const TYPICAL: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA00000000000000001","arn":"arn:aws:iam::111122223333:user/user-1","accountId":"111122223333","accessKeyId":"AKIAQ3EGRZ7K00000001","userName":"user-1"},"eventTime":"2026-11-02T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.1.0.1","userAgent":"aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.1.109","requestParameters":{"bucketName":"acme-data-lake","Host":"acme-data-lake.s3.us-east-1.amazonaws.com","key":"raw/0123456789ab.parquet"},"responseElements":null,"requestID":"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOP","eventID":"0c06e2ff-5e88-44e6-a081-57871bbe770b","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-data-lake/raw/0123456789ab.parquet"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}"#;

/// A successful Scan by principal `n` at second `t`.
fn scan(n: u64, t: u64) -> Vec<u8> {
    let (d, s) = (t / 86_400, t % 86_400);
    format!(
        r#"{{"eventVersion":"1.10","userIdentity":{{"type":"AssumedRole","principalId":"AROA0000000000000001:s-{n}","arn":"arn:aws:sts::111122223333:assumed-role/batch/s-{n}","accountId":"111122223333","accessKeyId":"ASIAQ3EGRZ7KBATCH001","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA0000000000000001","arn":"arn:aws:iam::111122223333:role/batch","accountId":"111122223333","userName":"batch"}},"attributes":{{"creationDate":"2026-11-02T00:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"2026-11-{:02}T{:02}:{:02}:{:02}Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","awsRegion":"us-east-1","sourceIPAddress":"10.3.0.1","userAgent":"Boto3/1.34.84","requestParameters":{{"tableName":"Orders","limit":50,"consistentRead":false}},"responseElements":null,"requestID":"R","eventID":"e-{n}-{t}","readOnly":true,"resources":[{{"accountId":"111122223333","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}}],"eventType":"AwsApiCall","apiVersion":"2012-08-10","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}}"#,
        2 + d,
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
    .into_bytes()
}

#[divan::bench]
fn typical_event_rejected_by_the_pre_check(bencher: Bencher) {
    let mut d = Detector::new(Config::default());
    bencher
        .counter(divan::counter::BytesCount::new(TYPICAL.len()))
        .bench_local(|| d.process(TYPICAL.as_bytes(), Context::event_time()));
}

#[divan::bench]
fn typical_event_fully_classified(bencher: Bencher) {
    let mut d = Detector::new(Config::default());
    d.set_prefilter(false);
    bencher
        .counter(divan::counter::BytesCount::new(TYPICAL.len()))
        .bench_local(|| d.process(TYPICAL.as_bytes(), Context::event_time()));
}

/// A matching Scan by a principal already tracked, with `n` terms in the store: the
/// per-event cost must not grow with `n`.
#[divan::bench(args = [1_000, 100_000, 1_000_000])]
fn scan_by_a_tracked_principal(bencher: Bencher, n: u64) {
    let mut d = Detector::new(Config::default());
    for i in 0..n {
        d.learn(&scan(i, i / 1_000), Context::event_time());
    }
    assert_eq!(d.stats().tracked_terms, n);
    let events: Vec<Vec<u8>> = (0..4096)
        .map(|i| scan((i * 7_919) % n, 3_600 + i))
        .collect();
    let next = Cell::new(0usize);
    bencher.bench_local(|| {
        let i = next.get();
        next.set((i + 1) % events.len());
        d.process(&events[i], Context::event_time())
    });
}

/// A Scan by a new principal at a full store (`n` = max_terms): insert plus eviction.
#[divan::bench(args = [1_000, 100_000, 1_000_000])]
fn scan_by_a_new_principal_at_the_cap(bencher: Bencher, n: u64) {
    let config =
        Config::from_json(&format!(r#"{{"max_terms":{n},"max_signals":1}}"#)).expect("valid");
    let mut d = Detector::new(config);
    for i in 0..n {
        d.learn(&scan(i, i / 1_000), Context::event_time());
    }
    let fresh = Cell::new(n);
    bencher
        .with_inputs(|| {
            let i = fresh.get();
            fresh.set(i + 1);
            scan(i, 3_600)
        })
        .bench_local_refs(|event| d.process(event, Context::event_time()));
}

/// The Fluent Bit module's annotate function on a record that cannot match (its logic,
/// natively: the wasm figures are in `tests/bench/bench.py`). Needs `--features fluent-bit`.
#[cfg(feature = "fluent-bit")]
#[divan::bench]
fn fluent_bit_annotate_rejected_record(bencher: Bencher) {
    use dynamodb_scan_detector::bindings::fluent_bit::{Filter, Mode, Record, Reply};
    let mut filter = Filter::start(None, 1_800_000_000_000, Box::new(|_| {}));
    bencher
        .counter(divan::counter::BytesCount::new(TYPICAL.len()))
        .bench_local(|| {
            let record = Record::Bytes(TYPICAL.as_bytes());
            let reply = filter.call(Mode::Annotate, record, None, &mut || 1_800_000_000_000);
            assert!(matches!(reply, Reply::Unchanged));
        });
}
