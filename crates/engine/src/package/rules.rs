//! Rules across the slots of a package: the spec scores each document type on its own, but a
//! three-way match asks whether the invoice, its order and the delivery note agree with each
//! other (same order; not invoiced beyond what was delivered).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::PackageVerdict;
use crate::parse::parse_number;

/// A rule a package config adds to the per-slot verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PackageRule {
    ThreeWay(ThreeWayRule),
}

/// The three-way match as ERPs configure it: the invoice and the delivery note must refer to the
/// same order, and the invoiced net amount may not exceed the delivered quantity at the order's
/// unit price, each within its tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreeWayRule {
    /// The slot holding the invoice; its config matches invoices to orders.
    pub invoice_type: String,
    /// The slot holding the delivery note (goods receipt); its config matches it to orders.
    pub delivery_type: String,
    /// The invoice field with the invoiced amount. When the invoice slot's match found the amount
    /// to include VAT, the rule reads the net amount the matcher read.
    pub invoice_amount_field: String,
    /// The delivery note field with the delivered quantity.
    pub delivered_quantity_field: String,
    /// The order's (reference row's) column with the unit price.
    pub unit_price_column: String,
    /// How much more than delivered may be invoiced, in percent of the delivered quantity.
    #[serde(default)]
    pub quantity_tolerance_percent: f64,
    /// How much above the order's unit price may be invoiced, in percent.
    #[serde(default)]
    pub price_tolerance_percent: f64,
    /// The verdict when the rule fails: `review` (blocked for payment until someone looks; the
    /// default) or `failed`.
    #[serde(default = "review")]
    pub on_fail: PackageVerdict,
}

fn review() -> PackageVerdict {
    PackageVerdict::Review
}

/// How a rule came out in one package run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RuleStatus {
    Passed,
    Failed,
    /// A slot it needs had no match; the slot's own status already judges that.
    Skipped,
}

/// One rule's outcome in a package run, with the numbers a reviewer checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleResult {
    /// `three_way`.
    pub kind: String,
    pub status: RuleStatus,
    /// What was compared and why it passed or failed, in a reviewer's words.
    pub message: String,
    /// The invoiced net amount.
    #[serde(default)]
    pub invoiced: Option<f64>,
    /// The delivered quantity at the order's unit price.
    #[serde(default)]
    pub delivered_value: Option<f64>,
    /// The most that may be invoiced: the delivered value with both tolerances.
    #[serde(default)]
    pub allowed: Option<f64>,
}

/// The invoice slot's best match, as the three-way rule reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvoiceSide<'a> {
    /// The order (reference row) the invoice matched.
    pub order_row_id: &'a str,
    /// The invoice's amount as written.
    pub amount: &'a str,
    /// The VAT rate (percent) the matcher found the amount to include, if any.
    pub tax_rate: Option<f64>,
    /// The matched order's unit price as stored.
    pub unit_price: &'a str,
}

/// The delivery slot's best match, as the three-way rule reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliverySide<'a> {
    /// The order (reference row) the delivery note matched.
    pub order_row_id: &'a str,
    pub delivered_quantity: &'a str,
}

fn result(status: RuleStatus, message: String) -> RuleResult {
    RuleResult {
        kind: "three_way".into(),
        status,
        message,
        invoiced: None,
        delivered_value: None,
        allowed: None,
    }
}

impl ThreeWayRule {
    /// The outcome when a side's slot matched no order: nothing to compare (the slot's own status
    /// judges the package).
    pub fn skipped(&self, invoice_matched: bool) -> RuleResult {
        let which = if invoice_matched {
            &self.delivery_type
        } else {
            &self.invoice_type
        };
        result(
            RuleStatus::Skipped,
            format!("not checked: the {which} matched no order"),
        )
    }

