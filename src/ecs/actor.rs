//! Who acted, as the `aws` integration 8.9.0 writes it: `user.*` for people and roles,
//! `service.name` for AWS service actors, and the `related.*` lists built from them.
//!
//! From 8.9.0 (integrations PR #21870) an AWS service actor (an `AWSService` identity, or
//! a session of a service-linked role, whose role sits under `role/aws-service-role/`)
//! gets `service.name` and no `user.*` fields at all, so a rule keyed on `user.name`
//! never sees it. `user.entity.id` is the IAM ARN of the actor: the role's ARN (the
//! session issuer's) for assumed roles, so every session of a role is one entity.

use serde_json::{Map, Value};

use super::cloudtrail::{one, set, set_object, Caller};

/// The path an IAM service-linked role lives under.
const SERVICE_LINKED_ROLE: &str = ":role/aws-service-role/";

impl<'a> Caller<'a> {
    fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    fn issuer_arn(&self) -> Option<&'a str> {
        self.issuer()
            .and_then(|i| i.get("arn"))
            .and_then(Value::as_str)
    }

    /// The service that acted, when the caller is an AWS service rather than a person or
    /// a role: `invokedBy` of an `AWSService` identity, or, for a service-linked role's
    /// session, `invokedBy` else the service principal in the role's path
    /// (`…:role/aws-service-role/<service principal>/<role name>`).
    pub fn service_actor(&self) -> Option<&'a str> {
        self.service
    }

    /// [`Caller::service_actor`], read from the identity.
    pub(super) fn find_service_actor(&self) -> Option<&'a str> {
        match self.str("type") {
            Some("AWSService") => self.str("invokedBy"),
            Some("AssumedRole") => {
                let arn = self.issuer_arn()?;
                let (_, path) = arn.split_once(SERVICE_LINKED_ROLE)?;
                let principal = path.split('/').next().filter(|p| !p.is_empty())?;
                Some(self.str("invokedBy").unwrap_or(principal))
            }
            _ => None,
        }
    }

    /// The role session's name: the last part of an assumed-role ARN.
    pub fn session_name(&self) -> Option<&'a str> {
        let arn = self.str("arn")?;
        let (_, rest) = arn.split_once(":assumed-role/")?;
        rest.split_once('/').map(|(_, session)| session)
    }

    /// `user.entity.id`: the issuer's (role's) ARN for assumed roles, else the ARN.
    pub fn entity_id(&self) -> Option<&'a str> {
        if self.service_actor().is_some() {
            return None;
        }
        match self.str("type") {
            Some("AssumedRole") => self.issuer_arn().or_else(|| self.str("arn")),
            _ => self.str("arn"),
        }
    }
}

