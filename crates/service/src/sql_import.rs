//! Reference data read from a database (spec A.3.3, issue 18): the wizard's preview, an import
//! that returns at once with the columns and streams its rows in the background, refresh into a
//! new version, cancel from any process, and imports whose process died marked failed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use engine::{Column, Dataset, DatasetKind, DatasetStatus, Record, SqlConnection, SqlSource};
use serde::{Deserialize, Serialize};
use sqlsource::{
    Limits, Password, ReadOnlyQuery, RowSink, SqlColumn, SqlError, Stopper, StreamError,
};
use store::{ImportSlot, Store, StoreError};
use ts_rs::TS;

use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::{new_id, Workspace};

/// Rows per SQLite transaction while importing: large enough that commits cost little, small
/// enough that a reviewer's write waits a few milliseconds at most.
const STORE_BATCH: usize = 5_000;
/// How often progress is written, the cancel request read, and the importer's heartbeat renewed.
const BEAT: Duration = Duration::from_millis(100);
/// An import whose heartbeat is older than this belongs to a process that ended.
pub(crate) const STALE_IMPORT_MS: i64 = 30_000;
/// Rows the wizard's preview shows.
const PREVIEW_ROWS: u64 = 10;

/// Import the rows of a query as a new reference dataset. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SqlImportRequest {
    /// Display name; defaults to the database's name and the first table the query names.
    #[serde(default)]
    pub name: Option<String>,
    pub connection: SqlConnection,
    /// One SELECT (or WITH ... SELECT, VALUES, TABLE name).
    pub query: String,
    /// Used for this import only and never stored. Absent: the user's PostgreSQL password file
    /// (`PGPASSFILE` or `~/.pgpass`), or none if the server asks for none.
    #[serde(default)]
    pub password: Option<String>,
    /// Also write the password into the user's password file (mode 0600), outside the workspace,
    /// so that refreshes (scheduled ones too) find it.
    #[serde(default)]
    pub save_password: bool,
    /// The column whose values identify a row; guessed as for files when absent.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Longest the query may run on the server; 600 s when absent.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub statement_timeout_seconds: Option<u64>,
}

/// What the wizard shows before importing: the columns with their database types, first rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SqlPreview {
    pub columns: Vec<SqlColumn>,
    pub rows: Vec<Vec<String>>,
    /// The id column an import would use unless told otherwise.
    pub id_column: Option<String>,
}

/// A refresh's only input: the password, when the password file does not have it. Its `Debug`
/// hides the password.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefreshRequest {
    #[serde(default)]
    pub password: Option<String>,
}

fn hidden(p: &Option<String>) -> &'static str {
    if p.is_some() {
        "Some(<hidden>)"
    } else {
        "None"
    }
}

impl std::fmt::Debug for SqlImportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlImportRequest")
            .field("name", &self.name)
            .field("connection", &self.connection)
            .field("query", &self.query)
            .field("password", &hidden(&self.password))
            .field("save_password", &self.save_password)
            .field("id_column", &self.id_column)
            .field("statement_timeout_seconds", &self.statement_timeout_seconds)
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("password", &hidden(&self.password))
            .finish()
    }
}

fn password(given: &Option<String>) -> Password {
    match given {
        Some(p) if !p.is_empty() => Password::Given(p.clone()),
        _ => Password::FromPasswordFile,
    }
}

fn limits(timeout_seconds: Option<u64>) -> Result<Limits> {
    let mut l = Limits::default();
    if let Some(s) = timeout_seconds {
        if s == 0 || s > 86_400 {
            return Err(ServiceError::validation(
                "statement_timeout_seconds",
                "must be between 1 and 86400",
            ));
        }
        l.statement_timeout = Duration::from_secs(s);
    }
    Ok(l)
}

