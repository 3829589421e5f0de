//! Validation of matching configs: every error names the offending field, e.g.
//! `field_mappings[1].weight`, so the UI can put the message next to it.

use crate::domain::{ConfigInput, DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD};
use crate::error::EngineError;
use crate::schedule::validate_schedule;

/// How far the weights may stray from 1 before a config is refused (spec C.16).
pub const WEIGHT_SUM_TOLERANCE: f64 = 0.001;

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
    for (i, m) in input.field_mappings.iter().enumerate() {
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
    }
    let sum: f64 = input.field_mappings.iter().map(|m| m.weight).sum();
    if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        return Err(EngineError::validation(
            "field_mappings",
            format!("the weights add up to {sum:.3}; they must add up to 1"),
        ));
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
    if let Some(schedule) = &input.schedule {
        validate_schedule(schedule)?;
    }
    Ok((threshold, review_floor))
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

        let mut c = input();
        c.schedule = Some(crate::domain::Schedule::Cron("61 * * * *".into()));
        assert_eq!(field_of(validate_config(&c, &refs, None)), "schedule");

        let mut c = input();
        c.schedule = Some(crate::domain::Schedule::IntervalMinutes(0));
        assert_eq!(field_of(validate_config(&c, &refs, None)), "schedule");

        let mut c = input();
        c.schedule = Some(crate::domain::Schedule::Cron("0 2 * * 1-5".into()));
        assert!(validate_config(&c, &refs, None).is_ok());
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
}
