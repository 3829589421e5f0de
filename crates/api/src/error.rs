//! The spec's flat error envelope (A.2): every failure, whether a handler's, an extractor's, the
//! router's or a middleware's, leaves as `{statusCode, code, error, message, retryable,
//! request_id, timestamp, path}` plus, for validation errors, the `field` (and for import errors
//! the `file`, `row` and `column`) at fault.
//!
//! Handlers return an [`HttpError`]; it travels as a response extension and the envelope
//! middleware (which knows the request's id and path) writes the body.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use service::{ErrorCode, ServiceError};
use utoipa::ToSchema;

/// Lower snake-case codes of the spec's endpoint tables, plus the few HTTP-level ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    ValidationError,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    InternalError,
    NotImplemented,
    /// The workspace is locked by another process's write (503, with Retry-After).
    Busy,
    /// The workspace file is read-only for the server (403).
    ReadOnly,
}

#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    pub retryable: bool,
    /// What only some errors carry, boxed so the common `Result<_, HttpError>` stays small.
    pub detail: Box<Detail>,
}

#[derive(Debug, Clone, Default)]
pub struct Detail {
    pub field: Option<String>,
    pub file: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
    /// Seconds after which a retry may succeed (429).
    pub retry_after: Option<u64>,
    pub rate_limit: Option<RateLimitHeaders>,
}

#[derive(Debug, Clone)]
pub struct RateLimitHeaders {
    pub limit: u32,
    pub remaining: u32,
    /// ISO 8601 time at which a request will be let through again.
    pub reset: String,
}

impl HttpError {
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            retryable: matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::REQUEST_TIMEOUT
                    | StatusCode::SERVICE_UNAVAILABLE
            ),
            detail: Box::default(),
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        let mut e = HttpError::new(
            StatusCode::BAD_REQUEST,
            Code::ValidationError,
            if field.is_empty() {
                message
            } else {
                format!("{field}: {message}")
            },
        );
        e.detail.field = Some(field).filter(|f| !f.is_empty());
        e
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::NOT_FOUND, Code::NotFound, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::UNAUTHORIZED, Code::Unauthorized, message)
    }

    /// For what the spec has and Matchbook does not do yet: a 501 that says so, never a 404.
    pub fn not_implemented(what: &str) -> Self {
        HttpError::new(
            StatusCode::NOT_IMPLEMENTED,
            Code::NotImplemented,
            format!(
                "{what} is part of the matching API but not available in this version of Matchbook; \
                 it comes with a later release (standard runs, configs, results and review work today)"
            ),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        let mut e = HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::InternalError,
            message,
        );
        e.retryable = true;
        e
    }
}

impl From<ServiceError> for HttpError {
    fn from(e: ServiceError) -> Self {
        let code = e.code();
        let api = service::ApiError::from(e);
        let mut out = match code {
            ErrorCode::ValidationError | ErrorCode::ImportError => {
                HttpError::new(StatusCode::BAD_REQUEST, Code::ValidationError, api.message)
            }
            ErrorCode::NotFound => HttpError::not_found(api.message),
            ErrorCode::Conflict => {
                HttpError::new(StatusCode::CONFLICT, Code::Conflict, api.message)
            }
            ErrorCode::StorageError | ErrorCode::InternalError => HttpError::internal(api.message),
            ErrorCode::Busy => {
                let mut e =
                    HttpError::new(StatusCode::SERVICE_UNAVAILABLE, Code::Busy, api.message);
                e.detail.retry_after = Some(1);
                e
            }
            ErrorCode::ReadOnly => {
                HttpError::new(StatusCode::FORBIDDEN, Code::ReadOnly, api.message)
            }
        };
        out.detail.field = api.field;
        out.detail.file = api.file;
        out.detail.row = api.row;
        out.detail.column = api.column;
        out
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(secs) = self.detail.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        if let Some(rl) = &self.detail.rate_limit {
            let h = response.headers_mut();
            h.insert("x-ratelimit-limit", HeaderValue::from(rl.limit));
            h.insert("x-ratelimit-remaining", HeaderValue::from(rl.remaining));
            if let Ok(v) = HeaderValue::from_str(&rl.reset) {
                h.insert("x-ratelimit-reset", v);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// The body of every error response (spec A.2, flat envelope with lower-snake codes).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Equals the HTTP status.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    pub code: Code,
    /// The HTTP reason phrase.
    pub error: String,
    pub message: String,
    /// Whether the identical request may succeed later.
    pub retryable: bool,
    /// `req_` and 32 hex digits; also in the X-Request-Id header.
    pub request_id: String,
    pub timestamp: String,
    pub path: String,
    /// Validation errors: the input at fault, e.g. `field_mappings[1].weight`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Import errors: the file, row and column at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl ErrorEnvelope {
    pub fn of(e: &HttpError, request_id: &str, path: &str) -> Self {
        ErrorEnvelope {
            status_code: e.status.as_u16(),
            code: e.code,
            error: e.status.canonical_reason().unwrap_or("Error").to_string(),
            message: e.message.clone(),
            retryable: e.retryable,
            request_id: request_id.to_string(),
            timestamp: crate::now(),
            path: path.to_string(),
            field: e.detail.field.clone(),
            file: e.detail.file.clone(),
            row: e.detail.row,
            column: e.detail.column.clone(),
        }
    }
}
