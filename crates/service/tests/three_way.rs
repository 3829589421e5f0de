//! The three-way match through the service on a real workspace: invoices and delivery notes each
//! matched to purchase orders by their own config, and the package's rule comparing what was
//! invoiced with what was delivered at the order's unit price (issue 15).

use std::collections::BTreeMap;

use engine::package::{
    DocumentTypeConfig, PackageRule, PackageVerdict, Presence, RuleStatus, SlotStatus, ThreeWayRule,
};
use engine::{ConfigInput, DatasetKind, FieldMapping, Strategy};
use serde_json::json;
use service::{InputRow, PackageConfigInput, PackageConfigPatch, PackageRunInput, Workspace};

mod common;
use common::{import, open, runtime};

const ORDERS: &str = "po_id,po_number,vendor_name,net_amount,quantity,unit_price\n\
po_1,PO-2024-000101,Northbridge Logistics GmbH,1250.00,100,12.50\n\
po_2,PO-2024-000102,Silverfield Foods Ltd,480.00,40,12.00\n\
po_3,PO-2024-000103,Oakridge Tools AG,99.00,3,33.00\n";

fn mapping(source: &str, target: &str, strategy: Strategy, weight: f64) -> FieldMapping {
    FieldMapping::new(source, target, strategy, weight)
}

fn config(name: &str, orders: &str, mappings: Vec<FieldMapping>, threshold: f64) -> ConfigInput {
    ConfigInput {
        name: name.into(),
        reference_data_id: orders.into(),
        document_set_id: None,
        field_mappings: mappings,
        threshold: Some(threshold),
        review_floor: None,
        one_to_one: None,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
    }
}

fn rule() -> ThreeWayRule {
    ThreeWayRule {
        invoice_type: "invoice".into(),
        delivery_type: "delivery_note".into(),
        invoice_amount_field: "total_amount".into(),
        delivered_quantity_field: "delivered_quantity".into(),
        unit_price_column: "unit_price".into(),
        quantity_tolerance_percent: 2.0,
        price_tolerance_percent: 0.0,
        on_fail: PackageVerdict::Review,
    }
}

/// The orders, an invoice-to-order and a delivery-note-to-order config, and the package with the
/// three-way rule: (package id, invoice config id).
fn setup(ws: &Workspace, dir: &std::path::Path) -> (String, String) {
    let path = dir.join("orders.csv");
    std::fs::write(&path, ORDERS).unwrap();
    let orders = import(ws, &path, DatasetKind::Reference, "po_id");
    let mut amount = mapping("total_amount", "net_amount", Strategy::NumericRange, 0.4);
    amount.tax_rates = Some(vec![7.0, 19.0]);
    amount.tolerance_absolute = Some(0.01);
    amount.tolerance_percent = Some(0.0);
    let invoices = ws
        .create_config(&config(
            "Invoices to orders",
            &orders.id,
            vec![
                mapping("po_reference", "po_number", Strategy::Exact, 0.6),
                amount,
            ],
            0.55,
        ))
        .unwrap();
    let notes = ws
        .create_config(&config(
            "Delivery notes to orders",
            &orders.id,
            vec![
                mapping("po_reference", "po_number", Strategy::Exact, 0.7),
                mapping("vendor_name", "vendor_name", Strategy::Fuzzy, 0.3),
            ],
            0.6,
        ))
        .unwrap();
    let slot = |t: &str, c: &str, presence| DocumentTypeConfig {
        document_type: t.into(),
        matching_config_id: c.into(),
        presence,
    };
    let package = ws
        .create_package_config(&PackageConfigInput {
            name: "Invoice + PO + delivery note".into(),
            document_type_configs: vec![
                slot("invoice", &invoices.id, Presence::Required),
                slot("delivery_note", &notes.id, Presence::Expected),
            ],
            pass_criteria: None,
            rules: Some(vec![PackageRule::ThreeWay(rule())]),
        })
        .unwrap();
    (package.id, invoices.id)
}

fn row(id: &str, values: serde_json::Value) -> InputRow {
    InputRow {
        document_id: id.into(),
        extraction_row_id: None,
        values: values.as_object().unwrap().clone(),
    }
}

