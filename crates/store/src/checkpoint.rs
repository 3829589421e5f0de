//! WAL checkpoints on a thread of their own, so that no commit waits for one.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit
//! (a batch of a run's results, the final status of a cancelled run, a review) then copies tens of
//! megabytes of the log into the database file first, which made one cancel in five take 300 to
//! 400 ms at 1M rows (docs/PERFORMANCE.md). Here commits only append to the log; a checkpointer
//! with its own connection copies it back in passive mode, which never blocks a writer.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often the checkpointer looks whether anything was committed.
const POLL: Duration = Duration::from_millis(200);
/// At most one checkpoint this often: each ends with a sync of the database file.
const EVERY: Duration = Duration::from_secs(1);

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
    /// Starts checkpointing the workspace at `path` through `conn`, a connection of its own.
    pub(crate) fn start(conn: Connection, path: &Path) -> Checkpointer {
        let (stop, stopped) = mpsc::channel::<()>();
        let name = format!("matchbook-checkpoint {}", path.display());
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

/// Changes whenever another connection commits (SQLite's `data_version`).
fn data_version(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_checkpointed_off_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let store = crate::Store::open(&path).unwrap();
        let auto: i64 = store
            .write()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0, "the writer never checkpoints by itself");
        {
            let mut conn = store.write();
            let tx = conn.transaction().unwrap();
            tx.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
            for _ in 0..500 {
                tx.execute("INSERT INTO t VALUES (randomblob(4096))", [])
                    .unwrap();
            }
            tx.commit().unwrap();
        }
        // 2 MB committed to the log: the database file gets them only from the checkpointer.
        let size = || std::fs::metadata(&path).unwrap().len();
        assert!(size() < 1_000_000, "the commit itself checkpointed");
        let deadline = Instant::now() + Duration::from_secs(10);
        while size() < 2_000_000 {
            assert!(
                Instant::now() < deadline,
                "no checkpoint: file {} bytes",
                size()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
