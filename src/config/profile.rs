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
    pub false_positives: &'static [&'static str],
    /// `investigation_fields.field_names`; empty when the rule version has none.
    pub investigation_fields: &'static [&'static str],
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

const INDEX: &[&str] = &["filebeat-*", "logs-aws.cloudtrail-*"];
const SETUP: &str = "DynamoDB data events must be enabled in CloudTrail to capture the Scan action. Ensure that the AWS CloudTrail service is configured to log data events for DynamoDB tables.";

// Seed (version 3): the text of the user's copy of the rule page
// (tests/data/third-party/elastic-seed-rule-v3), verbatim, line breaks included. That
// page lists no reference URL and no false positives.
const SEED_DESCRIPTION: &str = r#"Identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This rule detects unusual user activity by monitoring for the Scan action in CloudTrail logs. This is a New Terms rule that only flags when this behavior is observed by the aws.cloudtrail.user_identity.arn
for the first time in the last 14 days."#;
const SEED_NOTE: &str = r#"Triage and analysis
Investigating AWS DynamoDB Scan by Unusual User
This rule identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This rule detects unusual user activity by monitoring for the Scan action in CloudTrail logs.
This is a New Terms rule that only flags when this behavior is observed for the first time on a host in the last 14 days.
Possible Investigation Steps
-
Identify the Actor: Review the
aws.cloudtrail.user_identity.arn
field to identify the user who requested the subscription. Verify if this actor typically performs such actions and has the necessary permissions. It may be unusual for this activity to originate from certain user types, such as an assumed role or federated user. -
Review the Source IP: Check the
source.address
field to determine the source of the request. If the request comes from an unexpected location or IP address, it may indicate a compromised account or unauthorized access. -
Analyze the Request Parameters: Examine the
aws.cloudtrail.request_parameters
field to understand the details of the Scan request. Look for any unusual parameters or patterns that may indicate malicious intent. This also details the DynamoDB table being scanned. -
Review Access Key: Check the
aws.cloudtrail.user_identity.access_key_id
field to identify the access key used for the request. Determine if this key is associated with a legitimate user or if it has been compromised.
False Positive Analysis
- Historical User Actions: If the user has a history of scanning DynamoDB tables for legitimate purposes, this may not be a false positive. Review the user’s activity logs to determine if this behavior is consistent with their normal actions.
- Automated Processes: Some automated processes or applications may perform scans on DynamoDB tables as part of their functionality. If the user is associated with such a process, this may not be a false positive.
Response and Remediation
- Immediate Review and Reversal: If the Scan action is determined to be unauthorized, immediately revoke the user’s access to the DynamoDB table and any associated resources. This may involve disabling the user’s account or removing their permissions.
- Investigate Compromise: If the Scan action is determined to be malicious, investigate the source of the request and any potential compromise of the user’s account. This may involve reviewing access logs, resetting passwords, and enabling multi-factor authentication (MFA) for the affected user. If export options were used with the CLI or SDK, they may have been saved locally or to a remote location.
- Review IAM Policies: Review the IAM policies associated with the user to ensure that they have the appropriate permissions for their role. If necessary, update the policies to restrict access to sensitive resources.
- Monitor for Future Activity: Continue to monitor the user’s activity for any further suspicious behavior. Set up additional alerts or logging to detect any future unauthorized access attempts.
Additional Information
For further guidance on managing and securing SNS topics in AWS environments, refer to the AWS SNS documentation and AWS best practices for security."#;

// Current (version 6): elastic/detection-rules
// rules/integrations/aws/exfiltration_dynamodb_scan_by_unusual_user.toml at 14cf530f0d
// (tests/data/third-party/elastic-detection-rules); wrapped TOML lines joined with one
// space, as the released package JSON has them.
const CURRENT_DESCRIPTION: &str = r#"Identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This rule detects unusual user activity by monitoring for the Scan action in CloudTrail logs. This is a New Terms rule that only flags when this behavior is observed by a user or role for the first time."#;
const CURRENT_FALSE_POSITIVES: &[&str] = &[
    r#"Legitimate users may scan DynamoDB tables for various reasons, such as data analysis or application functionality. Ensure that the user has the necessary permissions and that the Scan operation is authorized before taking action."#,
];
const CURRENT_NOTE: &str = r#"## Triage and analysis

