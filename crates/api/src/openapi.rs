//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! wire types, served at /v1/openapi.json so clients can be generated.

use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{Code, ErrorEnvelope};
use crate::routes::{configs, packages, runs, smart, strategies, tables, unsupported};
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
        unsupported::from_sql,
    ),
    components(schemas(ErrorEnvelope, Code, wire::Evidence)),
    modifiers(&BearerKey),
    tags(
        (name = "reference data", description = "Tables that documents are matched against (spec A.3)"),
        (name = "document sets", description = "The documents to match (Matchbook's extension)"),
        (name = "configs", description = "Matching configs (spec A.4)"),
        (name = "runs", description = "Matching runs (spec A.6)"),
        (name = "results", description = "Results and their review (spec A.7)"),
        (name = "review desk", description = "Matchbook's extensions for reviewers: summary, bulk approval, undo"),
        (name = "strategies", description = "Matching plans learned from the data, versioned, and configs made from them (spec A.5)"),
        (name = "packages", description = "Package configs and package runs: bundles of documents judged together (spec A.8, A.9)"),
        (name = "later", description = "In the spec, not in Matchbook yet: answers 501"),
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
