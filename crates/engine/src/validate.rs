//! Validation of matching configs: every error names the offending field, e.g.
//! `field_mappings[1].weight`, so the UI can put the message next to it.

use serde_json::{Map, Value};

use crate::domain::{ConfigInput, FieldMapping, Schedule, DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD};
use crate::error::EngineError;

/// How far the weights may stray from 1 before a config is refused (spec C.16).
pub const WEIGHT_SUM_TOLERANCE: f64 = 0.001;

/// The most field mappings a config may have. An invoice or order has a dozen or two fields worth
/// comparing, so 50 leaves room for every real document; a run's cost grows with each mapping
/// (a thousand made a run of the small fixtures take over a minute), so a mistake in a
/// generated config is refused at once rather than found as a run that never ends.
pub const MAX_FIELD_MAPPINGS: usize = 50;

/// The fields of a `ConfigInput`, as a create or update takes them.
pub const CONFIG_FIELDS: [&str; 10] = [
    "name",
    "reference_data_id",
    "document_set_id",
    "field_mappings",
    "threshold",
    "review_floor",
    "one_to_one",
    "schedule",
    "blocking_keys",
    "blocking_strategy",
];

/// The fields of a `FieldMapping`.
pub const MAPPING_FIELDS: [&str; 19] = [
    "source",
    "target",
    "strategy",
    "weight",
    "similarity_threshold",
    "tolerance_days",
    "tolerance_percent",
    "tolerance_absolute",
    "mismatch_weight",
    "normalizer",
    "measure",
    "term_frequency",
    "tax_rates",
    "partial_shares",
    "partial_score",
    "days_before",
    "days_after",
    "date_order",
    "rationale",
];

/// Reads a config sent as untyped JSON (the desktop shell's commands), so that what is wrong with
/// it comes back as a validation error naming the field, as the REST API's does: an unknown key
/// (`thresold`, `field_mappings[1].wieght`), a value of the wrong type, a missing field.
pub fn config_input_from_json(value: Value) -> Result<ConfigInput, EngineError> {
    let Some(object) = value.as_object() else {
        return Err(EngineError::validation(
            "",
            "a config is an object with name, reference_data_id and field_mappings",
        ));
    };
    check_keys(object, &CONFIG_FIELDS, "")?;
    check_top_level_types(object)?;
    if let Some(Value::Array(mappings)) = object.get("field_mappings") {
        for (i, m) in mappings.iter().enumerate() {
            let at = format!("field_mappings[{i}]");
            let Some(fields) = m.as_object() else {
                return Err(EngineError::validation(
                    at,
                    "a mapping is an object with source, target, strategy and weight",
                ));
            };
            check_keys(fields, &MAPPING_FIELDS, &at)?;
            serde_json::from_value::<FieldMapping>(m.clone()).map_err(|e| typed(&at, &e))?;
        }
    }
    serde_json::from_value::<ConfigInput>(value).map_err(|e| typed("", &e))
}

/// Refuses the first key of `object` that is not in `known`, naming its path and, when a known
/// field is spelt almost the same, that one.
fn check_keys(object: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), EngineError> {
    let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) else {
        return Ok(());
    };
    let field = if at.is_empty() {
        unknown.clone()
    } else {
        format!("{at}.{unknown}")
    };
    let closest = known
        .iter()
        .map(|k| (strsim::osa_distance(unknown, k), *k))
        .min()
        .filter(|(d, k)| *d <= 2.max(k.len() / 4));
    let message = match closest {
        Some((_, k)) => format!("unknown field; did you mean `{k}`?"),
        None => format!("unknown field; expected one of {}", known.join(", ")),
    };
    Err(EngineError::validation(field, message))
}

/// The top-level value of the wrong type, named: serde's own message does not say which.
fn check_top_level_types(object: &Map<String, Value>) -> Result<(), EngineError> {
    fn is<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), serde_json::Error> {
        T::deserialize(v).map(drop)
    }
    for (key, v) in object {
        let read = match key.as_str() {
            "name" | "reference_data_id" => is::<String>(v),
            "document_set_id" => is::<Option<String>>(v),
            "threshold" | "review_floor" => is::<Option<f64>>(v),
            "one_to_one" => is::<Option<bool>>(v),
            "schedule" => is::<Option<Schedule>>(v),
            "blocking_keys" => is::<Option<Vec<crate::domain::BlockingKey>>>(v),
            "blocking_strategy" => is::<Option<crate::domain::BlockingStrategy>>(v),
            "field_mappings" => is::<Vec<Value>>(v),
            _ => Ok(()),
        };
        read.map_err(|e| EngineError::validation(key.as_str(), e.to_string()))?;
    }
    Ok(())
}

