//! WAL checkpoints on a thread of their own, so that no commit waits for one.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit
//! (a batch of a run's results, the final status of a cancelled run, a review) then copies tens of
//! megabytes of the log into the database file first, which made one cancel in five take 300 to
//! 400 ms at 1M rows (docs/PERFORMANCE.md). Here commits only append to the log; a checkpointer
//! with its own connection copies it back in passive mode, which never blocks a writer.
//!
//! While a run writes its results, checkpoints wait for it to end (up to `DEFER_LIMIT` of log):
//! on two cores the copying competed with scoring, and the index pages a run rewrites with
//! every commit are copied once afterwards instead of once per checkpoint.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often the checkpointer looks whether anything was committed.
const POLL: Duration = Duration::from_millis(200);
/// At most one checkpoint this often: each ends with a sync of the database file.
const EVERY: Duration = Duration::from_secs(1);
/// A log this large is checkpointed even while checkpoints are deferred: the disk a run may
/// borrow. A people run of 100,000 documents logs about 270 MB.
pub(crate) const DEFER_LIMIT: u64 = 512 * 1024 * 1024;

/// Who asked for checkpoints to wait (see [`Deferral`]), shared by the store and its
/// checkpointer.
#[derive(Clone, Default)]
pub(crate) struct Deferrals(Arc<AtomicUsize>);

impl Deferrals {
    pub(crate) fn defer(&self) -> Deferral {
        self.0.fetch_add(1, Ordering::SeqCst);
        Deferral(self.0.clone())
    }

    fn any(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

/// Checkpoints wait while one of these lives (a run writing its results), unless the log grows
/// past the limit. Dropping the last one lets the next checkpoint copy the whole log.
pub struct Deferral(Arc<AtomicUsize>);

impl Drop for Deferral {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Stops the checkpointer when dropped (with the store that owns it), and waits for its thread
/// to close its connection: once the store is gone, nothing of this process holds the file open
/// (a workspace is closed to be moved to another path).
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Disconnecting wakes the thread at once; a checkpoint in progress is passive, so short.
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Checkpointer {
    /// Starts checkpointing the workspace at `path` through `conn`, a connection of its own;
    /// while `deferrals` has any, only a log past `limit` bytes is checkpointed.
    pub(crate) fn start(
        conn: Connection,
        path: &Path,
        (deferrals, limit): (Deferrals, u64),
    ) -> Checkpointer {
        let (stop, stopped) = mpsc::channel::<()>();
        let name = format!("matchbook-checkpoint {}", path.display());
        let [log, _] = crate::side_files(path);
        let spawned = std::thread::Builder::new()
            .name(name.chars().take(15).collect())
            .spawn(move || {
                let mut seen = data_version(&conn);
                let mut last = Instant::now();
                loop {
                    match stopped.recv_timeout(POLL) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    let now = data_version(&conn);
                    if now == seen || last.elapsed() < EVERY {
                        continue;
                    }
                    if deferrals.any() && file_len(&log) < limit {
                        continue;
                    }
                    // Busy or not, a passive checkpoint copies what it can and never waits;
                    // what it could not copy waits for the next one.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    seen = now;
                    last = Instant::now();
                }
            });
        // Without the thread the log only grows until the last connection closes (which
        // checkpoints it); the workspace stays correct.
        Checkpointer {
            stop: Some(stop),
            thread: spawned.ok(),
        }
    }
}

/// A file's size in bytes (0 when there is none).
fn file_len(file: &Path) -> u64 {
    std::fs::metadata(file).map_or(0, |m| m.len())
}

/// Changes whenever another connection commits (SQLite's `data_version`).
fn data_version(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_checkpointed_off_the_writer() {
        let (_dir, path, store) = workspace();
        let auto: i64 = store
            .write()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0, "the writer never checkpoints by itself");
        commit_two_megabytes(&store);
        // 2 MB committed to the log: the database file gets them only from the checkpointer.
        assert!(
            file_len(&path) < 1_000_000,
            "the commit itself checkpointed"
        );
        wait_for_checkpoint(&path);
    }

    /// Commits 2 MB to the log of the store's workspace.
    fn commit_two_megabytes(store: &crate::Store) {
        let mut conn = store.write();
        let tx = conn.transaction().unwrap();
        tx.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        for _ in 0..500 {
            tx.execute("INSERT INTO t VALUES (randomblob(4096))", [])
                .unwrap();
        }
        tx.commit().unwrap();
    }

    /// A new workspace in a temporary folder (kept while the folder lives).
    fn workspace() -> (tempfile::TempDir, std::path::PathBuf, crate::Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let store = crate::Store::open(&path).unwrap();
        (dir, path, store)
    }

    /// Waits (up to 10 s) for the 2 MB committed to reach the database file.
    fn wait_for_checkpoint(path: &Path) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while file_len(path) < 2_000_000 {
            assert!(
                Instant::now() < deadline,
                "no checkpoint: file {} bytes",
                file_len(path)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn checkpoints_wait_while_deferred_and_follow_once_released() {
        let (_dir, path, store) = workspace();
        let deferral = store.defer_checkpoints();
        let second = store.defer_checkpoints();
        commit_two_megabytes(&store);
        // Undeferred, the checkpointer copies within POLL + EVERY (1.2 s) of opening.
        std::thread::sleep(EVERY * 2);
        assert!(file_len(&path) < 1_000_000, "checkpointed while deferred");
        drop(deferral);
        std::thread::sleep(EVERY + POLL * 2);
        assert!(
            file_len(&path) < 1_000_000,
            "checkpointed while still deferred once"
        );
        drop(second);
        wait_for_checkpoint(&path);
    }

    #[test]
    fn a_log_past_the_limit_is_checkpointed_even_while_deferred() {
        let (_dir, path, store) = workspace();
        // The store's own checkpointer waits (its limit is hundreds of megabytes); a second one
        // with a 1 MB limit must not.
        let _store_waits = store.defer_checkpoints();
        let deferrals = Deferrals::default();
        let _deferred = deferrals.defer();
        let conn = crate::open_connection(&path, crate::Access::ReadWrite).unwrap();
        let _small = Checkpointer::start(conn, &path, (deferrals, 1_000_000));
        commit_two_megabytes(&store);
        wait_for_checkpoint(&path);
    }
}
