//! Reference data from a database: the connection, the check that a query only reads, and the
//! stream of its rows, as text, in batches, to a sink the caller owns (the service stores them).
//!
//! PostgreSQL is the one engine implemented; [`SqlEngine`] names MSSQL too, because the spec does,
//! and refuses it with a clear error (docs/DECISIONS.md says why and what it would take).

mod check;
mod postgres_source;
mod text;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use check::{check_read_only, ReadOnlyQuery};
pub use postgres_source::{describe, password_file, save_password, stream, Password, Stopper};

/// Rows handed to the sink at a time: the spec's batch size for SQL imports (A.3.3).
pub const BATCH_ROWS: usize = 500;

pub use engine::{SqlConnection, SqlEngine};

/// How long a query may run, and how long connecting may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            statement_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A column of the query's result: its name, the database's type name and Matchbook's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SqlColumn {
    pub name: String,
    /// The server's own type name, e.g. "numeric", "date", "timestamptz", "text".
    pub db_type: String,
    /// Matchbook's column type: "number", "date" or "string".
    pub kind: String,
}

/// Receives a query's columns once, then its rows in batches. Returning an error stops the
/// stream; the reader then tells the server to stop and closes the connection.
pub trait RowSink {
    type Error;
    fn columns(&mut self, columns: &[SqlColumn]) -> Result<(), Self::Error>;
    /// Each row has one value per column; an empty string is NULL (Matchbook's missing value).
    fn rows(&mut self, batch: &[Vec<String>]) -> Result<(), Self::Error>;
}

/// Why reading from the database failed. The server's own message is kept word for word.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SqlError {
    #[error("{0}")]
    NotReadOnly(String),
    #[error("{0} is not supported yet: only PostgreSQL can be imported from")]
    Unsupported(&'static str),
    #[error("could not connect to {target}: {message}")]
    Connect { target: String, message: String },
    /// The server refused or failed the query (syntax, permissions, statement timeout).
    #[error("the database reported: {message}")]
    Query {
        message: String,
        /// SQLSTATE, e.g. "42P01" (undefined table), "57014" (statement timeout).
        code: Option<String>,
    },
    /// The connection dropped while rows were coming in.
    #[error("the connection to the database was lost after {rows} rows: {message}")]
    Lost { rows: u64, message: String },
    /// The query's columns cannot become a dataset's (none, or two with one name).
    #[error("{0}")]
    Columns(String),
    /// A row the server sent could not be read (a bug or a protocol mismatch, not user data).
    #[error("row {row}: {message}")]
    BadRow { row: u64, message: String },
}

/// Either the database side failed or the sink stopped the stream.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E> {
    #[error(transparent)]
    Sql(#[from] SqlError),
    #[error("the import stopped")]
    Sink(E),
    /// A [`Stopper`] ended it.
    #[error("the import was cancelled")]
    Stopped,
}

/// Matchbook's column kind for a PostgreSQL type name.
pub fn kind_of_type(db_type: &str) -> &'static str {
    match db_type {
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "oid" => "number",
        "date" | "timestamp" | "timestamptz" => "date",
        _ => "string",
    }
}