fn check_connection(c: &SqlConnection) -> Result<()> {
    for (field, value) in [
        ("connection.host", &c.host),
        ("connection.database", &c.database),
        ("connection.user", &c.user),
    ] {
        if value.trim().is_empty() {
            return Err(ServiceError::validation(field, "is required"));
        }
    }
    if c.engine == engine::SqlEngine::Mssql {
        return Err(ServiceError::validation(
            "connection.engine",
            "Microsoft SQL Server is not supported yet: only PostgreSQL can be imported from",
        ));
    }
    Ok(())
}

fn checked_query(query: &str) -> Result<ReadOnlyQuery> {
    sqlsource::check_read_only(query).map_err(|e| ServiceError::validation("query", e.to_string()))
}

/// A database error before any row was read, as the field the user has to change.
fn sql_error(e: SqlError) -> ServiceError {
    let field = match &e {
        SqlError::Connect { message, .. } if message.contains("password") => "password",
        SqlError::Connect { .. } | SqlError::Unsupported(_) => "connection",
        _ => "query",
    };
    ServiceError::validation(field, e.to_string())
}

/// Matchbook's columns for the query's, and the id column: the one asked for (which must
/// exist) or a guess as for files.
fn dataset_columns(
    columns: &[SqlColumn],
    asked: Option<&str>,
) -> Result<(Vec<Column>, Option<String>)> {
    let cols: Vec<Column> = columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            kind: c.kind.clone(),
        })
        .collect();
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let id = match asked.filter(|a| !a.trim().is_empty()) {
        Some(a) if names.iter().any(|n| n == a) => Some(a.to_string()),
        Some(a) => {
            return Err(ServiceError::validation(
                "id_column",
                format!(
                    "the query has no column \"{a}\" (it has {})",
                    names.join(", ")
                ),
            ))
        }
        None => import::guess_id_column(&names, DatasetKind::Reference),
    };
    Ok((cols, id))
}

