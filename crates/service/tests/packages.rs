//! Package configs through the service on a real workspace (spec A.8): created over real matching
//! configs, read, paged newest first, patched (slots replaced, criteria merged), deleted with
//! their runs; and every refusal naming its field.

use engine::package::{DocumentTypeConfig, PassCriteria, Presence};
use serde_json::json;
use service::{
    input_from_json, CursorQuery, ErrorCode, PackageConfigInput, PackageConfigPatch,
    PassCriteriaPatch, ServiceError, Workspace,
};

mod common;
use common::{import_small_invoices, invoice_config, open, runtime};

fn slot(document_type: &str, config: &str, presence: Presence) -> DocumentTypeConfig {
    DocumentTypeConfig {
        document_type: document_type.into(),
        matching_config_id: config.into(),
        presence,
    }
}

/// The error's code and the field it names.
fn refusal(e: ServiceError) -> (ErrorCode, Option<String>) {
    let code = e.code();
    (code, service::ApiError::from(e).field)
}

fn two_configs(ws: &Workspace) -> (String, String) {
    let (reference, documents) = import_small_invoices(ws);
    let a = ws
        .create_config(&invoice_config(&reference.id, &documents.id))
        .unwrap();
    let mut other = invoice_config(&reference.id, &documents.id);
    other.name = "Delivery notes".into();
    let b = ws.create_config(&other).unwrap();
    (a.id, b.id)
}

