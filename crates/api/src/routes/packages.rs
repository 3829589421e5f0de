//! Package configs (spec A.8): create (201), list newest first with cursor paging, get, PATCH
//! (slots replaced, criteria merged) and DELETE (its package runs go too); package runs (A.9):
//! synchronous creation (201, final verdict), the list filtered by config and verdict, one run.

use axum::extract::State;
use axum::http::StatusCode;
use service::{
    CursorQuery, MatchOneInput, PackageConfigInput, PackageConfigPatch, PackageRunFilter,
    PackageRunInput,
};

use super::{blocking, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, Query};
use crate::wire::{
    self, CursorParams, Deleted, MatchOneResult, PackageConfigObject, PackageConfigPage,
    PackageRunObject, PackageRunPage, PackageRunsQuery,
};
use crate::AppState;

/// Creates a package config over existing matching configs.
#[utoipa::path(post, path = "/v1/matching/packages/configs", tag = "packages",
    operation_id = "create_package_config", request_body = PackageConfigInput,
    responses((status = 201, body = PackageConfigObject), (status = 400, description = "A field is missing or wrong: `field` names it (a duplicate document type, a bad presence, an empty slot list, min_confidence outside 0..1)", body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, description = "A slot's matching config does not exist: `field` names the slot", body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Json(body): Json<PackageConfigInput>,
) -> Result<(StatusCode, axum::Json<PackageConfigObject>), HttpError> {
    let c = blocking(&s, move |w| w.create_package_config(&body)).await?;
    Ok((StatusCode::CREATED, axum::Json(wire::package_config(c))))
}

#[utoipa::path(get, path = "/v1/matching/packages/configs", tag = "packages",
    operation_id = "list_package_configs", params(CursorParams),
    responses((status = 200, body = PackageConfigPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<CursorParams>,
) -> Result<axum::Json<PackageConfigPage>, HttpError> {
    let page = blocking(&s, move |w| {
        w.package_config_page(&CursorQuery {
            cursor: q.cursor,
            limit: q.limit,
        })
    })
    .await?;
    Ok(axum::Json(PackageConfigPage {
        data: page.data.into_iter().map(wire::package_config).collect(),
        pagination: page.pagination,
    }))
}

#[utoipa::path(get, path = "/v1/matching/packages/configs/{id}", tag = "packages",
    operation_id = "get_package_config", params(("id" = String, Path)),
    responses((status = 200, body = PackageConfigObject), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<PackageConfigObject>, HttpError> {
    let c = blocking(&s, move |w| w.get_package_config(&id)).await?;
    Ok(axum::Json(wire::package_config(c)))
}

/// Changes a package config: `document_type_configs` replaced as a whole, `pass_criteria`
/// merged key by key, with the checks of creation. Past package runs keep their verdicts.
#[utoipa::path(patch, path = "/v1/matching/packages/configs/{id}", tag = "packages",
    operation_id = "patch_package_config", params(("id" = String, Path)), request_body = PackageConfigPatch,
    responses((status = 200, body = PackageConfigObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn patch(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Json(body): Json<PackageConfigPatch>,
) -> Result<axum::Json<PackageConfigObject>, HttpError> {
    let c = blocking(&s, move |w| w.patch_package_config(&id, &body)).await?;
    Ok(axum::Json(wire::package_config(c)))
}

/// Deletes the package config and every package run made from it, for good.
#[utoipa::path(delete, path = "/v1/matching/packages/configs/{id}", tag = "packages",
    operation_id = "delete_package_config", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Deleted>, HttpError> {
    blocking(&s, move |w| w.delete_package_config(&id)).await?;
    Ok(axum::Json(Deleted { deleted: true }))
}

/// Runs a package: each slot's rows are matched inline by its matching config (a normal run,
/// reviewable), and the answer is the final verdict: passed, failed, review or error.
#[utoipa::path(post, path = "/v1/matching/packages/runs", tag = "packages",
    operation_id = "run_package", request_body = PackageRunInput,
    responses((status = 201, body = PackageRunObject), (status = 400, description = "A field is missing or wrong, or `input_documents` names a type the package does not have: `field` names it", body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn run(
    State(s): State<AppState>,
    Json(body): Json<PackageRunInput>,
) -> Result<(StatusCode, axum::Json<PackageRunObject>), HttpError> {
    let r = blocking(&s, move |w| w.run_package(&body)).await?;
    Ok((StatusCode::CREATED, axum::Json(wire::package_run(r))))
}

#[utoipa::path(get, path = "/v1/matching/packages/runs", tag = "packages",
    operation_id = "list_package_runs", params(PackageRunsQuery),
    responses((status = 200, body = PackageRunPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn runs(
    State(s): State<AppState>,
    Query(q): Query<PackageRunsQuery>,
) -> Result<axum::Json<PackageRunPage>, HttpError> {
    let page = blocking(&s, move |w| {
        w.package_run_page(
            &PackageRunFilter {
                package_config_id: q.package_config_id,
                status: q.status,
            },
            &CursorQuery {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
    })
    .await?;
    Ok(axum::Json(PackageRunPage {
        data: page.data.into_iter().map(wire::package_run).collect(),
        pagination: page.pagination,
    }))
}

#[utoipa::path(get, path = "/v1/matching/packages/runs/{id}", tag = "packages",
    operation_id = "get_package_run", params(("id" = String, Path)),
    responses((status = 200, body = PackageRunObject), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_run(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<PackageRunObject>, HttpError> {
    let r = blocking(&s, move |w| w.get_package_run(&id)).await?;
    Ok(axum::Json(wire::package_run(r)))
}

/// Matches one new document now against the config's reference data (through its warm index)
/// and answers its match and top candidates; no run is stored.
#[utoipa::path(post, path = "/v1/matching/configs/{id}/match", tag = "packages",
    operation_id = "match_document", params(("id" = String, Path, description = "Config id")), request_body = MatchOneInput,
    responses((status = 200, body = MatchOneResult), (status = 400, description = "A value names a field the config does not compare: `field` names it", body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn match_one(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Json(body): Json<MatchOneInput>,
) -> Result<axum::Json<MatchOneResult>, HttpError> {
    let m = blocking(&s, move |w| w.match_one(&id, &body)).await?;
    Ok(axum::Json(wire::match_one(m)))
}
