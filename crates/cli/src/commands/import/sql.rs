//! The options of `import --from-sql` and `import --refresh`, and what they become: the service's
//! request, with the password taken from stdin, `PGPASSWORD` or (left to the service) the
//! PostgreSQL password file, never from the command line.

use std::io::Read;
use std::path::PathBuf;

use clap::{ArgGroup, Args};
use engine::{Dataset, SqlConnection, SqlEngine};
use serde::{Deserialize, Serialize};
use service::{RefreshRequest, SqlImportRequest, Workspace};

use super::{ImportArgs, KindArg};
use crate::error::CliError;

/// The host psql connects to when given none (over TCP: the CLI does not use Unix sockets).
const DEFAULT_HOST: &str = "localhost";

#[derive(Debug, Args)]
#[command(next_help_heading = "From PostgreSQL")]
#[command(group(ArgGroup::new("query_text").args(["query", "query_file"])))]
#[command(group(ArgGroup::new("sql_source").multiple(true).args(["from_sql", "refresh"])))]
pub(super) struct SqlArgs {
    /// Import the rows of a PostgreSQL query as reference data (give --query or --query-file).
    #[arg(long, requires = "query_text", conflicts_with_all = ["refresh", "file_options"])]
    pub(super) from_sql: bool,
    /// Re-run the stored query of a dataset imported with --from-sql into a new version, and
    /// print the new version and row count.
    #[arg(long, value_name = "DATASET_ID", conflicts_with_all = ["kind", "file_options"])]
    pub(super) refresh: Option<String>,
    /// The database server's host name or address [default: localhost].
    #[arg(long, requires = "from_sql")]
    host: Option<String>,
    /// The server's port [default: 5432].
    #[arg(long, requires = "from_sql")]
    port: Option<u16>,
    /// The database [default: the user name, as for psql].
    #[arg(long, requires = "from_sql")]
    database: Option<String>,
    /// The user to connect as [default: $USER].
    #[arg(long, requires = "from_sql")]
    user: Option<String>,
    /// The query: one SELECT (or WITH ... SELECT, VALUES, TABLE name); it runs read-only.
    #[arg(long, value_name = "SQL", requires = "from_sql")]
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, value_name = "PATH", requires = "from_sql")]
    query_file: Option<PathBuf>,
    /// Longest the query may run on the server, 1 to 86400 [default: 600].
    #[arg(long, value_name = "SECONDS", requires = "from_sql")]
    timeout: Option<u64>,
    /// Read the password from stdin (a trailing newline is dropped); it wins over PGPASSWORD.
    #[arg(long, requires = "sql_source")]
    password_stdin: bool,
    /// Also write the password (from stdin or PGPASSWORD) into the PostgreSQL password file,
    /// mode 0600, so later refreshes find it; a refresh saves it once it worked.
    #[arg(long, requires = "sql_source")]
    save_password: bool,
    /// Return as soon as the import has started, printing the dataset (status importing); the
    /// rows go on streaming in a background process.
    #[arg(long, requires = "sql_source")]
    pub(super) no_wait: bool,
    /// Do not show progress on stderr.
    #[arg(long, requires = "sql_source")]
    pub(super) no_progress: bool,
}

/// A database import as the service takes it; also what `--no-wait` sends its background process.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum SqlJob {
    Import(SqlImportRequest),
    Refresh {
        id: String,
        password: Option<String>,
        save_password: bool,
    },
}

impl SqlJob {
    /// Starts the import; the dataset comes back `importing`.
    pub(super) fn start(&self, ws: &Workspace) -> service::Result<Dataset> {
        match self {
            SqlJob::Import(request) => ws.import_sql(request),
            SqlJob::Refresh { id, password, .. } => ws.refresh_dataset(
                id,
                &RefreshRequest {
                    password: password.clone(),
                },
            ),
        }
    }

    pub(super) fn is_refresh(&self) -> bool {
        matches!(self, SqlJob::Refresh { .. })
    }

    /// After a refresh that worked, saves its password when asked (an import's is saved by the
    /// service as soon as the server accepted it).
    pub(super) fn save_password_after(
        &self,
        ws: &Workspace,
        refreshed: &Dataset,
    ) -> service::Result<()> {
        if let SqlJob::Refresh {
            password: Some(password),
            save_password: true,
            ..
        } = self
        {
            ws.save_dataset_password(&refreshed.id, password)?;
        }
        Ok(())
    }
}

/// The database job the arguments ask for, `None` for a file import.
pub(super) fn job(args: &ImportArgs) -> Result<Option<SqlJob>, CliError> {
    let sql = &args.sql;
    if !sql.from_sql && sql.refresh.is_none() {
        return Ok(None);
    }
    let password = password(sql)?;
    if sql.save_password && password.is_none() {
        return Err(CliError::Usage(
            "--save-password: there is no password to save; give it in PGPASSWORD or with \
             --password-stdin"
                .into(),
        ));
    }
    if let Some(id) = &sql.refresh {
        return Ok(Some(SqlJob::Refresh {
            id: id.clone(),
            password,
            save_password: sql.save_password,
        }));
    }
    if matches!(args.kind, Some(KindArg::Documents)) {
        return Err(CliError::Usage(
            "--from-sql imports reference data: --kind documents does not apply".into(),
        ));
    }
    Ok(Some(SqlJob::Import(SqlImportRequest {
        name: args.name.clone(),
        connection: connection(sql)?,
        query: query(sql)?,
        password,
        save_password: sql.save_password,
        id_column: args.id_column.clone(),
        statement_timeout_seconds: sql.timeout,
    })))
}

/// The connection with psql's defaults: localhost, 5432, the user from the environment and a
/// database named after the user.
fn connection(sql: &SqlArgs) -> Result<SqlConnection, CliError> {
    let user = match &sql.user {
        Some(u) => u.clone(),
        None => ["USER", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
            .ok_or_else(|| CliError::Usage("--user: none given, and USER is not set".into()))?,
    };
    Ok(SqlConnection {
        engine: SqlEngine::Postgres,
        host: sql.host.clone().unwrap_or_else(|| DEFAULT_HOST.into()),
        port: sql.port,
        database: sql.database.clone().unwrap_or_else(|| user.clone()),
        user,
    })
}

fn query(sql: &SqlArgs) -> Result<String, CliError> {
    match (&sql.query, &sql.query_file) {
        (Some(q), _) => Ok(q.clone()),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            CliError::data(format!("--query-file: cannot read {}: {e}", path.display()))
        }),
        // clap requires one of the two with --from-sql.
        (None, None) => Err(CliError::Usage(
            "--from-sql needs --query or --query-file".into(),
        )),
    }
}

/// The password: stdin with `--password-stdin`, else `PGPASSWORD`, else `None` (the service then
/// reads the password file, or the server needs none).
fn password(sql: &SqlArgs) -> Result<Option<String>, CliError> {
    if sql.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Failed(format!("--password-stdin: cannot read stdin: {e}")))?;
        let password = text.trim_end_matches(['\n', '\r']);
        if password.is_empty() {
            return Err(CliError::Usage(
                "--password-stdin: stdin held no password".into(),
            ));
        }
        return Ok(Some(password.to_string()));
    }
    Ok(std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()))
}
