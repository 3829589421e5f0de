//! Editing a strategy's plan as JSON: the deep merge of a patch, reading the result back as a plan
//! with every error named by its key (`strategy.thresholds.review_floor`), and the version hash.

use engine::learn::StrategyPlan;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::StrategyContent;
use crate::error::{Result, ServiceError};

/// The first 12 hex digits of the SHA-256 of the plan's canonical JSON (spec C.18): keys sorted,
/// no spaces, so the same plan has the same hash however its keys were ordered.
pub(super) fn version_hash(strategy: &Value) -> String {
    let mut text = String::new();
    canonical(strategy, &mut text);
    Sha256::digest(text.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// `stored` with `changes` deep-merged into it, read back as a plan. Fails, naming the key, when
/// the result does not read as a plan, when a key inside the plan's own objects is unknown, or
/// when a new top-level key looks like a misspelt one of the plan's.
pub(super) fn merged(stored: &Value, changes: &Value) -> Result<StrategyContent> {
    let mut merged = stored.clone();
    deep_merge(&mut merged, changes);
    follow_threshold(&mut merged, changes)?;
    let plan: StrategyPlan = serde_path_to_error::deserialize(&merged).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        ServiceError::validation(serde_field(&path, &message), message)
    })?;
    let content: StrategyContent = serde_json::from_value(merged.clone())
        .map_err(|e| ServiceError::validation("strategy", e.to_string()))?;
    check_keys(&merged, &plan, &content.other)?;
    Ok(content)
}

