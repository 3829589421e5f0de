//! The OpenAPI document that the running server answers at /v1/openapi.json is valid: the
//! standard validator (openapi-spec-validator, pinned in tests/openapi/requirements.txt) accepts
//! it, and it refuses the same document with a repeated operation id, so the check can fail.
//! Checked here in Rust too: every operation has an id, ids are unique and usable as function
//! names, and every `$ref` resolves.

mod common;
mod openapi_support;

use std::collections::HashMap;

use common::Api;
use openapi_support::{fetch_document, operations, printed, python, run_python};
use serde_json::Value;

/// The operation ids used more than once, or missing; empty when all is well.
fn operation_id_problems(doc: &Value) -> Vec<String> {
    let mut uses: HashMap<String, Vec<String>> = HashMap::new();
    let mut problems = Vec::new();
    for (method, path, id) in operations(doc) {
        match id {
            Some(id) => uses.entry(id).or_default().push(format!("{method} {path}")),
            None => problems.push(format!("{method} {path} has no operationId")),
        }
    }
    for (id, ops) in uses {
        if ops.len() > 1 {
            problems.push(format!("operationId {id} is used by {}", ops.join(", ")));
        }
        let identifier = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !identifier {
            problems.push(format!("operationId {id} is not a snake_case name"));
        }
    }
    problems.sort();
    problems
}

/// Every `$ref` of the document, with whether it resolves within it.
fn refs(value: &Value, doc: &Value, out: &mut Vec<(String, bool)>) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                let resolves = r
                    .strip_prefix('#')
                    .and_then(|pointer| doc.pointer(pointer))
                    .is_some();
                out.push((r.clone(), resolves));
            }
            o.values().for_each(|v| refs(v, doc, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, doc, out)),
        _ => {}
    }
}

/// Runs openapi-spec-validator on `text` (written to a file): its exit status and output.
async fn validate(text: &str) -> (bool, String) {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, text).unwrap();
    let out = run_python(
        &python,
        [
            "-m".as_ref(),
            "openapi_spec_validator".as_ref(),
            file.as_os_str(),
        ],
        vec![],
    )
    .await;
    (out.status.success(), printed(&out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_passes_the_standard_validator() {
    python();
    let api = Api::start().await;
    let (text, doc) = fetch_document(&api).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");

    let (valid, output) = validate(&text).await;
    assert!(
        valid,
        "openapi-spec-validator refuses /v1/openapi.json:\n{output}"
    );
    assert!(output.contains(": OK"), "{output}");

    // The same document with one operation id repeated: the validator must refuse it.
    let mut broken = doc.clone();
    let first = operations(&doc)
        .into_iter()
        .find_map(|(_, _, id)| id)
        .unwrap();
    broken["paths"]["/v1/matching/runs"]["get"]["operationId"] = Value::String(first.clone());
    let (valid, output) = validate(&broken.to_string()).await;
    assert!(
        !valid,
        "the validator accepted a repeated operation id {first}:\n{output}"
    );
    assert!(
        output.contains(&first),
        "the validator's complaint does not name {first}:\n{output}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_ids_are_unique_and_every_ref_resolves() {
    let api = Api::start().await;
    let (_, doc) = fetch_document(&api).await;

    let problems = operation_id_problems(&doc);
    assert!(problems.is_empty(), "{problems:#?}");
    let ids: Vec<String> = operations(&doc)
        .into_iter()
        .filter_map(|(_, _, id)| id)
        .collect();
    for id in [
        "list_configs",
        "list_runs",
        "create_config",
        "start_run",
        "get_run",
        "list_results",
        "review_result",
        "create_reference_data",
        "create_document_set",
    ] {
        assert!(ids.iter().any(|i| i == id), "no operation {id}: {ids:?}");
    }
    // The check itself finds a repeated id (the bug this test was written for: `list` twice).
    let mut broken = doc.clone();
    broken["paths"]["/v1/matching/runs"]["get"]["operationId"] = "list".into();
    broken["paths"]["/v1/matching/configs"]["get"]["operationId"] = "list".into();
    let found = operation_id_problems(&broken);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("operationId list is used by")),
        "{found:?}"
    );

    let mut all = Vec::new();
    refs(&doc, &doc, &mut all);
    assert!(all.len() > 50, "only {} $refs", all.len());
    let dangling: Vec<&String> = all.iter().filter(|(_, ok)| !ok).map(|(r, _)| r).collect();
    assert!(
        dangling.is_empty(),
        "$refs that resolve to nothing: {dangling:?}"
    );
    // Uploads are described: a generated client can send a file.
    assert_eq!(
        doc["paths"]["/v1/reference-data"]["post"]["requestBody"]["content"]["multipart/form-data"]
            ["schema"]["$ref"],
        "#/components/schemas/UploadForm"
    );
    assert_eq!(
        doc["components"]["schemas"]["UploadForm"]["properties"]["file"]["format"],
        "binary"
    );
}
