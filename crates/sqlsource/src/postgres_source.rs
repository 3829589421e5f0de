//! PostgreSQL: connect, describe a query's columns from the server's own types, and stream its rows
//! with `COPY (query) TO STDOUT` inside a READ ONLY transaction under a statement timeout.
//!
//! COPY is used instead of row-by-row fetching because the server then formats every value
//! itself (numerics exactly, dates in ISO) and sends rows as one continuous stream: a million rows
//! arrive in about a second on loopback, and memory stays one batch whatever the row count.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use postgres::error::{DbError, Severity};
use postgres::{Client, Config, NoTls};

use crate::check::ReadOnlyQuery;
use crate::text::{decode_line, Shape};
use crate::{
    kind_of_type, Limits, RowSink, SqlColumn, SqlConnection, SqlEngine, SqlError, StreamError,
    BATCH_ROWS,
};

/// Where the password comes from. It is never stored in the workspace: either the caller gives it
/// for this import, or it is looked up in the user's PostgreSQL password file (`PGPASSFILE`, else
/// `~/.pgpass`, the file psql and every libpq tool read), or the server needs none.
#[derive(Clone, Default)]
pub enum Password {
    Given(String),
    #[default]
    FromPasswordFile,
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Password::Given(_) => "Password::Given(<hidden>)",
            Password::FromPasswordFile => "Password::FromPasswordFile",
        })
    }
}

impl Password {
    fn resolve(&self, c: &SqlConnection) -> Option<String> {
        match self {
            Password::Given(p) => Some(p.clone()),
            Password::FromPasswordFile => {
                let path = password_file()?;
                let text = std::fs::read_to_string(path).ok()?;
                lookup_password(&text, c)
            }
        }
    }
}

/// The password file libpq reads: `PGPASSFILE`, else `~/.pgpass`.
pub fn password_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass"))
}

/// The password of the first `host:port:database:user:password` line that fits, `*` matching
/// anything, with `\:` and `\\` escaped as libpq writes them.
pub(crate) fn lookup_password(text: &str, c: &SqlConnection) -> Option<String> {
    let port = c.port().to_string();
    let wanted = [
        c.host.as_str(),
        port.as_str(),
        c.database.as_str(),
        c.user.as_str(),
    ];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_escaped(line);
            if fields.len() != 5 {
                return None;
            }
            let fits = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(f, w)| f == "*" || f == w);
            fits.then(|| fields[4].clone())
        })
}

/// Writes `password` for this connection into the user's password file (created with mode 0600,
/// as libpq requires), replacing the line for the same host, port, database and user. Returns the
/// file's path.
pub fn save_password(c: &SqlConnection, password: &str) -> std::io::Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if password.contains(['\n', '\r']) {
        return Err(std::io::Error::other(
            "a password with a line break cannot be written to the password file",
        ));
    }
    let path =
        password_file().ok_or_else(|| std::io::Error::other("no home folder for ~/.pgpass"))?;
    let esc = |s: &str| s.replace('\\', "\\\\").replace(':', "\\:");
    let port = c.port().to_string();
    let key = format!(
        "{}:{}:{}:{}:",
        esc(&c.host),
        port,
        esc(&c.database),
        esc(&c.user)
    );
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut text = format!("{key}{}\n", esc(password));
    for line in old.lines().filter(|l| !l.starts_with(&key)) {
        text.push_str(line);
        text.push('\n');
    }
    let tmp = path.with_extension("matchbook-tmp");
    // A leftover (or a link planted there) is removed, and the new file made afresh with 0600.
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn split_escaped(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' => fields.push(String::new()),
            _ => {
                if let Some(f) = fields.last_mut() {
                    f.push(ch)
                }
            }
        }
    }
    fields
}

fn connect(c: &SqlConnection, password: &Password, limits: &Limits) -> Result<Client, SqlError> {
    if c.engine == SqlEngine::Mssql {
        return Err(SqlError::Unsupported("Microsoft SQL Server"));
    }
    let mut config = Config::new();
    config
        .host(&c.host)
        .port(c.port())
        .dbname(&c.database)
        .user(&c.user)
        .application_name("matchbook")
        .connect_timeout(limits.connect_timeout);
    if let Some(p) = password.resolve(c) {
        config.password(p);
    }
    config.connect(NoTls).map_err(|e| SqlError::Connect {
        target: c.display(),
        message: e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_else(|| with_cause(&e)),
    })
}

