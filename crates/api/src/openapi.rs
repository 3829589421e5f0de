//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! wire types, served at /v1/openapi.json so clients can be generated.

use axum::response::IntoResponse;
use serde_json::{Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{Code, ErrorEnvelope};
use crate::routes::{configs, packages, runs, smart, sql, strategies, tables};
use crate::wire;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The workspace's API key (mbk_...)"))
                    .build(),
            ),
        );
    }
}

/// Rewrites what utoipa derives and client generators cannot read into equivalent shapes they
/// can (openapi-python-client fails on each; crates/api/tests/openapi_client.rs checks that a
/// client it generates works, with tests/openapi/client_workflow.py):
/// - a tuple (`(i64, i64)`: `prefixItems` with `items: false`) becomes an array of exactly that
///   many items of the tuple's one item type;
/// - a union member that is an `allOf` of a referenced object and an inline one (a tagged enum's
///   newtype variant: the struct plus its `kind`) becomes the one object with both's properties;
/// - a request body of more than one content type (JSON rows or a multipart upload) is not
///   marked `required`: openapi-python-client (0.29.1; its issue #1451) then writes a client that
///   names a type it never imports. Left out, the body is a 400 that says what to send.
struct ForGenerators;

impl Modify for ForGenerators {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let mut doc = serde_json::to_value(&*api).expect("the OpenAPI document is JSON");
        let schemas = doc["components"]["schemas"].clone();
        fix_schemas(&mut doc, &schemas);
        if let Some(paths) = doc["paths"].as_object_mut() {
            let operations = paths.values_mut().filter_map(Value::as_object_mut);
            for op in operations.flat_map(|item| item.values_mut()) {
                if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
                    if body["content"].as_object().is_some_and(|c| c.len() > 1) {
                        body.remove("required");
                    }
                }
            }
        }
        *api = serde_json::from_value(doc).expect("the rewritten OpenAPI document reads back");
    }
}

fn fix_schemas(value: &mut Value, schemas: &Value) {
    match value {
        Value::Object(o) => {
            fix_tuple(o);
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(members)) = o.get_mut(key) {
                    for m in members.iter_mut() {
                        if let Some(merged) = merged_all_of(m, schemas) {
                            *m = merged;
                        }
                    }
                }
            }
            for v in o.values_mut() {
                fix_schemas(v, schemas);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| fix_schemas(v, schemas)),
        _ => {}
    }
}

/// `prefixItems` with `items: false` -> `items` (the tuple's one item type), `minItems` and
/// `maxItems`.
fn fix_tuple(o: &mut Map<String, Value>) {
    if o.get("items") != Some(&Value::Bool(false)) {
        return;
    }
    let Some(Value::Array(prefix)) = o.get("prefixItems") else {
        return;
    };
    let (len, first) = (prefix.len(), prefix.first().cloned());
    let Some(item) = first.filter(|f| prefix.iter().all(|p| p == f)) else {
        return;
    };
    o.remove("prefixItems");
    o.insert("items".into(), item);
    o.insert("minItems".into(), len.into());
    o.insert("maxItems".into(), len.into());
}

/// `allOf: [{$ref: X}, {type: object, ...}]` -> X's object schema with the inline one's
/// properties and required names added; None for any other shape.
fn merged_all_of(member: &Value, schemas: &Value) -> Option<Value> {
    let parts = member.get("allOf")?.as_array()?;
    let mut merged = Map::new();
    merged.insert("type".into(), "object".into());
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(r) => schemas.get(r.strip_prefix("#/components/schemas/")?)?,
            None => part,
        };
        if part.get("type").and_then(Value::as_str) != Some("object") {
            return None;
        }
        if let Some(p) = part.get("properties").and_then(Value::as_object) {
            properties.extend(p.clone());
        }
        for r in part
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
        if let Some(d) = part.get("description") {
            merged.entry("description").or_insert_with(|| d.clone());
        }
    }
    if let Some(d) = member.get("description") {
        merged.insert("description".into(), d.clone());
    }
    merged.insert("required".into(), required.into());
    merged.insert("properties".into(), properties.into());
    Some(merged.into())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Matchbook local matching API",
        description = "The matching API (configs, strategies, runs, results, review) served by Matchbook on 127.0.0.1. \
                       Errors use one flat envelope; see ErrorEnvelope.",
        version = env!("CARGO_PKG_VERSION")
    ),
    servers((url = "http://127.0.0.1:{port}", variables(("port" = (default = "8750", description = "The port `matchbook serve` listens on"))))),
    paths(
        tables::list_reference, tables::create_reference, tables::get_reference, tables::delete_reference,
        tables::reference_rows, tables::export_reference,
        sql::from_sql, sql::preview, sql::refresh, sql::cancel_import,
        tables::list_documents, tables::create_documents, tables::get_documents, tables::delete_documents,
        tables::document_rows, tables::export_documents,
        configs::list, configs::create, configs::get, configs::update, configs::delete,
        runs::start, runs::list, runs::detail, runs::progress, runs::cancel,
        runs::results, runs::result, runs::review, runs::decisions,
        runs::summary, runs::bulk_count, runs::bulk_approve, runs::revert,
        strategies::generate, strategies::list, strategies::get, strategies::patch,
        strategies::create_config,
        smart::smart_run, smart::ai_resolve, smart::answer_suggestion, packages::create, packages::list, packages::get, packages::patch, packages::delete,
        packages::run, packages::runs, packages::get_run, packages::match_one,
    ),
    components(schemas(ErrorEnvelope, Code, wire::Evidence)),
    modifiers(&BearerKey, &ForGenerators),
    tags(
        (name = "reference data", description = "Tables that documents are matched against (spec A.3): from JSON rows, a file or a database query"),
        (name = "document sets", description = "The documents to match (Matchbook's extension)"),
        (name = "configs", description = "Matching configs (spec A.4)"),
        (name = "runs", description = "Matching runs (spec A.6)"),
        (name = "results", description = "Results and their review (spec A.7)"),
        (name = "review desk", description = "Matchbook's extensions for reviewers: summary, bulk approval, undo"),
        (name = "strategies", description = "Matching plans learned from the data, versioned, and configs made from them (spec A.5)"),
        (name = "packages", description = "Package configs and package runs: bundles of documents judged together (spec A.8, A.9)"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text.
pub fn json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub async fn document() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json(),
    )
}
