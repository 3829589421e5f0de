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
    #[error("the workspace is read-only and was written by an older Matchbook (schema {found}); open it once with write access to upgrade it to schema {known}")]
    NeedsUpgrade { found: i64, known: i64 },
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("workspace data is damaged: {0}")]
    Corrupt(String),
    /// The request was about a state the data has moved on from (undoing a decision that is no
    /// longer the latest).
    #[error("{0}")]
    Stale(String),
    /// Another process held the workspace's write lock for longer than a writer waits.
    #[error("the workspace is busy: another Matchbook process has been writing to it for over {seconds} s; try again in a moment")]
    Busy { seconds: u64 },
    /// The workspace was opened for reading only (no write permission on the file or its folder).
    #[error("the workspace is read-only (no permission to write the file or its folder): nothing was changed")]
    ReadOnly,
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    /// Contention and permissions are states the user can act on, not database faults; every
    /// statement's error passes here, so no caller has to recognise them itself.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
                seconds: crate::BUSY_TIMEOUT.as_secs(),
            },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            _ => StoreError::Sqlite(e),
        }
    }
}
