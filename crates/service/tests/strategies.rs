//! Strategies through the service on a real workspace: learned from generated orders and
//! invoices, read, patched by deep merge (with every refusal naming its key), listed, and turned
//! into a config whose run completes; and the errors of a generation asked for wrongly.

use std::path::Path;

use datagen::demo::{generate, DemoSpec};
use engine::DatasetKind;
use serde_json::json;
use service::{
    input_from_json, ConfigFromStrategy, CursorQuery, ErrorCode, GenerateStrategyInput,
    ServiceError, StrategyPatch, Workspace,
};

mod common;
use common::{import, invoice_config, open, run_to_completion, runtime};

/// 300 generated purchase orders and 200 invoices imported: (reference id, documents id).
fn import_demo(ws: &Workspace, dir: &Path) -> (String, String) {
    let data = generate(&DemoSpec {
        purchase_orders: 300,
        invoices: 200,
        seed: 5,
    });
    let pos = dir.join("pos.csv");
    let invoices = dir.join("invoices.csv");
    std::fs::write(&pos, &data.purchase_orders_csv).unwrap();
    std::fs::write(&invoices, &data.invoices_csv).unwrap();
    let reference = import(ws, &pos, DatasetKind::Reference, "po_id");
    let documents = import(ws, &invoices, DatasetKind::Documents, "document_id");
    (reference.id, documents.id)
}

fn request(reference: &str) -> GenerateStrategyInput {
    GenerateStrategyInput {
        reference_data_id: reference.into(),
        target_type: "run".into(),
        ..GenerateStrategyInput::default()
    }
}

fn patch(strategy: serde_json::Value) -> StrategyPatch {
    StrategyPatch {
        name: None,
        strategy: Some(strategy),
    }
}

