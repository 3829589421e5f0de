//! Issue 11 over real HTTP: config limits (how many mappings, the same pair twice, unknown
//! fields on create and on update) are refused with `validation_error` naming the field, and a
//! run's progress has the fields of the seed's "List Runs" example beside the inferred ones.

mod common;

use std::time::{Duration, Instant};

use common::{envelope, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CONFIGS: &str = "/v1/matching/configs";

/// `n` mappings of distinct document fields over the fixture's four reference columns.
fn many_mappings(n: usize) -> Value {
    let targets = ["vendor_name", "po_number", "net_amount", "order_date"];
    Value::Array(
        (0..n)
            .map(|i| {
                json!({"source": format!("field_{i}"), "target": targets[i % 4],
                       "strategy": "exact", "weight": 1.0 / n as f64})
            })
            .collect(),
    )
}

/// The 400's field, after checking the envelope says `validation_error`.
fn refused_field(status: StatusCode, body: &Value, path: &str) -> String {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(envelope(status, body, path), "validation_error");
    body["field"].as_str().unwrap_or_default().to_string()
}

async fn reference(api: &Api) -> Value {
    api.small_reference().await["id"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configs_with_too_many_mappings_are_refused_at_once() {
    let api = Api::start().await;
    let reference = reference(&api).await;
    let config = |n: usize| {
        let mut c = common::invoice_config(&reference, &Value::Null);
        c["field_mappings"] = many_mappings(n);
        c
    };
    let (s, ok) = api.post(CONFIGS, config(50)).await;
    assert_eq!(s, StatusCode::CREATED, "50 mappings are allowed: {ok}");

    let started = Instant::now();
    for n in [51, 1000] {
        let (s, body) = api.post(CONFIGS, config(n)).await;
        assert_eq!(refused_field(s, &body, CONFIGS), "field_mappings");
        assert!(
            body["message"].as_str().unwrap().contains("at most 50"),
            "{body}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(10));

    // An update may not grow a config past the limit either.
    let path = format!("{CONFIGS}/{}", ok["id"].as_str().unwrap());
    let (s, body) = api
        .put(&path, json!({"field_mappings": many_mappings(51)}))
        .await;
    assert_eq!(refused_field(s, &body, &path), "field_mappings");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pair_mapped_twice_is_refused_naming_the_second() {
    let api = Api::start().await;
    let reference = reference(&api).await;
    let mut c = common::invoice_config(&reference, &Value::Null);
    // The fixture config's weights are 0.3/0.4/0.2/0.1; its first pair again, with weight moved.
    c["field_mappings"][0]["weight"] = json!(0.15);
    let mut again = c["field_mappings"][0].clone();
    again["strategy"] = json!("exact");
    c["field_mappings"].as_array_mut().unwrap().push(again);
    let (s, body) = api.post(CONFIGS, c).await;
    assert_eq!(refused_field(s, &body, CONFIGS), "field_mappings[4]");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("field_mappings[0]"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_fields_are_refused_on_create_and_update() {
    let api = Api::start().await;
    let reference = reference(&api).await;
    let mut typo = common::invoice_config(&reference, &Value::Null);
    typo.as_object_mut().unwrap().remove("threshold");
    typo["thresold"] = json!(0.95);
    let (s, body) = api.post(CONFIGS, typo).await;
    assert_eq!(refused_field(s, &body, CONFIGS), "thresold");

    let (s, created) = api
        .post(CONFIGS, common::invoice_config(&reference, &Value::Null))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let path = format!("{CONFIGS}/{}", created["id"].as_str().unwrap());
    let (s, body) = api.put(&path, json!({"thresold": 0.95})).await;
    assert_eq!(refused_field(s, &body, &path), "thresold");
    let mut mappings = created["field_mappings"].clone();
    mappings[2]["tolerance_pct"] = json!(5);
    let (s, body) = api.put(&path, json!({"field_mappings": mappings})).await;
    assert_eq!(
        refused_field(s, &body, &path),
        "field_mappings[2].tolerance_pct"
    );
    // Nothing of the refused updates was kept.
    let (_, now) = api.get(&path).await;
    assert_eq!(now["threshold"], created["threshold"]);
    assert_eq!(now["field_mappings"], created["field_mappings"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn progress_has_the_seeds_fields_and_keeps_the_others() {
    let api = Api::start().await;
    let (run_id, _) = api.completed_run().await;
    let (_, run) = api.get(&format!("/v1/matching/runs/{run_id}")).await;
    let (s, progress) = api
        .get(&format!("/v1/matching/runs/{run_id}/progress"))
        .await;
    assert_eq!(s, StatusCode::OK, "{progress}");
    // The seed's "List Runs" example: id, status, phase, phase_progress, rows_processed,
    // rows_matched, started_at, completed_at.
    assert_eq!(progress["id"], run_id.as_str());
    assert_eq!(progress["started_at"], run["started_at"]);
    assert_eq!(progress["completed_at"], run["completed_at"]);
    assert!(progress["started_at"].is_string(), "{progress}");
    assert!(progress["completed_at"].is_string(), "{progress}");
    for kept in [
        "run_id",
        "status",
        "phase",
        "phase_progress",
        "rows_processed",
        "rows_total",
        "rows_matched",
        "estimated_seconds_remaining",
        "updated_at",
    ] {
        assert!(progress.get(kept).is_some(), "{kept} missing: {progress}");
    }
    assert_eq!(progress["run_id"], run_id.as_str());

    // An unknown run stays a 404 in the envelope.
    let path = "/v1/matching/runs/nope/progress";
    let (s, body) = api.get(path).await;
    assert_eq!(envelope(s, &body, path), "not_found");
}