/// "erp: purchase_orders" from `SELECT ... FROM purchase_orders ...`, else the database's name.
fn default_name(c: &SqlConnection, query: &str) -> String {
    // Words, not byte offsets of a lowercased copy: lowercasing can change a text's length.
    let mut words = query
        .split(|ch: char| ch.is_whitespace() || matches!(ch, ',' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty());
    let table = words
        .by_ref()
        .find(|w| w.eq_ignore_ascii_case("from"))
        .and_then(|_| words.next())
        .map(|w| w.trim_matches('"').to_string());
    match table {
        Some(t) if !t.is_empty() && !t.starts_with('\'') => format!("{}: {t}", c.database),
        _ => c.database.clone(),
    }
}

impl Workspace {
    /// Columns (with the database's types) and the first rows of a query, for the wizard.
    pub fn preview_sql(&self, req: &SqlImportRequest) -> Result<SqlPreview> {
        check_connection(&req.connection)?;
        let query = checked_query(&req.query)?;
        let limits = limits(req.statement_timeout_seconds)?;
        let mut sink = PreviewSink::default();
        sqlsource::stream(
            &req.connection,
            &password(&req.password),
            &query,
            &limits,
            Some(PREVIEW_ROWS),
            &Stopper::new(),
            &mut sink,
        )
        .map_err(|e| match e {
            StreamError::Sql(e) => sql_error(e),
            other => ServiceError::Internal(other.to_string()),
        })?;
        let (_, id_column) = dataset_columns(&sink.columns, req.id_column.as_deref())?;
        Ok(SqlPreview {
            columns: sink.columns,
            rows: sink.rows,
            id_column,
        })
    }

    /// Starts importing a query's rows as a new reference dataset. Returns at once, once the
    /// server has described the columns: the dataset is `importing`, with its columns; it turns
    /// `ready` or `failed` when the rows are in. Errors found before any row is read (the query is
    /// not a SELECT, the server cannot be reached, the query is wrong) store nothing.
    pub fn import_sql(&self, req: &SqlImportRequest) -> Result<Dataset> {
        check_connection(&req.connection)?;
        let query = checked_query(&req.query)?;
        let limits = limits(req.statement_timeout_seconds)?;
        let pw = password(&req.password);
        let described =
            sqlsource::describe(&req.connection, &pw, &query, &limits).map_err(sql_error)?;
        let (columns, id_column) = dataset_columns(&described, req.id_column.as_deref())?;
        if req.save_password {
            if let Some(p) = req.password.as_deref().filter(|p| !p.is_empty()) {
                sqlsource::save_password(&req.connection, p).map_err(|e| {
                    ServiceError::validation(
                        "save_password",
                        format!("could not write the password file: {e}"),
                    )
                })?;
            }
        }
        let name = req
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| default_name(&req.connection, query.as_str()));
        let dataset = Dataset {
            id: new_id(),
            kind: DatasetKind::Reference,
            name,
            source_type: req.connection.engine.as_str().into(),
            source_file: Some(req.connection.display()),
            columns,
            row_count: 0,
            id_column,
            filename_column: None,
            created_at: self.now(),
            status: DatasetStatus::Importing,
            version: 0,
            error: None,
            rows_imported: Some(0),
            sql: Some(SqlSource {
                connection: req.connection.clone(),
                query: query.as_str().to_string(),
                statement_timeout_seconds: req.statement_timeout_seconds,
            }),
        };
        let slot = self.store.begin_import(&dataset, now_ms(), &new_id())?;
        self.spawn_import(slot, pw, limits, dataset.id_column.clone());
        self.get_dataset(&dataset.id)
    }

    /// Re-runs a database dataset's query into a new version, in the background. Runs started
    /// before it lands use the previous version, and past runs keep theirs.
    pub fn refresh_dataset(&self, id: &str, req: &RefreshRequest) -> Result<Dataset> {
        let current = self.get_dataset(id)?;
        let Some(source) = current.sql.clone() else {
            return Err(ServiceError::Conflict(format!(
                "reference data {id} was not imported from a database, so it cannot be refreshed"
            )));
        };
        checked_query(&source.query)?;
        let limits = limits(source.statement_timeout_seconds)?;
        Self::fail_stale_imports(&self.store)?;
        let (dataset, slot) = self.store.begin_refresh(id, now_ms(), &new_id())?;
        self.spawn_import(
            slot,
            password(&req.password),
            limits,
            dataset.id_column.clone(),
        );
        Ok(dataset)
    }

    /// Writes `password` for the connection of database dataset `id` into the user's password
    /// file (mode 0600), as `save_password` of an import does: for a refresh given a password
    /// that worked, so later refreshes (scheduled ones too) find it. Returns the file's path.
    pub fn save_dataset_password(&self, id: &str, password: &str) -> Result<std::path::PathBuf> {
        let Some(source) = self.get_dataset(id)?.sql else {
            return Err(ServiceError::Conflict(format!(
                "reference data {id} was not imported from a database: it has no connection"
            )));
        };
        sqlsource::save_password(&source.connection, password).map_err(|e| {
            ServiceError::validation(
                "save_password",
                format!("could not write the password file: {e}"),
            )
        })
    }

    /// Asks the import of `id` to stop, wherever it runs. A first import's dataset then
    /// disappears; a refresh leaves the previous version. 409 when nothing is importing.
    pub fn cancel_import(&self, id: &str) -> Result<Dataset> {
        Self::fail_stale_imports(&self.store)?;
        self.store.request_import_cancel(id, &self.now())?;
        self.get_dataset(id)
    }

    /// Waits until the import of `id` ends. `None` when the dataset is gone (a cancelled first
    /// import).
    pub fn wait_for_import(&self, id: &str, timeout: Duration) -> Result<Option<Dataset>> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            // An importer that died while we wait would otherwise keep us waiting to the end.
            Self::fail_stale_imports(&self.store)?;
            match self.store.get_dataset(id) {
                Ok(d) if d.status != DatasetStatus::Importing => return Ok(Some(d)),
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
            if std::time::Instant::now() > deadline {
                return Err(ServiceError::Internal(format!(
                    "reference data {id} is still importing after {} s",
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Fails the imports of processes that ended (their heartbeat stopped): their rows go.
    pub(crate) fn fail_stale_imports(store: &Store) -> Result<()> {
        for slot in store.stale_imports(now_ms() - STALE_IMPORT_MS)? {
            store.fail_import(
                &slot,
                "the import stopped: the Matchbook process running it ended",
            )?;
        }
        Ok(())
    }

    fn spawn_import(
        &self,
        slot: ImportSlot,
        pw: Password,
        limits: Limits,
        id_column: Option<String>,
    ) {
        let store = self.store.clone();
        self.runtime.spawn_blocking(move || {
            let outcome = run_import(&store, &slot, &pw, &limits, id_column.as_deref());
            let ended = match outcome {
                Ok(rows) => store.finish_import(&slot, rows).map(|_| ()),
                Err(ImportEnd::Cancelled) => store.abandon_import(&slot),
                Err(ImportEnd::Failed(message)) => store.fail_import(&slot, &message),
            };
            if let Err(e) = ended {
                // Nothing else can record it: the next open fails the import as stale.
                eprintln!("matchbook: ending the import of {}: {e}", slot.dataset_id);
            }
        });
    }
}

enum ImportEnd {
    Cancelled,
    Failed(String),
}

/// Streams the source's rows into the slot; a watcher thread renews the heartbeat, writes
/// progress and turns a cancel request (from any process) into a stop, even while the server is
/// still working on the first row.
fn run_import(
    store: &Arc<Store>,
    slot: &ImportSlot,
    pw: &Password,
    limits: &Limits,
    id_column: Option<&str>,
) -> std::result::Result<u64, ImportEnd> {
    let d = store
        .get_dataset(&slot.dataset_id)
        .map_err(|e| ImportEnd::Failed(e.to_string()))?;
    let source = d
        .sql
        .clone()
        .ok_or_else(|| ImportEnd::Failed("no SQL source".into()))?;
    let query =
        sqlsource::check_read_only(&source.query).map_err(|e| ImportEnd::Failed(e.to_string()))?;
    let stopper = Stopper::new();
    let rows_read = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // Set however this function ends, a panic included, so the heartbeat never outlives it.
    let _stop_beating = SetOnDrop(done.clone());
    let cancelled = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (store, slot) = (store.clone(), slot.clone());
        let (stopper, rows_read, done, cancelled) = (
            stopper.clone(),
            rows_read.clone(),
            done.clone(),
            cancelled.clone(),
        );
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                let rows = rows_read.load(Ordering::Relaxed);
                if let Ok(true) = store.import_progress(&slot, rows, now_ms()) {
                    cancelled.store(true, Ordering::SeqCst);
                    stopper.stop();
                    return;
                }
                std::thread::sleep(BEAT);
            }
        })
    };
    let mut sink = StoreSink {
        store,
        slot,
        id_column: id_column.map(str::to_string),
        id_index: None,
        seen: HashMap::new(),
        buffer: Vec::with_capacity(STORE_BATCH),
        written: 0,
        rows_read: &rows_read,
    };
    let result = sqlsource::stream(
        &source.connection,
        pw,
        &query,
        limits,
        None,
        &stopper,
        &mut sink,
    )
    .and_then(|n| sink.flush().map(|_| n).map_err(StreamError::Sink));
    done.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    match result {
        Ok(n) => Ok(n),
        Err(StreamError::Stopped) => Err(ImportEnd::Cancelled),
        Err(_) if cancelled.load(Ordering::SeqCst) => Err(ImportEnd::Cancelled),
        Err(StreamError::Sql(e)) => Err(ImportEnd::Failed(e.to_string())),
        Err(StreamError::Sink(e)) => Err(ImportEnd::Failed(e)),
    }
}

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct PreviewSink {
    columns: Vec<SqlColumn>,
    rows: Vec<Vec<String>>,
}

impl RowSink for PreviewSink {
    type Error = std::convert::Infallible;
    fn columns(&mut self, columns: &[SqlColumn]) -> std::result::Result<(), Self::Error> {
        self.columns = columns.to_vec();
        Ok(())
    }
    fn rows(&mut self, batch: &[Vec<String>]) -> std::result::Result<(), Self::Error> {
        self.rows.extend_from_slice(batch);
        Ok(())
    }
}

/// Writes streamed rows to the store in batches, giving each its id as a file import would.
struct StoreSink<'a> {
    store: &'a Store,
    slot: &'a ImportSlot,
    id_column: Option<String>,
    id_index: Option<usize>,
    /// Each id and the row that first had it, so a repeat names both rows.
    seen: HashMap<String, u64>,
    buffer: Vec<Record>,
    written: u64,
    rows_read: &'a AtomicU64,
}

