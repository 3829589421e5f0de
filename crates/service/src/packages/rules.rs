//! Package rules in the service: checking them when a package config is saved, and gathering what
//! a rule reads (input values, the matched order's columns, the VAT the matcher found) when a
//! package runs. The judgement itself is `engine::package::rules`.

use std::collections::BTreeMap;

use engine::package::{
    DeliverySide, InvoiceSide, PackageConfig, PackageRule, PackageVerdict, RuleResult, ThreeWayRule,
};
use engine::{DocumentMatch, FieldNote, MatchingConfig};
use store::StoreError;

use super::runs::{text, InputRow};
use crate::error::{Result, ServiceError};
use crate::Workspace;

/// What a slot's matching left for the rules: its config and its most confident result.
pub(super) struct SlotBest {
    pub config: MatchingConfig,
    pub best: DocumentMatch,
}

impl Workspace {
    /// A rule names slots of its package whose configs match against the same orders, and a unit
    /// price column those orders have.
    pub(super) fn check_rules(&self, c: &PackageConfig) -> Result<()> {
        for (i, PackageRule::ThreeWay(rule)) in c.rules.iter().enumerate() {
            let field = |name: &str| format!("rules[{i}].{name}");
            let slot_config = |name: &str, document_type: &str| -> Result<MatchingConfig> {
                let slot = c
                    .document_type_configs
                    .iter()
                    .find(|s| s.document_type == document_type)
                    .ok_or_else(|| {
                        ServiceError::validation(
                            field(name),
                            format!("{document_type:?} is not a document type of the package"),
                        )
                    })?;
                Ok(self.store.get_config(&slot.matching_config_id)?)
            };
            let invoice = slot_config("invoice_type", &rule.invoice_type)?;
            let delivery = slot_config("delivery_type", &rule.delivery_type)?;
            if rule.invoice_type == rule.delivery_type {
                return Err(ServiceError::validation(
                    field("delivery_type"),
                    "must be another document type than the invoice's",
                ));
            }
            if invoice.reference_data_id != delivery.reference_data_id {
                return Err(ServiceError::validation(
                    field("delivery_type"),
                    "its config matches against other reference data than the invoice's: the \
                     rule compares the order both matched",
                ));
            }
            for (name, value) in [
                ("invoice_amount_field", &rule.invoice_amount_field),
                ("delivered_quantity_field", &rule.delivered_quantity_field),
            ] {
                if value.trim().is_empty() {
                    return Err(ServiceError::validation(field(name), "is required"));
                }
            }
            let orders = self.store.get_dataset(&invoice.reference_data_id)?;
            if !orders
                .columns
                .iter()
                .any(|c| c.name == rule.unit_price_column)
            {
                let names: Vec<&str> = orders.columns.iter().map(|c| c.name.as_str()).collect();
                return Err(ServiceError::validation(
                    field("unit_price_column"),
                    format!(
                        "{:?} is not a column of {} ({})",
                        rule.unit_price_column,
                        orders.name,
                        names.join(", ")
                    ),
                ));
            }
            for (name, value) in [
                (
                    "quantity_tolerance_percent",
                    rule.quantity_tolerance_percent,
                ),
                ("price_tolerance_percent", rule.price_tolerance_percent),
            ] {
                if !(0.0..=1000.0).contains(&value) {
                    return Err(ServiceError::validation(
                        field(name),
                        format!("must be a percentage of 0 or more, not {value}"),
                    ));
                }
            }
            if !matches!(
                rule.on_fail,
                PackageVerdict::Review | PackageVerdict::Failed
            ) {
                return Err(ServiceError::validation(
                    field("on_fail"),
                    "must be review or failed",
                ));
            }
        }
        Ok(())
    }

    /// Each rule of the package judged on the slots' best matches.
    pub(super) fn judge_rules(
        &self,
        c: &PackageConfig,
        inputs: &BTreeMap<String, Vec<InputRow>>,
        bests: &BTreeMap<String, SlotBest>,
    ) -> Result<Vec<RuleResult>> {
        c.rules
            .iter()
            .map(|PackageRule::ThreeWay(rule)| self.three_way(rule, inputs, bests))
            .collect()
    }

    fn three_way(
        &self,
        rule: &ThreeWayRule,
        inputs: &BTreeMap<String, Vec<InputRow>>,
        bests: &BTreeMap<String, SlotBest>,
    ) -> Result<RuleResult> {
        let matched = |t: &str| {
            bests
                .get(t)
                .filter(|s| s.best.matched_reference_row_id.is_some())
        };
        let value = |t: &str, document_id: &str, field: &str| -> String {
            inputs
                .get(t)
                .and_then(|rows| rows.iter().find(|r| r.document_id.trim() == document_id))
                .and_then(|r| r.values.get(field))
                .map(text)
                .unwrap_or_default()
        };
        let invoice = matched(&rule.invoice_type);
        let delivery = matched(&rule.delivery_type);
        let (Some(inv), Some(del)) = (invoice, delivery) else {
            return Ok(rule.skipped(invoice.is_some()));
        };
        let order = inv.best.matched_reference_row_id.as_deref().unwrap_or("");
        let amount = value(
            &rule.invoice_type,
            &inv.best.document_id,
            &rule.invoice_amount_field,
        );
        let quantity = value(
            &rule.delivery_type,
            &del.best.document_id,
            &rule.delivered_quantity_field,
        );
        let unit_price = self.order_value(&inv.config, order, &rule.unit_price_column)?;
        Ok(rule.check(
            InvoiceSide {
                order_row_id: order,
                amount: &amount,
                tax_rate: tax_rate_found(&inv.best, &rule.invoice_amount_field),
                unit_price: &unit_price,
            },
            DeliverySide {
                order_row_id: del.best.matched_reference_row_id.as_deref().unwrap_or(""),
                delivered_quantity: &quantity,
            },
        ))
    }

    /// One column of one reference row ("" when the row or column is gone).
    fn order_value(&self, config: &MatchingConfig, row_id: &str, column: &str) -> Result<String> {
        let dataset = match self.store.get_dataset(&config.reference_data_id) {
            Ok(d) => d,
            Err(StoreError::NotFound { .. }) => return Ok(String::new()),
            Err(e) => return Err(e.into()),
        };
        let Some(i) = dataset.columns.iter().position(|c| c.name == column) else {
            return Ok(String::new());
        };
        let rows = self
            .store
            .reference_rows_by_ids(&dataset.id, &[row_id.to_string()])?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.values.into_iter().nth(i))
            .unwrap_or_default())
    }
}

/// The VAT rate the matcher found the amount to include, on the matched candidate's evidence for
/// that field.
fn tax_rate_found(m: &DocumentMatch, field: &str) -> Option<f64> {
    let matched = m.matched_reference_row_id.as_deref()?;
    m.candidates
        .iter()
        .find(|c| c.reference_row_id == matched)?
        .evidence
        .iter()
        .filter(|e| &*e.source == field)
        .find_map(|e| match &e.note {
            Some(FieldNote::Amount { tax_rate, .. }) => *tax_rate,
            _ => None,
        })
}
