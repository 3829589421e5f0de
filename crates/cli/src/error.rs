//! What can go wrong in a command, and the exit code each kind of failure maps to, so scripts can
//! tell "you called me wrong" (2) from "your data is wrong" (3) from "something broke" (1), and a
//! run stopped by Ctrl-C (130, the shell's own code for death by SIGINT, so `$?` reads the same
//! whether the run stopped cleanly or was killed).

use service::{ErrorCode, ServiceError};
use thiserror::Error;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_DATA: u8 = 3;
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Error)]
pub enum CliError {
    /// The command line is incomplete or inconsistent in a way clap cannot see.
    #[error("{0}")]
    Usage(String),
    /// An input file is missing, unreadable or malformed.
    #[error("{0}")]
    Data(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Anything else: a run that failed, a runtime that would not start.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Data(_) => EXIT_DATA,
            CliError::Service(e) => match e.code() {
                ErrorCode::ValidationError | ErrorCode::ImportError | ErrorCode::NotFound => {
                    EXIT_DATA
                }
                ErrorCode::Conflict
                | ErrorCode::StorageError
                | ErrorCode::InternalError
                | ErrorCode::Busy
                | ErrorCode::ReadOnly => EXIT_FAILURE,
            },
            CliError::Failed(_) => EXIT_FAILURE,
        }
    }

    /// The message for stderr. Service errors carry their stable code, as every other client of
    /// the service sees it, so a script can match on it.
    pub fn describe(&self) -> String {
        match self {
            CliError::Service(e) => format!("{e} [{}]", code_str(e.code())),
            other => other.to_string(),
        }
    }

    pub(crate) fn data(message: impl Into<String>) -> Self {
        CliError::Data(message.into())
    }
}

/// The code as `ApiError` serialises it; derived through serde so it cannot drift from the
/// service's spelling.
fn code_str(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{code:?}"),
    }
}
