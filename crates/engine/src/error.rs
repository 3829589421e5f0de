//! Errors the engine reports. Each variant maps to one stable code that the UI and API switch on.

use serde::Serialize;
use thiserror::Error;
use ts_rs::TS;

/// A file could not be imported. Names the file and, where it applies, the 1-based row (the header
/// is row 1) and the column, so the user can find the cell in a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, TS)]
#[ts(export)]
#[error("{file}{}{}: {message}", row.map(|r| format!(", row {r}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct ImportError {
    pub file: String,
    #[ts(type = "number | null")]
    pub row: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum EngineError {
    /// A request or config is invalid; `field` names the offending field, e.g.
    /// `field_mappings[1].weight`.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The run was cancelled; whatever was written before stays.
    #[error("run cancelled")]
    Cancelled,
    /// Writing results failed (the store's error, as text: the engine does not know the store).
    #[error("could not write results: {0}")]
    Sink(String),
}

impl EngineError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}
