//! The ECS field types Kibana checks alert source fields against, and its per-value
//! compliance rule (`computeIsEcsCompliant` in `traverse_and_mutate_doc.ts`).
//!
//! The table (`ecs_fields.txt`) is ECS 9.4.0's `generated/ecs/ecs_flat.yml` (elastic/ecs,
//! Apache-2.0) reduced as Kibana's `ecsFieldMap` reduces it: no `constant_keyword`,
//! `nested` or `flattened` field nor anything under one, and none of Kibana's fifteen
//! `EXPERIMENTAL_FIELDS`. Nested field names are listed apart, as Kibana's
//! `ecsNestedFieldNames`. Each line is front-coded: the length shared with the previous
//! name, a type letter, and the rest of the name.

use std::sync::OnceLock;

use serde_json::Value;

use super::ecs_values;
use crate::hashing::KeyHashMap;

/// `ecs_fields.txt` as raw deflate (a test holds the two equal and rewrites this one with
/// `UPDATE_ECS_TABLE=1`): 29 KB of text would be a twentieth of the npm `.wasm`, and
/// the module already carries an inflater for CloudWatch payloads.
const TABLE_DEFLATED: &[u8] = include_bytes!("ecs_fields.txt.deflate");
/// The most the table may inflate to.
const TABLE_LIMIT: usize = 1 << 20;

/// The table's text; empty (every field treated as not ECS, so every value is kept) if
/// the bytes did not inflate, which the tests rule out.
fn table_text() -> String {
    miniz_oxide::inflate::decompress_to_vec_with_limit(TABLE_DEFLATED, TABLE_LIMIT)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// The types Kibana validates; every other ECS type is a plain leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Long,
    Numeric,
    Ip,
    Date,
    Boolean,
    Object,
    GeoPoint,
    Leaf,
}

/// What the table says of one dotted name. Every question about a name is answered by
/// one lookup: an alert's checks look up each of its source's names and parents, and
/// four sets asked in turn cost about 3% of an alert in WAMR's interpreter.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Name {
    /// The field's type, when the name is an ECS field.
    kind: Option<Kind>,
    /// A proper prefix of a field name (`agent`, `agent.build` for `agent.build.original`).
    parent: bool,
    /// A nested field (Kibana's `ecsNestedFieldNames`).
    nested: bool,
    /// A proper prefix of a nested field name.
    nested_parent: bool,
}

impl Name {
    /// `getIsEcsField`: a field of the table or a parent of one.
    fn is_ecs(self) -> bool {
        self.kind.is_some() || self.parent
    }

    /// `getIsEcsFieldObject`: mapped as object (or geo_point), or a parent of a field.
    fn is_ecs_object(self) -> bool {
        matches!(self.kind, Some(Kind::Object | Kind::GeoPoint)) || self.parent
    }

    /// Whether this name or anything below it can be an ECS field (or a nested one): if
    /// not, every value there is kept as it is.
    pub fn could_be_ecs(self) -> bool {
        self.is_ecs() || self.nested || self.nested_parent
    }
}

struct Ecs {
    // Deterministic hashing (the core reads no randomness); lookups probe only as far as
    // this fixed table's own clusters, whatever name is looked up.
    names: KeyHashMap<String, Name>,
}

fn ecs() -> &'static Ecs {
    static ECS: OnceLock<Ecs> = OnceLock::new();
    ECS.get_or_init(|| {
        let mut names: KeyHashMap<String, Name> = KeyHashMap::default();
        let mut prev = String::new();
        let mut in_nested = false;
        for line in table_text().lines() {
            if line == "#nested" {
                in_nested = true;
            } else if line.starts_with('#') || line.is_empty() {
            } else if in_nested {
                for (i, _) in line.match_indices('.') {
                    names.entry(line[..i].to_owned()).or_default().nested_parent = true;
                }
                names.entry(line.to_owned()).or_default().nested = true;
            } else if let Some((name, kind)) = decode(line, &prev) {
                for (i, _) in name.match_indices('.') {
                    names.entry(name[..i].to_owned()).or_default().parent = true;
                }
                names.entry(name.clone()).or_default().kind = Some(kind);
                prev = name;
            }
        }
        Ecs { names }
    })
}

/// What the table says of `path` (all `false` for a name it does not hold).
pub fn name(path: &str) -> Name {
    ecs().names.get(path).copied().unwrap_or_default()
}

