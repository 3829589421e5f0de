//! Reference data (spec A.3) and, as Matchbook's extension, document sets: the two kinds of
//! table share one set of handlers, bound to a kind. A table of the other kind is a 404 here.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use engine::DatasetKind;
use service::{ImportRequest, RowsImport, UploadImport};

use super::{blocking, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::Query;
use crate::wire::{
    self, CreateTable, Deleted, PagePagination, PageQuery, RowsPage, Table, TablePage,
};
use crate::AppState;

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 500;

fn noun(kind: DatasetKind) -> &'static str {
    match kind {
        DatasetKind::Reference => "reference data",
        DatasetKind::Documents => "document set",
    }
}

pub(super) async fn dataset_of_kind(
    state: &AppState,
    kind: DatasetKind,
    id: String,
) -> Result<engine::Dataset, HttpError> {
    let shown = id.clone();
    let d = blocking(state, move |w| w.get_dataset(&id))
        .await
        .map_err(|e| match e.status {
            StatusCode::NOT_FOUND => {
                HttpError::not_found(format!("{} {shown} not found", noun(kind)))
            }
            _ => e,
        })?;
    if d.kind != kind {
        return Err(HttpError::not_found(format!(
            "{} {shown} not found",
            noun(kind)
        )));
    }
    Ok(d)
}

async fn list(state: AppState, kind: DatasetKind, q: PageQuery) -> Result<TablePage, HttpError> {
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(l) if (1..=MAX_LIMIT).contains(&l) => l,
        Some(_) => {
            return Err(HttpError::validation(
                "limit",
                format!("must be 1 to {MAX_LIMIT}"),
            ))
        }
    };
    let page = match q.page {
        None => 1,
        Some(0) => return Err(HttpError::validation("page", "pages start at 1")),
        Some(p) => p,
    };
    let all: Vec<engine::Dataset> = blocking(&state, |w| w.list_datasets())
        .await?
        .into_iter()
        .filter(|d| d.kind == kind)
        .collect();
    let total = all.len() as u64;
    let data = all
        .into_iter()
        .skip(((page - 1) as usize).saturating_mul(limit as usize))
        .take(limit as usize)
        .map(wire::table)
        .collect();
    Ok(TablePage {
        data,
        pagination: PagePagination { total, page, limit },
    })
}

/// Text of a multipart field, with its size already bounded by the body limit.
async fn field_text(
    field: axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, HttpError> {
    field
        .text()
        .await
        .map_err(|e| HttpError::validation(name, format!("could not be read: {e}")))
}

async fn create(state: AppState, kind: DatasetKind, req: Request) -> Result<Response, HttpError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let dataset = if content_type.starts_with("multipart/form-data") {
        let (file_name, bytes, options) = upload_form(req, kind).await?;
        blocking(&state, move |w| {
            w.import_upload(&UploadImport {
                file_name: &file_name,
                bytes: &bytes,
                options,
            })
        })
        .await?
    } else {
        let crate::extract::Json(body) =
            crate::extract::Json::<CreateTable>::from_request(req, &()).await?;
        blocking(&state, move |w| {
            w.import_rows(&RowsImport {
                kind,
                name: body.name,
                id_column: body.id_column,
                filename_column: body.filename_column,
                data: body.data,
            })
        })
        .await?
    };
    Ok((StatusCode::CREATED, axum::Json(wire::table(dataset))).into_response())
}