### Investigating AWS DynamoDB Scan by Unusual User

This rule identifies when an AWS DynamoDB table is scanned by a user who does not typically perform this action. Adversaries may use the Scan operation to collect sensitive information or exfiltrate data from DynamoDB tables. This rule detects unusual user activity by monitoring for the Scan action in CloudTrail logs.

This is a [New Terms](https://www.elastic.co/guide/en/security/current/rules-ui-create.html#create-new-terms-rule) rule that only flags when this behavior is observed for the first time.

#### Possible Investigation Steps

- Identify the Actor: Review the `aws.cloudtrail.user_identity.arn` field to identify the user who requested the subscription. Verify if this actor typically performs such actions and has the necessary permissions. It may be unusual for this activity to originate from certain user types, such as an assumed role or federated user.
- Review the Source IP: Check the `source.ip` field to determine the source of the request. If the request comes from an unexpected location or IP address, it may indicate a compromised account or unauthorized access.
- Analyze the Request Parameters: Examine the `aws.cloudtrail.request_parameters` field to understand the details of the Scan request. Look for any unusual parameters or patterns that may indicate malicious intent. This also details the DynamoDB table being scanned.
- Review Access Key: Check the `aws.cloudtrail.user_identity.access_key_id` field to identify the access key used for the request. Determine if this key is associated with a legitimate user or if it has been compromised.


### False Positive Analysis

- Historical User Actions: If the user has a history of scanning DynamoDB tables for legitimate purposes, this may not be a false positive. Review the user's activity logs to determine if this behavior is consistent with their normal actions.
- Automated Processes: Some automated processes or applications may perform scans on DynamoDB tables as part of their functionality. If the user is associated with such a process, this may not be a false positive.

### Response and Remediation

- Immediate Review and Reversal: If the Scan action is determined to be unauthorized, immediately revoke the user's access to the DynamoDB table and any associated resources. This may involve disabling the user's account or removing their permissions.
- Investigate Compromise: If the Scan action is determined to be malicious, investigate the source of the request and any potential compromise of the user's account. This may involve reviewing access logs, resetting passwords, and enabling multi-factor authentication (MFA) for the affected user. If export options were used with the CLI or SDK, they may have been saved locally or to a remote location.
- Review IAM Policies: Review the IAM policies associated with the user to ensure that they have the appropriate permissions for their role. If necessary, update the policies to restrict access to sensitive resources.
- Monitor for Future Activity: Continue to monitor the user's activity for any further suspicious behavior. Set up additional alerts or logging to detect any future unauthorized access attempts.

### Additional Information

For further guidance on managing and securing DynamoDB in AWS environments, refer to the [AWS DynamoDB documentation](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/security.html) and AWS best practices for security.
"#;
const CURRENT_REFERENCES: &[&str] =
    &["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html"];
const CURRENT_INVESTIGATION_FIELDS: &[&str] = &[
    "@timestamp",
    "user.name",
    "user_agent.original",
    "source.ip",
    "aws.cloudtrail.user_identity.arn",
    "aws.cloudtrail.user_identity.type",
    "aws.cloudtrail.user_identity.access_key_id",
    "aws.cloudtrail.resources.arn",
    "aws.cloudtrail.resources.type",
    "event.action",
    "event.outcome",
    "cloud.account.id",
    "cloud.region",
    "aws.cloudtrail.request_parameters",
];

/// Version 3 of "AWS DynamoDB Scan by Unusual User": the spec of the default behaviour.
pub static SEED: RuleProfile = RuleProfile {
    name: ProfileName::Seed,
    rule_id: "96b2a03e-003b-11f0-8541-f661ea17fbcd",
    rule_name: "AWS DynamoDB Scan by Unusual User",
    version: 3,
    description: SEED_DESCRIPTION,
    severity: "low",
    risk_score: 21,
    tags: TAGS,
    references: &[],
    threat: &[
        ThreatEntry {
            tactic: TACTIC_EXFILTRATION,
            techniques: &[T1567],
        },
        ThreatEntry {
            tactic: TACTIC_COLLECTION,
            techniques: &[T1530],
        },
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
    note: SEED_NOTE,
    false_positives: &[],
    investigation_fields: &[],
    related_integration: ("aws", "cloudtrail", "^3.0.0"),
};

/// Elastic's current version of the rule (version 6): account + user name, 10 days,
/// `now-6m`, `data_stream.dataset`, and T1213 added to the threat mapping.
pub static CURRENT: RuleProfile = RuleProfile {
    name: ProfileName::Current,
    rule_id: "96b2a03e-003b-11f0-8541-f661ea17fbcd",
    rule_name: "AWS DynamoDB Scan by Unusual User",
    version: 6,
    description: CURRENT_DESCRIPTION,
    severity: "low",
    risk_score: 21,
    tags: TAGS,
    references: CURRENT_REFERENCES,
    threat: &[
        ThreatEntry {
            tactic: TACTIC_EXFILTRATION,
            techniques: &[T1567],
        },
        ThreatEntry {
            tactic: TACTIC_COLLECTION,
            techniques: &[T1213, T1530],
        },
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
    note: CURRENT_NOTE,
    false_positives: CURRENT_FALSE_POSITIVES,
    investigation_fields: CURRENT_INVESTIGATION_FIELDS,
    related_integration: ("aws", "cloudtrail", "^4.0.0"),
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

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_PAGE: &str = include_str!(
        "../../tests/data/third-party/elastic-seed-rule-v3/aws-dynamodb-scan-by-unusual-user.txt"
    );
    const RULE_TOML: &str = include_str!(
        "../../tests/data/third-party/elastic-detection-rules/exfiltration_dynamodb_scan_by_unusual_user.toml"
    );

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Every text field of each profile is the rule version's own wording.
    #[test]
    fn metadata_is_the_rule_versions_own_text() {
        let s = &SEED;
        assert_eq!(s.version, 3);
        for text in [s.description, s.note, s.rule_name] {
            assert!(SEED_PAGE.contains(text), "{text}");
        }
        for text in s.tags.iter().chain(s.index) {
            assert!(SEED_PAGE.contains(&format!("- {text}\n")), "{text}");
        }
        for t in s.threat {
            for (id, name, reference) in std::iter::once(&t.tactic).chain(t.techniques) {
                for text in [id, name, reference] {
                    assert!(SEED_PAGE.contains(text), "{text}");
                }
            }
        }
        assert!(SEED_PAGE.contains("References:\nTags:"));
        assert!(s.references.is_empty() && s.false_positives.is_empty());

        let c = &CURRENT;
        let toml = squash(RULE_TOML);
        assert_eq!(c.version, 6);
        assert!(RULE_TOML.contains(c.note), "note");
        for text in std::iter::once(c.description).chain(c.false_positives.iter().copied()) {
            assert!(toml.contains(&squash(text)), "{text}");
        }
        for text in c
            .references
            .iter()
            .chain(c.tags)
            .chain(c.investigation_fields)
            .chain(c.index)
            .chain(c.new_terms_fields)
        {
            assert!(RULE_TOML.contains(&format!("\"{text}\"")), "{text}");
        }
        for t in c.threat {
            for (id, name, reference) in std::iter::once(&t.tactic).chain(t.techniques) {
                assert!(RULE_TOML.contains(&format!(
                    "id = \"{id}\"\nname = \"{name}\"\nreference = \"{reference}\""
                )));
            }
        }
        assert_eq!(c.related_integration, ("aws", "cloudtrail", "^4.0.0"));
    }
}
