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