/// Objects merge key by key; anything else (arrays, numbers, strings, null) replaces.
fn deep_merge(target: &mut Value, changes: &Value) {
    match (target, changes) {
        (Value::Object(t), Value::Object(c)) => {
            for (k, v) in c {
                match t.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, c) => *t = c.clone(),
    }
}

/// `threshold` and `thresholds.match` are one value written twice: a patch that sets one sets
/// both, and one that sets them apart is refused.
fn follow_threshold(merged: &mut Value, changes: &Value) -> Result<()> {
    let threshold = changes.get("threshold");
    let band_match = changes.get("thresholds").and_then(|t| t.get("match"));
    match (threshold, band_match) {
        (Some(t), None) => {
            if let Some(band) = merged.get_mut("thresholds").and_then(Value::as_object_mut) {
                band.insert("match".into(), t.clone());
            }
        }
        (None, Some(m)) => {
            if let Some(plan) = merged.as_object_mut() {
                plan.insert("threshold".into(), m.clone());
            }
        }
        (Some(t), Some(m)) if t.as_f64() != m.as_f64() || t.as_f64().is_none() => {
            return Err(ServiceError::validation(
                "strategy.thresholds.match",
                "differs from `threshold`, which is the same value; set one of them",
            ))
        }
        _ => {}
    }
    Ok(())
}

/// The key a serde error is about, under `strategy`.
fn serde_field(path: &str, message: &str) -> String {
    plan_field(&crate::dto::named_field(path, message))
}

/// A config's field as the key of the plan it comes from (`review_floor` is
/// `thresholds.review_floor` there).
pub(super) fn plan_field(config_field: &str) -> String {
    match config_field {
        "review_floor" => "strategy.thresholds.review_floor".into(),
        "" => "strategy".into(),
        f => format!("strategy.{f}"),
    }
}

/// Keys of the merged plan that nothing reads: inside the plan's own objects always an error (a
/// misspelt `thresholds.review_flor` would otherwise be dropped without a word); at the top level
/// only when it is a near miss of a key of the plan, since the spec's free-form keys
/// (`hard_filters`, `field_rules`) are kept.
fn check_keys(merged: &Value, plan: &StrategyPlan, other: &Map<String, Value>) -> Result<()> {
    let read = serde_json::to_value(plan)
        .map_err(|e| ServiceError::Internal(format!("cannot encode the strategy: {e}")))?;
    let mut known: Vec<&str> = struct_fields::<StrategyPlan>().to_vec();
    if let Some(keys) = read.as_object() {
        known.extend(keys.keys().map(String::as_str));
    }
    for key in other.keys() {
        if let Some(near) = nearest(key, known.iter().copied()) {
            return Err(unknown(&format!("strategy.{key}"), Some(near)));
        }
    }
    if let (Some(given), Some(read)) = (merged.as_object(), read.as_object()) {
        for (key, value) in given {
            if let Some(r) = read.get(key) {
                unread_keys(value, r, &format!("strategy.{key}"))?;
            }
        }
    }
    Ok(())
}

/// Fails on the first key of `given` that serde did not read into `read` (its value serialised
/// again). Null values are absent options, not unknown keys.
fn unread_keys(given: &Value, read: &Value, path: &str) -> Result<()> {
    match (given, read) {
        (Value::Object(g), Value::Object(r)) => {
            for (k, v) in g {
                let at = format!("{path}.{k}");
                match r.get(k) {
                    Some(rv) => unread_keys(v, rv, &at)?,
                    None if v.is_null() => {}
                    None => return Err(unknown(&at, nearest(k, r.keys().map(String::as_str)))),
                }
            }
            Ok(())
        }
        (Value::Array(g), Value::Array(r)) => {
            for (i, (gv, rv)) in g.iter().zip(r).enumerate() {
                unread_keys(gv, rv, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn unknown(field: &str, near: Option<&str>) -> ServiceError {
    let message = match near {
        Some(k) => format!("unknown key; did you mean `{k}`?"),
        None => "unknown key".to_string(),
    };
    ServiceError::validation(field, message)
}

/// The known key spelt almost as `key` (but not exactly), as config validation suggests one.
fn nearest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .filter(|k| *k != key)
        .map(|k| (strsim::osa_distance(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// The field names serde reads for the struct `T`, asked of its `Deserialize`: a derived impl
/// hands them to `deserialize_struct`. Empty for a type that does not.
fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Ask(Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for &mut Ask {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only the field names are asked for"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("only the field names are asked for"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut ask = Ask(None);
    let _ = T::deserialize(&mut ask);
    ask.0.unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_ignores_key_order_and_sees_every_change() {
        let a = json!({"threshold": 0.8, "thresholds": {"match": 0.8, "review_floor": 0.5}});
        let b = json!({"thresholds": {"review_floor": 0.5, "match": 0.8}, "threshold": 0.8});
        let c = json!({"threshold": 0.81, "thresholds": {"match": 0.8, "review_floor": 0.5}});
        assert_eq!(version_hash(&a), version_hash(&b));
        assert_ne!(version_hash(&a), version_hash(&c));
        assert_eq!(version_hash(&a).len(), 12);
        assert!(version_hash(&a).chars().all(|c| c.is_ascii_hexdigit()));
        let mut text = String::new();
        canonical(&b, &mut text);
        assert_eq!(
            text,
            r#"{"threshold":0.8,"thresholds":{"match":0.8,"review_floor":0.5}}"#
        );
    }

    #[test]
    fn objects_merge_and_everything_else_replaces() {
        let mut v = json!({"a": {"x": 1, "y": [1, 2]}, "b": "keep", "c": [1]});
        deep_merge(
            &mut v,
            &json!({"a": {"y": [3], "z": null}, "c": {"now": "object"}}),
        );
        assert_eq!(
            v,
            json!({"a": {"x": 1, "y": [3], "z": null}, "b": "keep", "c": {"now": "object"}})
        );
    }

    #[test]
    fn serde_errors_are_named_under_strategy() {
        assert_eq!(
            serde_field("threshold", "invalid type: string \"x\", expected f64"),
            "strategy.threshold"
        );
        assert_eq!(
            serde_field("thresholds", "missing field `review_floor`"),
            "strategy.thresholds.review_floor"
        );
        assert_eq!(
            serde_field(
                "field_mappings[0].wieght",
                "unknown field `wieght`, expected"
            ),
            "strategy.field_mappings[0].wieght"
        );
        assert_eq!(
            serde_field(".", "missing field `threshold`"),
            "strategy.threshold"
        );
        assert_eq!(
            plan_field("review_floor"),
            "strategy.thresholds.review_floor"
        );
        assert_eq!(
            plan_field("field_mappings[1].weight"),
            "strategy.field_mappings[1].weight"
        );
    }

    #[test]
    fn the_plan_names_its_own_fields() {
        let fields = struct_fields::<StrategyPlan>();
        for f in ["field_mappings", "threshold", "thresholds", "prompt_notes"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert_eq!(
            nearest("treshold", fields.iter().copied()),
            Some("threshold")
        );
        assert_eq!(nearest("hard_filters", fields.iter().copied()), None);
    }
}