/// A client-side error with what caused it: "invalid configuration: password missing" (the
/// server asked for a password and none was given) rather than just "invalid configuration",
/// "error connecting to server: Connection refused (os error 111)".
fn with_cause(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

fn server_error(e: &postgres::Error, rows: u64) -> SqlError {
    match e.as_db_error() {
        Some(db)
            if matches!(
                db.parsed_severity(),
                Some(Severity::Fatal | Severity::Panic)
            ) =>
        {
            SqlError::Lost {
                rows,
                message: db.message().to_string(),
            }
        }
        Some(db) => query_error(db),
        None if e.is_closed() || rows > 0 => SqlError::Lost {
            rows,
            message: with_sources(e),
        },
        None => SqlError::Query {
            message: e.to_string(),
            code: None,
        },
    }
}

/// The error and its causes, e.g. "error communicating with the server: Connection reset by peer".
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn query_error(db: &DbError) -> SqlError {
    let mut message = db.message().to_string();
    if let Some(postgres::error::ErrorPosition::Original(at)) = db.position() {
        message.push_str(&format!(" (at character {at})"));
    }
    SqlError::Query {
        message,
        code: Some(db.code().code().to_string()),
    }
}

/// Opens the read-only transaction every statement of an import runs in.
fn begin_read_only(client: &mut Client, limits: &Limits) -> Result<(), SqlError> {
    let ms = limits.statement_timeout.as_millis().max(1);
    // ISO dates and UTC timestamps whatever the server's defaults, so values read the same from
    // any server; extra_float_digits 1 gives floats their shortest exact text.
    let setup = format!(
        "BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = {ms}; \
         SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'UTC'; \
         SET LOCAL IntervalStyle = 'iso_8601'; SET LOCAL extra_float_digits = 1"
    );
    client
        .batch_execute(&setup)
        .map_err(|e| server_error(&e, 0))
}

fn columns_of(client: &mut Client, query: &ReadOnlyQuery) -> Result<Vec<SqlColumn>, SqlError> {
    let stmt = client
        .prepare(query.as_str())
        .map_err(|e| server_error(&e, 0))?;
    if stmt.columns().is_empty() {
        return Err(SqlError::Columns("the query returns no columns".into()));
    }
    let mut seen = std::collections::HashSet::new();
    stmt.columns()
        .iter()
        .map(|col| {
            if !seen.insert(col.name()) {
                return Err(SqlError::Columns(format!(
                    "the column name \"{}\" appears twice: give one of them another name with AS",
                    col.name()
                )));
            }
            let db_type = col.type_().name().to_string();
            Ok(SqlColumn {
                name: col.name().to_string(),
                kind: kind_of_type(&db_type).to_string(),
                db_type,
            })
        })
        .collect()
}

/// The query's columns, with the server's types, without reading any row.
pub fn describe(
    c: &SqlConnection,
    password: &Password,
    query: &ReadOnlyQuery,
    limits: &Limits,
) -> Result<Vec<SqlColumn>, SqlError> {
    let mut client = connect(c, password, limits)?;
    begin_read_only(&mut client, limits)?;
    columns_of(&mut client, query)
}

/// Stops a stream from another thread, even while it waits for the server: the flag is read
/// between rows, and the server is asked to cancel the running statement.
#[derive(Clone, Default)]
pub struct Stopper {
    inner: Arc<StopperInner>,
}

#[derive(Default)]
struct StopperInner {
    stopped: AtomicBool,
    server: Mutex<Option<postgres::CancelToken>>,
}

impl Stopper {
    pub fn new() -> Stopper {
        Stopper::default()
    }

    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        let token = self
            .inner
            .server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(token) = token {
            // Best effort: if the statement already ended there is nothing to cancel.
            let _ = token.cancel_query(NoTls);
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    fn attach(&self, token: Option<postgres::CancelToken>) {
        *self.inner.server.lock().unwrap_or_else(|p| p.into_inner()) = token;
    }
}

/// Streams every row of `query` to `sink` in batches of [`BATCH_ROWS`], after its columns; with
/// `limit`, only the first rows (for a preview). Returns the number of rows read.
/// `StreamError::Stopped` when `stopper` was used.
pub fn stream<S: RowSink>(
    c: &SqlConnection,
    password: &Password,
    query: &ReadOnlyQuery,
    limits: &Limits,
    limit: Option<u64>,
    stopper: &Stopper,
    sink: &mut S,
) -> Result<u64, StreamError<S::Error>> {
    let mut client = connect(c, password, limits)?;
    stopper.attach(Some(client.cancel_token()));
    let result = stream_on(&mut client, query, limits, limit, stopper, sink);
    stopper.attach(None);
    match result {
        Err(StreamError::Sql(_)) if stopper.is_stopped() => Err(StreamError::Stopped),
        other => other,
    }
}

fn stream_on<S: RowSink>(
    client: &mut Client,
    query: &ReadOnlyQuery,
    limits: &Limits,
    limit: Option<u64>,
    stopper: &Stopper,
    sink: &mut S,
) -> Result<u64, StreamError<S::Error>> {
    begin_read_only(client, limits)?;
    let columns = columns_of(client, query)?;
    sink.columns(&columns).map_err(StreamError::Sink)?;
    let shapes: Vec<Shape> = columns.iter().map(|c| Shape::of_type(&c.db_type)).collect();
    let copy = match limit {
        // A subquery keeps the user's ORDER BY and lets the server stop after the first rows.
        // Line breaks around the query: a trailing line comment must not swallow the rest.
        Some(n) => format!(
            "COPY (SELECT * FROM (\n{}\n) AS preview LIMIT {n}) TO STDOUT",
            query.as_str()
        ),
        None => format!("COPY (\n{}\n) TO STDOUT", query.as_str()),
    };
    let cancel = client.cancel_token();
    let mut rows: u64 = 0;
    let outcome = (|| {
        let mut reader = client.copy_out(&copy).map_err(|e| server_error(&e, 0))?;
        if stopper.is_stopped() {
            return Err(StreamError::Stopped);
        }
        let mut batch: Vec<Vec<String>> = Vec::with_capacity(BATCH_ROWS);
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| {
                let inner = e
                    .get_ref()
                    .and_then(|i| i.downcast_ref::<postgres::Error>());
                match inner {
                    Some(pe) => server_error(pe, rows),
                    None => SqlError::Lost {
                        rows,
                        message: e.to_string(),
                    },
                }
            })?;
            if n == 0 {
                break;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let values = decode_line(&line, &shapes).map_err(|message| SqlError::BadRow {
                row: rows + 1,
                message,
            })?;
            rows += 1;
            batch.push(values);
            if batch.len() == BATCH_ROWS {
                if stopper.is_stopped() {
                    return Err(StreamError::Stopped);
                }
                sink.rows(&batch).map_err(StreamError::Sink)?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            sink.rows(&batch).map_err(StreamError::Sink)?;
        }
        Ok::<u64, StreamError<S::Error>>(rows)
    })();
    if outcome.is_err() {
        // The server would otherwise send the rest of the rows into a connection nobody reads:
        // ask it to stop, then close the connection, which also ends the transaction.
        let _ = cancel.cancel_query(NoTls);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> SqlConnection {
        SqlConnection {
            engine: SqlEngine::Postgres,
            host: "db.local".into(),
            port: Some(5433),
            database: "erp".into(),
            user: "finance".into(),
        }
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let file = "# comment\nother:5433:erp:finance:wrong\n*:5433:erp:finance:pa\\:ss\\\\\n";
        assert_eq!(lookup_password(file, &conn()).as_deref(), Some("pa:ss\\"));
        assert_eq!(
            lookup_password("db.local:5432:erp:finance:x\n", &conn()),
            None
        );
        assert_eq!(lookup_password("", &conn()), None);
    }

    #[test]
    fn a_saved_password_is_found_again_and_kept_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::env::set_var("PGPASSFILE", &file);
        std::fs::write(&file, "other:1:x:y:keep\n").unwrap();
        save_password(&conn(), "first").unwrap();
        save_password(&conn(), "new:one").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "db.local:5433:erp:finance:new\\:one\nother:1:x:y:keep\n"
        );
        assert_eq!(
            Password::FromPasswordFile.resolve(&conn()).as_deref(),
            Some("new:one")
        );
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(save_password(&conn(), "two\nlines").is_err());
        std::env::remove_var("PGPASSFILE");
    }

    #[test]
    fn mssql_is_refused_before_connecting() {
        let c = SqlConnection {
            engine: SqlEngine::Mssql,
            ..conn()
        };
        let err = connect(&c, &Password::FromPasswordFile, &Limits::default())
            .err()
            .expect("refused");
        assert!(err
            .to_string()
            .contains("Microsoft SQL Server is not supported"));
    }
}