    /// Judges one package whose invoice and delivery note each matched an order.
    pub fn check(&self, invoice: InvoiceSide, delivery: DeliverySide) -> RuleResult {
        let mut out = result(RuleStatus::Failed, String::new());
        if invoice.order_row_id != delivery.order_row_id {
            out.message = format!(
                "the {} is for order {}, the {} for order {}",
                self.invoice_type, invoice.order_row_id, self.delivery_type, delivery.order_row_id
            );
            return out;
        }
        let number = |text: &str, what: &str| {
            parse_number(text).ok_or_else(|| format!("{what} {text:?} is not a number"))
        };
        let read = (|| {
            Ok::<_, String>((
                number(invoice.amount, &self.invoice_amount_field)?,
                number(delivery.delivered_quantity, &self.delivered_quantity_field)?,
                number(invoice.unit_price, &self.unit_price_column)?,
            ))
        })();
        let (amount, quantity, price) = match read {
            Ok(v) => v,
            Err(e) => {
                out.message = e;
                return out;
            }
        };
        let invoiced = amount / (1.0 + invoice.tax_rate.unwrap_or(0.0) / 100.0);
        let delivered = quantity * price;
        let allowed = delivered
            * (1.0 + self.quantity_tolerance_percent / 100.0)
            * (1.0 + self.price_tolerance_percent / 100.0);
        out.invoiced = Some(round_cents(invoiced));
        out.delivered_value = Some(round_cents(delivered));
        out.allowed = Some(round_cents(allowed));
        // Cents: amounts are written to the cent, so half a cent is rounding, not overbilling.
        if invoiced <= allowed + 0.005 {
            out.status = RuleStatus::Passed;
            out.message = format!(
                "invoiced {invoiced:.2} net, delivered {quantity} at {price} = {delivered:.2} (at most {allowed:.2} with tolerances)"
            );
        } else {
            out.message = format!(
                "invoiced {invoiced:.2} net exceeds the delivered {quantity} at {price} = {delivered:.2} (at most {allowed:.2} with tolerances) by {:.2}",
                invoiced - allowed
            );
        }
        out
    }
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The verdict with the rules' outcomes: a failed rule raises it to the rule's `on_fail`; an
/// error or a failure from the slots stays.
pub fn with_rules(
    verdict: PackageVerdict,
    rules: &[PackageRule],
    results: &[RuleResult],
) -> PackageVerdict {
    let rank = |v: PackageVerdict| match v {
        PackageVerdict::Error => 3,
        PackageVerdict::Failed => 2,
        PackageVerdict::Review => 1,
        _ => 0,
    };
    rules
        .iter()
        .zip(results)
        .filter(|(_, r)| r.status == RuleStatus::Failed)
        .map(|(PackageRule::ThreeWay(rule), _)| rule.on_fail)
        .fold(verdict, |a, b| if rank(b) > rank(a) { b } else { a })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> ThreeWayRule {
        ThreeWayRule {
            invoice_type: "invoice".into(),
            delivery_type: "delivery_note".into(),
            invoice_amount_field: "total_amount".into(),
            delivered_quantity_field: "delivered_quantity".into(),
            unit_price_column: "unit_price".into(),
            quantity_tolerance_percent: 0.0,
            price_tolerance_percent: 0.0,
            on_fail: PackageVerdict::Review,
        }
    }

    fn invoice<'a>(order: &'a str, amount: &'a str, tax: Option<f64>) -> InvoiceSide<'a> {
        InvoiceSide {
            order_row_id: order,
            amount,
            tax_rate: tax,
            unit_price: "12.50",
        }
    }

    fn delivery<'a>(order: &'a str, quantity: &'a str) -> DeliverySide<'a> {
        DeliverySide {
            order_row_id: order,
            delivered_quantity: quantity,
        }
    }

    #[test]
    fn invoicing_what_was_delivered_passes_and_more_fails() {
        let r = rule();
        let full = r.check(invoice("po_1", "125.00", None), delivery("po_1", "10"));
        assert_eq!(full.status, RuleStatus::Passed, "{}", full.message);
        assert_eq!(full.allowed, Some(125.0));
        let over = r.check(invoice("po_1", "125.00", None), delivery("po_1", "8"));
        assert_eq!(over.status, RuleStatus::Failed);
        assert!(over.message.contains("exceeds"), "{}", over.message);
        assert!(over.message.contains("25.00"), "{}", over.message);
    }

    #[test]
    fn tolerances_multiply_and_vat_found_by_the_matcher_is_taken_out() {
        let mut r = rule();
        // 10 delivered at 12.50 = 125; 148.75 is 125 net plus 19 % VAT.
        let gross = r.check(
            invoice("po_1", "148,75 EUR", Some(19.0)),
            delivery("po_1", "10"),
        );
        assert_eq!(gross.status, RuleStatus::Passed, "{}", gross.message);
        assert_eq!(gross.invoiced, Some(125.0));
        // 132 net against 125 delivered: over by 5.6 %.
        let over = r.check(invoice("po_1", "132", None), delivery("po_1", "10"));
        assert_eq!(over.status, RuleStatus::Failed);
        r.quantity_tolerance_percent = 3.0;
        r.price_tolerance_percent = 3.0;
        // 125 * 1.03 * 1.03 = 132.61.
        let within = r.check(invoice("po_1", "132", None), delivery("po_1", "10"));
        assert_eq!(within.status, RuleStatus::Passed, "{}", within.message);
        assert_eq!(within.allowed, Some(132.61));
    }

    #[test]
    fn different_orders_fail_and_a_missing_side_skips() {
        let r = rule();
        let other = r.check(invoice("po_1", "10", None), delivery("po_2", "1"));
        assert_eq!(other.status, RuleStatus::Failed);
        assert!(other.message.contains("po_2"), "{}", other.message);
        let none = r.skipped(true);
        assert_eq!(none.status, RuleStatus::Skipped);
        assert!(none.message.contains("delivery_note"), "{}", none.message);
    }

    #[test]
    fn a_value_that_is_no_number_fails_naming_the_field() {
        let r = rule();
        let bad = r.check(invoice("po_1", "125", None), delivery("po_1", "ten"));
        assert_eq!(bad.status, RuleStatus::Failed);
        assert!(
            bad.message.contains("delivered_quantity"),
            "{}",
            bad.message
        );
    }

    #[test]
    fn a_failed_rule_raises_the_verdict_to_its_on_fail_only() {
        let mut failing = rule();
        let results = vec![failing.check(invoice("po_1", "999", None), delivery("po_1", "1"))];
        let rules = vec![PackageRule::ThreeWay(failing.clone())];
        assert_eq!(
            with_rules(PackageVerdict::Passed, &rules, &results),
            PackageVerdict::Review
        );
        assert_eq!(
            with_rules(PackageVerdict::Failed, &rules, &results),
            PackageVerdict::Failed
        );
        failing.on_fail = PackageVerdict::Failed;
        let rules = vec![PackageRule::ThreeWay(failing)];
        assert_eq!(
            with_rules(PackageVerdict::Review, &rules, &results),
            PackageVerdict::Failed
        );
        let passed = vec![rule().check(invoice("po_1", "12.5", None), delivery("po_1", "1"))];
        assert_eq!(
            with_rules(PackageVerdict::Passed, &rules, &passed),
            PackageVerdict::Passed
        );
    }
}