/// A serde error under `at`; a missing field is named by its own path.
fn typed(at: &str, e: &serde_json::Error) -> EngineError {
    let message = e.to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (missing, at.is_empty()) {
        (Some(name), true) => EngineError::validation(name, "is required"),
        (Some(name), false) => EngineError::validation(format!("{at}.{name}"), "is required"),
        (None, _) => EngineError::validation(at, message),
    }
}

/// Refuses a second mapping of the same document field to the same reference column: the pair
/// would count twice, with the sum of both weights, whatever the two strategies say; and the
/// evidence, keyed by field, would show only one of them.
fn check_duplicates(mappings: &[FieldMapping]) -> Result<(), EngineError> {
    for (j, m) in mappings.iter().enumerate() {
        if let Some(i) = mappings[..j]
            .iter()
            .position(|p| p.source == m.source && p.target == m.target)
        {
            return Err(EngineError::validation(
                format!("field_mappings[{j}]"),
                format!(
                    "compares {} with {} again, as field_mappings[{i}] does; compare a pair once \
                     (with one strategy and the weight of both)",
                    m.source, m.target
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a config against the columns of its reference data and, when bound to one, its document
/// set. Returns the effective `(threshold, review_floor)`.
pub fn validate_config(
    input: &ConfigInput,
    reference_columns: &[String],
    document_columns: Option<&[String]>,
) -> Result<(f64, f64), EngineError> {
    if input.name.trim().is_empty() {
        return Err(EngineError::validation("name", "a config needs a name"));
    }
    if input.reference_data_id.trim().is_empty() {
        return Err(EngineError::validation(
            "reference_data_id",
            "choose the reference data to match against",
        ));
    }
    if input.field_mappings.is_empty() {
        return Err(EngineError::validation(
            "field_mappings",
            "add at least one field mapping",
        ));
    }
    if input.field_mappings.len() > MAX_FIELD_MAPPINGS {
        return Err(EngineError::validation(
            "field_mappings",
            format!(
                "{} mappings; a config has at most {MAX_FIELD_MAPPINGS} (compare the fields that \
                 tell documents apart)",
                input.field_mappings.len()
            ),
        ));
    }
    for (i, m) in input.field_mappings.iter().enumerate() {
        check_mapping(i, m, reference_columns, document_columns)?;
    }
    check_duplicates(&input.field_mappings)?;
    let sum: f64 = input.field_mappings.iter().map(|m| m.weight).sum();
    if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        return Err(EngineError::validation(
            "field_mappings",
            format!("the weights add up to {sum:.3}; they must add up to 1"),
        ));
    }
    if let Some(keys) = &input.blocking_keys {
        crate::index::resolve_blocking_keys(&input.field_mappings, keys)?;
    }
    let threshold = input.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !threshold.is_finite() || !(0.0..=1.0).contains(&threshold) {
        return Err(EngineError::validation(
            "threshold",
            "must lie between 0 and 1",
        ));
    }
    let review_floor = input
        .review_floor
        .unwrap_or(DEFAULT_REVIEW_FLOOR.min(threshold));
    if !review_floor.is_finite() || !(0.0..=threshold).contains(&review_floor) {
        return Err(EngineError::validation(
            "review_floor",
            "must lie between 0 and the threshold",
        ));
    }
    Ok((threshold, review_floor))
}

/// One mapping's own rules: its field and column exist, its weight and parameters are in range.
fn check_mapping(
    i: usize,
    m: &FieldMapping,
    reference_columns: &[String],
    document_columns: Option<&[String]>,
) -> Result<(), EngineError> {
    let field = |name: &str| format!("field_mappings[{i}].{name}");
    if m.source.trim().is_empty() {
        return Err(EngineError::validation(
            field("source"),
            "choose a document field",
        ));
    }
    if let Some(cols) = document_columns {
        if !cols.iter().any(|c| c == &m.source) {
            return Err(EngineError::validation(
                field("source"),
                format!("the documents have no field '{}'", m.source),
            ));
        }
    }
    if m.target.trim().is_empty() {
        return Err(EngineError::validation(
            field("target"),
            "choose a reference column",
        ));
    }
    if !reference_columns.iter().any(|c| c == &m.target) {
        return Err(EngineError::validation(
            field("target"),
            format!("the reference data has no column '{}'", m.target),
        ));
    }
    if !m.weight.is_finite() || m.weight <= 0.0 {
        return Err(EngineError::validation(
            field("weight"),
            "must be a number greater than 0",
        ));
    }
    check_parameters(m, &field)
}

/// A mapping's strategy parameters, each within its range.
fn check_parameters(m: &FieldMapping, field: &dyn Fn(&str) -> String) -> Result<(), EngineError> {
    if let Some(w) = m.mismatch_weight {
        if !w.is_finite() || w < 0.0 {
            return Err(EngineError::validation(
                field("mismatch_weight"),
                "must be 0 or more",
            ));
        }
    }
    for (name, value) in [("partial_score", m.partial_score)] {
        if value.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
            return Err(EngineError::validation(
                field(name),
                "must lie between 0 and 1",
            ));
        }
    }
    if m.tax_rates
        .iter()
        .flatten()
        .any(|r| !r.is_finite() || *r < 0.0 || *r >= 100.0)
    {
        return Err(EngineError::validation(
            field("tax_rates"),
            "each rate is a percentage from 0 to below 100",
        ));
    }
    if m.partial_shares
        .iter()
        .flatten()
        .any(|r| !r.is_finite() || *r <= 0.0 || *r >= 1.0)
    {
        return Err(EngineError::validation(
            field("partial_shares"),
            "each share lies strictly between 0 and 1",
        ));
    }
    for (name, value) in [("days_before", m.days_before), ("days_after", m.days_after)] {
        if value.is_some_and(|d| d < 0) {
            return Err(EngineError::validation(
                field(name),
                "must be 0 or more days",
            ));
        }
    }
    if let Some(t) = m.similarity_threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(EngineError::validation(
                field("similarity_threshold"),
                "must lie between 0 and 1",
            ));
        }
    }
    if let Some(d) = m.tolerance_days {
        if d < 0 {
            return Err(EngineError::validation(
                field("tolerance_days"),
                "must be 0 or more days",
            ));
        }
    }
    if let Some(p) = m.tolerance_percent {
        if !p.is_finite() || p < 0.0 {
            return Err(EngineError::validation(
                field("tolerance_percent"),
                "must be 0 or more",
            ));
        }
    }
    if let Some(a) = m.tolerance_absolute {
        if !a.is_finite() || a < 0.0 {
            return Err(EngineError::validation(
                field("tolerance_absolute"),
                "must be 0 or more",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldMapping, Strategy};

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn input() -> ConfigInput {
        ConfigInput {
            name: "Invoices to POs".into(),
            reference_data_id: "ref".into(),
            document_set_id: None,
            field_mappings: vec![
                FieldMapping::new("vendor", "vendor_name", Strategy::Fuzzy, 0.6),
                FieldMapping::new("total", "net_amount", Strategy::NumericRange, 0.4),
            ],
            threshold: None,
            review_floor: None,
            one_to_one: None,
            schedule: None,
            blocking_keys: None,
            blocking_strategy: None,
        }
    }

    fn field_of(r: Result<(f64, f64), EngineError>) -> String {
        match r {
            Err(EngineError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_sound_config_with_defaults() {
        let r = validate_config(&input(), &cols(&["vendor_name", "net_amount"]), None).unwrap();
        assert_eq!(r, (0.85, 0.5));
    }

    #[test]
    fn names_the_offending_field() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let mut c = input();
        c.field_mappings[1].weight = -0.4;
        assert_eq!(
            field_of(validate_config(&c, &refs, None)),
            "field_mappings[1].weight"
        );

        let mut c = input();
        c.field_mappings[0].target = "nope".into();
        assert_eq!(
            field_of(validate_config(&c, &refs, None)),
            "field_mappings[0].target"
        );

        let c = input();
        let docs = cols(&["total"]);
        assert_eq!(
            field_of(validate_config(&c, &refs, Some(&docs))),
            "field_mappings[0].source"
        );

        let mut c = input();
        c.field_mappings[0].weight = 0.7;
        assert_eq!(field_of(validate_config(&c, &refs, None)), "field_mappings");

        let mut c = input();
        c.threshold = Some(1.5);
        assert_eq!(field_of(validate_config(&c, &refs, None)), "threshold");

        let mut c = input();
        c.threshold = Some(0.6);
        c.review_floor = Some(0.7);
        assert_eq!(field_of(validate_config(&c, &refs, None)), "review_floor");

        let mut c = input();
        c.field_mappings[1].tolerance_days = Some(-1);
        assert_eq!(
            field_of(validate_config(&c, &refs, None)),
            "field_mappings[1].tolerance_days"
        );

        let mut c = input();
        c.name = "  ".into();
        assert_eq!(field_of(validate_config(&c, &refs, None)), "name");
    }

    #[test]
    fn weights_within_tolerance_of_one_pass() {
        let mut c = input();
        c.field_mappings[0].weight = 0.6005;
        assert!(validate_config(&c, &cols(&["vendor_name", "net_amount"]), None).is_ok());
    }

    #[test]
    fn names_the_offending_strategy_parameter() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let check = |i: usize, change: &dyn Fn(&mut FieldMapping), expected: &str| {
            let mut c = input();
            change(&mut c.field_mappings[i]);
            assert_eq!(field_of(validate_config(&c, &refs, None)), expected);
        };
        check(
            0,
            &|m| m.mismatch_weight = Some(-0.1),
            "field_mappings[0].mismatch_weight",
        );
        check(
            1,
            &|m| m.mismatch_weight = Some(f64::NAN),
            "field_mappings[1].mismatch_weight",
        );
        check(
            0,
            &|m| m.tax_rates = Some(vec![19.0, -7.0]),
            "field_mappings[0].tax_rates",
        );
        check(
            0,
            &|m| m.tax_rates = Some(vec![100.0]),
            "field_mappings[0].tax_rates",
        );
        check(
            1,
            &|m| m.partial_shares = Some(vec![0.5, 1.0]),
            "field_mappings[1].partial_shares",
        );
        check(
            1,
            &|m| m.partial_shares = Some(vec![0.0]),
            "field_mappings[1].partial_shares",
        );
        check(
            0,
            &|m| m.partial_score = Some(1.2),
            "field_mappings[0].partial_score",
        );
        check(
            1,
            &|m| m.partial_score = Some(-0.1),
            "field_mappings[1].partial_score",
        );
        check(
            1,
            &|m| m.days_before = Some(-1),
            "field_mappings[1].days_before",
        );
        check(
            0,
            &|m| m.days_after = Some(-3),
            "field_mappings[0].days_after",
        );
    }

    #[test]
    fn accepts_parameters_at_their_edges() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let mut c = input();
        let m = &mut c.field_mappings[1];
        m.mismatch_weight = Some(0.0);
        m.tax_rates = Some(vec![0.0, 19.0, 99.9]);
        m.partial_shares = Some(vec![0.01, 0.99]);
        m.partial_score = Some(1.0);
        m.days_before = Some(0);
        m.days_after = Some(45);
        assert!(validate_config(&c, &refs, None).is_ok());
        c.field_mappings[1].partial_score = Some(0.0);
        assert!(validate_config(&c, &refs, None).is_ok());
    }

    #[test]
    fn parameter_messages_say_what_is_allowed() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let mut c = input();
        c.field_mappings[0].tax_rates = Some(vec![150.0]);
        match validate_config(&c, &refs, None) {
            Err(e @ EngineError::Validation { .. }) => {
                let text = e.to_string();
                assert!(text.contains("percentage"), "{text}");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn mappings(n: usize) -> Vec<FieldMapping> {
        (0..n)
            .map(|i| {
                let target = if i % 2 == 0 {
                    "vendor_name"
                } else {
                    "net_amount"
                };
                FieldMapping::new(&format!("f{i}"), target, Strategy::Exact, 1.0 / n as f64)
            })
            .collect()
    }

    #[test]
    fn refuses_more_mappings_than_the_limit() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let mut c = input();
        c.field_mappings = mappings(MAX_FIELD_MAPPINGS);
        assert!(validate_config(&c, &refs, None).is_ok());
        c.field_mappings = mappings(MAX_FIELD_MAPPINGS + 1);
        assert_eq!(field_of(validate_config(&c, &refs, None)), "field_mappings");
        c.field_mappings = mappings(1000);
        match validate_config(&c, &refs, None) {
            Err(EngineError::Validation { message, .. }) => {
                assert!(message.contains("at most 50"), "{message}")
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn refuses_a_pair_mapped_twice_naming_the_second() {
        let refs = cols(&["vendor_name", "net_amount"]);
        let mut c = input();
        c.field_mappings[0].weight = 0.3;
        c.field_mappings.push(FieldMapping::new(
            "vendor",
            "vendor_name",
            Strategy::Fuzzy,
            0.3,
        ));
        assert_eq!(
            field_of(validate_config(&c, &refs, None)),
            "field_mappings[2]"
        );
        // Another strategy on the same pair is the same pair.
        c.field_mappings[2].strategy = Strategy::Exact;
        assert_eq!(
            field_of(validate_config(&c, &refs, None)),
            "field_mappings[2]"
        );
        // One document field against two columns is two comparisons.
        c.field_mappings[2].target = "net_amount".into();
        assert!(validate_config(&c, &refs, None).is_ok());
    }

    fn json_field(v: Value) -> (String, String) {
        match config_input_from_json(v) {
            Err(EngineError::Validation { field, message }) => (field, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn untyped_configs_name_unknown_and_mistyped_fields() {
        let good = serde_json::to_value(input()).unwrap();
        assert_eq!(config_input_from_json(good.clone()).unwrap(), input());

        let mut v = good.clone();
        v["thresold"] = serde_json::json!(0.95);
        let (field, message) = json_field(v);
        assert_eq!(field, "thresold");
        assert!(message.contains("`threshold`"), "{message}");

        let mut v = good.clone();
        v["field_mappings"][1]["wieght"] = serde_json::json!(0.4);
        assert_eq!(json_field(v).0, "field_mappings[1].wieght");

        let mut v = good.clone();
        v["colour"] = serde_json::json!("blue");
        let (field, message) = json_field(v);
        assert_eq!(field, "colour");
        assert!(message.contains("review_floor"), "{message}");

        let mut v = good.clone();
        v["threshold"] = serde_json::json!("high");
        assert_eq!(json_field(v).0, "threshold");

        let mut v = good.clone();
        v["field_mappings"][0]["strategy"] = serde_json::json!("psychic");
        assert_eq!(json_field(v).0, "field_mappings[0]");

        let mut v = good.clone();
        v.as_object_mut().unwrap().remove("name");
        assert_eq!(json_field(v).0, "name");

        let mut v = good;
        v["field_mappings"][1]
            .as_object_mut()
            .unwrap()
            .remove("weight");
        assert_eq!(json_field(v).0, "field_mappings[1].weight");

        assert_eq!(json_field(serde_json::json!([1])).0, "");
    }

    #[test]
    fn typed_reads_refuse_unknown_fields_too() {
        let mut v = serde_json::to_value(input()).unwrap();
        v["thresold"] = serde_json::json!(0.95);
        let e = serde_json::from_value::<ConfigInput>(v).unwrap_err();
        assert!(e.to_string().contains("thresold"), "{e}");
    }

    /// The lists are written out for the messages; a field added to a type must join its list.
    #[test]
    fn field_lists_match_the_types() {
        let mut c = input();
        c.threshold = Some(0.9);
        c.review_floor = Some(0.5);
        c.one_to_one = Some(true);
        c.schedule = Some(crate::domain::Schedule::IntervalMinutes(5));
        c.blocking_keys = Some(vec![crate::domain::BlockingKey {
            fields: vec!["a".into()],
        }]);
        c.blocking_strategy = Some(crate::domain::BlockingStrategy::OrderedFallback);
        let keys = |v: Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let sorted = |l: &[&str]| {
            let mut l: Vec<String> = l.iter().map(|s| s.to_string()).collect();
            l.sort();
            l
        };
        assert_eq!(
            keys(serde_json::to_value(&c).unwrap()),
            sorted(&CONFIG_FIELDS)
        );
        let full = serde_json::json!({
            "source": "a", "target": "b", "strategy": "fuzzy", "weight": 1,
            "similarity_threshold": 0.8, "tolerance_days": 1, "tolerance_percent": 1,
            "tolerance_absolute": 1, "mismatch_weight": 1, "normalizer": "text",
            "measure": "best", "term_frequency": true, "tax_rates": [19],
            "partial_shares": [0.5], "partial_score": 0.7, "days_before": 0, "days_after": 1,
            "date_order": "auto", "rationale": "r"
        });
        let m: FieldMapping = serde_json::from_value(full).unwrap();
        assert_eq!(
            keys(serde_json::to_value(&m).unwrap()),
            sorted(&MAPPING_FIELDS)
        );
    }
}
