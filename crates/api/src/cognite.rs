//! Cognite's entity-matching API (spec Part B) on the same local server, under
//! `/api/v1/projects/{project}/context/entitymatching`, with Cognite's conventions so that its own
//! clients work when pointed at it: the workspace key as Bearer token, gzip request bodies,
//! `{items: [...]}` batches, `{error: {code, message, missing, duplicated}}` errors and an
//! `x-request-id` on every answer. The project name is accepted as given (one workspace, one
//! project).

mod models;
mod pipelines;

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use service::ServiceError;

use crate::AppState;

/// A Cognite error: the HTTP status, the message, and the ids that were missing or duplicated.
#[derive(Debug, Clone)]
pub struct CogError {
    pub status: StatusCode,
    pub message: String,
    pub missing: Vec<Value>,
    pub duplicated: Vec<Value>,
}

impl CogError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        CogError {
            status,
            message: message.into(),
            missing: Vec::new(),
            duplicated: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        CogError::new(StatusCode::BAD_REQUEST, message)
    }

    /// Ids that name nothing: a 400 listing them, as Cognite's batch endpoints answer.
    pub fn missing(ids: Vec<Value>) -> Self {
        let mut e = CogError::bad_request("Ids not found");
        e.missing = ids;
        e
    }
}

impl From<ServiceError> for CogError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound { kind, id } => {
                let mut e = CogError::bad_request(format!("{kind} {id} not found"));
                e.missing = vec![match id.parse::<i64>() {
                    Ok(n) => json!({ "id": n }),
                    Err(_) => json!({ "externalId": id }),
                }];
                e
            }
            ServiceError::Conflict(message) => CogError::new(StatusCode::CONFLICT, message),
            ServiceError::Duplicated { kind, external_ids } => {
                let mut e = CogError::new(
                    StatusCode::CONFLICT,
                    format!(
                        "{kind} externalIds already in use: {}",
                        external_ids.join(", ")
                    ),
                );
                e.duplicated = external_ids
                    .into_iter()
                    .map(|x| json!({ "externalId": x }))
                    .collect();
                e
            }
            ServiceError::Store(e) => {
                CogError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
            ServiceError::Internal(m) => CogError::new(StatusCode::INTERNAL_SERVER_ERROR, m),
            other => CogError::bad_request(other.to_string()),
        }
    }
}

impl IntoResponse for CogError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.status.as_u16(), "message": self.message });
        if !self.missing.is_empty() {
            error["missing"] = Value::Array(self.missing);
        }
        if !self.duplicated.is_empty() {
            error["duplicated"] = Value::Array(self.duplicated);
        }
        (self.status, axum::Json(json!({ "error": error }))).into_response()
    }
}

pub type CogResult<T> = Result<T, CogError>;

/// Reads a JSON body as `T`; a body that is not the type is a 400 naming the offending value.
pub fn body<T: DeserializeOwned>(bytes: &Bytes) -> CogResult<T> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        CogError::bad_request(format!(
            "invalid request body at {path}: {}",
            e.into_inner()
        ))
    })?;
    // Whatever follows the JSON value makes the body malformed, not ignorable.
    de.end()
        .map_err(|e| CogError::bad_request(format!("invalid request body: {e}")))?;
    Ok(value)
}

/// Reads a JSON value (an item of a batch) as `T`; a 400 naming `at` and the offending field.
pub fn parse_item<T: DeserializeOwned>(v: Value, at: &str) -> CogResult<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => at.to_string(),
            p => format!("{at}.{p}"),
        };
        CogError::bad_request(format!("invalid {path}: {}", e.into_inner()))
    })
}

/// Reads the query string as `T`; a parameter that is not the type is a 400 naming it.
pub fn query<T: DeserializeOwned>(RawQuery(q): RawQuery) -> CogResult<T> {
    let q = q.unwrap_or_default();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        CogError::bad_request(format!(
            "invalid query parameter {path}: {}",
            e.into_inner()
        ))
    })
}