/// The multipart upload form: the file (its name and bytes) and the import options beside it.
async fn upload_form(
    req: Request,
    kind: DatasetKind,
) -> Result<(String, Vec<u8>, ImportRequest), HttpError> {
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| HttpError::validation("", format!("the form could not be read: {e}")))?;
    let mut options = ImportRequest::new(String::new(), kind);
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            crate::too_large()
        } else {
            HttpError::validation("", format!("the form could not be read: {e}"))
        }
    })? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        crate::too_large()
                    } else {
                        HttpError::validation("file", format!("could not be read: {e}"))
                    }
                })?;
                file = Some((file_name, bytes.to_vec()));
            }
            "name" => options.name = Some(field_text(field, &name).await?),
            "id_column" => options.id_column = Some(field_text(field, &name).await?),
            "filename_column" => options.filename_column = Some(field_text(field, &name).await?),
            "delimiter" => options.delimiter = Some(field_text(field, &name).await?),
            "encoding" => options.encoding = Some(field_text(field, &name).await?),
            "sheet" => options.sheet = Some(field_text(field, &name).await?),
            "has_header" => {
                let text = field_text(field, &name).await?;
                // Generated clients send Python's `True` for a boolean form field.
                options.has_header = Some(match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => {
                        return Err(HttpError::validation(
                            "has_header",
                            format!("'{other}' is not true or false"),
                        ))
                    }
                });
            }
            other => {
                return Err(HttpError::validation(
                    other,
                    "is not a field of this form (file, name, id_column, filename_column, delimiter, encoding, has_header, sheet)",
                ))
            }
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(HttpError::validation(
            "file",
            "attach the file to import as the form field 'file'",
        ));
    };
    Ok((file_name, bytes, options))
}

async fn rows(
    state: AppState,
    kind: DatasetKind,
    id: String,
    q: PageQuery,
) -> Result<RowsPage, HttpError> {
    dataset_of_kind(&state, kind, id.clone()).await?;
    let page = blocking(&state, move |w| w.dataset_rows(&id, q.page, q.limit)).await?;
    Ok(wire::rows_page(page))
}

