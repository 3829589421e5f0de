//! A client generated from the served OpenAPI document by a common generator
//! (openapi-python-client, pinned in tests/openapi/requirements.txt), unmodified, does a
//! reviewer's work against the real server on loopback over a real SQLite workspace:
//! tests/openapi/client_workflow.py uploads reference data and documents (CSV files), creates a
//! config, runs it, pages through the results and approves one. The generator must not drop
//! any part of the document (it warns when it cannot read a schema), and every answer the script
//! gets must fit the schema the document declares for it.

mod common;
mod openapi_support;

use common::{fixture, Api};
use openapi_support::{fetch_document, printed, python, repo, run_python};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_generated_python_client_uploads_runs_pages_and_reviews() {
    let python = python();
    let api = Api::start().await;
    let (text, _) = fetch_document(&api).await;
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, &text).unwrap();
    let output = dir.path().join("client");

    let generated = run_python(
        &python,
        [
            "-m".as_ref(),
            "openapi_python_client".as_ref(),
            "generate".as_ref(),
            "--path".as_ref(),
            spec.as_os_str(),
            "--output-path".as_ref(),
            output.as_os_str(),
        ],
        vec![],
    )
    .await;
    let log = printed(&generated);
    assert!(generated.status.success(), "the generator failed:\n{log}");
    // It says "Warning(s) encountered" (and "Unable to process schema ...") when it leaves out
    // a schema or an endpoint it cannot read.
    for complaint in ["Warning", "WARNING", "Unable to", "Error"] {
        assert!(
            !log.contains(complaint),
            "the generator could not read all of the document:\n{log}"
        );
    }
    let package = output.join("matchbook_local_matching_api_client");
    assert!(
        package.join("api/results/review_result.py").exists(),
        "{log}"
    );

    let script = repo().join("tests/openapi/client_workflow.py");
    let out = run_python(
        &python,
        [script.as_os_str()],
        vec![
            ("PYTHONPATH".into(), output.display().to_string()),
            ("MATCHBOOK_URL".into(), api.base.clone()),
            ("MATCHBOOK_TOKEN".into(), api.key.clone()),
            ("MATCHBOOK_SPEC".into(), spec.display().to_string()),
            (
                "MATCHBOOK_FIXTURES".into(),
                fixture("").display().to_string(),
            ),
            ("MATCHBOOK_RUN_TIMEOUT".into(), "60".into()),
        ],
    )
    .await;
    let printed = printed(&out);
    assert!(
        out.status.success(),
        "the client workflow failed:\n{printed}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON summary last:\n{printed}"));
    eprintln!("{summary}");
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["reference_rows"], 12, "{summary}");
    assert_eq!(summary["documents"], 12, "{summary}");
    assert_eq!(summary["run_status"], "completed", "{summary}");
    assert_eq!(summary["results"], 12, "{summary}");
    assert!(summary["pages"].as_u64().unwrap() >= 2, "{summary}");
    assert_eq!(summary["reviewed_status"], "approved", "{summary}");
    assert!(
        summary["responses_checked"].as_u64().unwrap() >= 10,
        "{summary}"
    );

    // What the client did is in the workspace, seen from this side too.
    let run_id = summary["run_id"].as_str().unwrap();
    let result_id = summary["reviewed_result_id"].as_str().unwrap();
    let (s, result) = api
        .get(&format!("/v1/matching/runs/{run_id}/results/{result_id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{result}");
    assert_eq!(result["status"], "approved", "{result}");
    let (s, run) = api.get(&format!("/v1/matching/runs/{run_id}")).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(run["matching_config_id"], summary["config_id"], "{run}");
}
