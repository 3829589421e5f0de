//! Strategies over real HTTP (spec A.5): generated from tables uploaded through the API, read,
//! patched by deep merge into new versions, listed by config, made into a config that runs; the
//! error codes of the spec's table; and their place in the OpenAPI document.

mod common;

use std::collections::HashMap;

use common::orders::orders_and_invoices;
use common::{envelope, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Both tables uploaded and a config over them written by hand: (reference, documents, config).
async fn setup(api: &Api) -> (String, String, Value) {
    let (orders, invoices) = orders_and_invoices();
    let (s, reference) = api
        .upload_bytes(
            "/v1/reference-data",
            "orders.csv",
            orders.into_bytes(),
            &[("id_column", "po_id")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reference}");
    let (s, documents) = api
        .upload_bytes(
            "/v1/document-sets",
            "invoices.csv",
            invoices.into_bytes(),
            &[("id_column", "document_id")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{documents}");
    let (s, config) = api
        .post(
            "/v1/matching/configs",
            json!({
                "name": "By hand",
                "reference_data_id": reference["id"],
                "document_set_id": documents["id"],
                "field_mappings": [
                    {"source": "po_reference", "target": "po_number", "strategy": "fuzzy", "weight": 0.6},
                    {"source": "vendor_name", "target": "vendor_name", "strategy": "fuzzy", "weight": 0.4}
                ]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{config}");
    (
        reference["id"].as_str().unwrap().to_string(),
        documents["id"].as_str().unwrap().to_string(),
        config,
    )
}

fn validation_field(status: StatusCode, body: &Value, path: &str) -> String {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(envelope(status, body, path), "validation_error");
    body["field"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_strategy_is_generated_read_patched_listed_and_made_into_a_config_that_runs() {
    let api = Api::start().await;
    let (reference, documents, config) = setup(&api).await;
    let strategy = generated_for(&api, &reference, &documents, &config).await;
    let (patched, threshold) = patched_by_deep_merge(&api, &strategy).await;
    listed_by_config_and_in_pages(&api, &reference, &documents, &config, &patched).await;
    made_into_a_config_that_runs(&api, &patched, threshold).await;
}

/// Generates a strategy for `config` and checks it, and that the config did not change.
async fn generated_for(api: &Api, reference: &str, documents: &str, config: &Value) -> Value {
    let config_id = config["id"].as_str().unwrap();
    let (s, strategy) = api
        .post(
            "/v1/matching/strategies/generate",
            json!({
                "reference_data_id": reference,
                "target_type": "run",
                "matching_config_id": config_id,
                "user_prompt": "prioritise the po reference"
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{strategy}");
    let path = format!(
        "/v1/matching/strategies/{}",
        strategy["id"].as_str().unwrap()
    );
    assert_eq!(strategy["version"], 1);
    assert_eq!(strategy["name"], Value::Null);
    assert_eq!(strategy["matching_config_id"], config_id);
    assert_eq!(
        strategy["document_set_id"], documents,
        "the config's documents"
    );
    assert_eq!(strategy["target_type"], "run");
    assert_eq!(strategy["links"]["self"], path.as_str());
    let hash = strategy["version_hash"].as_str().unwrap();
    assert!(
        hash.len() == 12 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{hash}"
    );
    let plan = &strategy["strategy"];
    let mappings = plan["field_mappings"].as_array().unwrap();
    assert!(
        mappings.iter().all(|m| m["rationale"].is_string()),
        "{plan}"
    );
    let pairs: Vec<(&str, &str)> = mappings
        .iter()
        .map(|m| (m["source"].as_str().unwrap(), m["target"].as_str().unwrap()))
        .collect();
    assert!(pairs.contains(&("po_reference", "po_number")), "{pairs:?}");
    assert_eq!(plan["threshold"], plan["thresholds"]["match"]);
    // Generating never changes the config it was for.
    let (_, unchanged) = api.get(&format!("/v1/matching/configs/{config_id}")).await;
    assert_eq!(&unchanged, config);
    let (s, read) = api.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read, strategy);
    strategy
}

/// PATCHes by deep merge into versions 2 and 3, and refuses bad ones naming the key. Returns
/// version 3 and the threshold it set.
async fn patched_by_deep_merge(api: &Api, strategy: &Value) -> (Value, f64) {
    let path = strategy["links"]["self"].as_str().unwrap();
    let plan = &strategy["strategy"];
    // The threshold changes (in both places; still above the learned review floor), a
    // free-form key is added, the rest stays as it was.
    let floor = plan["thresholds"]["review_floor"].as_f64().unwrap();
    let threshold = floor + (plan["threshold"].as_f64().unwrap() - floor) / 2.0;
    let (s, v2) = api
        .patch(
            path,
            json!({"strategy": {"threshold": threshold, "hard_filters": ["same currency"]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_ne!(v2["version_hash"], strategy["version_hash"]);
    assert_eq!(v2["strategy"]["threshold"], threshold);
    assert_eq!(v2["strategy"]["thresholds"]["match"], threshold);
    for untouched in ["field_mappings", "edge_cases", "columns", "one_to_one"] {
        assert_eq!(v2["strategy"][untouched], plan[untouched], "{untouched}");
    }
    assert_eq!(
        v2["strategy"]["thresholds"]["review_floor"],
        plan["thresholds"]["review_floor"]
    );
    assert_eq!(v2["strategy"]["hard_filters"], json!(["same currency"]));
    assert_eq!(v2["created_at"], strategy["created_at"]);
    let (s, v3) = api.patch(path, json!({"name": "Invoices to POs"})).await;
    assert_eq!(s, StatusCode::OK, "{v3}");
    assert_eq!(
        (v3["version"].clone(), v3["name"].clone()),
        (json!(3), json!("Invoices to POs"))
    );
    assert_eq!(
        v3["version_hash"], v2["version_hash"],
        "the plan did not change"
    );
    for (body, field) in [
        (
            json!({"strategy": {"threshold": "high"}}),
            "strategy.threshold",
        ),
        (
            json!({"strategy": {"threshold": 1.5}}),
            "strategy.threshold",
        ),
        (
            json!({"strategy": {"thresholds": {"review_floor": -0.1}}}),
            "strategy.thresholds.review_floor",
        ),
        (json!({"strategy": {"treshold": 0.8}}), "strategy.treshold"),
        (json!({"strategy": 0.8}), "strategy"),
        (json!({"strategi": {"threshold": 0.8}}), "strategi"),
    ] {
        let (s, err) = api.patch(path, body.clone()).await;
        assert_eq!(validation_field(s, &err, path), field, "{body}: {err}");
    }
    let (_, after) = api.get(path).await;
    assert_eq!(after, v3, "a refused patch changes nothing");
    (v3, threshold)
}

/// Lists the strategies of the config (only `strategy`), and all of them page by page.
async fn listed_by_config_and_in_pages(
    api: &Api,
    reference: &str,
    documents: &str,
    config: &Value,
    strategy: &Value,
) {
    let (s, other) = api
        .post(
            "/v1/matching/strategies/generate",
            json!({"reference_data_id": reference, "target_type": "run", "document_set_id": documents}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let (s, of_config) = api
        .get(&format!(
            "/v1/matching/strategies?matching_config_id={}",
            config["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{of_config}");
    assert_eq!(of_config["data"], json!([strategy]));
    assert_eq!(of_config["pagination"]["total"], 1);
    let (_, first) = api.get("/v1/matching/strategies?limit=1").await;
    assert_eq!(first["data"][0]["id"], other["id"], "newest first");
    assert_eq!(first["pagination"]["has_more"], true);
    assert_eq!(first["pagination"]["total"], 2);
    let cursor = first["pagination"]["next_cursor"].as_str().unwrap();
    let (_, second) = api
        .get(&format!("/v1/matching/strategies?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(second["data"][0]["id"], strategy["id"]);
    assert_eq!(second["pagination"]["next_cursor"], Value::Null);
}

/// Makes a config from the strategy and runs it through the ordinary run endpoint.
async fn made_into_a_config_that_runs(api: &Api, strategy: &Value, threshold: f64) {
    let path = format!("{}/config", strategy["links"]["self"].as_str().unwrap());
    assert_eq!(strategy["links"]["config"], path.as_str());
    let (s, made) = api.post(&path, json!({"name": "Learned"})).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(
        made["field_mappings"],
        strategy["strategy"]["field_mappings"]
    );
    assert_eq!(made["threshold"], threshold);
    assert_eq!(made["reference_data_id"], strategy["reference_data_id"]);
    assert_eq!(made["document_set_id"], strategy["document_set_id"]);
    let made_id = made["id"].as_str().unwrap();
    let (s, run) = api
        .post(&format!("/v1/matching/configs/{made_id}/run"), json!({}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let done = api.wait_run(run["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_processed"], 200);
    assert!(done["rows_matched"].as_u64().unwrap() > 100, "{done}");
    let (s, results) = api
        .get(&format!(
            "/v1/matching/runs/{}/results?limit=500",
            done["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(results["pagination"]["total"], 200);
    assert!(
        results["data"][0]["matched_reference_row_id"].is_string(),
        "{}",
        results["data"][0]
    );
    let (s, err) = api.post(&path, json!({})).await;
    assert_eq!(validation_field(s, &err, &path), "name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn strategy_errors_follow_the_spec() {
    let api = Api::start().await;
    let (reference, documents, _) = setup(&api).await;
    let generate = "/v1/matching/strategies/generate";
    for (body, field) in [
        (json!({"target_type": "run"}), "reference_data_id"),
        (json!({"reference_data_id": reference}), "target_type"),
        (
            json!({"reference_data_id": reference, "target_type": "batch"}),
            "target_type",
        ),
        (
            json!({"reference_data_id": reference, "target_type": "run", "target_value": {"a": 1}}),
            "target_value",
        ),
        (
            json!({"reference_data_id": documents, "target_type": "run"}),
            "reference_data_id",
        ),
        (
            json!({"reference_data_id": reference, "target_type": "run", "prompt": "x"}),
            "prompt",
        ),
    ] {
        let (s, err) = api.post(generate, body.clone()).await;
        assert_eq!(validation_field(s, &err, generate), field, "{body}: {err}");
    }
    for body in [
        json!({"reference_data_id": "no-such-data", "target_type": "run"}),
        json!({"reference_data_id": reference, "target_type": "run", "document_set_id": "no-such-set"}),
        json!({"reference_data_id": reference, "target_type": "run", "matching_config_id": "no-such-config"}),
    ] {
        let (s, err) = api.post(generate, body.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}: {err}");
        assert_eq!(envelope(s, &err, generate), "not_found");
    }
    let unknown = "/v1/matching/strategies/no-such-strategy";
    let config_of_unknown = format!("{unknown}/config");
    for (status, err, path) in [
        {
            let (s, e) = api.get(unknown).await;
            (s, e, unknown.to_string())
        },
        {
            let (s, e) = api.patch(unknown, json!({"name": "x"})).await;
            (s, e, unknown.to_string())
        },
        {
            let (s, e) = api.post(&config_of_unknown, json!({"name": "x"})).await;
            (s, e, config_of_unknown.clone())
        },
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {err}");
        assert_eq!(envelope(status, &err, &path), "not_found");
    }
    let (s, list) = api.get("/v1/matching/strategies").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["pagination"]["total"], 0, "nothing was stored: {list}");
    let (s, err) = api.get("/v1/matching/strategies?cursor=zz").await;
    assert_eq!(
        validation_field(s, &err, "/v1/matching/strategies"),
        "cursor"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_openapi_document_describes_the_strategy_endpoints() {
    let api = Api::start().await;
    let doc: Value = api
        .http
        .get(format!("{}/v1/openapi.json", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let operations: Vec<(String, String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .filter_map(move |(method, op)| {
                    op["operationId"]
                        .as_str()
                        .map(|id| (path.clone(), method.clone(), id.to_string()))
                })
        })
        .collect();
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for (_, _, id) in &operations {
        *uses.entry(id.as_str()).or_default() += 1;
    }
    for (path, method, id) in [
        (
            "/v1/matching/strategies/generate",
            "post",
            "generate_strategy",
        ),
        ("/v1/matching/strategies", "get", "list_strategies"),
        ("/v1/matching/strategies/{id}", "get", "get_strategy"),
        ("/v1/matching/strategies/{id}", "patch", "patch_strategy"),
        (
            "/v1/matching/strategies/{id}/config",
            "post",
            "create_config_from_strategy",
        ),
    ] {
        assert!(
            operations
                .iter()
                .any(|(p, m, i)| p == path && m == method && i == id),
            "{method} {path} as {id} missing from the OpenAPI document"
        );
    }
    // OpenAPI requires every operation id to be unique in the document.
    let repeated: Vec<_> = uses.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "operation ids used more than once: {repeated:?}"
    );
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "StrategyObject",
        "StrategyPlan",
        "ReviewBand",
        "GenerateStrategy",
        "PatchStrategy",
        "StrategyPage",
    ] {
        assert!(schemas[schema].is_object(), "schema {schema} missing");
    }
    assert_eq!(
        schemas["StrategyObject"]["properties"]["strategy"]["$ref"],
        "#/components/schemas/StrategyPlan"
    );
    // The plan's schema names keys a generated plan has.
    let (reference, _, _) = setup(&api).await;
    let (s, strategy) = api
        .post(
            "/v1/matching/strategies/generate",
            json!({"reference_data_id": reference, "target_type": "run"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{strategy}");
    for key in schemas["StrategyPlan"]["properties"]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(
            strategy["strategy"].get(key).is_some(),
            "the schema's {key} is not in a plan: {}",
            strategy["strategy"]
        );
    }
}