fn invoice(po: &str, total: &str) -> InputRow {
    row("inv-1", json!({"po_reference": po, "total_amount": total}))
}

fn note(po: &str, quantity: &str) -> InputRow {
    let vendor = ORDERS
        .lines()
        .find(|l| l.contains(po))
        .and_then(|l| l.split(',').nth(2))
        .unwrap();
    row(
        "dn-1",
        json!({"po_reference": po, "vendor_name": vendor, "delivered_quantity": quantity}),
    )
}

fn run(ws: &Workspace, package: &str, rows: Vec<(&str, InputRow)>) -> engine::package::PackageRun {
    let mut input_documents: BTreeMap<String, Vec<InputRow>> = BTreeMap::new();
    for (t, r) in rows {
        input_documents.entry(t.into()).or_default().push(r);
    }
    ws.run_package(&PackageRunInput {
        package_config_id: package.into(),
        input_documents,
    })
    .unwrap()
}

#[test]
fn invoicing_more_than_was_delivered_sends_the_bundle_to_review() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (package, _) = setup(&ws, dir.path());

    // All delivered, invoiced with 19 % VAT: the rule reads the net the matcher found.
    let full = run(
        &ws,
        &package,
        vec![
            ("invoice", invoice("PO-2024-000101", "1487.50")),
            ("delivery_note", note("PO-2024-000101", "100")),
        ],
    );
    assert_eq!(full.status, PackageVerdict::Passed, "{full:?}");
    let r = &full.rule_results[0];
    assert_eq!(
        (r.status, r.invoiced, r.allowed),
        (RuleStatus::Passed, Some(1250.0), Some(1275.0)),
        "{}",
        r.message
    );

    // 60 of 100 delivered, all invoiced: both slots matched, the rule holds the bundle.
    let partial = run(
        &ws,
        &package,
        vec![
            ("invoice", invoice("PO-2024-000101", "1250.00")),
            ("delivery_note", note("PO-2024-000101", "60")),
        ],
    );
    assert!(partial
        .document_results
        .iter()
        .all(|d| d.status == SlotStatus::Matched));
    assert_eq!(partial.status, PackageVerdict::Review, "{partial:?}");
    let r = &partial.rule_results[0];
    assert_eq!(r.status, RuleStatus::Failed);
    assert_eq!((r.delivered_value, r.allowed), (Some(750.0), Some(765.0)));
    assert!(r.message.contains("exceeds"), "{}", r.message);
    // Stored with the run, as shown.
    assert_eq!(ws.get_package_run(&partial.id).unwrap(), partial);

    // Within the quantity tolerance (2 %): 101 invoiced against 100 delivered.
    let tolerated = run(
        &ws,
        &package,
        vec![
            ("invoice", invoice("PO-2024-000101", "1262.50")),
            ("delivery_note", note("PO-2024-000101", "100")),
        ],
    );
    assert_eq!(tolerated.rule_results[0].status, RuleStatus::Passed);

    // The delivery note is for another order.
    let other = run(
        &ws,
        &package,
        vec![
            ("invoice", invoice("PO-2024-000101", "1250.00")),
            ("delivery_note", note("PO-2024-000102", "40")),
        ],
    );
    assert_eq!(other.status, PackageVerdict::Review);
    assert!(other.rule_results[0].message.contains("po_2"));

    // No delivery note: the expected slot is missing (review), the rule has nothing to compare.
    let missing = run(
        &ws,
        &package,
        vec![("invoice", invoice("PO-2024-000101", "1250.00"))],
    );
    assert_eq!(missing.status, PackageVerdict::Review);
    assert_eq!(missing.document_results[1].status, SlotStatus::Missing);
    assert_eq!(missing.rule_results[0].status, RuleStatus::Skipped);
}