fn decode(line: &str, prev: &str) -> Option<(String, Kind)> {
    let split = line.find(|c: char| !c.is_ascii_digit())?;
    let shared: usize = line[..split].parse().ok()?;
    let mut rest = line[split..].chars();
    let kind = match rest.next()? {
        'l' => Kind::Long,
        'f' => Kind::Numeric,
        'i' => Kind::Ip,
        'd' => Kind::Date,
        'b' => Kind::Boolean,
        'o' => Kind::Object,
        'g' => Kind::GeoPoint,
        _ => Kind::Leaf,
    };
    Some((format!("{}{}", prev.get(..shared)?, rest.as_str()), kind))
}

/// Whether one value (an array element, or a non-array value) at `path` may be copied.
#[cfg(test)]
pub fn compliant(value: &Value, path: &str) -> bool {
    compliant_below(value, path, 0, name(path))
}

/// [`compliant`], when the parents of `path` up to its first `checked` bytes were found
/// to be objects already (a walk down the document checks each level once); `n` is
/// [`name`] of `path`, which the walk has looked up already.
pub fn compliant_below(value: &Value, path: &str, checked: usize, n: Name) -> bool {
    // A dotted path is invalid if one of its ECS parents is not an object.
    for (i, _) in path.match_indices('.').filter(|&(i, _)| i > checked) {
        let parent = name(&path[..i]);
        if parent.is_ecs() && !parent.is_ecs_object() {
            return false;
        }
    }
    if n.nested {
        return match value {
            Value::Array(items) => items.iter().all(Value::is_object),
            other => other.is_object(),
        };
    }
    if !n.is_ecs() {
        return true;
    }
    match n.kind {
        Some(Kind::GeoPoint) => true,
        Some(Kind::Long) => ecs_values::long(value),
        Some(Kind::Numeric) => ecs_values::numeric(value),
        Some(Kind::Ip) => ecs_values::ip(value),
        Some(Kind::Date) => ecs_values::date(value),
        Some(Kind::Boolean) => ecs_values::boolean(value),
        _ => n.is_ecs_object() == value.is_object(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_deflated_table_is_the_text() {
        let text = include_str!("ecs_fields.txt");
        if std::env::var_os("UPDATE_ECS_TABLE").is_some() {
            let deflated = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 10);
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/alert/ecs_fields.txt.deflate"
            );
            std::fs::write(path, deflated).expect("write the deflated table");
            return;
        }
        assert_eq!(table_text(), text, "rewrite it with UPDATE_ECS_TABLE=1");
    }

    #[test]
    fn table_loads_with_kibana_types() {
        let e = ecs();
        let fields = e.names.values().filter(|n| n.kind.is_some()).count();
        assert!(fields > 2000, "{fields}");
        for (path, kind) in [
            ("@timestamp", Kind::Date),
            ("source.ip", Kind::Ip),
            ("source.port", Kind::Long),
            ("event.risk_score", Kind::Numeric),
            ("user.name", Kind::Leaf),
            ("source.geo.location", Kind::GeoPoint),
            ("labels", Kind::Object),
        ] {
            assert_eq!(name(path).kind, Some(kind), "{path}");
        }
        // Excluded as Kibana excludes them.
        for path in ["data_stream.dataset", "threat.enrichments.indicator.ip"] {
            assert_eq!(name(path).kind, None, "{path}");
        }
        assert!(name("threat.enrichments").nested);
    }

    #[test]
    fn compliance_table() {
        let cases = [
            (json!("not-an-ip"), "source.ip", false),
            (json!("203.0.113.7"), "source.ip", true),
            (json!("443"), "source.port", true),
            (json!("4 43"), "source.port", false),
            (Value::Null, "source.port", false),
            (json!({"a": 1}), "user.name", false),
            (json!("alice"), "user.name", true),
            (json!("alice"), "user", false),
            (json!({"name": "alice"}), "user", true),
            (json!("x"), "user.name.first", false),
            (json!("x"), "not_ecs.anything", true),
            (json!({"a": 1}), "aws.cloudtrail.request_parameters", true),
            (json!("yes"), "event.agent_id_status", true),
            (json!("maybe"), "process.interactive", false),
            (json!("soon"), "event.ingested", false),
            (json!("x"), "threat.enrichments", false),
            (json!({"x": 1}), "threat.enrichments", true),
            (json!({"lat": 1, "lon": 2}), "source.geo.location", true),
            (json!({"any": "thing"}), "data_stream.dataset", true),
        ];
        for (value, path, want) in cases {
            assert_eq!(compliant(&value, path), want, "{path} = {value}");
        }
    }
}
