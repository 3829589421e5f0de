//! Errors of the workspace file.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open workspace {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot create folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the workspace was written by a newer Matchbook (schema {found}, this version knows up to {known})")]
    TooNew { found: i64, known: i64 },
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("workspace data is damaged: {0}")]
    Corrupt(String),
    /// The request was about a state the data has moved on from (undoing a decision that is no
    /// longer the latest).
    #[error("{0}")]
    Stale(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