/// What `refs` name, in order, looked up by `find`; the unknown ones are a 400 listing them all
/// (Cognite's batch answer), unless `ignore_unknown` (then they are left out).
pub fn resolve<T>(
    refs: &[service::em::IdEither],
    ignore_unknown: bool,
    find: impl Fn(&service::em::IdEither) -> Result<T, ServiceError>,
) -> CogResult<Vec<T>> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for r in refs {
        match find(r) {
            Ok(x) => found.push(x),
            Err(ServiceError::NotFound { .. }) => missing.push(json!(r)),
            Err(e) => return Err(e.into()),
        }
    }
    if !missing.is_empty() && !ignore_unknown {
        return Err(CogError::missing(missing));
    }
    Ok(found)
}

/// Runs a blocking service call off the async threads.
pub async fn blocking<T, F>(state: &AppState, f: F) -> CogResult<T>
where
    T: Send + 'static,
    F: FnOnce(&service::Workspace) -> Result<T, CogError> + Send + 'static,
{
    let ws = state.ws.clone();
    tokio::task::spawn_blocking(move || f(&ws))
        .await
        .map_err(|e| CogError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// The entity-matching routes, with and without the trailing slash Cognite's SDK adds.
pub fn routes(state: AppState) -> Router<AppState> {
    let base = "/api/v1/projects/{project}/context/entitymatching";
    let r = Router::new()
        .route(base, get(models::list_get).post(models::fit))
        .route(&format!("{base}/"), get(models::list_get).post(models::fit))
        .route(&format!("{base}/{{id}}"), get(models::retrieve))
        .route(&format!("{base}/byids"), post(models::by_ids))
        .route(&format!("{base}/list"), post(models::list))
        .route(&format!("{base}/update"), post(models::update))
        .route(&format!("{base}/delete"), post(models::delete))
        .route(&format!("{base}/refit"), post(models::refit))
        .route(&format!("{base}/predict"), post(models::predict))
        .route(&format!("{base}/jobs/{{job_id}}"), get(models::job))
        .route(
            &format!("{base}/pipelines"),
            get(pipelines::list).post(pipelines::create),
        )
        .route(&format!("{base}/pipelines/byids"), post(pipelines::by_ids))
        .route(&format!("{base}/pipelines/update"), post(pipelines::update))
        .route(&format!("{base}/pipelines/delete"), post(pipelines::delete))
        .route(&format!("{base}/pipelines/{{id}}"), get(pipelines::get))
        .route(
            &format!("{base}/pipelines/{{id}}/runs"),
            get(pipelines::runs).post(pipelines::run),
        )
        .route(
            &format!("{base}/pipelines/{{id}}/runs/{{run_id}}"),
            get(pipelines::result),
        );
    r.layer(middleware::from_fn_with_state(state, gate))
}

/// Every entity-matching request: an `x-request-id`, the Bearer key checked, a gzip body
/// inflated (within the body limit), and errors in Cognite's envelope.
async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let mut response = match admit(&state, req).await {
        Ok(req) => enveloped(next.run(req).await).await,
        Err(e) => e.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// An error the router or an extractor answered in plain text (405, 413, ...) in Cognite's
/// envelope instead, its text the message; other answers as they are.
async fn enveloped(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut out = CogError::new(status, message).into_response();
    for (name, v) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), v.clone());
        }
    }
    out
}

async fn admit(state: &AppState, req: Request) -> CogResult<Request> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim().to_string())
        .ok_or_else(|| {
            CogError::new(
                StatusCode::UNAUTHORIZED,
                "send the workspace's API key as `Authorization: Bearer <key>`",
            )
        })?;
    let ws = state.ws.clone();
    let prefix = tokio::task::spawn_blocking(move || ws.verify_api_key(&key))
        .await
        .map_err(|e| CogError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(CogError::from)?
        .ok_or_else(|| {
            CogError::new(
                StatusCode::UNAUTHORIZED,
                "the API key is not valid for this workspace (it may have been rotated)",
            )
        })?;
    if state.limiter.take(&prefix).is_err() {
        return Err(CogError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests; retry later",
        ));
    }
    inflate(req, state.limits.max_body_bytes).await
}

/// Inflates a gzip body (Cognite's SDK compresses every request body), at most `limit` bytes.
async fn inflate(req: Request, limit: usize) -> CogResult<Request> {
    let gzip = req
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
    if !gzip {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let packed = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| CogError::new(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| CogError::bad_request(format!("the gzip body could not be read: {e}")))?;
    if out.len() > limit {
        return Err(CogError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is too large once inflated",
        ));
    }
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(out)))
}
