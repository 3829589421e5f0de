//! Matchbook's workspace file: one SQLite database holding datasets, configs, runs, results and the
//! review log. This crate is the only code that writes SQL.
//!
//! One writer connection (behind a mutex) and a few reader connections; WAL lets readers proceed
//! while a run writes, and each other. Every multi-row change is one transaction, so a failure leaves nothing half-done.

mod bands;
mod checkpoint;
mod configs;
mod datasets;
mod em;
mod em_pipelines;
mod error;
mod imports;
mod leases;
mod migrations;
mod packages;
mod queue;
mod results;
mod runs;
mod schedule;
mod settings;
mod strategies;
mod suggestions;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use checkpoint::Deferral;
pub use em::{EmJobRecord, EmModelFilter, EmModelRecord};
pub use em_pipelines::{EmPipelineRecord, EmPipelineRunRecord};
pub use error::StoreError;
pub use imports::ImportSlot;
pub use leases::{Lease, LiveProgress, OwnedRunState, Owner, RunRecord};
pub use packages::PackageRunQuery;
pub use queue::{ConfidenceHistogram, ResultFilter, ResultSort, ReviewCounts};
pub use results::{NewResult, Revert, Review};
pub use runs::{RunCounters, RunListQuery, StoredRun};
pub use schedule::ScheduledConfig;
pub use settings::ApiKeyRecord;
pub use strategies::{StrategyListQuery, StrategyRecord};
pub use suggestions::{NewSuggestion, ReviewLabel, SuggestionCounts};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Reader connections: the REST API answers many clients at once and the window reads while a
/// run writes; one reader made every read wait for the one before it (docs/PERFORMANCE.md).
const READERS: usize = 4;

/// How long a statement waits for another connection's (or process's) write lock before the
/// call fails with [`StoreError::Busy`]. Write transactions are short (a review, a batch of
/// results); only an import of a million rows holds the lock longer.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub struct Store {
    path: PathBuf,
    read_only: bool,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// None when read-only.
    _checkpointer: Option<checkpoint::Checkpointer>,
    deferrals: checkpoint::Deferrals,
}

/// How the file could be opened.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    ReadWrite,
    /// Read-only, sharing the WAL index with writers in other processes.
    ReadOnly,
    /// Read-only where not even the WAL index can be created (a read-only mount): SQLite is told
    /// the file cannot change.
    Immutable,
}

