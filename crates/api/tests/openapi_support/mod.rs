//! What the OpenAPI tests share: the Python (a venv with the pinned openapi-spec-validator and
//! openapi-python-client of tests/openapi/requirements.txt, installed by scripts/setup-debian.sh
//! into target/openapi-venv; MATCHBOOK_OPENAPI_PYTHON names another interpreter that has them),
//! the document as the running server answers it, and running a Python tool to its end.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::Api;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's Python; fails with what to do when it is missing.
pub fn python() -> PathBuf {
    let python = std::env::var_os("MATCHBOOK_OPENAPI_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/openapi-venv/bin/python"));
    assert!(
        python.exists(),
        "no Python with openapi-spec-validator and openapi-python-client at {} (run \
         scripts/setup-debian.sh, or set MATCHBOOK_OPENAPI_PYTHON)",
        python.display()
    );
    python
}

/// `/v1/openapi.json` as the server answers it over HTTP (no key needed): its text and JSON.
pub async fn fetch_document(api: &Api) -> (String, Value) {
    let response = api
        .http
        .get(format!("{}/v1/openapi.json", api.base))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let text = response.text().await.unwrap();
    let doc = serde_json::from_str(&text).expect("the document is JSON");
    (text, doc)
}

/// Runs `python args...` to its end with the venv's bin folder first on PATH (the generator
/// formats its output with the venv's ruff), no proxy, and `envs` set.
pub async fn run_python<I, S>(python: &Path, args: I, envs: Vec<(String, String)>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(python);
    command.args(args);
    let bin = python.parent().unwrap().to_path_buf();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(bin).chain(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env("NO_PROXY", "127.0.0.1,localhost");
    for (k, v) in envs {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().expect("Python starts"))
        .await
        .unwrap()
}

/// stdout and stderr of a finished process, for messages.
pub fn printed(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every operation of the document: (method, path, operationId if any).
pub fn operations(doc: &Value) -> Vec<(String, String, Option<String>)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if METHODS.contains(&method.as_str()) {
                let id = op["operationId"].as_str().map(str::to_string);
                out.push((method.clone(), path.clone(), id));
            }
        }
    }
    out
}
