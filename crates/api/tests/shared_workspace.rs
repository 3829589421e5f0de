//! The server beside another writer on the same workspace file (issue 11): review requests wait
//! for the other writer's transactions instead of failing, and a contention that outlasts the
//! wait is `503 busy` with Retry-After, never a 500.

mod common;

use std::sync::Arc;

use common::Api;
use reqwest::StatusCode;
use serde_json::json;
use service::{OpenOptions, ReviewInput, Workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reviews_over_http_wait_for_another_writer() {
    let api = Api::start().await;
    let (run_id, _) = api.completed_run().await;
    let (s, page) = api
        .get(&format!("/v1/matching/runs/{run_id}/results?limit=100"))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 10, "{page}");

    // A second open workspace on the same file has connections of its own, exactly as another
    // process does: it rejects and re-approves every result in a loop while the clients review.
    let path = api.dir.path().join("w.sqlite");
    let other = Arc::new(
        Workspace::open(
            &path,
            tokio::runtime::Handle::current(),
            OpenOptions {
                user: "other".into(),
                take_over_runs: false,
                ..OpenOptions::default()
            },
        )
        .unwrap(),
    );
    let writer = {
        let (other, run_id, ids) = (other.clone(), run_id.clone(), ids.clone());
        tokio::task::spawn_blocking(move || {
            let mut refused = Vec::new();
            for round in 0..20 {
                for id in &ids {
                    let status = if round % 2 == 0 {
                        engine::ReviewStatus::Rejected
                    } else {
                        engine::ReviewStatus::Approved
                    };
                    let input = ReviewInput {
                        status,
                        notes: None,
                        reference_row_id: None,
                    };
                    if let Err(e) = other.review_result(&run_id, id, &input) {
                        refused.push(e.to_string());
                    }
                }
            }
            refused
        })
    };
    let mut clients = Vec::new();
    for c in 0..8 {
        let (http, base, key, run_id, ids) = (
            api.http.clone(),
            api.base.clone(),
            api.key.clone(),
            run_id.clone(),
            ids.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut bad = Vec::new();
            for (i, id) in ids.iter().enumerate().cycle().skip(c).take(60) {
                let status = if i % 2 == 0 { "approved" } else { "rejected" };
                let r = http
                    .post(format!(
                        "{base}/v1/matching/runs/{run_id}/results/{id}/review"
                    ))
                    .bearer_auth(&key)
                    .json(&json!({ "status": status }))
                    .send()
                    .await
                    .unwrap();
                if r.status() != StatusCode::OK {
                    bad.push(format!(
                        "{} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    ));
                }
            }
            bad
        }));
    }
    let mut failed = Vec::new();
    for c in clients {
        failed.extend(c.await.unwrap());
    }
    let refused = writer.await.unwrap();
    assert!(failed.is_empty(), "HTTP reviews failed: {failed:?}");
    assert!(
        refused.is_empty(),
        "the other writer was refused: {refused:?}"
    );
    // Every decision of both writers is in the log.
    let mut logged = 0;
    for id in &ids {
        logged += api.ws.result_decisions(id).unwrap().len();
    }
    assert_eq!(logged, 8 * 60 + 20 * ids.len());
}

#[test]
fn a_busy_workspace_is_503_with_retry_after() {
    use axum::response::IntoResponse;
    let e = service::ServiceError::Store(service::StoreError::Busy { seconds: 10 });
    let response = api::HttpError::from(e).into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let e = service::ServiceError::Store(service::StoreError::ReadOnly);
    let response = api::HttpError::from(e).into_response();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
