//! Errors of the service layer and the `{code, message}` shape every shell hands to its client.

use engine::EngineError;
use import::ImportError;
use serde::Serialize;
use store::StoreError;
use thiserror::Error;
use ts_rs::TS;

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// A request names something that does not exist in one of its fields (a 404 that says
    /// which field).
    #[error("{field}: {kind} {id} not found")]
    NotFoundAt {
        kind: &'static str,
        id: String,
        field: String,
    },
    #[error("{0}")]
    Conflict(String),
    /// externalIds of a batch that are taken or repeated within it (Cognite's `duplicated`).
    #[error("{kind} externalIds already in use: {}", external_ids.join(", "))]
    Duplicated {
        kind: &'static str,
        external_ids: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        ServiceError::NotFound {
            kind,
            id: id.into(),
        }
    }
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Validation { .. } => ErrorCode::ValidationError,
            ServiceError::Import(_) => ErrorCode::ImportError,
            ServiceError::NotFound { .. } | ServiceError::NotFoundAt { .. } => ErrorCode::NotFound,
            ServiceError::Conflict(_) | ServiceError::Duplicated { .. } => ErrorCode::Conflict,
            ServiceError::Store(StoreError::NotFound { .. }) => ErrorCode::NotFound,
            ServiceError::Store(StoreError::Stale(_)) => ErrorCode::Conflict,
            ServiceError::Store(StoreError::Busy { .. }) => ErrorCode::Busy,
            ServiceError::Store(StoreError::ReadOnly | StoreError::NeedsUpgrade { .. }) => {
                ErrorCode::ReadOnly
            }
            ServiceError::Store(_) => ErrorCode::StorageError,
            ServiceError::Internal(_) => ErrorCode::InternalError,
        }
    }
}

impl From<EngineError> for ServiceError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Validation { field, message } => {
                ServiceError::Validation { field, message }
            }
        }
    }
}

/// Stable error codes a client switches on. Lower snake case, as in the spec's error tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    ValidationError,
    ImportError,
    NotFound,
    Conflict,
    StorageError,
    InternalError,
    /// Another process kept the workspace locked for longer than a writer waits; try again.
    Busy,
    /// The workspace is open for reading only; the change was not made.
    ReadOnly,
}

/// What a client receives when a call fails. `field` names the offending input for validation
/// errors; `file`, `row` and `column` locate a bad cell for import errors.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let mut api = ApiError {
            code: e.code(),
            message: e.to_string(),
            field: None,
            file: None,
            row: None,
            column: None,
        };
        match e {
            ServiceError::Validation { field, .. } | ServiceError::NotFoundAt { field, .. } => {
                api.field = Some(field)
            }
            ServiceError::Import(i) => {
                api.file = Some(i.file);
                api.row = i.row;
                api.column = i.column;
            }
            _ => {}
        }
        api
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
