//! The JSON shapes of reference data read from a database (spec A.3.3 `from-sql`): the import
//! request (the service's `SqlImportRequest`, with unknown fields refused), the preview, the
//! refresh body, and the `source` a table read from a database shows. A password is only ever
//! read, never written back.

use engine::{SqlConnection, SqlEngine, SqlSource};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where to connect. The password is not part of it: it goes beside it, in the request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConnection {
    /// "postgres" (default); "mssql" is named by the spec and refused for now.
    #[serde(default)]
    pub engine: SqlEngine,
    pub host: String,
    /// Default 5432.
    #[serde(default)]
    pub port: Option<u16>,
    pub database: String,
    pub user: String,
}

impl From<DatabaseConnection> for SqlConnection {
    fn from(c: DatabaseConnection) -> Self {
        SqlConnection {
            engine: c.engine,
            host: c.host,
            port: c.port,
            database: c.database,
            user: c.user,
        }
    }
}

/// Import the rows of a query as reference data (spec A.3.3), or preview them.
// No `Debug`, here and in `RefreshTable`: they carry the password.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromSql {
    /// The table's name; default: the database's name and the first table the query names.
    #[serde(default)]
    pub name: Option<String>,
    pub connection: DatabaseConnection,
    /// One read-only query: SELECT, WITH ... SELECT, VALUES or TABLE name.
    pub query: String,
    /// Used for this request only and never stored. Absent: the server user's PostgreSQL
    /// password file (`PGPASSFILE` or `~/.pgpass`), or none if the database asks for none.
    #[serde(default)]
    pub password: Option<String>,
    /// Also write the password into that password file (mode 0600, outside the workspace), so
    /// that refreshes find it. Default false.
    #[serde(default)]
    pub save_password: bool,
    /// The column whose values identify a row; guessed (`id`, `*_id`) when absent.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Longest the query may run on the database server, 1 to 86400; default 600.
    #[serde(default)]
    pub statement_timeout_seconds: Option<u64>,
}

impl From<FromSql> for service::SqlImportRequest {
    fn from(b: FromSql) -> Self {
        service::SqlImportRequest {
            name: b.name,
            connection: b.connection.into(),
            query: b.query,
            password: b.password,
            save_password: b.save_password,
            id_column: b.id_column,
            statement_timeout_seconds: b.statement_timeout_seconds,
        }
    }
}

/// Re-run a table's query. The body may be left out.
#[derive(Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTable {
    /// For this refresh only; absent: the password file, as for the import.
    #[serde(default)]
    pub password: Option<String>,
}

impl From<RefreshTable> for service::RefreshRequest {
    fn from(b: RefreshTable) -> Self {
        service::RefreshRequest {
            password: b.password,
        }
    }
}

/// Where a table's rows come from when a database supplied them: what a refresh re-runs. Never
/// the password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableSource {
    pub engine: SqlEngine,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub query: String,
}

pub fn table_source(s: SqlSource) -> TableSource {
    TableSource {
        engine: s.connection.engine,
        port: s.connection.port(),
        host: s.connection.host,
        database: s.connection.database,
        user: s.connection.user,
        query: s.query,
    }
}

/// A column of the query's result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SqlPreviewColumn {
    pub name: String,
    /// The database's own type name, e.g. "numeric", "date", "timestamptz", "text".
    pub db_type: String,
    /// The type the table would give it: "number", "date" or "string".
    #[serde(rename = "type")]
    pub kind: String,
}

/// What an import of the query would read: its columns and first rows. Nothing is stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SqlPreview {
    pub columns: Vec<SqlPreviewColumn>,
    /// At most the first 10 rows, one text value per column; "" is NULL.
    pub rows: Vec<Vec<String>>,
    /// The id column an import would use unless told otherwise.
    pub id_column: Option<String>,
}

pub fn sql_preview(p: service::SqlPreview) -> SqlPreview {
    SqlPreview {
        columns: p
            .columns
            .into_iter()
            .map(|c| SqlPreviewColumn {
                name: c.name,
                db_type: c.db_type,
                kind: c.kind,
            })
            .collect(),
        rows: p.rows,
        id_column: p.id_column,
    }
}
