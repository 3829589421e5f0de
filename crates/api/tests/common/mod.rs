//! A real server on an ephemeral loopback port over a real SQLite workspace, and a client that
//! sends the workspace's API key.
#![allow(dead_code)]

pub mod orders;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::{Limits, ServeOptions, Server};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use service::{OpenOptions, Workspace};

pub struct Api {
    pub server: Option<Server>,
    pub ws: Arc<Workspace>,
    pub key: String,
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

impl Api {
    pub async fn start() -> Api {
        Api::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Api {
        let dir = tempfile::tempdir().unwrap();
        let ws = Arc::new(
            Workspace::open(
                &dir.path().join("w.sqlite"),
                tokio::runtime::Handle::current(),
                OpenOptions::default(),
            )
            .unwrap(),
        );
        let key = ws
            .ensure_api_key()
            .unwrap()
            .expect("a new workspace has no key")
            .key;
        let server = Server::start(ws.clone(), ServeOptions { port: 0, limits })
            .await
            .unwrap();
        let base = server.url();
        Api {
            server: Some(server),
            ws,
            key,
            base,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            dir,
        }
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.req(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.req(Method::POST, path).json(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.req(Method::PUT, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.req(Method::DELETE, path)).await
    }

    /// Uploads a fixture file as reference data or documents.
    pub async fn upload(
        &self,
        path: &str,
        file: &str,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let bytes = std::fs::read(fixture(file)).unwrap();
        self.upload_bytes(path, file, bytes, extra).await
    }

    /// Uploads `bytes` as the file `name` (a table a test wrote itself).
    pub async fn upload_bytes(
        &self,
        path: &str,
        name: &str,
        bytes: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        for (k, v) in extra {
            form = form.text(k.to_string(), v.to_string());
        }
        send(self.req(Method::POST, path).multipart(form)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.req(Method::PATCH, path).json(&body)).await
    }

    /// The small PO fixture uploaded as reference data.
    pub async fn small_reference(&self) -> Value {
        let (s, reference) = self
            .upload(
                "/v1/reference-data",
                "pos_small.csv",
                &[("id_column", "po_id")],
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{reference}");
        reference
    }

    /// Reference data and documents of the small fixtures, and a config over them: (config id,
    /// reference id, documents id).
    pub async fn small_config(&self) -> (String, String, String) {
        let reference = self.small_reference().await;
        let (s, docs) = self
            .upload("/v1/document-sets", "invoices_small.csv", &[])
            .await;
        assert_eq!(s, StatusCode::CREATED, "{docs}");
        let (s, config) = self
            .post(
                "/v1/matching/configs",
                invoice_config(&reference["id"], &docs["id"]),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{config}");
        (
            config["id"].as_str().unwrap().to_string(),
            reference["id"].as_str().unwrap().to_string(),
            docs["id"].as_str().unwrap().to_string(),
        )
    }

    /// Polls a run until it is no longer queued, running or resolving.
    pub async fn wait_run(&self, run_id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (s, run) = self.get(&format!("/v1/matching/runs/{run_id}")).await;
            assert_eq!(s, StatusCode::OK, "{run}");
            if !matches!(
                run["status"].as_str(),
                Some("queued" | "running" | "ai_resolving")
            ) {
                return run;
            }
            assert!(Instant::now() < deadline, "run {run_id} did not finish");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A completed run of the small config: (run id, config id).
    pub async fn completed_run(&self) -> (String, String) {
        let (config_id, _, _) = self.small_config().await;
        let (s, run) = self
            .post(&format!("/v1/matching/configs/{config_id}/run"), json!({}))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{run}");
        let id = run["id"].as_str().unwrap().to_string();
        let done = self.wait_run(&id).await;
        assert_eq!(done["status"], "completed", "{done}");
        (id, config_id)
    }
}

pub async fn send(req: RequestBuilder) -> (StatusCode, Value) {
    let response: Response = req.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

pub fn invoice_config(reference_id: &Value, documents_id: &Value) -> Value {
    json!({
        "name": "Invoices to POs",
        "reference_data_id": reference_id,
        "document_set_id": documents_id,
        "field_mappings": [
            {"source": "vendor_name", "target": "vendor_name", "strategy": "fuzzy", "weight": 0.3, "similarity_threshold": 0.5},
            {"source": "po_reference", "target": "po_number", "strategy": "fuzzy", "weight": 0.4, "similarity_threshold": 0.6},
            {"source": "total_amount", "target": "net_amount", "strategy": "numeric_range", "weight": 0.2, "tolerance_percent": 22.0},
            {"source": "invoice_date", "target": "order_date", "strategy": "date_range", "weight": 0.1, "tolerance_days": 45}
        ],
        "threshold": 0.7,
        "review_floor": 0.4
    })
}

/// Checks the spec's flat error envelope and returns its code.
pub fn envelope(status: StatusCode, body: &Value, path: &str) -> String {
    assert_eq!(body["statusCode"], status.as_u16(), "{body}");
    assert_eq!(body["error"], status.canonical_reason().unwrap(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["retryable"].is_boolean(), "{body}");
    assert!(
        body["request_id"].as_str().unwrap().starts_with("req_"),
        "{body}"
    );
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
    assert_eq!(body["path"], path, "{body}");
    body["code"].as_str().unwrap().to_string()
}