/// The field a validation error names.
fn field_of(e: ServiceError) -> String {
    match e {
        ServiceError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn a_strategy_is_learned_patched_listed_and_made_into_a_config_that_runs() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (reference, documents) = import_demo(&ws, dir.path());
    let config = ws
        .create_config(&invoice_config(&reference, &documents))
        .unwrap();

    let mut input = request(&reference);
    input.matching_config_id = Some(config.id.clone());
    input.user_prompt = Some("prioritise the po reference".into());
    let s = ws.generate_strategy(&input).unwrap();
    assert_eq!((s.version, s.name.as_deref()), (1, None));
    assert_eq!(s.version_hash.len(), 12);
    assert_eq!(s.links.self_, format!("/v1/matching/strategies/{}", s.id));
    // Learned from the config's document set, as its runs would see them.
    assert_eq!(s.document_set_id.as_deref(), Some(documents.as_str()));
    assert_eq!(
        s.user_prompt.as_deref(),
        Some("prioritise the po reference")
    );
    let plan = &s.strategy.plan;
    assert!(!plan.field_mappings.is_empty());
    assert!(plan.field_mappings.iter().all(|m| m.rationale.is_some()));
    assert_eq!(plan.threshold, plan.thresholds.match_);
    assert_eq!(ws.get_strategy(&s.id).unwrap(), s);
    // Generating never changes the config it was for.
    assert_eq!(ws.get_config(&config.id).unwrap(), config);

    // Still above the learned review floor.
    let threshold = (plan.thresholds.review_floor + plan.threshold) / 2.0;
    let tuned = ws
        .patch_strategy(
            &s.id,
            &patch(json!({"threshold": threshold, "hard_filters": ["same currency"]})),
        )
        .unwrap();
    assert_eq!(tuned.version, 2);
    assert_ne!(tuned.version_hash, s.version_hash);
    assert_eq!(tuned.strategy.plan.threshold, threshold);
    assert_eq!(
        tuned.strategy.plan.thresholds.match_, threshold,
        "one value, both places"
    );
    assert_eq!(tuned.strategy.plan.field_mappings, plan.field_mappings);
    assert_eq!(
        tuned.strategy.other["hard_filters"],
        json!(["same currency"])
    );
    assert_eq!(tuned.created_at, s.created_at);
    let renamed = ws
        .patch_strategy(
            &s.id,
            &StrategyPatch {
                name: Some(" Invoices ".into()),
                strategy: None,
            },
        )
        .unwrap();
    assert_eq!(
        (renamed.version, renamed.name.as_deref()),
        (3, Some("Invoices"))
    );
    assert_eq!(
        renamed.version_hash, tuned.version_hash,
        "the plan did not change"
    );

    refused_patches_name_their_key(&ws, &s.id);
    assert_eq!(
        ws.get_strategy(&s.id).unwrap(),
        renamed,
        "refused patches change nothing"
    );
    listed_by_config_and_in_pages(&ws, &reference, &config.id, &s.id);

    let made = ws
        .create_config_from_strategy(
            &s.id,
            &ConfigFromStrategy {
                name: "Learned".into(),
                document_set_id: None,
            },
        )
        .unwrap();
    assert_eq!(made.field_mappings, renamed.strategy.plan.field_mappings);
    assert_eq!(made.threshold, threshold);
    assert_eq!(
        made.review_floor,
        renamed.strategy.plan.thresholds.review_floor
    );
    assert_eq!(made.document_set_id.as_deref(), Some(documents.as_str()));
    let run = run_to_completion(&ws, &made.id);
    assert_eq!(run.rows_processed, Some(200));
    assert!(run.rows_matched.unwrap() > 100, "{run:?}");
    let e = ws
        .create_config_from_strategy(&s.id, &ConfigFromStrategy::default())
        .unwrap_err();
    assert_eq!(field_of(e), "name");
}

/// Patches that cannot become a plan a config could be made from, each refused naming its key.
fn refused_patches_name_their_key(ws: &Workspace, id: &str) {
    for (bad, named) in [
        (json!({"threshold": "high"}), "strategy.threshold"),
        (json!({"threshold": 1.5}), "strategy.threshold"),
        (json!({"treshold": 0.8}), "strategy.treshold"),
        (
            json!({"thresholds": {"review_flor": 0.3}}),
            "strategy.thresholds.review_flor",
        ),
        (
            json!({"thresholds": {"review_floor": -0.1}}),
            "strategy.thresholds.review_floor",
        ),
        (
            json!({"threshold": 0.8, "thresholds": {"match": 0.7}}),
            "strategy.thresholds.match",
        ),
        (
            json!({"field_mappings": [{"source": "x", "target": "po_number", "strategy": "exact", "weight": 1.0}]}),
            "strategy.field_mappings[0].source",
        ),
        (
            json!({"field_mappings": [{"source": "po_reference", "target": "po_number", "strategy": "exact", "weight": 0.5}]}),
            "strategy.field_mappings",
        ),
        (
            json!({"field_mappings": [{"source": "po_reference", "target": "po_number", "strategy": "exact", "wieght": 1}]}),
            "strategy.field_mappings[0].wieght",
        ),
    ] {
        let e = ws.patch_strategy(id, &patch(bad.clone())).unwrap_err();
        assert_eq!(field_of(e), named, "{bad}");
    }
    let e = ws.patch_strategy(id, &patch(json!([1]))).unwrap_err();
    assert_eq!(field_of(e), "strategy");
}

/// A second strategy, of no config: the config's list holds only `id`, pages hold both.
fn listed_by_config_and_in_pages(ws: &Workspace, reference: &str, config_id: &str, id: &str) {
    let other = ws.generate_strategy(&request(reference)).unwrap();
    assert_eq!(other.document_set_id, None, "every document set");
    let of_config: Vec<String> = ws
        .list_strategies(Some(config_id))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(of_config, [id]);
    assert_eq!(ws.list_strategies(None).unwrap().len(), 2);
    let page = ws
        .strategy_page(
            None,
            &CursorQuery {
                cursor: None,
                limit: Some(1),
            },
        )
        .unwrap();
    assert_eq!((page.data.len(), page.pagination.total), (1, 2));
    assert!(page.pagination.has_more);
    let rest = ws
        .strategy_page(
            None,
            &CursorQuery {
                cursor: page.pagination.next_cursor,
                limit: Some(1),
            },
        )
        .unwrap();
    assert_eq!(rest.data.len(), 1);
    assert_ne!(rest.data[0].id, page.data[0].id);
}

#[test]
fn a_generation_asked_for_wrongly_names_what_is_wrong() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    // No document set yet: nothing to learn from.
    let (reference, documents) = {
        let data = generate(&DemoSpec {
            purchase_orders: 50,
            invoices: 20,
            seed: 3,
        });
        let pos = dir.path().join("pos.csv");
        std::fs::write(&pos, &data.purchase_orders_csv).unwrap();
        let reference = import(&ws, &pos, DatasetKind::Reference, "po_id").id;
        let e = ws.generate_strategy(&request(&reference)).unwrap_err();
        assert_eq!(field_of(e), "document_set_id");
        let invoices = dir.path().join("invoices.csv");
        std::fs::write(&invoices, &data.invoices_csv).unwrap();
        (
            reference,
            import(&ws, &invoices, DatasetKind::Documents, "document_id").id,
        )
    };

    let code = |input: &GenerateStrategyInput| ws.generate_strategy(input).unwrap_err().code();
    let field = |input: &GenerateStrategyInput| field_of(ws.generate_strategy(input).unwrap_err());
    assert_eq!(field(&request("")), "reference_data_id");
    let mut no_target = request(&reference);
    no_target.target_type = String::new();
    assert_eq!(field(&no_target), "target_type");
    no_target.target_type = "batch".into();
    assert_eq!(field(&no_target), "target_type");
    let mut valued = request(&reference);
    valued.target_value = Some(json!({"x": 1}));
    assert_eq!(field(&valued), "target_value");
    assert_eq!(code(&request("no-such-data")), ErrorCode::NotFound);
    assert_eq!(field(&request(&documents)), "reference_data_id");
    let mut set = request(&reference);
    set.document_set_id = Some("no-such-set".into());
    assert_eq!(code(&set), ErrorCode::NotFound);
    set.document_set_id = Some(reference.clone());
    assert_eq!(field(&set), "document_set_id");
    let mut config = request(&reference);
    config.matching_config_id = Some("no-such-config".into());
    assert_eq!(code(&config), ErrorCode::NotFound);

    // A config of other reference data.
    let data = generate(&DemoSpec {
        purchase_orders: 20,
        invoices: 5,
        seed: 4,
    });
    let other_pos = dir.path().join("other.csv");
    std::fs::write(&other_pos, &data.purchase_orders_csv).unwrap();
    let other = import(&ws, &other_pos, DatasetKind::Reference, "po_id").id;
    let elsewhere = ws
        .create_config(&invoice_config(&other, &documents))
        .unwrap();
    config.matching_config_id = Some(elsewhere.id);
    assert_eq!(field(&config), "matching_config_id");

    assert_eq!(
        ws.get_strategy("nope").unwrap_err().code(),
        ErrorCode::NotFound
    );
    let e = ws
        .patch_strategy("nope", &patch(json!({"threshold": 0.8})))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(
        ws.list_strategies(None).unwrap().is_empty(),
        "nothing was stored"
    );
}