impl StoreSink<'_> {
    fn flush(&mut self) -> std::result::Result<(), String> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.store
            .append_import_rows(self.slot, self.written, &self.buffer)
            .map_err(|e| e.to_string())?;
        self.written += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }
}

impl RowSink for StoreSink<'_> {
    type Error = String;

    fn columns(&mut self, columns: &[SqlColumn]) -> std::result::Result<(), String> {
        let (cols, _) = dataset_columns(columns, None).map_err(|e| e.to_string())?;
        if let Some(name) = &self.id_column {
            self.id_index = Some(
                columns
                    .iter()
                    .position(|c| &c.name == name)
                    .ok_or_else(|| format!("the query no longer has the id column \"{name}\""))?,
            );
        }
        self.store
            .set_import_columns(self.slot, &cols, self.id_column.as_deref())
            .map_err(|e| e.to_string())
    }

    fn rows(&mut self, batch: &[Vec<String>]) -> std::result::Result<(), String> {
        for values in batch {
            let row = self.written + self.buffer.len() as u64 + 1;
            let id = match self.id_index {
                None => format!("row-{row}"),
                Some(i) => {
                    let name = self.id_column.as_deref().unwrap_or_default();
                    let id = values[i].trim();
                    if id.is_empty() {
                        return Err(format!(
                            "row {row}, column \"{name}\": the id is empty. Every row needs its own id in the column \"{name}\"."
                        ));
                    }
                    if let Some(first) = self.seen.insert(id.to_string(), row) {
                        return Err(format!(
                            "row {row}, column \"{name}\": the id \"{id}\" is used twice: it first appears in row {first}. Every row needs its own id in the column \"{name}\"."
                        ));
                    }
                    id.to_string()
                }
            };
            self.buffer.push(Record {
                id,
                values: values.clone(),
            });
            if self.buffer.len() >= STORE_BATCH {
                self.flush()?;
            }
        }
        self.rows_read
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_name_says_where_the_rows_come_from() {
        let c = SqlConnection {
            engine: engine::SqlEngine::Postgres,
            host: "h".into(),
            port: None,
            database: "erp".into(),
            user: "u".into(),
        };
        assert_eq!(
            default_name(&c, "SELECT * FROM purchase_orders WHERE x"),
            "erp: purchase_orders"
        );
        assert_eq!(default_name(&c, "select a from \"Orders\""), "erp: Orders");
        assert_eq!(default_name(&c, "VALUES (1)"), "erp");
        // Lowercasing "İ" makes it longer: no byte offset of a lowercased copy is used.
        assert_eq!(default_name(&c, "SELECT 'İİİİİİİİ' AS x FROM t"), "erp: t");
        let req = RefreshRequest {
            password: Some("s3cret".into()),
        };
        assert!(!format!("{req:?}").contains("s3cret"));
        assert_eq!(
            default_name(&c, "SELECT g FROM generate_series(1, 10) g"),
            "erp: generate_series"
        );
    }
}
