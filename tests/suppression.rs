//! Alert suppression held to the stream without it: Elastic's 49 AWS New Terms rules,
//! each given an `alert_suppression`, against the same rules without one, on the real
//! data, the family fixture and a generated mix. Whatever suppression does, it only
//! folds alerts into their group's alert:
//!
//! * the same new terms are found, and each is an alert, a summarised one or a
//!   suppressed one (`alerts + summarised + suppressed` equals the plain run's
//!   `alerts + summarised`); the plain run's alerts left out are the suppressed ones,
//!   less those the plain run's `max_signals` cap held back anyway;
//! * every alert emitted is the plain run's alert of the same `kibana.alert.uuid`, byte
//!   for byte once its five suppression fields are taken out;
//! * every plain alert left out is inside an alert of its group: the same
//!   `kibana.alert.instance.id` (computed from the plain alert's own copy of its event's
//!   fields), whose final `suppression.start`..`.end` holds its time;
//! * each group's last document counts exactly the candidates folded into it (their sum
//!   is the `suppressed` counter: nothing counted twice or lost), and every update is its
//!   alert again (same uuid, `@timestamp` and new terms).
//!
//! (Native and WASI builds: the JavaScript build has no rule files.)
#![cfg(alert_suppression)]

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

use std::collections::{BTreeMap, HashMap};

use dynamodb_scan_detector::config::rule_file::RuleDefinition;
use dynamodb_scan_detector::config::suppression::{
    AlertSuppression, DurationUnit, MissingFields, SuppressionWindow,
};
use dynamodb_scan_detector::rule_set::RuleSet;
use dynamodb_scan_detector::suppression::group_terms;
use dynamodb_scan_detector::{Alert, AlertKind, Context, DetectionTime, DetectorOptions};
use serde_json::Value;

const SUPPRESSION_FIELDS: [&str; 5] = [
    "kibana.alert.instance.id",
    "kibana.alert.suppression.terms",
    "kibana.alert.suppression.start",
    "kibana.alert.suppression.end",
    "kibana.alert.suppression.docs_count",
];

fn corpora() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let mut typical = Vec::new();
    corpus::write_to(&mut typical, "typical", "raw", 20_000, 11).expect("generated");
    vec![
        ("third-party data", common::third_party_documents()),
        ("family", common::family_documents()),
        ("typical", common::documents(&typical)),
    ]
}

/// The alerts, and each rule's new terms, alerts, summarised and suppressed.
fn run(rules: &[RuleDefinition], docs: &[Vec<u8>]) -> (Vec<Alert>, BTreeMap<String, [u64; 4]>) {
    let mut set = RuleSet::new(rules.to_vec(), &DetectorOptions::default()).expect("set");
    let mut alerts = Vec::new();
    for doc in docs {
        alerts.extend(set.process(doc, Context::event_time()));
    }
    alerts.extend(set.flush(DetectionTime::EventTime));
    let stats = set.stats();
    stats.check().expect("the counts add up");
    let counts = stats
        .rules
        .iter()
        .map(|(id, s)| {
            (
                id.clone(),
                [s.new_terms, s.alerts, s.summarised, s.suppressed],
            )
        })
        .collect();
    (alerts, counts)
}

fn text(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_default()
}

