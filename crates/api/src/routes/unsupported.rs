//! Endpoints of the spec that come with later issues (smart runs, AI resolution, packages, SQL
//! import). They answer 501 with a message saying so, rather than a 404 that would read as
//! "wrong URL".

use crate::error::{ErrorEnvelope, HttpError};

#[utoipa::path(post, path = "/v1/matching/configs/{id}/smart-run", tag = "runs",
    params(("id" = String, Path, description = "Config id")),
    responses((status = 501, description = "Smart runs are not available yet", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn smart_run() -> HttpError {
    HttpError::not_implemented("Smart runs (POST /v1/matching/configs/{id}/smart-run)")
}

#[utoipa::path(post, path = "/v1/matching/runs/{id}/ai-resolve", tag = "runs",
    params(("id" = String, Path, description = "Run id")),
    responses((status = 501, description = "AI resolution is not available yet", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn ai_resolve() -> HttpError {
    HttpError::not_implemented("AI resolution (POST /v1/matching/runs/{id}/ai-resolve)")
}

#[utoipa::path(get, path = "/v1/matching/packages/configs", tag = "later",
    responses((status = 501, description = "Packages are not available yet", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn packages() -> HttpError {
    HttpError::not_implemented("Package configs and package runs (/v1/matching/packages)")
}

#[utoipa::path(post, path = "/v1/matching/reference-data/from-sql", tag = "reference data",
    responses((status = 501, description = "SQL import is not available", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn from_sql() -> HttpError {
    HttpError::not_implemented(
        "Importing reference data from a SQL database (POST /v1/matching/reference-data/from-sql)",
    )
}
