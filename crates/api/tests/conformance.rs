//! Conformance of the REST API to the spec (part A) over real HTTP: every endpoint, every status
//! code the spec lists, the error envelope, pagination walked to the end, cancel races and
//! concurrent reviews of one result.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{envelope, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_openapi_document_describes_every_endpoint_and_needs_no_key() {
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
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: HashSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for p in [
        "/v1/reference-data",
        "/v1/reference-data/{id}",
        "/v1/reference-data/{id}/rows",
        "/v1/reference-data/{id}/export",
        "/v1/document-sets",
        "/v1/matching/configs",
        "/v1/matching/configs/{id}",
        "/v1/matching/configs/{id}/run",
        "/v1/matching/configs/{id}/smart-run",
        "/v1/matching/runs",
        "/v1/matching/runs/{id}",
        "/v1/matching/runs/{id}/progress",
        "/v1/matching/runs/{id}/cancel",
        "/v1/matching/runs/{id}/ai-resolve",
        "/v1/matching/runs/{id}/results",
        "/v1/matching/runs/{run_id}/results/{result_id}/review",
        "/v1/matching/runs/{run_id}/results/{result_id}/suggestion",
        "/v1/matching/packages/configs",
        "/v1/matching/packages/configs/{id}",
        "/v1/matching/strategies",
        "/v1/matching/strategies/generate",
        "/v1/matching/strategies/{id}",
        "/v1/matching/strategies/{id}/config",
    ] {
        assert!(paths.contains(p), "{p} missing from the OpenAPI document");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for schema in [
        "RunObject",
        "ResultObject",
        "Config",
        "ErrorEnvelope",
        "FieldMapping",
        "RunProgress",
        "RunSummary",
        "CandidateSearch",
        "BlockSizes",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_without_the_key_or_with_an_old_one_are_401() {
    let api = Api::start().await;
    let path = "/v1/matching/configs";
    let (s, body) = common::send(api.http.get(format!("{}{path}", api.base))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(s, &body, path), "unauthorized");
    assert_eq!(body["retryable"], false);

    let (s, _) = common::send(
        api.http
            .get(format!("{}{path}", api.base))
            .bearer_auth("mbk_wrong"),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, _) = api.get(path).await;
    assert_eq!(s, StatusCode::OK);
    let new_key = api.ws.rotate_api_key().unwrap().key;
    let (s, _) = api.get(path).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the rotated-out key stops working at once"
    );
    let (s, _) = common::send(
        api.http
            .get(format!("{}{path}", api.base))
            .bearer_auth(&new_key),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_server_listens_on_loopback_only() {
    let api = Api::start().await;
    let addr = api.server.as_ref().unwrap().addr();
    assert!(addr.ip().is_loopback(), "{addr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reference_data_is_created_listed_read_exported_and_deleted() {
    let api = Api::start().await;
    // Upload (spec A.3.3), on the spec's second path.
    let (s, uploaded) = api
        .upload(
            "/v1/matching/reference-data",
            "pos_small.xlsx",
            &[("id_column", "po_id"), ("name", "Purchase orders")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{uploaded}");
    assert_eq!(uploaded["name"], "Purchase orders");
    assert_eq!(uploaded["source_type"], "xlsx");
    assert_eq!(uploaded["status"], "ready");
    let id = uploaded["id"].as_str().unwrap();
    assert_eq!(
        uploaded["links"]["self"],
        format!("/v1/reference-data/{id}")
    );
    assert_eq!(
        uploaded["links"]["rows"],
        format!("/v1/reference-data/{id}/rows")
    );
    assert!(uploaded["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "po_number" && c["type"] == "string"));

    // From JSON (spec A.3.2): the first row sets the columns.
    let (s, vendors) = api
        .post(
            "/v1/reference-data",
            json!({"name": "Vendors", "data": [
                {"vendor_id": "V1", "vendor_name": "Acme", "credit": 10},
                {"vendor_id": "V2", "vendor_name": "Northbridge", "credit": null}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{vendors}");
    assert_eq!(vendors["row_count"], 2);
    assert_eq!(vendors["id_column"], "vendor_id");
    let vid = vendors["id"].as_str().unwrap();

    // A later row that does not fit is named by its index.
    let (s, body) = api
        .post(
            "/v1/reference-data",
            json!({"name": "Bad", "data": [{"a": 1}, {"a": 2}, {"a": "three"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(envelope(s, &body, "/v1/reference-data"), "validation_error");
    assert_eq!(body["field"], "data[2].a");
    let (s, body) = api
        .post("/v1/reference-data", json!({"name": "Empty", "data": []}))
        .await;
    assert_eq!(
        (s, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("data"))
    );
    let (s, body) = api
        .post("/v1/reference-data", json!({"data": [{"a": 1}]}))
        .await;
    assert_eq!(
        (s, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );

    // A bad file names the file, row and column.
    let (s, body) = api
        .upload("/v1/reference-data", "malformed_extra_field.csv", &[])
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["file"], "malformed_extra_field.csv");
    assert!(body["row"].is_number(), "{body}");

    // List (page style); both paths are one store; document sets are not reference data.
    let (s, docs) = api
        .upload("/v1/document-sets", "invoices_small.csv", &[])
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = api.get("/v1/reference-data?limit=1&page=2").await;
    assert_eq!(
        list["pagination"],
        json!({"total": 2, "page": 2, "limit": 1})
    );
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (_, alias) = api.get("/v1/matching/reference-data").await;
    assert_eq!(alias["pagination"]["total"], 2);
    let (s, _) = api
        .get(&format!(
            "/v1/reference-data/{}",
            docs["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a document set is not reference data"
    );
    let (_, doc_list) = api.get("/v1/document-sets").await;
    assert_eq!(doc_list["pagination"]["total"], 1);

    // Rows: the columns flattened next to the row id.
    let (s, rows) = api
        .get(&format!("/v1/reference-data/{id}/rows?limit=2"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows["pagination"]["limit"], 2);
    assert_eq!(rows["data"][0]["id"], "po_1");
    assert_eq!(rows["data"][0]["po_number"], "PO-2024-000101");
    let (s, body) = api
        .get(&format!("/v1/reference-data/{id}/rows?limit=501"))
        .await;
    assert_eq!(
        (s, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit"))
    );

    // CSV export.
    let response = api
        .req(Method::GET, &format!("/v1/reference-data/{vid}/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let csv = response.text().await.unwrap();
    assert_eq!(csv.lines().next(), Some("vendor_id,vendor_name,credit"));
    assert_eq!(csv.lines().count(), 3);

    // Delete, then it is gone.
    let (s, body) = api.delete(&format!("/v1/reference-data/{vid}")).await;
    assert_eq!((s, body), (StatusCode::OK, json!({"deleted": true})));
    let path = format!("/v1/reference-data/{vid}");
    let (s, body) = api.get(&path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(envelope(s, &body, &path), "not_found");
    let (s, _) = api.delete(&path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configs_follow_the_spec_from_create_to_delete() {
    let api = Api::start().await;
    let (config_id, reference_id, _) = api.small_config().await;
    let (s, config) = api.get(&format!("/v1/matching/configs/{config_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(config["target_type"], "run");
    assert_eq!(config["target_value"], json!({}));
    assert_eq!(
        config["links"]["self"],
        format!("/v1/matching/configs/{config_id}")
    );
    assert_eq!(
        config["links"]["runs"],
        format!("/v1/matching/configs/{config_id}/run")
    );
    assert_eq!(config["field_mappings"].as_array().unwrap().len(), 4);

    let good = |f: &dyn Fn(&mut Value)| {
        let mut c = common::invoice_config(&json!(reference_id), &Value::Null);
        f(&mut c);
        c
    };
    // 400 naming the field, for each kind of mistake.
    for (body, field) in [
        (
            good(&|c| {
                c.as_object_mut().unwrap().remove("name");
            }),
            "name",
        ),
        (
            good(&|c| {
                c.as_object_mut().unwrap().remove("field_mappings");
            }),
            "field_mappings",
        ),
        (good(&|c| c["field_mappings"] = json!([])), "field_mappings"),
        (
            good(&|c| c["field_mappings"][1]["weight"] = json!("heavy")),
            "field_mappings[1].weight",
        ),
        (
            good(&|c| c["field_mappings"][0]["strategy"] = json!("psychic")),
            "field_mappings[0].strategy",
        ),
        (
            good(&|c| c["field_mappings"][0]["wieght"] = json!(0.3)),
            "field_mappings[0].wieght",
        ),
        (
            good(&|c| c["field_mappings"][0]["weight"] = json!(0.9)),
            "field_mappings",
        ),
        (
            good(&|c| c["field_mappings"][2]["target"] = json!("no_such_column")),
            "field_mappings[2].target",
        ),
        (good(&|c| c["threshold"] = json!(1.5)), "threshold"),
        (
            good(&|c| c["blocking_keys"] = json!([{"fields": ["vendor_name", "phone"]}])),
            "blocking_keys[0].fields[1]",
        ),
        (
            good(&|c| c["blocking_strategy"] = json!("sideways")),
            "blocking_strategy",
        ),
        (good(&|c| c["colour"] = json!("blue")), "colour"),
        (good(&|c| c["target_type"] = json!("batch")), "target_type"),
    ] {
        let (s, err) = api.post("/v1/matching/configs", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(
            envelope(s, &err, "/v1/matching/configs"),
            "validation_error"
        );
        assert_eq!(err["field"], field, "{err}");
    }
    // Unknown reference data: 404 (spec A.4.4).
    let (s, err) = api
        .post(
            "/v1/matching/configs",
            good(&|c| c["reference_data_id"] = json!("no-such-table")),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{err}");

    // PUT changes what it names and keeps the rest.
    let path = format!("/v1/matching/configs/{config_id}");
    let (s, updated) = api
        .put(&path, json!({"threshold": 0.8, "name": "Renamed"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{updated}");
    assert_eq!(updated["threshold"], 0.8);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["field_mappings"], config["field_mappings"]);
    let (s, _) = api
        .put(&path, json!({"reference_data_id": reference_id}))
        .await;
    assert_eq!(s, StatusCode::OK, "the same reference data may be repeated");
    let (s, err) = api.put(&path, json!({"reference_data_id": "other"})).await;
    assert_eq!(
        (s, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reference_data_id"))
    );
    let (s, err) = api
        .put(&path, json!({"schedule": {"interval_minutes": 60}}))
        .await;
    assert_eq!(s, StatusCode::OK, "{err}");
    assert_eq!(err["schedule"], json!({"interval_minutes": 60}));
    let (s, err) = api.put(&path, json!({"schedule": null})).await;
    assert_eq!(s, StatusCode::OK, "{err}");
    assert_eq!(err["schedule"], Value::Null);
    // Blocking keys the config names (issue 13): kept, shown, cleared with null.
    let keys = json!([{"fields": ["po_reference"]}, {"fields": ["vendor_name", "total_amount"]}]);
    let (s, named) = api
        .put(
            &path,
            json!({"blocking_keys": keys, "blocking_strategy": "ordered_fallback"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{named}");
    assert_eq!(named["blocking_keys"], keys);
    assert_eq!(named["blocking_strategy"], "ordered_fallback");
    let (_, read) = api.get(&path).await;
    assert_eq!(read["blocking_keys"], keys);
    let (s, _) = api
        .put("/v1/matching/configs/nope", json!({"threshold": 0.8}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A run, then DELETE: the config goes, its run stays readable.
    let (s, run) = api.post(&format!("{path}/run"), json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let run_id = run["id"].as_str().unwrap();
    api.wait_run(run_id).await;
    let (s, body) = api.delete(&path).await;
    assert_eq!((s, body), (StatusCode::OK, json!({"deleted": true})));
    let (s, _) = api.get(&path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, run) = api.get(&format!("/v1/matching/runs/{run_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(run["status"], "completed");
}

/// Walks a cursor list to its end, checking the pagination block on every page.
async fn walk(api: &Api, first: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut path = first.to_string();
    let mut total = None;
    loop {
        let (s, page) = api.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let p = &page["pagination"];
        assert_eq!(p["limit"], limit as u64);
        assert!(*total.get_or_insert(p["total"].clone()) == p["total"]);
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= limit);
        ids.extend(data.iter().map(|d| d["id"].as_str().unwrap().to_string()));
        if p["has_more"] == false {
            assert_eq!(p["next_cursor"], Value::Null);
            assert_eq!(ids.len() as u64, p["total"].as_u64().unwrap());
            return ids;
        }
        assert_eq!(data.len(), limit, "only the last page is short");
        let sep = if first.contains('?') { '&' } else { '?' };
        path = format!("{first}{sep}cursor={}", p["next_cursor"].as_str().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cursor_lists_walk_to_the_end_without_loss_or_duplication() {
    let api = Api::start().await;
    let (config_id, reference_id, docs_id) = api.small_config().await;
    for i in 0..22 {
        let mut c = common::invoice_config(&json!(reference_id), &json!(docs_id));
        c["name"] = json!(format!("config {i}"));
        let (s, _) = api.post("/v1/matching/configs", c).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let configs = walk(&api, "/v1/matching/configs?limit=5", 5).await;
    assert_eq!(configs.len(), 23);
    assert_eq!(
        configs.iter().collect::<HashSet<_>>().len(),
        23,
        "no duplicates"
    );
    assert_eq!(walk(&api, "/v1/matching/configs", 20).await, {
        let mut all = walk(&api, "/v1/matching/configs?limit=100", 100).await;
        all.truncate(23);
        all
    });

    let mut started = Vec::new();
    for _ in 0..13 {
        let (s, run) = api
            .post(&format!("/v1/matching/configs/{config_id}/run"), json!({}))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        started.push(run["id"].as_str().unwrap().to_string());
    }
    // A run of another config, which the config filter leaves out.
    let other = &configs[0];
    let (s, _) = api
        .post(&format!("/v1/matching/configs/{other}/run"), Value::Null)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    for id in &started {
        api.wait_run(id).await;
    }
    let runs = walk(
        &api,
        &format!("/v1/matching/runs?config_id={config_id}&limit=4"),
        4,
    )
    .await;
    started.reverse();
    assert_eq!(runs, started, "newest first, every run once");
    let all = walk(&api, "/v1/matching/runs?limit=3", 3).await;
    assert_eq!(all.len(), 14);
    let (_, completed) = api
        .get(&format!(
            "/v1/matching/runs?status=completed&config_id={config_id}"
        ))
        .await;
    assert_eq!(completed["pagination"]["total"], 13);

    for bad in [
        "/v1/matching/runs?cursor=zzzz",
        "/v1/matching/configs?cursor=6e6f",
        "/v1/matching/runs?limit=0",
        "/v1/matching/runs?limit=101",
        "/v1/matching/runs?limit=-1",
        "/v1/matching/runs?limit=99999999999999999999",
        "/v1/matching/runs?status=sleeping",
        "/v1/matching/runs?colour=blue",
    ] {
        let (s, err) = api.get(bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_eq!(err["code"], "validation_error", "{bad}");
        assert!(err["field"].is_string(), "{bad}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_run_is_started_polled_read_and_reviewed() {
    let api = Api::start().await;
    let (config_id, _, _) = api.small_config().await;
    let (s, run) = api
        .post(&format!("/v1/matching/configs/{config_id}/run"), json!({}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(run["status"], "queued");
    assert_eq!(run["triggered_by"], "api");
    assert_eq!(run["rows_processed"], Value::Null);
    assert_eq!(run["run_type"], "manual");
    let run_id = run["id"].as_str().unwrap().to_string();
    assert_eq!(
        run["links"]["config"],
        format!("/v1/matching/configs/{config_id}")
    );

    let done = api.wait_run(&run_id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["rows_processed"], 12);
    let results = done["results"].as_array().unwrap();
    assert_eq!(results.len(), 12, "top 50 of 12 is all of them");
    let confidences: Vec<f64> = results
        .iter()
        .map(|r| r["confidence"].as_f64().unwrap())
        .collect();
    assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "best first");

    let (s, progress) = api
        .get(&format!("/v1/matching/runs/{run_id}/progress"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(progress["run_id"], run_id.as_str());
    assert_eq!(progress["phase"], "completed");
    assert_eq!(progress["phase_progress"], 100);
    assert_eq!(progress["rows_total"], 12);

    // Results: page style, status filter, evidence keyed by document field.
    let path = format!("/v1/matching/runs/{run_id}/results");
    let (s, page) = api.get(&format!("{path}?limit=5&page=2")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        page["pagination"],
        json!({"total": 12, "page": 2, "limit": 5})
    );
    let first = &results[0];
    assert_eq!(first["status"], "pending");
    let evidence = &first["evidence"]["vendor_name"];
    assert_eq!(evidence["strategy"], "fuzzy");
    assert!(evidence["score"].as_f64().is_some());
    assert_eq!(evidence["target"], "vendor_name");
    assert!(first["candidates"][0]["evidence"]["po_reference"].is_object());
    assert_eq!(first["candidates"][0]["rank"], 1);
    for bad in [
        "?status=maybe",
        "?page=0",
        "?page=-2",
        "?limit=501",
        "?limit=abc",
    ] {
        let (s, err) = api.get(&format!("{path}{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {err}");
    }

    // Review: approve with notes, then re-review without notes clears them.
    let result_id = first["id"].as_str().unwrap();
    let review = format!("/v1/matching/runs/{run_id}/results/{result_id}/review");
    let (s, r) = api
        .post(
            &review,
            json!({"status": "approved", "notes": "checked the PO"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["notes"].as_str()),
        (Some("approved"), Some("checked the PO"))
    );
    assert!(r["evidence"].is_object() && r["reviewed_at"].is_string());
    let (s, r) = api.post(&review, json!({"status": "rejected"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (r["status"].as_str(), &r["notes"]),
        (Some("rejected"), &Value::Null)
    );
    let (_, rejected) = api.get(&format!("{path}?status=rejected")).await;
    assert_eq!(rejected["pagination"]["total"], 1);
    let (_, log) = api
        .get(&format!(
            "/v1/matching/runs/{run_id}/results/{result_id}/decisions"
        ))
        .await;
    let log = log["data"].as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0]["decided_by"]
        .as_str()
        .unwrap()
        .starts_with("api:mbk_"));

    for (body, status, field) in [
        (
            json!({"status": "pending"}),
            StatusCode::BAD_REQUEST,
            Some("status"),
        ),
        (
            json!({"status": "maybe"}),
            StatusCode::BAD_REQUEST,
            Some("status"),
        ),
        (json!({}), StatusCode::BAD_REQUEST, Some("status")),
        (
            json!({"status": "approved", "reference_row_id": "po_404"}),
            StatusCode::BAD_REQUEST,
            Some("reference_row_id"),
        ),
    ] {
        let (s, err) = api.post(&review, body.clone()).await;
        assert_eq!((s, err["field"].as_str()), (status, field), "{body}: {err}");
    }
    let (s, _) = api
        .post(
            &format!("/v1/matching/runs/{run_id}/results/nope/review"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api
        .post(
            &format!("/v1/matching/runs/nope/results/{result_id}/review"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, one) = api
        .get(&format!("/v1/matching/runs/{run_id}/results/{result_id}"))
        .await;
    assert_eq!(
        (s, one["status"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );

    // Unknown run and config: 404; cancel of a finished run: 409.
    for path in [
        "/v1/matching/runs/nope",
        "/v1/matching/runs/nope/progress",
        "/v1/matching/runs/nope/results",
    ] {
        let (s, err) = api.get(path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(envelope(s, &err, path), "not_found");
    }
    let (s, _) = api.post("/v1/matching/configs/nope/run", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api
        .post(
            &format!("/v1/matching/configs/{config_id}/run"),
            json!({"document_ids": ["doc_1"]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let cancel = format!("/v1/matching/runs/{run_id}/cancel");
    let (s, err) = api.post(&cancel, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(envelope(s, &err, &cancel), "conflict");
}

/// SQL import, once a 501, is served on both reference-data paths (tests/from_sql.rs has the
/// rest): an empty body is a 400 naming the first missing field, not a 404 or a 501.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn from_sql_is_served_on_both_reference_data_paths() {
    let api = Api::start().await;
    for path in [
        "/v1/matching/reference-data/from-sql",
        "/v1/reference-data/from-sql",
        "/v1/reference-data/from-sql/preview",
    ] {
        let (s, err) = api.post(path, json!({})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {err}");
        assert_eq!(envelope(s, &err, path), "validation_error");
        assert_eq!(err["field"], "connection", "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abuse_gets_a_clear_4xx_and_the_server_keeps_answering() {
    let api = Api::with_limits(api::Limits {
        max_body_bytes: 4096,
        request_timeout: Duration::from_millis(500),
        ..Default::default()
    })
    .await;
    let path = "/v1/reference-data";
    // Too large.
    let rows: Vec<Value> = (0..500)
        .map(|i| json!({"id": i, "name": "x".repeat(20)}))
        .collect();
    let (s, err) = api.post(path, json!({"name": "big", "data": rows})).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert_eq!(envelope(s, &err, path), "payload_too_large");
    // Malformed JSON, wrong content type, trailing garbage.
    for (body, content_type) in [
        ("{\"name\": ", "application/json"),
        (
            "{\"name\": \"x\", \"data\": [{\"a\": 1}]} trailing",
            "application/json",
        ),
        ("name=x", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
    ] {
        let (s, err) = common::send(
            api.req(Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_eq!(envelope(s, &err, path), "validation_error");
    }
    // Unknown route and wrong method: envelopes too.
    let (s, err) = api.get("/v1/nothing/here").await;
    assert_eq!(envelope(s, &err, "/v1/nothing/here"), "not_found");
    let (s, err) = common::send(api.req(Method::PATCH, "/v1/matching/runs")).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(envelope(s, &err, "/v1/matching/runs"), "method_not_allowed");

    // A body that never finishes arriving is cut off by the timeout.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(api.server.as_ref().unwrap().addr())
        .await
        .unwrap();
    let head = format!(
        "POST /v1/reference-data HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\":",
        api.key
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers a stalled upload")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");

    let (s, _) = api.get("/v1/matching/configs").await;
    assert_eq!(s, StatusCode::OK, "still answering");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn too_many_requests_are_429_with_retry_after() {
    let api = Api::with_limits(api::Limits {
        burst: 3,
        per_second: 1,
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        let (s, _) = api.get("/v1/matching/configs").await;
        assert_eq!(s, StatusCode::OK);
    }
    let response = api
        .req(Method::GET, "/v1/matching/configs")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let h = response.headers().clone();
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(h["x-ratelimit-reset"].to_str().unwrap().ends_with('Z'));
    assert_eq!(h["x-ratelimit-limit"], "3");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        envelope(StatusCode::TOO_MANY_REQUESTS, &body, "/v1/matching/configs"),
        "rate_limited"
    );
    assert_eq!(body["retryable"], true);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, _) = api.get("/v1/matching/configs").await;
    assert_eq!(s, StatusCode::OK, "after the wait it goes through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reviews_of_one_result_last_write_wins_and_all_are_logged() {
    let api = Api::start().await;
    let (run_id, _) = api.completed_run().await;
    let (_, page) = api
        .get(&format!("/v1/matching/runs/{run_id}/results?limit=1"))
        .await;
    let result_id = page["data"][0]["id"].as_str().unwrap().to_string();
    let review = format!("/v1/matching/runs/{run_id}/results/{result_id}/review");
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let req = api.req(Method::POST, &review).json(&json!({
                "status": if i % 2 == 0 { "approved" } else { "rejected" },
                "notes": format!("reviewer {i}")
            }));
            tokio::spawn(common::send(req))
        })
        .collect();
    for t in tasks {
        let (s, body) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    let (_, log) = api
        .get(&format!(
            "/v1/matching/runs/{run_id}/results/{result_id}/decisions"
        ))
        .await;
    let log = log["data"].as_array().unwrap();
    assert_eq!(log.len(), 16, "every decision is in the log");
    let notes: HashSet<&str> = log.iter().map(|d| d["notes"].as_str().unwrap()).collect();
    assert_eq!(notes.len(), 16);
    let last = log.last().unwrap();
    let (_, now) = api
        .get(&format!("/v1/matching/runs/{run_id}/results/{result_id}"))
        .await;
    assert_eq!(
        now["status"], last["status"],
        "the last decision logged is the one that stands"
    );
    assert_eq!(now["notes"], last["notes"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_races_end_in_one_consistent_state() {
    let api = Api::start().await;
    // Enough documents that the run is still going when the cancels arrive.
    let refs: Vec<Value> = (0..4000)
        .map(|i| json!({"po_id": format!("po_{i}"), "vendor": format!("Vendor {} {}", i % 97, i), "amount": i}))
        .collect();
    let (s, reference) = api
        .post(
            "/v1/reference-data",
            json!({"name": "POs", "data": refs, "id_column": "po_id"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reference}");
    for chunk in 0..6 {
        let docs: Vec<Value> = (0..1000)
            .map(|i| json!({"document_id": format!("d{chunk}_{i}"), "vendor": format!("Vendr {} {}", i % 97, i), "amount": i + 1}))
            .collect();
        let (s, d) = api
            .post(
                "/v1/document-sets",
                json!({"name": format!("docs {chunk}"), "data": docs}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
    }
    let (s, config) = api
        .post(
            "/v1/matching/configs",
            json!({"name": "race", "reference_data_id": reference["id"], "field_mappings": [
                {"source": "vendor", "target": "vendor", "strategy": "fuzzy", "weight": 0.7},
                {"source": "amount", "target": "amount", "strategy": "numeric_range", "weight": 0.3}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{config}");
    let config_id = config["id"].as_str().unwrap();

    for delay_ms in [0u64, 30, 150] {
        let (_, run) = api
            .post(&format!("/v1/matching/configs/{config_id}/run"), json!({}))
            .await;
        let run_id = run["id"].as_str().unwrap().to_string();
        // A second run queued behind it: cancelling it never starts it.
        let (_, queued) = api
            .post(&format!("/v1/matching/configs/{config_id}/run"), json!({}))
            .await;
        let queued_id = queued["id"].as_str().unwrap().to_string();
        let (s, q) = api
            .post(&format!("/v1/matching/runs/{queued_id}/cancel"), json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(
            (q["status"].as_str(), &q["started_at"]),
            (Some("cancelled"), &Value::Null)
        );
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let cancels: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn(common::send(
                    api.req(Method::POST, &format!("/v1/matching/runs/{run_id}/cancel")),
                ))
            })
            .collect();
        let mut ok = 0;
        for c in cancels {
            let (s, body) = c.await.unwrap();
            match s {
                StatusCode::OK => {
                    ok += 1;
                    assert_eq!(body["status"], "cancelled", "{body}");
                }
                StatusCode::CONFLICT => assert_eq!(body["code"], "conflict"),
                other => panic!("cancel answered {other}: {body}"),
            }
        }
        let done = api.wait_run(&run_id).await;
        let status = done["status"].as_str().unwrap();
        assert!(
            status == "cancelled" || (status == "completed" && ok == 0),
            "{status} after {ok} successful cancels"
        );
        let (_, results) = api
            .get(&format!("/v1/matching/runs/{run_id}/results?limit=1"))
            .await;
        assert_eq!(
            results["pagination"]["total"], done["rows_processed"],
            "every processed document has its result, and no more"
        );
        let (s, _) = api
            .post(&format!("/v1/matching/runs/{run_id}/cancel"), json!({}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_script_can_use_the_review_desk_summary_bulk_approval_and_undo() {
    let api = Api::start().await;
    let (run_id, _) = api.completed_run().await;
    let (s, summary) = api
        .get(&format!("/v1/matching/runs/{run_id}/summary"))
        .await;
    assert_eq!(s, StatusCode::OK, "{summary}");
    assert_eq!(summary["histogram"].as_array().unwrap().len(), 20);
    let binned: u64 = summary["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap())
        .sum();
    assert_eq!(binned, 12);
    assert_eq!(summary["counts"]["pending"], 12);
    assert_eq!(summary["run"]["id"], run_id.as_str());
    // How the run found its candidates, and the block sizes of its reference data per field.
    let (_, run) = api.get(&format!("/v1/matching/runs/{run_id}")).await;
    let (_, config) = api
        .get(&format!(
            "/v1/matching/configs/{}",
            run["matching_config_id"].as_str().unwrap()
        ))
        .await;
    let mappings = config["field_mappings"].as_array().unwrap().len();
    let search = &summary["candidate_search"];
    assert_eq!(
        search["fields"].as_array().unwrap().len(),
        mappings,
        "{search}"
    );
    assert_eq!(search["compared_whole_up_to"], 16);
    let sizes = summary["block_sizes"]["fields"].as_array().unwrap();
    assert_eq!(sizes.len(), mappings, "{summary}");
    for f in sizes {
        let largest = f["largest"].as_u64().unwrap();
        assert!(f["median"].as_u64().unwrap() <= largest, "{f}");
        assert!(largest <= f["rows_with_value"].as_u64().unwrap(), "{f}");
    }

    let bulk = format!("/v1/matching/runs/{run_id}/bulk-approve");
    let (s, count) = api.get(&format!("{bulk}?min_confidence=0.7")).await;
    assert_eq!(s, StatusCode::OK, "{count}");
    let n = count["count"].as_u64().unwrap();
    assert!(n > 0 && n < 12, "{count}");
    let (s, err) = api.get(&format!("{bulk}?min_confidence=1.5")).await;
    assert_eq!(
        (s, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("min_confidence"))
    );
    let (s, err) = api
        .post(&bulk, json!({"min_confidence": 0.7, "expected": n + 1}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    let (_, still) = api.get(&format!("{bulk}?min_confidence=0.7")).await;
    assert_eq!(
        still["count"], n,
        "nothing was approved by the refused call"
    );
    let (s, done) = api
        .post(
            &bulk,
            json!({"min_confidence": 0.7, "expected": n, "notes": "bulk"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["approved"], n);
    let (_, approved) = api
        .get(&format!(
            "/v1/matching/runs/{run_id}/results?status=approved"
        ))
        .await;
    assert_eq!(approved["pagination"]["total"], n);

    // Undo one approval: it is pending again; undoing the undo approves it again.
    let d = &done["decisions"][0];
    let (result_id, decision_id) = (
        d["result_id"].as_str().unwrap(),
        d["decision_id"].as_str().unwrap(),
    );
    let revert = format!("/v1/matching/runs/{run_id}/results/{result_id}/revert");
    let (s, r) = api.post(&revert, json!({"decision_id": decision_id})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "pending");
    let (s, err) = api.post(&revert, json!({"decision_id": decision_id})).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "only the latest decision can be undone: {err}"
    );
    let (_, log) = api
        .get(&format!(
            "/v1/matching/runs/{run_id}/results/{result_id}/decisions"
        ))
        .await;
    let undo = log["data"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = api.post(&revert, json!({"decision_id": undo})).await;
    assert_eq!(
        (s, r["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
}