fn check(corpus: &str, variant: &str, suppression: &AlertSuppression, docs: &[Vec<u8>]) -> u64 {
    let plain_rules = common::elastic_aws_rules();
    let suppressed_rules: Vec<RuleDefinition> = plain_rules
        .iter()
        .cloned()
        .map(|r| RuleDefinition {
            alert_suppression: Some(suppression.clone()),
            ..r
        })
        .collect();
    let (plain, plain_counts) = run(&plain_rules, docs);
    let (folded, counts) = run(&suppressed_rules, docs);
    let at = format!("{corpus}, {variant}");

    let (mut suppressed_total, mut fewer_summarised) = (0, 0);
    for (id, [new_terms, alerts, summarised, suppressed]) in &counts {
        let [plain_new, plain_alerts, plain_summarised, _] = plain_counts[id];
        assert_eq!(*new_terms, plain_new, "{at}: rule {id}: new terms");
        assert_eq!(
            alerts + summarised + suppressed,
            plain_alerts + plain_summarised,
            "{at}: rule {id}: alerts + summarised + suppressed"
        );
        suppressed_total += suppressed;
        // Candidates folded into a group do not count against max_signals, so fewer
        // may be held back by it.
        fewer_summarised += plain_summarised - summarised;
    }

    // Elastic's pipeline test pairs repeat event ids, so two alerts may share a uuid:
    // plain alerts are matched by uuid and content.
    let mut plain_by_uuid: HashMap<&str, Vec<&Alert>> = HashMap::new();
    for a in plain.iter().filter(|a| a.kind == AlertKind::NewTerm) {
        plain_by_uuid.entry(a.uuid()).or_default().push(a);
    }
    // The folded run's alerts without their suppression fields, to find each plain one.
    let mut emitted: HashMap<&str, Vec<serde_json::Map<String, Value>>> = HashMap::new();
    // Each group alert's documents, by (uuid, instance id): a new alert starts a new
    // entry, updates replace its latest document.
    let mut groups: HashMap<(&str, String), Vec<&Alert>> = HashMap::new();
    for a in &folded {
        let instance = a
            .get("kibana.alert.instance.id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match a.kind {
            AlertKind::NewTerm => {
                let mut own = a.fields.clone();
                for key in SUPPRESSION_FIELDS {
                    own.shift_remove(key);
                }
                // Compared as text: map equality would not see the keys' order.
                let own_text = serde_json::to_string(&own).unwrap_or_default();
                let candidates = plain_by_uuid.get(a.uuid()).map_or(&[][..], Vec::as_slice);
                assert!(
                    candidates
                        .iter()
                        .any(|p| serde_json::to_string(&p.fields).unwrap_or_default() == own_text),
                    "{at}: {} is no alert of the plain run",
                    a.uuid()
                );
                emitted.entry(a.uuid()).or_default().push(own);
                if a.get("kibana.alert.instance.id").is_some() {
                    groups.entry((a.uuid(), instance)).or_default().push(a);
                }
            }
            AlertKind::SuppressionUpdate => {
                let docs = groups
                    .get_mut(&(a.uuid(), instance))
                    .unwrap_or_else(|| panic!("{at}: an update before its alert"));
                let latest = docs.last_mut().expect("an alert");
                for key in ["@timestamp", "kibana.alert.new_terms"] {
                    assert_eq!(latest.get(key), a.get(key), "{at}: update {key}");
                }
                *latest = a;
            }
            AlertKind::CapSummary => {}
        }
    }
    let counted: u64 = groups
        .values()
        .flatten()
        .filter_map(|a| a.get("kibana.alert.suppression.docs_count"))
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(
        counted, suppressed_total,
        "{at}: docs_count over all groups"
    );

    // Every plain alert left out has its group's alert at or before its own time.
    let mut left_out = 0;
    for p in plain.iter().filter(|a| a.kind == AlertKind::NewTerm) {
        if let Some(found) = emitted.get_mut(p.uuid()) {
            if let Some(i) = found.iter().position(|f| *f == p.fields) {
                found.swap_remove(i);
                continue;
            }
        }
        left_out += 1;
        let terms = group_terms(&p.document(), &suppression.group_by);
        assert!(
            !(terms.any_missing() && suppression.missing_fields == MissingFields::DoNotSuppress),
            "{at}: a candidate with a missing field was suppressed"
        );
        let rule = p
            .get("kibana.alert.rule.uuid")
            .and_then(Value::as_str)
            .unwrap_or("");
        let id =
            dynamodb_scan_detector::alert::uuid::instance_id(&terms.borrowed(), rule, "default");
        let time = text(p.get("@timestamp"));
        let within = groups
            .iter()
            .filter(|((_, instance), _)| *instance == id)
            .flat_map(|(_, docs)| docs.iter())
            .any(|g| {
                text(g.get("kibana.alert.suppression.start")) <= time
                    && time <= text(g.get("kibana.alert.suppression.end"))
            });
        assert!(
            within,
            "{at}: {} is in no suppressed alert of its group",
            p.uuid()
        );
    }
    // The plain run's alerts that are not emitted are the candidates folded into groups,
    // but for those the plain run's cap held back anyway.
    assert_eq!(
        left_out,
        suppressed_total - fewer_summarised,
        "{at}: left out = suppressed - fewer summarised"
    );
    suppressed_total
}

#[test]
fn suppression_only_folds_alerts_into_their_groups() {
    let variants = [
        (
            "by account, 1h",
            AlertSuppression {
                group_by: vec!["cloud.account.id".into()],
                window: SuppressionWindow::Duration {
                    value: 1,
                    unit: DurationUnit::Hours,
                },
                missing_fields: MissingFields::Suppress,
            },
        ),
        (
            "by address and user, per execution, doNotSuppress",
            AlertSuppression {
                group_by: vec!["source.ip".into(), "user.name".into()],
                window: SuppressionWindow::PerExecution,
                missing_fields: MissingFields::DoNotSuppress,
            },
        ),
    ];
    let mut folded = [0; 2];
    for (corpus, docs) in corpora() {
        for (i, (variant, suppression)) in variants.iter().enumerate() {
            folded[i] += check(corpus, variant, suppression, &docs);
        }
    }
    // Not vacuous: both variants fold alerts.
    assert!(folded.iter().all(|&n| n > 0), "{folded:?}");
}