/// Write `user.*`, `service.name` and `related.user`/`related.ip` into `out`.
pub fn map_actor(
    caller: &Caller<'_>,
    request_parameters: Option<&Value>,
    source_ip: Option<&Value>,
    out: &mut Map<String, Value>,
) {
    let mut related = Map::new();
    if let Some(ip) = source_ip {
        related.insert("ip".into(), Value::Array(vec![ip.clone()]));
        // `related` takes its place here; its other member is written last.
        out.insert("related".into(), Value::Null);
    }
    if let Some(service) = caller.service_actor() {
        set_object(out, "related", related);
        set_object(out, "service", one("name", Some(&Value::from(service))));
        return;
    }
    let user_name = caller.user_name();
    let user_id = caller.user_id();
    let session = caller.session_name();
    let mut user = Map::new();
    set(&mut user, "name", user_name);
    set(&mut user, "id", user_id);
    let email = user_name
        .and_then(Value::as_str)
        .filter(|n| n.contains('@'))
        .or_else(|| session.filter(|s| s.contains('@')));
    set(&mut user, "email", email.map(Value::from).as_ref());
    if let Some(id) = caller.entity_id() {
        let ids = Value::Array(vec![Value::from(id)]);
        set_object(&mut user, "entity", one("id", Some(&ids)));
    }
    set_object(out, "user", user);

    // related.user: the session name (and the local part of an e-mail session name), then
    // users named by the request, then user.id and user.name; no duplicates. (The 8.9.0
    // AttachUserPolicy test by an EC2 role session has the session before the target.)
    let mut users: Vec<Value> = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(v) = v.filter(|v| v.is_string() && !users.contains(v)) {
            users.push(v.clone());
        }
    };
    if let Some(s) = session {
        add(Some(&Value::from(s)));
        if let Some((local, _)) = s.split_once('@') {
            add(Some(&Value::from(local)));
        }
    }
    for key in ["userName", "newUserName"] {
        add(request_parameters.and_then(|p| p.get(key)));
    }
    add(user_id);
    add(user_name);
    if !users.is_empty() {
        related.insert("user".into(), Value::Array(users));
    }
    set_object(out, "related", related);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (userIdentity, requestParameters, sourceIP, expected user/service/related fields)
    #[test]
    fn actors_as_the_8_9_pipeline_writes_them() {
        let cases = [
            // AWSService: service.name, no user.*.
            (
                json!({"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"}),
                json!(null),
                json!(null),
                json!({"service": {"name": "dynamodb.amazonaws.com"}}),
            ),
            // A service-linked role's session: service.name from the role path.
            (
                json!({"type": "AssumedRole", "principalId": "AROAX:AutoScaling",
                       "arn": "arn:aws:sts::1:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling",
                       "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                       "arn": "arn:aws:iam::1:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"}}}),
                json!(null),
                json!("1.2.3.4"),
                json!({"related": {"ip": ["1.2.3.4"]},
                       "service": {"name": "dynamodb.application-autoscaling.amazonaws.com"}}),
            ),
            // An ordinary assumed role: role name, role ARN as entity, session first.
            (
                json!({"type": "AssumedRole", "principalId": "AROAX:alice@example.com",
                       "arn": "arn:aws:sts::1:assumed-role/Dev/alice@example.com",
                       "sessionContext": {"sessionIssuer": {"userName": "Dev", "arn": "arn:aws:iam::1:role/Dev"}}}),
                json!(null),
                json!(null),
                json!({"related": {"user": ["alice@example.com", "alice", "AROAX:alice@example.com", "Dev"]},
                       "user": {"name": "Dev", "id": "AROAX:alice@example.com", "email": "alice@example.com",
                                "entity": {"id": ["arn:aws:iam::1:role/Dev"]}}}),
            ),
            // An IAM user acting on another user: the target comes first in related.user.
            (
                json!({"type": "IAMUser", "principalId": "AIDA1", "userName": "bob", "arn": "arn:aws:iam::1:user/bob"}),
                json!({"userName": "carol"}),
                json!(null),
                json!({"related": {"user": ["carol", "AIDA1", "bob"]},
                       "user": {"name": "bob", "id": "AIDA1", "entity": {"id": ["arn:aws:iam::1:user/bob"]}}}),
            ),
            // A role session acting on a user (aws 8.9.0 test-attach-user-policy-json):
            // session name, then the target, then user.id and user.name.
            (
                json!({"type": "AssumedRole", "principalId": "AROAX:i-0abc",
                       "arn": "arn:aws:sts::1:assumed-role/ec2-role/i-0abc",
                       "sessionContext": {"sessionIssuer": {"userName": "ec2-role", "arn": "arn:aws:iam::1:role/ec2-role"}}}),
                json!({"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                json!(null),
                json!({"related": {"user": ["i-0abc", "carol", "AROAX:i-0abc", "ec2-role"]},
                       "user": {"name": "ec2-role", "id": "AROAX:i-0abc",
                                "entity": {"id": ["arn:aws:iam::1:role/ec2-role"]}}}),
            ),
            // No identity at all: nothing.
            (json!(null), json!(null), json!(null), json!({})),
        ];
        for (identity, params, ip, want) in cases {
            let caller = Caller::new(Some(&identity));
            let mut out = Map::new();
            let params = (!params.is_null()).then_some(&params);
            let ip = (!ip.is_null()).then_some(&ip);
            map_actor(&caller, params, ip, &mut out);
            assert_eq!(Value::Object(out), want, "{identity}");
        }
    }
}
