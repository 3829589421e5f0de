//! Where a reference dataset's rows come from when a database supplies them, and how far its
//! import has got: plain data stored with the dataset and shown by every shell.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which database server a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SqlEngine {
    #[default]
    Postgres,
    /// Named by the spec; not implemented (no server to test against): refused with an error.
    Mssql,
}

impl SqlEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            SqlEngine::Postgres => "postgres",
            SqlEngine::Mssql => "mssql",
        }
    }
}

/// Where to connect. Never holds the password: that is given per import or found in the user's
/// PostgreSQL password file, so the workspace file, which stores this, holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SqlConnection {
    #[serde(default)]
    pub engine: SqlEngine,
    pub host: String,
    /// 5432 when absent.
    #[serde(default)]
    pub port: Option<u16>,
    pub database: String,
    pub user: String,
}

impl SqlConnection {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(5432)
    }

    /// `user@host:port/database`, for messages and the dataset's description.
    pub fn display(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.user,
            self.host,
            self.port(),
            self.database
        )
    }
}

/// A dataset's database origin: the connection and the query, kept so that it can be refreshed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SqlSource {
    pub connection: SqlConnection,
    pub query: String,
    /// The statement timeout the import asked for, used by its refreshes too (600 s if none).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub statement_timeout_seconds: Option<u64>,
}

/// Where a dataset stands (spec A.3.3). File imports are ready at once; a database import is
/// `importing` while rows stream in, then `ready`, or `failed` with the reason in `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DatasetStatus {
    Importing,
    #[default]
    Ready,
    Failed,
}

impl DatasetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetStatus::Importing => "importing",
            DatasetStatus::Ready => "ready",
            DatasetStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DatasetStatus> {
        match s {
            "importing" => Some(DatasetStatus::Importing),
            "ready" => Some(DatasetStatus::Ready),
            "failed" => Some(DatasetStatus::Failed),
            _ => None,
        }
    }
}