#[test]
fn a_rule_failing_hard_fails_the_bundle_and_can_be_removed() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (package, _) = setup(&ws, dir.path());
    let strict = ThreeWayRule {
        on_fail: PackageVerdict::Failed,
        ..rule()
    };
    ws.patch_package_config(
        &package,
        &PackageConfigPatch {
            rules: Some(vec![PackageRule::ThreeWay(strict)]),
            ..PackageConfigPatch::default()
        },
    )
    .unwrap();
    let over = || {
        vec![
            ("invoice", invoice("PO-2024-000103", "99.00")),
            ("delivery_note", note("PO-2024-000103", "2")),
        ]
    };
    assert_eq!(run(&ws, &package, over()).status, PackageVerdict::Failed);
    let patched = ws
        .patch_package_config(
            &package,
            &PackageConfigPatch {
                rules: Some(vec![]),
                ..PackageConfigPatch::default()
            },
        )
        .unwrap();
    assert!(patched.rules.is_empty());
    let plain = run(&ws, &package, over());
    assert_eq!(plain.status, PackageVerdict::Passed);
    assert!(plain.rule_results.is_empty());
}

#[test]
fn a_rule_that_cannot_hold_is_refused_naming_its_field() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (package, _) = setup(&ws, dir.path());
    let refused = |r: ThreeWayRule| {
        let e = ws
            .patch_package_config(
                &package,
                &PackageConfigPatch {
                    rules: Some(vec![PackageRule::ThreeWay(r)]),
                    ..PackageConfigPatch::default()
                },
            )
            .unwrap_err();
        service::ApiError::from(e).field.unwrap_or_default()
    };
    assert_eq!(
        refused(ThreeWayRule {
            delivery_type: "receipt".into(),
            ..rule()
        }),
        "rules[0].delivery_type"
    );
    assert_eq!(
        refused(ThreeWayRule {
            unit_price_column: "price".into(),
            ..rule()
        }),
        "rules[0].unit_price_column"
    );
    assert_eq!(
        refused(ThreeWayRule {
            quantity_tolerance_percent: -1.0,
            ..rule()
        }),
        "rules[0].quantity_tolerance_percent"
    );
    assert_eq!(
        refused(ThreeWayRule {
            on_fail: PackageVerdict::Passed,
            ..rule()
        }),
        "rules[0].on_fail"
    );
    assert_eq!(
        refused(ThreeWayRule {
            invoice_amount_field: " ".into(),
            ..rule()
        }),
        "rules[0].invoice_amount_field"
    );
    // Nothing refused was stored.
    assert_eq!(ws.get_package_config(&package).unwrap().rules.len(), 1);
}

#[test]
fn an_e_invoice_file_feeds_a_package_and_a_folder_imports_as_documents() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, ORDERS).unwrap();
    let orders = import(&ws, &path, DatasetKind::Reference, "po_id");
    let config = ws
        .create_config(&config(
            "E-invoices to orders",
            &orders.id,
            vec![
                mapping("order_reference", "po_number", Strategy::Exact, 0.6),
                mapping("net_amount", "net_amount", Strategy::NumericRange, 0.4),
            ],
            0.8,
        ))
        .unwrap();
    let package = ws
        .create_package_config(&PackageConfigInput {
            name: "E-invoice".into(),
            document_type_configs: vec![DocumentTypeConfig {
                document_type: "invoice".into(),
                matching_config_id: config.id,
                presence: Presence::Required,
            }],
            pass_criteria: None,
            rules: None,
        })
        .unwrap();
    let fixtures = common::fixture("einvoices");
    let rows = service::input_rows_from_file(&fixtures.join("ubl-peppol-invoice.xml")).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].document_id, "ubl-peppol-invoice.xml");
    let run = ws
        .run_package(&PackageRunInput {
            package_config_id: package.id,
            input_documents: [("invoice".to_string(), rows)].into_iter().collect(),
        })
        .unwrap();
    assert_eq!(run.status, PackageVerdict::Passed, "{run:?}");
    assert_eq!(
        run.document_results[0].matched_reference_row_id.as_deref(),
        Some("po_1")
    );

    // The folder of e-invoices as a document set: one document per file, named by it.
    let set = import(&ws, &fixtures, DatasetKind::Documents, "document_id");
    assert_eq!(set.row_count, 2);
    assert_eq!(set.source_type, "einvoice");
    assert_eq!(set.filename_column.as_deref(), Some("document_filename"));
    assert!(set.columns.iter().any(|c| c.name == "seller_vat_id"));
}
