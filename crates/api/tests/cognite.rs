//! Conformance of Cognite's entity-matching model endpoints over real HTTP (spec B.2, B.4, B.6,
//! B.11): gzip bodies, the trailing slash, `{items}` batches, Queued then Completed models and
//! jobs, the `X-Job-Token` header, and the error envelope `{error: {code, message, missing,
//! duplicated}}` with an `x-request-id` on every answer.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::Api;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const EM: &str = "/api/v1/projects/matchbook/context/entitymatching";

fn tags() -> (Value, Value) {
    let names = [
        ("KKL_21PT1019.PV", "21PT1019"),
        ("KKL_23FIC0042.SP", "23FIC0042"),
        ("21-LT-1101:VALUE", "21LT1101"),
        ("KKL_24XV0007.PV", "24XV0007"),
    ];
    let sources: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, (s, _))| json!({"id": i + 1, "name": s}))
        .collect();
    let targets: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, (_, t))| json!({"id": i + 100, "externalId": format!("asset-{i}"), "name": t}))
        .collect();
    (Value::Array(sources), Value::Array(targets))
}

/// Sends `body` gzip-compressed, as Cognite's SDK does; answers status, headers and JSON.
async fn post_gzip(
    api: &Api,
    path: &str,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.to_string().as_bytes()).unwrap();
    let r = api
        .req(Method::POST, path)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

