//! Package configs over real HTTP (spec A.8): create (201) with the spec's example body, get,
//! the cursor list's shape, PATCH (slots replaced, criteria merged), DELETE (200
//! `{"deleted": true}`, then 404); every error code of the spec's table with the field named;
//! package runs, the three-way rule with its outcomes, and one document matched now.

mod common;

use common::{envelope, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CONFIGS: &str = "/v1/matching/packages/configs";

fn body(name: &str, invoice: &str, note: &str) -> Value {
    json!({
        "name": name,
        "document_type_configs": [
            {"document_type": "invoice", "matching_config_id": invoice, "presence": "required"},
            {"document_type": "delivery_note", "matching_config_id": note, "presence": "expected"}
        ],
        "pass_criteria": {"all_required_matched": true, "min_confidence": 0.8, "allow_review_on_expected": true}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_configs_are_created_listed_patched_and_deleted() {
    let api = Api::start().await;
    let (invoice, _, _) = api.small_config().await;
    let (note, _, _) = api.small_config().await;
    let (s, created) = api
        .post(CONFIGS, body("Shipment bundle", &invoice, &note))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let path = format!("{CONFIGS}/{id}");
    assert_eq!(created["name"], "Shipment bundle");
    assert_eq!(created["document_type_configs"][1]["presence"], "expected");
    assert_eq!(created["pass_criteria"]["min_confidence"], 0.8);
    assert_eq!(created["links"]["self"], path.as_str());
    assert_eq!(
        created["links"]["runs"],
        format!("/v1/matching/packages/runs?package_config_id={id}").as_str()
    );
    assert!(created["created_at"].is_string() && created["updated_at"].is_string());
    let (s, read) = api.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read, created);

    // Criteria left out take the spec's defaults.
    let (s, second) = api
        .post(
            CONFIGS,
            json!({"name": "Invoices", "document_type_configs": [
                {"document_type": "invoice", "matching_config_id": invoice, "presence": "required"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert_eq!(
        second["pass_criteria"],
        json!({"all_required_matched": true, "min_confidence": 0.8, "allow_review_on_expected": true})
    );
    let (s, page) = api.get(&format!("{CONFIGS}?limit=1")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["data"][0]["id"], second["id"], "newest first");
    assert_eq!(page["pagination"]["total"], 2);
    assert_eq!(page["pagination"]["limit"], 1);
    assert_eq!(page["pagination"]["has_more"], true);
    let cursor = page["pagination"]["next_cursor"].as_str().unwrap();
    let (_, last) = api.get(&format!("{CONFIGS}?limit=1&cursor={cursor}")).await;
    assert_eq!(last["data"][0]["id"], created["id"]);
    assert_eq!(last["pagination"]["has_more"], false);
    assert_eq!(last["pagination"]["next_cursor"], Value::Null);

    let (s, patched) = api
        .patch(
            &path,
            json!({"name": "Three-way", "pass_criteria": {"min_confidence": 0.9},
                   "document_type_configs": [
                       {"document_type": "invoice", "matching_config_id": invoice, "presence": "required"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Three-way");
    assert_eq!(
        patched["document_type_configs"].as_array().unwrap().len(),
        1
    );
    assert_eq!(patched["pass_criteria"]["min_confidence"], 0.9);
    assert_eq!(patched["pass_criteria"]["allow_review_on_expected"], true);

    let (s, deleted) = api.delete(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(deleted, json!({"deleted": true}));
    let (s, err) = api.get(&path).await;
    assert_eq!(envelope(s, &err, &path), "not_found");
    let (s, err) = api.delete(&path).await;
    assert_eq!(envelope(s, &err, &path), "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_config_errors_name_the_field() {
    let api = Api::start().await;
    let (invoice, _, _) = api.small_config().await;
    let slot = |t: &str, c: &str, p: &str| json!({"document_type": t, "matching_config_id": c, "presence": p});
    let cases = [
        (
            json!({"document_type_configs": [slot("invoice", &invoice, "required")]}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            json!({"name": "p", "document_type_configs": []}),
            StatusCode::BAD_REQUEST,
            "document_type_configs",
        ),
        (
            json!({"name": "p"}),
            StatusCode::BAD_REQUEST,
            "document_type_configs",
        ),
        (
            json!({"name": "p", "document_type_configs": [slot("invoice", &invoice, "required"), slot("invoice", &invoice, "optional")]}),
            StatusCode::BAD_REQUEST,
            "document_type_configs[1].document_type",
        ),
        (
            json!({"name": "p", "document_type_configs": [slot("invoice", &invoice, "always")]}),
            StatusCode::BAD_REQUEST,
            "document_type_configs[0].presence",
        ),
        (
            json!({"name": "p", "document_type_configs": [slot("invoice", "no-such-config", "required")]}),
            StatusCode::NOT_FOUND,
            "document_type_configs[0].matching_config_id",
        ),
        (
            json!({"name": "p", "document_type_configs": [slot("invoice", &invoice, "required")], "pass_criteria": {"min_confidence": 2}}),
            StatusCode::BAD_REQUEST,
            "pass_criteria.min_confidence",
        ),
        (
            json!({"name": "p", "document_type_configs": [slot("invoice", &invoice, "required")], "pass_criteria": {"floor": 0.5}}),
            StatusCode::BAD_REQUEST,
            "pass_criteria.floor",
        ),
    ];
    for (body, status, field) in cases {
        let (s, err) = api.post(CONFIGS, body.clone()).await;
        assert_eq!(s, status, "{body}: {err}");
        envelope(s, &err, CONFIGS);
        assert_eq!(err["field"], field, "{body}: {err}");
    }
    let (_, list) = api.get(CONFIGS).await;
    assert_eq!(list["pagination"]["total"], 0, "nothing was stored");
    let (s, err) = api.get(&format!("{CONFIGS}?cursor=zz")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    let (s, err) = api
        .patch(&format!("{CONFIGS}/no-such"), json!({"name": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{err}");
}

const RUNS: &str = "/v1/matching/packages/runs";

fn invoice(id: &str, po: &str) -> Value {
    json!({"document_id": id, "extraction_row_id": "row_1",
           "values": {"vendor_name": "Northbridge Logistics GmbH", "po_reference": po,
                      "total_amount": 1487.5, "invoice_date": "2024-02-20"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn package_runs_are_synchronous_listed_by_verdict_and_fail_clearly() {
    let api = Api::start().await;
    let (invoices, _, _) = api.small_config().await;
    let (notes, _, _) = api.small_config().await;
    let (_, package) = api
        .post(CONFIGS, body("Shipment bundle", &invoices, &notes))
        .await;
    let package_id = package["id"].as_str().unwrap();

    let (s, passed) = api
        .post(
            RUNS,
            json!({"package_config_id": package_id, "input_documents": {
                "invoice": [invoice("doc_uuid_1", "PO-2024-000101")],
                "delivery_note": [invoice("doc_uuid_2", "PO-2024-000101")]}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{passed}");
    assert_eq!(passed["status"], "passed", "{passed}");
    let id = passed["id"].as_str().unwrap();
    assert_eq!(passed["links"]["self"], format!("{RUNS}/{id}").as_str());
    assert_eq!(
        passed["links"]["config"],
        format!("{CONFIGS}/{package_id}").as_str()
    );
    assert_eq!(
        passed["input_documents"],
        json!({"invoice": ["doc_uuid_1"], "delivery_note": ["doc_uuid_2"]})
    );
    let first = &passed["document_results"][0];
    for key in [
        "document_type",
        "matching_config_id",
        "matching_run_id",
        "presence",
        "document_found",
        "status",
        "confidence",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(first["status"], "matched");
    assert!(passed["completed_at"].is_string());
    // The slot's matching run is a normal run, with its results.
    let run_id = first["matching_run_id"].as_str().unwrap();
    let (s, run) = api.get(&format!("/v1/matching/runs/{run_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(run["triggered_by"], "api");
    assert_eq!(run["results"][0]["document_id"], "doc_uuid_1");
    let (_, read) = api.get(&format!("{RUNS}/{id}")).await;
    assert_eq!(read, passed);

    let (s, review) = api
        .post(
            RUNS,
            json!({"package_config_id": package_id, "input_documents": {
                "invoice": [invoice("doc_uuid_3", "PO-2024-000101")]}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{review}");
    assert_eq!(review["status"], "review");
    assert_eq!(review["document_results"][1]["status"], "missing");
    assert_eq!(
        review["document_results"][1]["matching_run_id"],
        Value::Null
    );

    // The seed's list: filtered by config and status, cursor paged, full run shape.
    let (s, list) = api
        .get(&format!(
            "{RUNS}?package_config_id={package_id}&status=review"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0], review);
    assert_eq!(
        list["pagination"],
        json!({"total": 1, "limit": 20, "has_more": false, "next_cursor": null})
    );
    let (_, first_page) = api.get(&format!("{RUNS}?limit=1")).await;
    assert_eq!(first_page["data"][0]["id"], review["id"], "newest first");
    let cursor = first_page["pagination"]["next_cursor"].as_str().unwrap();
    let (_, second_page) = api.get(&format!("{RUNS}?limit=1&cursor={cursor}")).await;
    assert_eq!(second_page["data"][0]["id"], passed["id"]);

    // Errors: a missing or unknown package, a type it does not have, a bad status filter.
    let (s, err) = api.post(RUNS, json!({"input_documents": {}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["field"], "package_config_id");
    let (s, err) = api
        .post(
            RUNS,
            json!({"package_config_id": "no-such", "input_documents": {}}),
        )
        .await;
    assert_eq!(envelope(s, &err, RUNS), "not_found");
    let (s, err) = api
        .post(
            RUNS,
            json!({"package_config_id": package_id, "input_documents": {"receipt": [invoice("d", "x")]}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["field"], "input_documents.receipt");
    let (s, err) = api.get(&format!("{RUNS}?status=maybe")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    let missing = format!("{RUNS}/no-such");
    let (s, err) = api.get(&missing).await;
    assert_eq!(envelope(s, &err, &missing), "not_found");

    // Deleting the package deletes its runs.
    api.delete(&format!("{CONFIGS}/{package_id}")).await;
    let (s, _) = api.get(&format!("{RUNS}/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_document_is_matched_now_over_http() {
    let api = Api::start().await;
    let (config, _, _) = api.small_config().await;
    let path = format!("/v1/matching/configs/{config}/match");
    let (s, m) = api
        .post(
            &path,
            json!({"document_id": "new", "values": {"vendor_name": "Northbridge Logistics GmbH",
                   "po_reference": "PO-2024-000101", "total_amount": 1487.5, "invoice_date": "2024-02-20"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["document_id"], "new");
    assert!(m["matched_reference_row_id"].is_string(), "{m}");
    assert!(
        m["candidates"][0]["evidence"]["po_reference"]["score"].is_number(),
        "{m}"
    );
    let (s, err) = api.post(&path, json!({"values": {"vendor": "x"}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["field"], "values.vendor");
    let (s, _) = api
        .post("/v1/matching/configs/no-such/match", json!({"values": {}}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_three_way_rule_travels_with_the_package_and_its_runs() {
    let api = Api::start().await;
    let (invoices, _, _) = api.small_config().await;
    let (other, _, _) = api.small_config().await;
    // Net amount as the unit price: one unit ordered per order in the small fixtures.
    let rule = |delivery_config: &str| {
        json!({
            "name": "Three-way",
            "document_type_configs": [
                {"document_type": "invoice", "matching_config_id": invoices, "presence": "required"},
                {"document_type": "delivery_note", "matching_config_id": delivery_config, "presence": "expected"}],
            "rules": [{"kind": "three_way", "invoice_type": "invoice", "delivery_type": "delivery_note",
                       "invoice_amount_field": "total_amount",
                       "delivered_quantity_field": "delivered_quantity",
                       "unit_price_column": "net_amount"}]
        })
    };
    // Matched against other reference data, the two slots cannot name the same order.
    let (s, err) = api.post(CONFIGS, rule(&other)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(envelope(s, &err, CONFIGS), "validation_error");
    assert_eq!(err["field"], "rules[0].delivery_type", "{err}");

    let (s, package) = api.post(CONFIGS, rule(&invoices)).await;
    assert_eq!(s, StatusCode::CREATED, "{package}");
    assert_eq!(package["rules"][0]["on_fail"], "review", "{package}");
    let bundle = |delivered: f64| {
        let mut note = invoice("dn_1", "PO-2024-000101");
        note["values"]["delivered_quantity"] = json!(delivered);
        // The small config knows no VAT rates: the invoice states the net amount.
        let mut bill = invoice("inv_1", "PO-2024-000101");
        bill["values"]["total_amount"] = json!(1250.0);
        json!({"package_config_id": package["id"], "input_documents": {
            "invoice": [bill], "delivery_note": [note]}})
    };
    let (s, passed) = api.post(RUNS, bundle(1.0)).await;
    assert_eq!(s, StatusCode::CREATED, "{passed}");
    assert_eq!(passed["status"], "passed", "{passed}");
    assert_eq!(passed["rule_results"][0]["status"], "passed", "{passed}");
    assert_eq!(passed["rule_results"][0]["invoiced"], 1250.0, "{passed}");
    let (_, held) = api.post(RUNS, bundle(0.5)).await;
    assert_eq!(held["status"], "review", "{held}");
    assert_eq!(held["rule_results"][0]["status"], "failed", "{held}");
    let (s, read) = api
        .get(&format!("{RUNS}/{}", held["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read["rule_results"], held["rule_results"]);
}