#[test]
fn package_configs_are_created_read_paged_patched_and_deleted() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (invoices, notes) = two_configs(&ws);
    let input = PackageConfigInput {
        name: " Invoice + PO + delivery note ".into(),
        document_type_configs: vec![
            slot("invoice", &invoices, Presence::Required),
            slot(" delivery_note ", &notes, Presence::Expected),
        ],
        pass_criteria: None,
        rules: None,
    };
    let created = ws.create_package_config(&input).unwrap();
    assert_eq!(created.name, "Invoice + PO + delivery note");
    assert_eq!(
        created.document_type_configs[1].document_type,
        "delivery_note"
    );
    assert_eq!(created.pass_criteria, PassCriteria::default());
    assert_eq!(ws.get_package_config(&created.id).unwrap(), created);

    let second = ws
        .create_package_config(&PackageConfigInput {
            name: "Invoices only".into(),
            document_type_configs: vec![slot("invoice", &invoices, Presence::Required)],
            pass_criteria: Some(PassCriteria {
                min_confidence: 0.9,
                ..PassCriteria::default()
            }),
            rules: None,
        })
        .unwrap();
    let first = ws
        .package_config_page(&CursorQuery {
            cursor: None,
            limit: Some(1),
        })
        .unwrap();
    assert_eq!(first.data[0].id, second.id, "newest first");
    assert!(first.pagination.has_more);
    assert_eq!(first.pagination.total, 2);
    let rest = ws
        .package_config_page(&CursorQuery {
            cursor: first.pagination.next_cursor.clone(),
            limit: Some(1),
        })
        .unwrap();
    assert_eq!(rest.data[0].id, created.id);
    assert!(!rest.pagination.has_more);

    let patched = ws
        .patch_package_config(
            &created.id,
            &PackageConfigPatch {
                name: Some("Three-way".into()),
                document_type_configs: Some(vec![slot("invoice", &invoices, Presence::Required)]),
                pass_criteria: Some(PassCriteriaPatch {
                    min_confidence: Some(0.95),
                    ..PassCriteriaPatch::default()
                }),
                rules: None,
            },
        )
        .unwrap();
    assert_eq!(patched.name, "Three-way");
    assert_eq!(patched.document_type_configs.len(), 1, "replaced whole");
    assert_eq!(patched.pass_criteria.min_confidence, 0.95);
    assert!(patched.pass_criteria.allow_review_on_expected, "merged");
    assert_eq!(patched.created_at, created.created_at);
    assert_eq!(ws.get_package_config(&created.id).unwrap(), patched);

    ws.delete_package_config(&created.id).unwrap();
    assert_eq!(
        ws.get_package_config(&created.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        ws.delete_package_config(&created.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn a_package_config_asked_for_wrongly_names_what_is_wrong() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (invoices, notes) = two_configs(&ws);
    let create = |v: serde_json::Value| {
        input_from_json::<PackageConfigInput>(v).and_then(|i| ws.create_package_config(&i))
    };
    let valid = |slots: serde_json::Value| json!({"name": "p", "document_type_configs": slots});
    let cases = [
        (
            json!({"document_type_configs": []}),
            ErrorCode::ValidationError,
            "name",
        ),
        (
            valid(json!([])),
            ErrorCode::ValidationError,
            "document_type_configs",
        ),
        (
            json!({"name": " ", "document_type_configs": [
                {"document_type": "invoice", "matching_config_id": invoices, "presence": "required"}]}),
            ErrorCode::ValidationError,
            "name",
        ),
        (
            valid(json!([
                {"document_type": "invoice", "matching_config_id": invoices, "presence": "required"},
                {"document_type": "invoice", "matching_config_id": notes, "presence": "expected"}])),
            ErrorCode::ValidationError,
            "document_type_configs[1].document_type",
        ),
        (
            valid(json!([
                {"document_type": "invoice", "matching_config_id": invoices, "presence": "sometimes"}])),
            ErrorCode::ValidationError,
            "document_type_configs[0].presence",
        ),
        (
            valid(json!([
                {"document_type": "invoice", "matching_config_id": "no-such-config", "presence": "required"}])),
            ErrorCode::NotFound,
            "document_type_configs[0].matching_config_id",
        ),
        (
            json!({"name": "p", "document_type_configs": [
                {"document_type": "invoice", "matching_config_id": invoices, "presence": "required"}],
                "pass_criteria": {"min_confidence": 1.5}}),
            ErrorCode::ValidationError,
            "pass_criteria.min_confidence",
        ),
        (
            json!({"name": "p", "slots": []}),
            ErrorCode::ValidationError,
            "slots",
        ),
    ];
    for (body, code, field) in cases {
        let e = create(body.clone()).unwrap_err();
        assert_eq!(refusal(e), (code, Some(field.to_string())), "{body}");
    }
    assert_eq!(
        ws.package_config_page(&CursorQuery::default())
            .unwrap()
            .pagination
            .total,
        0,
        "nothing was stored"
    );
    let ok = ws
        .create_package_config(&PackageConfigInput {
            name: "p".into(),
            document_type_configs: vec![slot("invoice", &invoices, Presence::Required)],
            pass_criteria: None,
            rules: None,
        })
        .unwrap();
    let e = ws
        .patch_package_config(
            &ok.id,
            &PackageConfigPatch {
                pass_criteria: Some(PassCriteriaPatch {
                    min_confidence: Some(-0.1),
                    ..PassCriteriaPatch::default()
                }),
                ..PackageConfigPatch::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        refusal(e),
        (
            ErrorCode::ValidationError,
            Some("pass_criteria.min_confidence".into())
        )
    );
    assert_eq!(ws.get_package_config(&ok.id).unwrap(), ok, "unchanged");
}

/// An invoice of the small fixtures, as a package run's input row.
fn invoice_row(document_id: &str, po: &str, vendor: &str, total: f64) -> service::InputRow {
    service::InputRow {
        document_id: document_id.into(),
        extraction_row_id: Some("row_1".into()),
        values: json!({"vendor_name": vendor, "po_reference": po, "total_amount": total,
                       "invoice_date": "2024-02-20", "ignored_field": null})
        .as_object()
        .unwrap()
        .clone(),
    }
}

#[test]
fn package_runs_match_each_slot_as_a_run_and_take_the_spec_verdict() {
    use engine::package::{PackageVerdict, SlotStatus};
    use service::{PackageRunFilter, PackageRunInput};
    use std::collections::BTreeMap;

    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (invoices, notes) = two_configs(&ws);
    let package = ws
        .create_package_config(&PackageConfigInput {
            name: "Invoice + delivery note".into(),
            document_type_configs: vec![
                slot("invoice", &invoices, Presence::Required),
                slot("delivery_note", &notes, Presence::Expected),
                slot("contract", &invoices, Presence::Optional),
            ],
            pass_criteria: Some(PassCriteria {
                min_confidence: 0.7,
                ..PassCriteria::default()
            }),
            rules: None,
        })
        .unwrap();
    let run = |inputs: Vec<(&str, Vec<service::InputRow>)>| {
        ws.run_package(&PackageRunInput {
            package_config_id: package.id.clone(),
            input_documents: inputs
                .into_iter()
                .map(|(t, rows)| (t.to_string(), rows))
                .collect::<BTreeMap<_, _>>(),
        })
    };
    let good = || {
        invoice_row(
            "inv-1",
            "PO-2024-000101",
            "Northbridge Logistics GmbH",
            1487.50,
        )
    };
    let stranger = || invoice_row("x-1", "ZZ-999", "Nobody Trading", 3.0);

    // Both matched: passed; each slot made a completed run of its config, reviewable.
    let passed = run(vec![
        ("invoice", vec![good()]),
        ("delivery_note", vec![good()]),
    ])
    .unwrap();
    assert_eq!(passed.status, PackageVerdict::Passed, "{passed:?}");
    let invoice = &passed.document_results[0];
    assert_eq!(invoice.status, SlotStatus::Matched);
    assert_eq!(invoice.matched_reference_row_id.as_deref(), Some("po_1"));
    assert!(invoice.confidence.unwrap() >= 0.7);
    let matching_run = ws
        .run_record(invoice.matching_run_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(matching_run.status, engine::RunStatus::Completed);
    assert_eq!(matching_run.triggered_by, engine::TriggeredBy::Api);
    assert_eq!(matching_run.rows_processed, Some(1));
    let contract = &passed.document_results[2];
    assert_eq!(
        (contract.status, contract.matching_run_id.as_deref()),
        (SlotStatus::Skipped, None)
    );
    assert_eq!(passed.input_documents["invoice"], vec!["inv-1".to_string()]);
    assert_eq!(ws.get_package_run(&passed.id).unwrap(), passed);

    // The expected delivery note missing: review. Unmatched: review too.
    let review = run(vec![("invoice", vec![good()])]).unwrap();
    assert_eq!(review.status, PackageVerdict::Review);
    assert_eq!(review.document_results[1].status, SlotStatus::Missing);
    let unmatched = run(vec![
        ("invoice", vec![good()]),
        ("delivery_note", vec![stranger()]),
    ])
    .unwrap();
    assert_eq!(unmatched.status, PackageVerdict::Review);
    assert_eq!(unmatched.document_results[1].status, SlotStatus::Unmatched);
    // The required invoice unmatched: failed, whatever else.
    let failed = run(vec![
        ("invoice", vec![stranger()]),
        ("delivery_note", vec![good()]),
    ])
    .unwrap();
    assert_eq!(failed.status, PackageVerdict::Failed);

    assert_eq!(ws.warm_indexes(), 2, "reused, not built again");
    // Idle indexes are freed.
    assert_eq!(ws.free_idle_indexes(std::time::Duration::ZERO), 2);
    assert_eq!(ws.warm_indexes(), 0);

    // A slot whose config is gone: error, with the reason.
    ws.delete_config(&notes).unwrap();
    let error = run(vec![
        ("invoice", vec![good()]),
        ("delivery_note", vec![good()]),
    ])
    .unwrap();
    assert_eq!(error.status, PackageVerdict::Error);
    assert!(
        error.error.as_deref().unwrap().contains("delivery_note"),
        "{error:?}"
    );

    // The list: newest first, filtered by verdict and config, cursor paged.
    let page = |status, limit, cursor: Option<String>| {
        ws.package_run_page(
            &PackageRunFilter {
                package_config_id: Some(package.id.clone()),
                status,
            },
            &CursorQuery {
                cursor,
                limit: Some(limit),
            },
        )
        .unwrap()
    };
    let all = page(None, 10, None);
    assert_eq!(all.pagination.total, 5);
    assert_eq!(all.data[0].id, error.id, "newest first");
    let reviews = page(Some(PackageVerdict::Review), 1, None);
    assert_eq!(reviews.pagination.total, 2);
    assert!(reviews.pagination.has_more);
    let next = page(
        Some(PackageVerdict::Review),
        1,
        reviews.pagination.next_cursor.clone(),
    );
    assert_eq!(next.data.len(), 1);
    assert_ne!(next.data[0].id, reviews.data[0].id);
    assert!(next.data.iter().all(|r| r.status == PackageVerdict::Review));

    // Refusals: unknown package, a type not in the package, a row without an id.
    let e = ws
        .run_package(&PackageRunInput {
            package_config_id: "no-such".into(),
            input_documents: BTreeMap::new(),
        })
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = run(vec![("receipt", vec![good()])]).unwrap_err();
    assert_eq!(
        refusal(e),
        (
            ErrorCode::ValidationError,
            Some("input_documents.receipt".into())
        )
    );
    let e = run(vec![("invoice", vec![invoice_row(" ", "x", "y", 1.0)])]).unwrap_err();
    assert_eq!(
        refusal(e),
        (
            ErrorCode::ValidationError,
            Some("input_documents.invoice[0].document_id".into())
        )
    );

    // Deleting the package deletes its runs.
    ws.delete_package_config(&package.id).unwrap();
    assert_eq!(
        ws.get_package_run(&passed.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn one_document_is_matched_now_through_the_warm_index_without_a_run() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (invoices, _) = two_configs(&ws);
    let runs_before = ws.list_runs(&Default::default()).unwrap().len();
    let values = json!({"vendor_name": "Northbridge Logistics GmbH", "po_reference": "PO-2024-000101",
                        "total_amount": 1487.5, "invoice_date": "2024-02-20"});
    let m = ws
        .match_one(
            &invoices,
            &service::MatchOneInput {
                values: values.as_object().unwrap().clone(),
                document_id: Some("new-invoice".into()),
            },
        )
        .unwrap();
    assert_eq!(m.document_id, "new-invoice");
    assert_eq!(m.matched_reference_row_id.as_deref(), Some("po_1"));
    assert!(!m.candidates.is_empty() && m.candidates[0].evidence.len() == 4);
    assert_eq!(ws.warm_indexes(), 1);
    assert_eq!(
        ws.list_runs(&Default::default()).unwrap().len(),
        runs_before,
        "no run is stored"
    );
    let e = ws
        .match_one(
            &invoices,
            &service::MatchOneInput {
                values: json!({"vendor": "x"}).as_object().unwrap().clone(),
                document_id: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        refusal(e),
        (ErrorCode::ValidationError, Some("values.vendor".into()))
    );
    let e = ws
        .match_one("no-such", &service::MatchOneInput::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[test]
fn a_warm_index_left_idle_is_freed_by_the_timer() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(
        &dir.path().join("w.sqlite"),
        rt.handle().clone(),
        service::OpenOptions {
            user: "tester".into(),
            warm_index_idle: std::time::Duration::from_millis(200),
            ..service::OpenOptions::default()
        },
    )
    .unwrap();
    let (invoices, _) = two_configs(&ws);
    let values = json!({"po_reference": "PO-2024-000101"});
    let input = service::MatchOneInput {
        values: values.as_object().unwrap().clone(),
        document_id: None,
    };
    ws.match_one(&invoices, &input).unwrap();
    assert_eq!(ws.warm_indexes(), 1);
    // Nothing else touches the workspace: only the timer can free it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while ws.warm_indexes() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle index was never freed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Used again, it is built again and answers the same.
    let m = ws.match_one(&invoices, &input).unwrap();
    assert_eq!(m.matched_reference_row_id.as_deref(), Some("po_1"));
    assert_eq!(ws.warm_indexes(), 1);
}