/// The desktop shell's commands take strategy requests as untyped JSON, read as here.
#[test]
fn requests_from_untyped_json_name_the_field_at_fault() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let generate = |v: serde_json::Value| -> service::Result<service::MatchingStrategy> {
        ws.generate_strategy(&input_from_json(v)?)
    };
    let e = generate(json!({"target_type": "run"})).unwrap_err();
    assert_eq!(field_of(e), "reference_data_id");
    let e = generate(json!({"reference_data_id": 5, "target_type": "run"})).unwrap_err();
    assert_eq!(field_of(e), "reference_data_id");
    let e = generate(json!({"reference_data_id": "r", "target_type": "run", "promt": "x"}))
        .unwrap_err();
    assert_eq!(field_of(e), "promt");
    let e = generate(json!({"reference_data_id": "r", "target_type": "run"})).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let patch = |v: serde_json::Value| -> service::Result<service::MatchingStrategy> {
        ws.patch_strategy("s", &input_from_json(v)?)
    };
    assert_eq!(field_of(patch(json!({"name": 3})).unwrap_err()), "name");
    assert_eq!(
        patch(json!({"name": "x"})).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let config = |v: serde_json::Value| -> service::Result<engine::MatchingConfig> {
        ws.create_config_from_strategy("s", &input_from_json(v)?)
    };
    assert_eq!(field_of(config(json!({})).unwrap_err()), "name");
}
