//! Conformance of Cognite's entity-matching pipeline endpoints over real HTTP (spec B.7, B.8,
//! B.11): create (batch and single-object shapes), list with limit and cursor, get, byids,
//! update (rules copied from a run's output), delete; runs started, listed newest first, and
//! their results with matches by matchType and generated rules; every error in Cognite's
//! envelope.

mod common;

use std::time::{Duration, Instant};

use common::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};

const P: &str = "/api/v1/projects/matchbook/context/entitymatching/pipelines";

const SERIES: &str =
    "ts_id,name\n1,KKL_21PT1019.PV\n2,KKL_21TT1020.PV\n3,KKL_23FIC0042.PV\n4,KKL_21LT1101.PV\n";
const ASSETS: &str = "asset_id,name\n100,21PT1019\n101,21TT1020\n102,23FIC0042\n103,21LT1101\n";

async fn datasets(api: &Api) {
    let (s, v) = api
        .upload_bytes(
            "/v1/document-sets",
            "series.csv",
            SERIES.as_bytes().to_vec(),
            &[("name", "Series"), ("id_column", "ts_id")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = api
        .upload_bytes(
            "/v1/reference-data",
            "assets.csv",
            ASSETS.as_bytes().to_vec(),
            &[("name", "Assets"), ("id_column", "asset_id")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

fn pipeline(ext: &str) -> Value {
    json!({"externalId": ext, "name": ext,
           "sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Series"}]},
           "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]},
           "modelParameters": {"featureType": "bigramextratokenizers"}, "generateRules": true})
}

async fn finished(api: &Api, path: &str) -> Value {
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
async fn pipelines_are_created_listed_updated_run_and_deleted() {
    let api = Api::start().await;
    datasets(&api).await;
    let (s, v) = api
        .post(P, json!({"items": [pipeline("a"), pipeline("b")]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let a = v["items"][0].clone();
    assert_eq!(a["scoreThreshold"], 0.5);
    assert_eq!(a["rules"], json!([]));
    assert!(
        a["id"].as_i64().is_some() && a["createdTime"].as_i64().is_some() && a["owner"].is_string()
    );
    let id = a["id"].as_i64().unwrap();
    // The older playground shape: one pipeline without `items`.
    let (s, v) = api.post(P, pipeline("c")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api.post(P, json!({"items": [pipeline("a")]})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["duplicated"], json!([{"externalId": "a"}]));

    // List with a limit and the cursor it gives.
    let (_, first) = api.get(&format!("{P}?limit=2")).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["nextCursor"].as_str().unwrap().to_string();
    let (_, rest) = api.get(&format!("{P}?limit=2&cursor={cursor}")).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest.get("nextCursor").is_none(), "{rest}");
    let (s, v) = api
        .post(
            &format!("{P}/byids"),
            json!({"items": [{"externalId": "b"}, {"id": 9999}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["missing"], json!([{"id": 9999}]));
    let (s, v) = api.get(&format!("{P}/9999")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert!(v["error"]["message"].is_string());

    // A run: Queued, then its results.
    let (s, run) = api.post(&format!("{P}/{id}/runs"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(run["status"], "Queued");
    assert_eq!(run["pipelineId"], id);
    let job = run["jobId"].as_i64().unwrap();
    let result = finished(&api, &format!("{P}/{id}/runs/{job}")).await;
    assert_eq!(result["status"], "Completed", "{result}");
    let matches = result["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 4, "{result}");
    assert!(matches.iter().all(|m| m["matchType"] == "model"));
    assert!(result["errors"].as_array().unwrap().is_empty());
    let rule = result["generatedRules"][0].clone();
    assert_eq!(rule["numConflicts"], 0, "{rule}");
    for key in [
        "extractors",
        "conditions",
        "priority",
        "matches",
        "numOverlaps",
    ] {
        assert!(rule.get(key).is_some(), "{key} in {rule}");
    }
    assert!(result["suggestedRules"].is_array());

    // Accept the rule as the run gave it (output-only keys and all): the next run matches by rule.
    let (s, v) = api
        .post(
            &format!("{P}/update"),
            json!({"items": [{"id": id, "update": {"rules": {"set": [rule]}}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["items"][0]["rules"][0].get("numConflicts").is_none(),
        "{v}"
    );
    let (_, run) = api.post(&format!("{P}/{id}/runs"), json!({})).await;
    let job2 = run["jobId"].as_i64().unwrap();
    let result = finished(&api, &format!("{P}/{id}/runs/{job2}")).await;
    assert!(
        result["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["matchType"] == "rule"),
        "{result}"
    );
    let (s, runs) = api.get(&format!("{P}/{id}/runs?limit=1")).await;
    assert_eq!(s, StatusCode::OK, "{runs}");
    assert_eq!(runs["items"][0]["jobId"], job2);
    let cursor = runs["nextCursor"].as_str().unwrap();
    let (_, older) = api
        .get(&format!("{P}/{id}/runs?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(older["items"][0]["jobId"], job);
    let (_, got) = api.get(&format!("{P}/{id}")).await;
    assert_eq!(got["lastRun"]["jobId"], job2, "{got}");

    // Refusals: a field that cannot be set, a bad rule.
    let (s, v) = api
        .post(
            &format!("{P}/update"),
            json!({"items": [{"id": id, "update": {"owner": {"set": "x"}}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = api
        .post(
            &format!("{P}/update"),
            json!({"items": [{"id": id, "update": {"scoreThreshold": {"set": 2}}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scoreThreshold"),
        "{v}"
    );

    // Delete: {}, its runs with it.
    let (s, v) = api
        .post(&format!("{P}/delete"), json!({"items": [{"id": id}]}))
        .await;
    assert_eq!((s, v), (StatusCode::OK, json!({})));
    let (s, _) = api.get(&format!("{P}/{id}/runs/{job}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
