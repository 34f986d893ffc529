//! CloudTrail record builders, field for field as the real records in the data set.

use serde_json::{json, Value};

use super::rng::Rng;
use dynamodb_scan_detector::time::format_timestamp;

/// Who makes a call.
#[derive(Clone, Debug)]
pub enum Identity {
    IamUser { name: String },
    AssumedRole { role: String, session: String },
    Service { invoked_by: String },
}

#[derive(Clone, Debug)]
pub struct Principal {
    pub identity: Identity,
    pub account: String,
    pub key: String,
    pub source_ip: String,
    pub user_agent: String,
}

pub const CLI_UA: &str = "aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.1.109 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#dynamodb.scan";
pub const BOTO_UA: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/AWS_ECS_EC2 cfg/retry-mode#legacy Botocore/1.34.84";
pub const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const SDK_UA: &str = "aws-sdk-java/2.25.40 Linux/5.10.216-204.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard";

impl Principal {
    pub fn user(account: &str, name: &str, key: &str, ip: &str, ua: &str) -> Self {
        Principal {
            identity: Identity::IamUser { name: name.into() },
            account: account.into(),
            key: key.into(),
            source_ip: ip.into(),
            user_agent: ua.into(),
        }
    }

    pub fn role(account: &str, role: &str, session: &str, key: &str, ip: &str, ua: &str) -> Self {
        Principal {
            identity: Identity::AssumedRole {
                role: role.into(),
                session: session.into(),
            },
            account: account.into(),
            key: key.into(),
            source_ip: ip.into(),
            user_agent: ua.into(),
        }
    }

    pub fn service(invoked_by: &str) -> Self {
        Principal {
            identity: Identity::Service {
                invoked_by: invoked_by.into(),
            },
            account: String::new(),
            key: String::new(),
            source_ip: invoked_by.into(),
            user_agent: invoked_by.into(),
        }
    }

    pub fn arn(&self) -> Option<String> {
        match &self.identity {
            Identity::IamUser { name } => {
                Some(format!("arn:aws:iam::{}:user/{name}", self.account))
            }
            Identity::AssumedRole { role, session } => Some(format!(
                "arn:aws:sts::{}:assumed-role/{role}/{session}",
                self.account
            )),
            Identity::Service { .. } => None,
        }
    }

    fn user_identity(&self, t: i64) -> Value {
        let id_suffix = |s: &str| {
            s.bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
                % 1_000_000_000
        };
        match &self.identity {
            Identity::IamUser { name } => json!({
                "type": "IAMUser", "principalId": format!("AIDA{:017}", id_suffix(name)), "arn": self.arn(),
                "accountId": self.account, "accessKeyId": self.key, "userName": name
            }),
            Identity::AssumedRole { role, session } => {
                let role_id = format!("AROA{:017}", id_suffix(role));
                json!({
                    "type": "AssumedRole", "principalId": format!("{role_id}:{session}"), "arn": self.arn(),
                    "accountId": self.account, "accessKeyId": self.key,
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": role_id,
                            "arn": format!("arn:aws:iam::{}:role/{role}", self.account), "accountId": self.account, "userName": role},
                        "attributes": {"creationDate": cloudtrail_time(t - 1_800_000), "mfaAuthenticated": "false"}
                    }
                })
            }
            Identity::Service { invoked_by } => {
                json!({"type": "AWSService", "invokedBy": invoked_by})
            }
        }
    }
}

/// CloudTrail's `eventTime` form: whole seconds, `Z`.
pub fn cloudtrail_time(t: i64) -> String {
    format!("{}Z", &format_timestamp(t)[..19])
}

/// Everything that differs between two records.
pub struct Call<'a> {
    pub source: &'a str,
    pub name: &'a str,
    pub params: Value,
    pub response: Value,
    pub resources: Value,
    pub error: Option<(&'a str, &'a str)>,
    pub data_event: bool,
    pub read_only: bool,
}

pub fn record(
    rng: &mut Rng,
    t: i64,
    p: &Principal,
    region: &str,
    recipient: &str,
    call: Call<'_>,
) -> Value {
    let mut r = json!({
        "eventVersion": if call.data_event { "1.10" } else { "1.09" },
        "userIdentity": p.user_identity(t),
        "eventTime": cloudtrail_time(t),
        "eventSource": call.source,
        "eventName": call.name,
        "awsRegion": region,
        "sourceIPAddress": p.source_ip,
        "userAgent": p.user_agent,
        "requestParameters": call.params,
        "responseElements": call.response,
        "requestID": rng.alnum(52),
        "eventID": rng.uuid(),
        "readOnly": call.read_only,
        "resources": call.resources,
        "eventType": "AwsApiCall",
        "managementEvent": !call.data_event,
        "recipientAccountId": recipient,
        "eventCategory": if call.data_event { "Data" } else { "Management" },
    });
    if let Some((code, message)) = call.error {
        r["errorCode"] = json!(code);
        r["errorMessage"] = json!(message);
    }
    if call.source.ends_with(".amazonaws.com") && !matches!(p.identity, Identity::Service { .. }) {
        r["tlsDetails"] = json!({"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", call.source.trim_end_matches(".amazonaws.com"))});
    }
    if call.source == "dynamodb.amazonaws.com" {
        r["apiVersion"] = json!("2012-08-10");
    }
    r
}

