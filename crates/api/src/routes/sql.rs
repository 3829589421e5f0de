//! Reference data read from a database (spec A.3.3 `from-sql`): a preview, an import that
//! answers 202 as soon as the columns are known while the rows stream in, a refresh into a new
//! version and the cancel of either. Served under both reference-data paths, like the rest.
//!
//! [inferred] The spec only names `POST /matching/reference-data/from-sql` and says the import
//! is asynchronous with the columns known at once. The status codes (202 for what continues in
//! the background, as runs; 409 for a refresh of a file or a cancel with nothing importing), the
//! preview, refresh and cancel-import endpoints are Matchbook's (docs/DECISIONS.md).

use axum::extract::State;
use axum::http::StatusCode;
use engine::{DatasetKind, DatasetStatus};

use super::tables::dataset_of_kind;
use super::{blocking, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, OptionalJson};
use crate::wire::{self, FromSql, RefreshTable, SqlPreview, Table};
use crate::AppState;

/// Starts importing the rows of a read-only query as reference data. Answers 202 once the
/// database has described the columns: the table is `importing`, with its `columns`; poll its
/// `links.self` until it is `ready` (or `failed`, with `error`). What fails before any row is
/// read (a query that is not a SELECT, an unknown table, a wrong password, an unreachable
/// server) is a 400 naming the field to change, in the database's own words, and stores
/// nothing. Also served at /v1/reference-data/from-sql.
#[utoipa::path(post, path = "/v1/matching/reference-data/from-sql", tag = "reference data",
    operation_id = "import_reference_data_from_sql",
    request_body = FromSql,
    responses(
        (status = 202, description = "The import runs in the background; columns are known", body = Table),
        (status = 400, description = "The request, the connection, the password or the query is at fault (`field`)", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn from_sql(
    State(s): State<AppState>,
    Json(body): Json<FromSql>,
) -> Result<(StatusCode, axum::Json<Table>), HttpError> {
    let req = service::SqlImportRequest::from(body);
    let dataset = blocking(&s, move |w| w.import_sql(&req)).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(wire::table(dataset))))
}

/// The columns (with the database's types and the types a table would give them) and the first
/// 10 rows of a query, as an import would read them. Nothing is stored. Also served at
/// /v1/reference-data/from-sql/preview.
#[utoipa::path(post, path = "/v1/matching/reference-data/from-sql/preview", tag = "reference data",
    operation_id = "preview_reference_data_from_sql",
    request_body = FromSql,
    responses(
        (status = 200, body = SqlPreview),
        (status = 400, description = "The request, the connection, the password or the query is at fault (`field`)", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn preview(
    State(s): State<AppState>,
    Json(body): Json<FromSql>,
) -> Result<axum::Json<SqlPreview>, HttpError> {
    let req = service::SqlImportRequest::from(body);
    let preview = blocking(&s, move |w| w.preview_sql(&req)).await?;
    Ok(axum::Json(wire::sql_preview(preview)))
}

/// Re-runs the query of a table read from a database into a new version, in the background:
/// 202 with the table `importing`; it turns `ready` with `version` one higher, or `failed` with
/// `error` while the previous version stays in use. Runs started meanwhile use the previous
/// version. 409 for a table imported from a file, or one already importing.
#[utoipa::path(post, path = "/v1/reference-data/{id}/refresh", tag = "reference data",
    operation_id = "refresh_reference_data",
    params(("id" = String, Path)),
    request_body(content = Option<RefreshTable>, description = "May be left out"),
    responses(
        (status = 202, description = "The refresh runs in the background", body = Table),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "Not read from a database, or already importing", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn refresh(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    OptionalJson(body): OptionalJson<RefreshTable>,
) -> Result<(StatusCode, axum::Json<Table>), HttpError> {
    dataset_of_kind(&s, DatasetKind::Reference, id.clone()).await?;
    let req = service::RefreshRequest::from(body.unwrap_or_default());
    let dataset = blocking(&s, move |w| w.refresh_dataset(&id, &req)).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(wire::table(dataset))))
}

/// Stops the import (or refresh) in progress. The answer is the table as the cancel found it;
/// the import stops within moments: a first import's table then disappears (404), a refreshed
/// one is `ready` again at its previous version. 409 when nothing is importing.
#[utoipa::path(post, path = "/v1/reference-data/{id}/cancel-import", tag = "reference data",
    operation_id = "cancel_reference_data_import",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = Table),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, description = "The table is not importing", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn cancel_import(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Table>, HttpError> {
    let before = dataset_of_kind(&s, DatasetKind::Reference, id.clone()).await?;
    match blocking(&s, move |w| w.cancel_import(&id)).await {
        Ok(d) => Ok(axum::Json(wire::table(d))),
        // The import saw the cancel and removed its table before the service read it back: the
        // cancel took effect, so the answer is the table as it was asked about.
        Err(e)
            if e.status == StatusCode::NOT_FOUND && before.status == DatasetStatus::Importing =>
        {
            Ok(axum::Json(wire::table(before)))
        }
        Err(e) => Err(e),
    }
}