/// The error envelope: the status as `code`, a message, and an x-request-id.
fn error_of(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &Value) -> Value {
    assert!(headers.contains_key("x-request-id"), "{headers:?}");
    assert_eq!(body["error"]["code"], status.as_u16(), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"].clone()
}

async fn wait(api: &Api, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s, v) = api.get(path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["status"] == "Completed" || v["status"] == "Failed" {
            return v;
        }
        assert!(Instant::now() < deadline, "{path} stayed {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn models_are_fitted_read_listed_updated_refitted_and_deleted() {
    let api = Api::start().await;
    let (sources, targets) = tags();
    // The SDK's fit: a trailing slash, gzip, every key present and null when not given.
    let fit = json!({"name": "tags", "description": null, "externalId": "m1", "sources": sources,
                     "targets": targets, "trueMatches": null, "matchFields": null,
                     "featureType": null, "classifier": null, "ignoreMissingFields": false});
    let (s, h, model) = post_gzip(&api, &format!("{EM}/"), &fit).await;
    assert_eq!(s, StatusCode::OK, "{model}");
    assert!(h.contains_key("x-request-id"));
    assert_eq!(model["status"], "Queued");
    assert_eq!(model["featureType"], "simple");
    assert_eq!(
        model["matchFields"],
        json!([{"source": "name", "target": "name"}])
    );
    assert_eq!(model["classifier"], "Unsupervised");
    let id = model["id"].as_i64().unwrap();
    assert!(model["createdTime"].as_i64().unwrap() > 1_600_000_000_000);
    let model = wait(&api, &format!("{EM}/{id}")).await;
    assert_eq!(model["status"], "Completed", "{model}");

    // A duplicate external id: 409 naming it.
    let (s, h, e) = post_gzip(&api, EM, &fit).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        error_of(s, &h, &e)["duplicated"],
        json!([{"externalId": "m1"}])
    );

    // byids, with an unknown id: 400 listing it, or left out on request.
    let (s, v) = api
        .post(
            &format!("{EM}/byids"),
            json!({"items": [{"externalId": "m1"}, {"id": id + 99}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["missing"], json!([{"id": id + 99}]));
    let (s, v) = api
        .post(
            &format!("{EM}/byids"),
            json!({"items": [{"externalId": "m1"}, {"id": id + 99}], "ignoreUnknownIds": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["id"], id);

    // Supervised, then refit with one more confirmed match.
    let (s, sup) = api
        .post(
            EM,
            json!({"sources": sources, "targets": targets, "featureType": "bigram",
                   "classifier": "randomforest",
                   "trueMatches": [{"sourceId": 1, "targetId": 100}, {"sourceId": 2, "targetExternalId": "asset-1"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sup}");
    let sup_id = sup["id"].as_i64().unwrap();
    wait(&api, &format!("{EM}/{sup_id}")).await;
    let (s, refit) = api
        .post(
            &format!("{EM}/refit"),
            json!({"trueMatches": [{"sourceId": 3, "targetId": 102}], "id": sup_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{refit}");
    assert_eq!(refit["originalId"], sup_id);
    assert_eq!(refit["status"], "Queued");

    // list: POST with a filter and the SDK's huge limit; GET lists them all.
    let (s, v) = api
        .post(
            &format!("{EM}/list"),
            json!({"filter": {"originalId": sup_id}, "limit": 1_000_000_000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (_, v) = api
        .post(
            &format!("{EM}/list"),
            json!({"filter": {"originalModelId": sup_id}}),
        )
        .await;
    assert_eq!(v["items"][0]["id"], refit["id"]);
    let (s, v) = api.get(&format!("{EM}?limit=2")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);

    // update: names and descriptions; anything else is refused.
    let (s, v) = api
        .post(
            &format!("{EM}/update"),
            json!({"items": [{"id": id, "update": {"name": {"set": "renamed"}, "description": {"set": "d"}}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["items"][0]["name"], &v["items"][0]["description"]),
        (&json!("renamed"), &json!("d"))
    );
    let (s, v) = api
        .post(
            &format!("{EM}/update"),
            json!({"items": [{"id": id, "update": {"featureType": {"set": "bigram"}}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // delete: {}; an unknown id is a 400 listing it, and nothing is deleted.
    let (s, v) = api
        .post(
            &format!("{EM}/delete"),
            json!({"items": [{"id": id}, {"id": id + 99}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["missing"], json!([{"id": id + 99}]));
    let (s, v) = api
        .post(&format!("{EM}/delete"), json!({"items": [{"id": id}]}))
        .await;
    assert_eq!((s, v), (StatusCode::OK, json!({})));
    let (s, v) = api.get(&format!("{EM}/{id}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["missing"], json!([{"id": id}]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn predict_jobs_answer_a_token_and_their_matches_once_completed() {
    let api = Api::start().await;
    let (sources, targets) = tags();
    let (_, model) = api
        .post(
            EM,
            json!({"sources": sources, "targets": targets, "featureType": "bigramextratokenizers"}),
        )
        .await;
    let id = model["id"].as_i64().unwrap();
    // Not trained yet, or trained: predicting early is a 400 saying so.
    let model = wait(&api, &format!("{EM}/{id}")).await;
    assert_eq!(model["status"], "Completed");

    let r = api
        .req(Method::POST, &format!("{EM}/predict"))
        .json(&json!({"id": id, "sources": null, "targets": null, "numMatches": 2, "scoreThreshold": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get("x-job-token")
        .is_some_and(|t| !t.is_empty()));
    let job: Value = r.json().await.unwrap();
    for key in ["jobId", "status", "createdTime", "startTime", "statusTime"] {
        assert!(job.get(key).is_some(), "{key} in {job}");
    }
    assert!(
        job.get("items").is_none(),
        "no items before Completed: {job}"
    );
    let job = wait(&api, &format!("{EM}/jobs/{}", job["jobId"])).await;
    assert_eq!(job["status"], "Completed", "{job}");
    let items = job["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["source"]["name"], "KKL_21PT1019.PV");
    assert_eq!(items[0]["matches"][0]["target"]["id"], 100);
    assert!(items
        .iter()
        .all(|i| i["matches"].as_array().unwrap().len() <= 2));

    // Refusals: an unknown model, a bad count, an unknown job (404: one resource by id).
    let (s, v) = api
        .post(&format!("{EM}/predict"), json!({"id": id + 50}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["missing"], json!([{"id": id + 50}]));
    let (s, v) = api
        .post(
            &format!("{EM}/predict"),
            json!({"id": id, "numMatches": 500}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("numMatches"),
        "{v}"
    );
    let (s, v) = api.get(&format!("{EM}/jobs/987654")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_key_is_required_and_bad_bodies_are_400s_in_cognites_envelope() {
    let api = Api::start().await;
    let r = api
        .http
        .post(format!("{}{EM}/list", api.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let (s, h) = (r.status(), r.headers().clone());
    let body: Value = r.json().await.unwrap();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    error_of(s, &h, &body);
    let (s, h, v) = post_gzip(&api, EM, &json!({"sources": [], "targets": []})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        error_of(s, &h, &v)["message"]
            .as_str()
            .unwrap()
            .contains("targets"),
        "{v}"
    );
    let (s, h, v) = post_gzip(
        &api,
        EM,
        &json!({"targets": [{"name": "x"}], "featureType": "trigram"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        error_of(s, &h, &v)["message"]
            .as_str()
            .unwrap()
            .contains("featureType"),
        "{v}"
    );
    let r = api
        .req(Method::POST, EM)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body("not gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The matching API keeps its own envelope beside it.
    let (s, v) = api.get("/v1/matching/configs/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string() && v["code"] == "not_found", "{v}");
}
