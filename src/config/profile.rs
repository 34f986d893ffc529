//! The built-in rule profiles: the seed rule (version 3) and Elastic's current version.
//!
//! A profile is the rule as data: its metadata, its query, its default new-terms
//! fields and windows. Config keys override the tunable parts.

use serde::{Deserialize, Serialize};

use super::duration::ElasticDuration;

/// Which built-in rule to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileName {
    /// Version 3 of the rule, as the user gave it: keyed on the caller's ARN over 14 days.
    #[default]
    #[serde(alias = "v3")]
    Seed,
    /// Elastic's current version (6): keyed on account and user name over 10 days.
    #[serde(alias = "v6")]
    Current,
}

/// One MITRE ATT&CK tactic with its techniques, as Elastic's `threat` array holds it.
#[derive(Debug, PartialEq)]
pub struct ThreatEntry {
    pub tactic: (&'static str, &'static str, &'static str),
    pub techniques: &'static [(&'static str, &'static str, &'static str)],
}

/// Everything about a rule that is not a tunable.
#[derive(Debug, PartialEq)]
pub struct RuleProfile {
    pub name: ProfileName,
    pub rule_id: &'static str,
    pub rule_name: &'static str,
    pub version: u32,
    pub description: &'static str,
    pub severity: &'static str,
    pub risk_score: u32,
    pub tags: &'static [&'static str],
    pub references: &'static [&'static str],
    pub threat: &'static [ThreatEntry],
    pub index: &'static [&'static str],
    pub dataset_field: &'static str,
    pub new_terms_fields: &'static [&'static str],
    pub history_window: ElasticDuration,
    pub from: ElasticDuration,
    pub interval: ElasticDuration,
    pub max_signals: u32,
    pub timestamp_override: &'static str,
    pub setup: &'static str,
    pub note: &'static str,
    pub related_integration: (&'static str, &'static str, &'static str),
}

const TACTIC_EXFILTRATION: (&str, &str, &str) = (
    "TA0010",
    "Exfiltration",
    "https://attack.mitre.org/tactics/TA0010/",
);
const TACTIC_COLLECTION: (&str, &str, &str) = (
    "TA0009",
    "Collection",
    "https://attack.mitre.org/tactics/TA0009/",
);
const T1567: (&str, &str, &str) = (
    "T1567",
    "Exfiltration Over Web Service",
    "https://attack.mitre.org/techniques/T1567/",
);
const T1530: (&str, &str, &str) = (
    "T1530",
    "Data from Cloud Storage",
    "https://attack.mitre.org/techniques/T1530/",
);
const T1213: (&str, &str, &str) = (
    "T1213",
    "Data from Information Repositories",
    "https://attack.mitre.org/techniques/T1213/",
);

const TAGS: &[&str] = &[
    "Domain: Cloud",
    "Data Source: AWS",
    "Data Source: Amazon Web Services",
    "Data Source: AWS DynamoDB",
    "Resources: Investigation Guide",
    "Use Case: Threat Detection",
    "Tactic: Exfiltration",
];

const REFERENCES: &[&str] =
    &["https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html"];
const INDEX: &[&str] = &["filebeat-*", "logs-aws.cloudtrail-*"];
const SETUP: &str = "DynamoDB data events must be enabled in CloudTrail to capture the Scan action. Ensure that the AWS CloudTrail service is configured to log data events for DynamoDB tables.";
const NOTE: &str = "## Triage and analysis\n\nReview `aws.cloudtrail.user_identity.arn` (who scanned), `source.address` (from where), `aws.cloudtrail.request_parameters` (which table and how), and `aws.cloudtrail.user_identity.access_key_id` (with which key). Confirm whether this principal is expected to read whole tables; automated jobs that scan are the usual false positives. If the scan is not authorised, revoke the principal's access, investigate how its credentials were obtained, and review its IAM policies.";

/// Version 3 of "AWS DynamoDB Scan by Unusual User": the spec of the default behaviour.
pub static SEED: RuleProfile = RuleProfile {
    name: ProfileName::Seed,
    rule_id: "96b2a03e-003b-11f0-8541-f661ea17fbcd",
    rule_name: "AWS DynamoDB Scan by Unusual User",
    version: 3,
    description: "Identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This rule detects unusual user activity by monitoring for the Scan action in CloudTrail logs. This is a New Terms rule that only flags when this behavior is observed by the aws.cloudtrail.user_identity.arn for the first time in the last 14 days.",
    severity: "low",
    risk_score: 21,
    tags: TAGS,
    references: REFERENCES,
    threat: &[
        ThreatEntry { tactic: TACTIC_EXFILTRATION, techniques: &[T1567] },
        ThreatEntry { tactic: TACTIC_COLLECTION, techniques: &[T1530] },
    ],
    index: INDEX,
    dataset_field: "event.dataset",
    new_terms_fields: &["aws.cloudtrail.user_identity.arn"],
    history_window: ElasticDuration::days(14),
    from: ElasticDuration::minutes(9),
    interval: ElasticDuration::minutes(5),
    max_signals: 100,
    timestamp_override: "event.ingested",
    setup: SETUP,
    note: NOTE,
    related_integration: ("aws", "cloudtrail", "^3.0.0"),
};

/// Elastic's current version of the rule (version 6): account + user name, 10 days,
/// `now-6m`, `data_stream.dataset`, and T1213 added to the threat mapping.
pub static CURRENT: RuleProfile = RuleProfile {
    name: ProfileName::Current,
    rule_id: "96b2a03e-003b-11f0-8541-f661ea17fbcd",
    rule_name: "AWS DynamoDB Scan by Unusual User",
    version: 6,
    description: "Identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This is a New Terms rule that only flags when this behavior is observed for the first time for a user name (the role name for assumed roles) in an account in the last 10 days.",
    severity: "low",
    risk_score: 21,
    tags: TAGS,
    references: REFERENCES,
    threat: &[
        ThreatEntry { tactic: TACTIC_EXFILTRATION, techniques: &[T1567] },
        ThreatEntry { tactic: TACTIC_COLLECTION, techniques: &[T1213, T1530] },
    ],
    index: INDEX,
    dataset_field: "data_stream.dataset",
    new_terms_fields: &["cloud.account.id", "user.name"],
    history_window: ElasticDuration::days(10),
    from: ElasticDuration::minutes(6),
    interval: ElasticDuration::minutes(5),
    max_signals: 100,
    timestamp_override: "event.ingested",
    setup: SETUP,
    note: NOTE,
    related_integration: ("aws", "cloudtrail", "^6.0.0"),
};

impl ProfileName {
    pub fn profile(self) -> &'static RuleProfile {
        match self {
            ProfileName::Seed => &SEED,
            ProfileName::Current => &CURRENT,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileName::Seed => "seed",
            ProfileName::Current => "current",
        }
    }
}

impl RuleProfile {
    /// The rule's KQL query, with this profile's dataset field: the text of what
    /// [`crate::rule::query::Query`] evaluates.
    pub fn query(&self) -> String {
        use crate::rule::query::{ACTION, DATASET, OUTCOME, PROVIDER};
        format!(
            "{}: \"{DATASET}\" and event.provider: \"{PROVIDER}\" and event.action: \"{ACTION}\" and event.outcome: \"{OUTCOME}\"",
            self.dataset_field
        )
    }
}
