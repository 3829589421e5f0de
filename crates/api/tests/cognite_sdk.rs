//! Cognite's own Python SDK (`cognite-sdk`, pinned in tests/cognite/requirements.txt), unmodified,
//! against the real server on loopback: it fits unsupervised and supervised models, waits for
//! them, predicts, reads the job's matches, refits, lists, retrieves, updates and deletes, and
//! checks the errors it raises (tests/cognite/sdk_models.py). The SDK is installed by
//! scripts/setup-debian.sh into target/cognite-venv; MATCHBOOK_COGNITE_PYTHON names another
//! interpreter that has it.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Api;

fn repo() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("MATCHBOOK_COGNITE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/cognite-venv/bin/python"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cognites_python_sdk_runs_unmodified_against_the_server() {
    let python = python();
    assert!(
        python.exists(),
        "no Python with cognite-sdk at {} (run scripts/setup-debian.sh, or set \
         MATCHBOOK_COGNITE_PYTHON)",
        python.display()
    );
    let api = Api::start().await;
    let script = repo().join("tests/cognite/sdk_models.py");
    let (base, key) = (api.base.clone(), api.key.clone());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .env("MATCHBOOK_URL", base)
            .env("MATCHBOOK_PROJECT", "matchbook")
            .env("MATCHBOOK_TOKEN", key)
            .env("MATCHBOOK_JOB_TIMEOUT", "120")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .output()
            .expect("the SDK script starts")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the SDK script failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    eprintln!("{stdout}");
}