/// A DynamoDB table: where it lives and its name.
#[derive(Clone, Copy)]
pub struct Table<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

/// A DynamoDB data event on `table`.
pub fn dynamodb(
    rng: &mut Rng,
    t: i64,
    p: &Principal,
    table: Table<'_>,
    action: &str,
    error: Option<(&str, &str)>,
) -> Value {
    let Table {
        region,
        account: table_account,
        name: table,
    } = table;
    let key = json!({"id": {"S": rng.uuid()}});
    let params = match action {
        "Scan" => {
            if rng.chance(500) {
                json!({"tableName": table, "limit": 50, "consistentRead": false})
            } else {
                json!({"select": "ALL_ATTRIBUTES", "consistentRead": false, "tableName": table, "limit": 100, "returnConsumedCapacity": "TOTAL"})
            }
        }
        "Query" => {
            json!({"tableName": table, "keyConditionExpression": "#n0 = :v0", "expressionAttributeNames": {"#n0": "id"}, "limit": 25})
        }
        "GetItem" => json!({"tableName": table, "key": key, "consistentRead": false}),
        _ => json!({"tableName": table, "key": key}),
    };
    let read_only = matches!(action, "Scan" | "Query" | "GetItem");
    let resources = json!([{"accountId": table_account, "type": "AWS::DynamoDB::Table",
        "ARN": format!("arn:aws:dynamodb:{region}:{table_account}:table/{table}")}]);
    record(
        rng,
        t,
        p,
        region,
        table_account,
        Call {
            source: "dynamodb.amazonaws.com",
            name: action,
            params,
            response: Value::Null,
            resources,
            error,
            data_event: true,
            read_only,
        },
    )
}

/// One of the everyday calls that make up most of a trail.
pub fn background(rng: &mut Rng, t: i64, p: &Principal, region: &str) -> Value {
    let account = if p.account.is_empty() {
        "111122223333".to_owned()
    } else {
        p.account.clone()
    };
    let call = match rng.below(10) {
        0..=3 => {
            let bucket = rng.pick(&["acme-app-assets", "acme-data-lake", "acme-logs-archive"]);
            let key = format!(
                "{}/{}.parquet",
                rng.pick(&["raw", "curated", "exports"]),
                rng.hex(12)
            );
            Call {
                source: "s3.amazonaws.com",
                name: rng.pick(&["GetObject", "PutObject", "HeadObject"]),
                params: json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "key": key}),
                response: Value::Null,
                resources: json!([{"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
                    {"accountId": account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]),
                error: None,
                data_event: true,
                read_only: true,
            }
        }
        4..=5 => Call {
            source: "ec2.amazonaws.com",
            name: rng.pick(&[
                "DescribeInstances",
                "DescribeSecurityGroups",
                "DescribeVolumes",
            ]),
            params: json!({"filterSet": {}, "maxResults": 1000}),
            response: Value::Null,
            resources: Value::Null,
            error: None,
            data_event: false,
            read_only: true,
        },
        6 => Call {
            source: "kms.amazonaws.com",
            name: "Decrypt",
            params: json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            response: Value::Null,
            resources: json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": format!("arn:aws:kms:{region}:{account}:key/{}", rng.uuid())}]),
            error: None,
            data_event: false,
            read_only: true,
        },
        7 => Call {
            source: "sts.amazonaws.com",
            name: "GetCallerIdentity",
            params: Value::Null,
            response: Value::Null,
            resources: Value::Null,
            error: None,
            data_event: false,
            read_only: true,
        },
        8 => Call {
            source: "logs.amazonaws.com",
            name: "PutLogEvents",
            params: json!({"logGroupName": "/ecs/web-app"}),
            response: Value::Null,
            resources: Value::Null,
            error: None,
            data_event: false,
            read_only: false,
        },
        _ => Call {
            source: "iam.amazonaws.com",
            name: rng.pick(&["ListUsers", "GetRole", "ListAttachedRolePolicies"]),
            params: json!({"maxItems": 100}),
            response: Value::Null,
            resources: Value::Null,
            error: if rng.chance(200) {
                Some((
                    "AccessDenied",
                    "User is not authorized to perform this action",
                ))
            } else {
                None
            },
            data_event: false,
            read_only: true,
        },
    };
    record(rng, t, p, region, &account, call)
}