async fn export(state: AppState, kind: DatasetKind, id: String) -> Result<Response, HttpError> {
    let d = dataset_of_kind(&state, kind, id.clone()).await?;
    let bytes = blocking(&state, move |w| {
        let mut out = Vec::new();
        w.write_dataset_csv(&id, &mut out)?;
        Ok(out)
    })
    .await?;
    let file: String = d
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

async fn delete(state: AppState, kind: DatasetKind, id: String) -> Result<Deleted, HttpError> {
    dataset_of_kind(&state, kind, id.clone()).await?;
    blocking(&state, move |w| w.delete_dataset(&id)).await?;
    Ok(Deleted { deleted: true })
}

/// A file to import (spec A.3.3), sent as `multipart/form-data`: the file and, beside it, the
/// import options (`upload_form` reads them). Options left out are guessed from the file; a form
/// field is text, so none of them is ever null.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only describes the form for the OpenAPI document.
pub struct UploadForm {
    /// CSV, TSV, XLSX, XLS, ODS or JSON; the file name's extension tells which.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The table's name; default: the file name without its extension.
    #[schema(required = false)]
    name: String,
    /// The column whose values identify a row; guessed (`document_id`, `id`, `*_id`) when absent.
    #[schema(required = false)]
    id_column: String,
    /// Document sets: the column with each document's file name; guessed when absent.
    #[schema(required = false)]
    filename_column: String,
    /// Text files: the delimiter (`,`, `;`, a tab or `|`); detected when absent.
    #[schema(required = false)]
    delimiter: String,
    /// Text files: `utf-8`, `windows-1252`, `utf-16le` or `utf-16be`; detected when absent.
    #[schema(required = false)]
    encoding: String,
    /// Whether the first non-empty row names the columns: `true` (default) or `false`.
    #[schema(required = false)]
    has_header: bool,
    /// Spreadsheets: the sheet to read; default the first.
    #[schema(required = false)]
    sheet: String,
}

// ---- reference data ---------------------------------------------------------------------------

#[utoipa::path(get, path = "/v1/reference-data", tag = "reference data", operation_id = "list_reference_data", params(PageQuery),
    responses((status = 200, body = TablePage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_reference(
    State(s): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<TablePage>, HttpError> {
    list(s, DatasetKind::Reference, q).await.map(axum::Json)
}

/// JSON rows (`application/json`, spec A.3.2) or a file (`multipart/form-data` with the field
/// `file`: CSV, TSV, XLSX, XLS, ODS or JSON; spec A.3.3). Also served at
/// /v1/matching/reference-data.
#[utoipa::path(post, path = "/v1/reference-data", tag = "reference data", operation_id = "create_reference_data",
    request_body(content((CreateTable = "application/json"), (UploadForm = "multipart/form-data")), description = "JSON rows, or a file in a multipart form"),
    responses((status = 201, body = Table), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_reference(
    State(s): State<AppState>,
    req: Request,
) -> Result<Response, HttpError> {
    create(s, DatasetKind::Reference, req).await
}

#[utoipa::path(get, path = "/v1/reference-data/{id}", tag = "reference data", operation_id = "get_reference_data",
    params(("id" = String, Path)),
    responses((status = 200, body = Table), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_reference(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Table>, HttpError> {
    dataset_of_kind(&s, DatasetKind::Reference, id)
        .await
        .map(|d| axum::Json(wire::table(d)))
}

/// Deletes the table and its rows; configs that use it stay, and their next run fails.
#[utoipa::path(delete, path = "/v1/reference-data/{id}", tag = "reference data", operation_id = "delete_reference_data",
    params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn delete_reference(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Deleted>, HttpError> {
    delete(s, DatasetKind::Reference, id).await.map(axum::Json)
}

#[utoipa::path(get, path = "/v1/reference-data/{id}/rows", tag = "reference data", operation_id = "list_reference_data_rows",
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = RowsPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reference_rows(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<RowsPage>, HttpError> {
    rows(s, DatasetKind::Reference, id, q).await.map(axum::Json)
}

#[utoipa::path(get, path = "/v1/reference-data/{id}/export", tag = "reference data", operation_id = "export_reference_data",
    params(("id" = String, Path)),
    responses((status = 200, description = "The table as CSV", content_type = "text/csv", body = String), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn export_reference(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<Response, HttpError> {
    export(s, DatasetKind::Reference, id).await
}

// ---- document sets ----------------------------------------------------------------------------

#[utoipa::path(get, path = "/v1/document-sets", tag = "document sets", operation_id = "list_document_sets", params(PageQuery),
    responses((status = 200, body = TablePage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list_documents(
    State(s): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<TablePage>, HttpError> {
    list(s, DatasetKind::Documents, q).await.map(axum::Json)
}

/// The documents to match (extracted invoices), as JSON rows or an uploaded file, like
/// reference data.
#[utoipa::path(post, path = "/v1/document-sets", tag = "document sets", operation_id = "create_document_set",
    request_body(content((CreateTable = "application/json"), (UploadForm = "multipart/form-data")), description = "JSON rows, or a file in a multipart form"),
    responses((status = 201, body = Table), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_documents(
    State(s): State<AppState>,
    req: Request,
) -> Result<Response, HttpError> {
    create(s, DatasetKind::Documents, req).await
}

#[utoipa::path(get, path = "/v1/document-sets/{id}", tag = "document sets", operation_id = "get_document_set",
    params(("id" = String, Path)),
    responses((status = 200, body = Table), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get_documents(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Table>, HttpError> {
    dataset_of_kind(&s, DatasetKind::Documents, id)
        .await
        .map(|d| axum::Json(wire::table(d)))
}

#[utoipa::path(delete, path = "/v1/document-sets/{id}", tag = "document sets", operation_id = "delete_document_set",
    params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn delete_documents(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Deleted>, HttpError> {
    delete(s, DatasetKind::Documents, id).await.map(axum::Json)
}

#[utoipa::path(get, path = "/v1/document-sets/{id}/rows", tag = "document sets", operation_id = "list_document_set_rows",
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = RowsPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn document_rows(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<RowsPage>, HttpError> {
    rows(s, DatasetKind::Documents, id, q).await.map(axum::Json)
}

#[utoipa::path(get, path = "/v1/document-sets/{id}/export", tag = "document sets", operation_id = "export_document_set",
    params(("id" = String, Path)),
    responses((status = 200, description = "The documents as CSV", content_type = "text/csv", body = String), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn export_documents(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<Response, HttpError> {
    export(s, DatasetKind::Documents, id).await
}
