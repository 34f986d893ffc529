//! `aws.cloudtrail.resources` as Elastic's pipeline leaves it. The pipeline's script
//! collects the resources into a Java `HashSet` of the maps Jackson parsed, so
//! duplicates (by Java equality) go, the set's iteration order becomes the array's order,
//! and only then are the keys renamed.

use serde_json::Value;

use super::java_map::hash_map_order;
use super::java_value::{java_equal, java_fingerprint, map_hash, value_hash};

/// Resources are de-duplicated through a Java `HashSet` (which decides their order),
/// then `ARN` → `arn` and `accountId` → `account_id`.
pub fn map_resources(resources: &[Value]) -> Value {
    // De-duplicated as the Java HashSet does it: by hash, then Java equality within a
    // hash (numbers as Jackson holds them: `0` and `-0` are one Integer, `1.0` and
    // `1.00` one Double). Buckets are keyed by the Java hash and a strong fingerprint
    // too, since Java string hashes collide on demand ("Aa" and "BB") and one crowded
    // bucket would make this quadratic in a hostile record.
    let hash = |v: &Value| match v {
        Value::Object(m) => map_hash(m),
        other => value_hash(other),
    };
    let mut by_hash: crate::hashing::KeyHashMap<(i32, u64), Vec<usize>> = Default::default();
    let mut unique: Vec<&Value> = Vec::new();
    for r in resources {
        let key = (hash(r), java_fingerprint(r));
        let same = by_hash.entry(key).or_default();
        if !same.iter().any(|&i| java_equal(unique[i], r)) {
            same.push(unique.len());
            unique.push(r);
        }
    }
    let ordered = hash_map_order(unique.iter().copied(), hash);
    Value::Array(
        ordered
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .map(|(k, v)| {
                            let key = match k.as_str() {
                                "ARN" => "arn".to_owned(),
                                "accountId" => "account_id".to_owned(),
                                other => other.to_owned(),
                            };
                            (key, v.clone())
                        })
                        .collect(),
                ),
                other => other.clone(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Orders printed by Java 17's HashSet of HashMaps holding what Jackson parses
    /// (BigInteger, Integer, Double).
    #[test]
    fn resources_are_a_java_hash_set_of_jackson_values() {
        let cases = [
            (
                r#"[{"ARN":"e","n":123456789012345678901234567890},{"ARN":"z"}]"#,
                r#"[{"arn":"e","n":123456789012345678901234567890},{"arn":"z"}]"#,
            ),
            (
                r#"[{"ARN":"x","n":0},{"ARN":"x","n":-0},{"ARN":"x","n":1.0},{"ARN":"x","n":1.00},{"ARN":"x","n":-0.0},{"ARN":"x","n":0.0}]"#,
                r#"[{"arn":"x","n":0},{"arn":"x","n":1.0},{"arn":"x","n":-0.0},{"arn":"x","n":0.0}]"#,
            ),
        ];
        for (input, want) in cases {
            let resources: Vec<Value> = serde_json::from_str(input).unwrap();
            assert_eq!(map_resources(&resources).to_string(), want, "{input}");
        }
    }
}