impl Store {
    /// Opens (creating if needed) the workspace at `path` and brings its schema up to date. A
    /// workspace this user may read but not write (or on a read-only mount) opens read-only:
    /// reads work, writes fail with [`StoreError::ReadOnly`].
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Io {
                    path: dir.display().to_string(),
                    source: e,
                })?;
            }
        }
        match Store::open_as(path, Access::ReadWrite) {
            Err(e) if path.exists() && cannot_write(&e) => Store::open_as(path, Access::ReadOnly)
                .or_else(|_| Store::open_as(path, Access::Immutable)),
            other => other,
        }
    }

    fn open_as(path: &Path, access: Access) -> Result<Store> {
        let mut writer = open_connection(path, access)?;
        if access == Access::ReadWrite {
            if writer.is_readonly(rusqlite::MAIN_DB)? {
                return Err(StoreError::ReadOnly);
            }
            migrations::migrate(&mut writer)?;
        } else {
            migrations::check_current(&writer)?;
        }
        let readers = (0..READERS)
            .map(|_| open_connection(path, access).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        let deferrals = checkpoint::Deferrals::default();
        let checkpointer = match access {
            Access::ReadWrite => Some(checkpoint::Checkpointer::start(
                open_connection(path, access)?,
                path,
                (deferrals.clone(), checkpoint::DEFER_LIMIT),
            )),
            _ => None,
        };
        Ok(Store {
            path: path.to_path_buf(),
            read_only: access != Access::ReadWrite,
            writer: Mutex::new(writer),
            readers,
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            _checkpointer: checkpointer,
            deferrals,
        })
    }

    /// Checkpoints wait until the returned guard is dropped (or the log passes
    /// `DEFER_LIMIT`): a run holds one while it writes its results, so that copying the log
    /// does not compete with scoring (docs/PERFORMANCE.md).
    pub fn defer_checkpoints(&self) -> checkpoint::Deferral {
        self.deferrals.defer()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the workspace could only be opened for reading.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .read()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Copies the whole write-ahead log into the database file and empties the log, waiting for
    /// readers and the writer as a write does. Before the file is closed to be moved: from here
    /// the main file alone holds the workspace. Nothing to do when read-only.
    pub fn checkpoint(&self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        let conn = self.write();
        // (busy, log frames, frames copied): busy means a reader kept part of the log.
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if busy != 0 {
            return Err(StoreError::Busy {
                seconds: BUSY_TIMEOUT.as_secs(),
            });
        }
        Ok(())
    }

    fn write(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back
        // on drop), so a poisoned lock is safe to reuse.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A free reader if there is one, else a wait on the next in turn.
    fn read(&self) -> MutexGuard<'_, Connection> {
        use std::sync::atomic::Ordering;
        use std::sync::TryLockError;
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            match self.readers[(start + i) % self.readers.len()].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        self.readers[start % self.readers.len()]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// A separate read connection for long scans (loading a million reference rows) that should
    /// not hold up the short reads the UI makes meanwhile.
    fn scan_connection(&self) -> Result<Connection> {
        let access = if self.read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        open_connection(&self.path, access)
            .or_else(|_| open_connection(&self.path, Access::Immutable))
    }
}

/// Whether opening failed because this user may not write the file or its folder.
fn cannot_write(e: &StoreError) -> bool {
    match e {
        StoreError::ReadOnly => true,
        StoreError::Open { source, .. } | StoreError::Sqlite(source) => matches!(
            source.sqlite_error_code(),
            Some(
                rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::PermissionDenied
            )
        ),
        _ => false,
    }
}

fn open_connection(path: &Path, access: Access) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let opened = match access {
        Access::ReadWrite => Connection::open(path),
        Access::ReadOnly => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        Access::Immutable => Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
    };
    let mut conn = opened.map_err(|e| StoreError::Open {
        path: path.display().to_string(),
        source: e,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if access == Access::ReadWrite {
        // WAL: readers never block the writer; NORMAL sync is durable across app crashes (only an
        // OS crash can lose the last commits), which is the usual trade for a desktop workspace.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Commits never checkpoint: the store's checkpointer thread does (checkpoint.rs).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // A run logs hundreds of megabytes while checkpoints wait for it (checkpoint.rs); once
        // copied and restarted, the log is cut back to this rather than kept at its largest.
        conn.pragma_update(None, "journal_size_limit", 64i64 * 1024 * 1024)?;
        // A write transaction takes the write lock when it begins. A deferred one that read first
        // cannot wait for another process's commit (its snapshot is stale) and fails at once with
        // "database is locked"; taken up front, the lock is waited for under the busy timeout.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Reads through a memory map and a 32 MB page cache: the review queue scans a run's results
    // (text search, counts, bulk decisions), and with SQLite's 2 MB default a fifth of that time
    // went to copying pages from the kernel (docs/PERFORMANCE.md).
    conn.pragma_update(None, "mmap_size", 256i64 * 1024 * 1024)?;
    conn.pragma_update(None, "cache_size", -32 * 1024)?;
    Ok(conn)
}

/// The two files SQLite keeps beside a workspace while it is open: its log and the log's index.
pub fn side_files(path: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm")]
}

/// `file:` URI of `path` with `immutable=1`; the characters that URIs reserve are escaped.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            _ => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The version of the SQLite library linked in (bundled), e.g. "3.50.2".
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_twice_migrates_once_and_sets_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/w.sqlite");
        let store = Store::open(&path).unwrap();
        let version = store.schema_version().unwrap();
        assert_eq!(version, 19);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), version);
        let conn = store.read();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), fk), ("wal", 1));
    }

    /// Results are inserted without SQLite's CHECK of their status (see `write_results`); the
    /// writer connection has its checks back afterwards, for every other write.
    #[test]
    fn writing_results_leaves_the_writer_checking_constraints() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        store
            .write()
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        let result = engine::DocumentMatch {
            document_id: "d1".into(),
            document_filename: None,
            matched_reference_row_id: None,
            confidence: 0.0,
            candidates: Vec::new(),
            contested: false,
            band_complete: true,
        };
        let batch = [NewResult {
            id: "res1".into(),
            result: &result,
        }];
        store
            .write_results("run1", &batch, RunCounters::default())
            .unwrap();
        let conn = store.write();
        let ignoring: i64 = conn
            .query_row("PRAGMA ignore_check_constraints", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ignoring, 0);
        let status: String = conn
            .query_row("SELECT status FROM results WHERE id = 'res1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(status, "pending");
        let err = conn
            .execute("UPDATE results SET status = 'bogus'", [])
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation)
        );
    }

    /// A workspace is closed to be moved: the checkpoint leaves the whole workspace in the main
    /// file, and once the store is dropped no connection of this process keeps the log open.
    #[test]
    fn a_checkpointed_and_dropped_store_leaves_only_the_main_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let store = Store::open(&path).unwrap();
        store
            .write()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        store.checkpoint().unwrap();
        let wal = dir.path().join("w.sqlite-wal");
        assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
        drop(store);
        assert!(!wal.exists(), "the log outlived the store");
        assert!(!dir.path().join("w.sqlite-shm").exists());
        let n: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert!(sqlite_version().starts_with("3."));
    }

    #[test]
    fn loading_reference_rows_reads_all_or_stops_for_a_cancel() {
        use engine::{CancelToken, Column, Dataset, DatasetKind, Record};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let dataset = Dataset {
            id: "ref".into(),
            kind: DatasetKind::Reference,
            name: "orders".into(),
            source_type: "csv".into(),
            source_file: None,
            columns: vec![Column {
                name: "po".into(),
                kind: "string".into(),
            }],
            row_count: 40_000,
            id_column: None,
            filename_column: None,
            created_at: "2026-11-22T00:00:00Z".into(),
            status: Default::default(),
            version: 1,
            error: None,
            rows_imported: None,
            sql: None,
        };
        let rows: Vec<Record> = (0..40_000)
            .map(|i| Record {
                id: format!("row{i}"),
                values: vec![format!("PO-{i}")],
            })
            .collect();
        store.insert_reference_dataset(&dataset, &rows).unwrap();
        let (_, loaded) = store
            .load_reference("ref", &CancelToken::new())
            .unwrap()
            .expect("not cancelled");
        assert_eq!(loaded, rows);
        let cancel = CancelToken::new();
        cancel.cancel();
        assert!(store.load_reference("ref", &cancel).unwrap().is_none());
    }

    #[test]
    fn a_workspace_from_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        match Store::open(&path) {
            Err(StoreError::TooNew { found: 99, .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("a newer schema must be refused"),
        }
        let v: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
    }

    #[test]
    fn the_review_log_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let conn = store.write();
        conn.execute(
            "INSERT INTO review_decisions (id, result_id, run_id, document_id, reference_data_id, previous_status, \
             status, decided_by, decided_at) VALUES ('d1', 'r1', 'run1', 'doc1', 'ref1', 'pending', 'approved', 'me', 'now')",
            [],
        )
        .unwrap();
        let update = conn.execute("UPDATE review_decisions SET status = 'rejected'", []);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = conn.execute("DELETE FROM review_decisions", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        let n: i64 = conn
            .query_row("SELECT count(*) FROM review_decisions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
