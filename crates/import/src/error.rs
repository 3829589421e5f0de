//! The import error: which file, row and column could not be read, and why.

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

/// An error at `file`, and where given its row and column.
pub(crate) fn error(
    file: &str,
    row: Option<u64>,
    column: Option<String>,
    message: String,
) -> ImportError {
    ImportError {
        file: file.to_string(),
        row,
        column,
        message,
    }
}
