//! Elastic's 49 AWS New Terms rules, run together, against the full path: the rule set's
//! shortcuts (one search for every rule's needles, the rules indexed by provider, queries
//! judged on a raw record's fields, the raw-record fast path) must give exactly what
//! every rule gives when each record is parsed, mapped to ECS and judged on that
//! document. Checked query by query on every raw record, and end to end (alerts byte for
//! byte, each rule's counts) on the real data, the generated family and generated
//! corpora. (Native and WASI builds: the JavaScript build has no rule files.)
#![cfg(rule_files)]

mod common;
#[path = "tools/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "tools/events.rs"]
#[allow(dead_code)]
mod events;
#[path = "tools/rng.rs"]
#[allow(dead_code)]
mod rng;

use dynamodb_scan_detector::config::rule_file::RuleDefinition;
use dynamodb_scan_detector::input::{split_bytes, Piece};
use dynamodb_scan_detector::rule::query::{KqlQuery, Query, RawJudgement};
use dynamodb_scan_detector::rule_set::RuleSet;
use dynamodb_scan_detector::{Context, DetectionTime, DetectorOptions};

fn generated(kind: &str, n: u64) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    corpus::write_to(&mut buf, kind, "raw", n, 11).expect("generated");
    buf.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Each corpus by name: the real data (document by document), the family, and two
/// generated mixes.
fn corpora() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    vec![
        ("third-party data", common::third_party_documents()),
        ("family", common::family_documents()),
        ("typical", generated("typical", 20_000)),
        ("high-cardinality", generated("high-cardinality", 5_000)),
    ]
}

#[test]
fn every_query_judges_raw_records_as_it_judges_their_ecs_documents() {
    let queries: Vec<(String, Query)> = common::elastic_aws_rules()
        .into_iter()
        .map(|r| (r.name, Query::Kql(Box::new(KqlQuery::new(r.query)))))
        .collect();
    let mut decided = [0u64; 3];
    for (name, docs) in corpora() {
        for doc in &docs {
            split_bytes(doc, &mut |piece| {
                let Piece::Record(record) = piece else { return };
                let Some(fields) = &record.cloudtrail else {
                    return;
                };
                let text =
                    dynamodb_scan_detector::input::lenient::without_lone_surrogates(record.text);
                let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&text) else {
                    return;
                };
                let ecs = dynamodb_scan_detector::ecs::cloudtrail::to_ecs(map);
                for (rule, query) in &queries {
                    let full = query.matches_ecs(&ecs);
                    let raw = query.judge_cloudtrail(fields);
                    let agrees = match raw {
                        RawJudgement::Matches => full,
                        RawJudgement::Rejects => !full,
                        RawJudgement::NeedsDocument => true,
                    };
                    assert!(
                        agrees,
                        "{name}: {rule}: raw {raw:?}, ECS document {full}: {}",
                        record.text
                    );
                    decided[raw as usize] += 1;
                }
            });
        }
    }
    // The raw fields decide nearly everything.
    let [matches, rejects, needs] = decided;
    assert!(matches > 1_000 && rejects > 100 * needs, "{decided:?}");
}

/// Alerts (JSON) and each rule's counters, with the shortcuts on or off.
fn run(rules: &[RuleDefinition], docs: &[Vec<u8>], shortcuts: bool) -> (Vec<String>, String) {
    let mut set = RuleSet::new(rules.to_vec(), &DetectorOptions::default()).expect("set");
    set.set_prefilter(shortcuts);
    set.set_fast_path(shortcuts);
    let mut alerts = Vec::new();
    for doc in docs {
        alerts.extend(
            set.process(doc, Context::event_time())
                .iter()
                .map(|a| a.to_json()),
        );
    }
    alerts.extend(
        set.flush(DetectionTime::EventTime)
            .iter()
            .map(|a| a.to_json()),
    );
    let stats = set.stats();
    stats.check().expect("counts add up");
    let per_rule: Vec<String> = stats
        .rules
        .iter()
        .map(|(id, s)| {
            format!(
                "{id} {} {} {} {}",
                s.matched, s.recorded, s.new_terms, s.alerts
            )
        })
        .collect();
    (alerts, per_rule.join("\n"))
}

#[test]
fn the_rule_set_with_its_shortcuts_gives_the_full_paths_alerts_byte_for_byte() {
    let rules = common::elastic_aws_rules();
    let mut total = 0;
    for (name, docs) in corpora() {
        let (fast, fast_counts) = run(&rules, &docs, true);
        let (full, full_counts) = run(&rules, &docs, false);
        assert_eq!(fast_counts, full_counts, "{name}: each rule's counts");
        assert_eq!(fast.len(), full.len(), "{name}");
        for (i, (a, b)) in fast.iter().zip(&full).enumerate() {
            assert!(a == b, "{name}: alert {i} differs:\n{a}\n{b}");
        }
        total += fast.len();
    }
    assert!(total > 300, "{total} alerts");
}
