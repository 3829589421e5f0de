//! Workspace files as a shell switches between them: the checks on a path the user typed or
//! chose, closing a workspace so that nothing of this process holds its file open, and moving a
//! closed workspace file to another path without losing what its write-ahead log held.
//!
//! SQLite keeps a workspace in up to three files: the database, its `-wal` log and the `-shm`
//! index of the log. A move checkpoints the log into the database, closes every connection (the
//! last one to close removes the other two files) and then moves the database alone. Should the
//! `-wal` or `-shm` still be there after the close, another process has the file open, and a
//! move would split the workspace between two names: it is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Result, ServiceError};
use crate::Workspace;

/// The field that errors about a workspace path name.
pub const PATH_FIELD: &str = "path";

pub use store::side_files;

/// The workspace path a user typed or picked: surrounding blanks dropped, `~` read as the home
/// folder, and only absolute paths taken, since the window's working folder is nothing the user
/// can see or choose.
pub fn workspace_path(input: &str) -> Result<PathBuf> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ServiceError::validation(
            PATH_FIELD,
            "give the path of a workspace file",
        ));
    }
    let home = || std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
    let path = match text.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') => {
            match home() {
                Some(h) => PathBuf::from(h).join(rest.trim_start_matches(['/', '\\'])),
                None => PathBuf::from(text),
            }
        }
        _ => PathBuf::from(text),
    };
    if !path.is_absolute() {
        return Err(ServiceError::validation(
            PATH_FIELD,
            format!("{text}: give the full path of the file, from the top folder (e.g. /home/me/clients/acme.sqlite)"),
        ));
    }
    Ok(path)
}

/// One spelling per file, so that the recent list and "is this the open workspace" compare
/// equal paths equal: symbolic links and `..` resolved where the file exists.
pub fn same_file_key(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Refuses a path that cannot be opened as an existing workspace: missing, or a folder.
pub fn check_existing(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(ServiceError::validation(
            PATH_FIELD,
            format!("{} is a folder, not a workspace file", path.display()),
        )),
        Ok(_) => Ok(()),
        Err(_) => Err(ServiceError::NotFoundAt {
            kind: "workspace file",
            id: path.display().to_string(),
            field: PATH_FIELD.into(),
        }),
    }
}

/// Refuses a path where a new workspace (or a moved one) cannot go: anything already there,
/// including a log or index left from an earlier file of that name, which SQLite would replay
/// into the new one.
pub fn check_free(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(ServiceError::validation(
            PATH_FIELD,
            format!(
                "{} already exists: choose another name, or open it instead",
                path.display()
            ),
        ));
    }
    if let Some(side) = side_files(path).into_iter().find(|s| s.exists()) {
        return Err(ServiceError::validation(
            PATH_FIELD,
            format!(
                "{} is left from an earlier workspace of that name: choose another name, or remove it first",
                side.display()
            ),
        ));
    }
    Ok(())
}

impl Workspace {
    /// Closes the workspace so that its file can be moved: cancels the runs this process holds
    /// (they are recorded as cancelled), copies the log into the database file, lets go of
    /// `self` and waits, up to `wait`, until nothing of this process holds the file open any
    /// more. The other holders (a request being answered, a background job) must be let go of
    /// by the caller first; an error says the file may still be open.
    pub fn close(self: Arc<Self>, wait: Duration) -> Result<()> {
        let path = self.path.clone();
        self.runner.inner.cancel_all_held();
        self.store.checkpoint()?;
        let store = Arc::downgrade(&self.store);
        drop(self);
        let deadline = Instant::now() + wait;
        // The store goes when the last request, run or job holding it ends; its drop closes
        // every connection, the checkpointer's included.
        while store.strong_count() > 0 {
            if Instant::now() >= deadline {
                return Err(ServiceError::Conflict(format!(
                    "{} is still in use by work of this window after {} s; try again when it ends",
                    path.display(),
                    wait.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// Moves the closed workspace file at `from` to `to` (see the module's note). A rename where
/// both are on one file system; elsewhere a copy, synced to disk before the original goes.
pub fn move_workspace_file(from: &Path, to: &Path) -> Result<()> {
    check_free(to)?;
    if let Some(side) = side_files(from).into_iter().find(|s| s.exists()) {
        return Err(ServiceError::Conflict(format!(
            "{} is open in another program ({} is there): close the other Matchbook window, \
             `matchbook serve` or command using it, then move it",
            from.display(),
            side.display()
        )));
    }
    let failed = |what: &str, e: std::io::Error| {
        ServiceError::validation(
            PATH_FIELD,
            format!(
                "cannot move {} to {}: {what}: {e}",
                from.display(),
                to.display()
            ),
        )
    };
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed("cannot create the folder", e))?;
    }
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    // Most often another file system (a rename cannot cross one); any other cause shows again
    // in the copy, whose error is the one reported.
    let copied = std::fs::copy(from, to)
        .and_then(|_| std::fs::File::open(to)?.sync_all())
        .map_err(|e| failed("copy", e));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    std::fs::remove_file(from).map_err(|e| failed("the copy is made, but the original stays", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn typed_paths_must_be_absolute_and_home_is_read() {
        assert!(workspace_path("/tmp/a.sqlite").is_ok());
        assert_eq!(
            workspace_path("  /tmp/a.sqlite\n").unwrap(),
            PathBuf::from("/tmp/a.sqlite")
        );
        let e = workspace_path("a.sqlite").unwrap_err();
        assert!(matches!(&e, ServiceError::Validation { field, .. } if field == PATH_FIELD));
        assert!(e.to_string().contains("full path"), "{e}");
        assert!(workspace_path(" ").is_err());
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(
                workspace_path("~/w.sqlite").unwrap(),
                PathBuf::from(home).join("w.sqlite")
            );
        }
    }

    #[test]
    fn new_paths_must_be_free_and_open_paths_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.sqlite");
        assert!(matches!(
            check_existing(&file),
            Err(ServiceError::NotFoundAt { .. })
        ));
        assert!(check_free(&file).is_ok());
        std::fs::write(dir.path().join("w.sqlite-wal"), b"old").unwrap();
        let e = check_free(&file).unwrap_err();
        assert!(e.to_string().contains("w.sqlite-wal"), "{e}");
        std::fs::write(&file, b"").unwrap();
        assert!(check_existing(&file).is_ok());
        assert!(check_free(&file)
            .unwrap_err()
            .to_string()
            .contains("already exists"));
        assert!(check_existing(dir.path())
            .unwrap_err()
            .to_string()
            .contains("folder"));
    }

    /// A workspace with uncheckpointed work is closed, moved and reopened with all of it; the
    /// old name is gone, side files included.
    #[test]
    fn a_closed_workspace_moves_with_everything_it_held() {
        let rt = runtime();
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("march.sqlite");
        let to = dir.path().join("clients/acme/march.sqlite");
        let ws =
            Arc::new(Workspace::open(&from, rt.handle().clone(), OpenOptions::default()).unwrap());
        ws.seed_demo(&dir.path().join("demo-data")).unwrap();
        let before = ws.info().unwrap();
        assert!(before.datasets > 0);
        ws.close(Duration::from_secs(10)).unwrap();
        for side in side_files(&from) {
            assert!(!side.exists(), "{} outlived the close", side.display());
        }
        move_workspace_file(&from, &to).unwrap();
        assert!(!from.exists());
        let ws = Workspace::open(&to, rt.handle().clone(), OpenOptions::default()).unwrap();
        let after = ws.info().unwrap();
        assert_eq!(
            (after.datasets, after.configs, after.runs),
            (before.datasets, before.configs, before.runs)
        );
    }

    #[test]
    fn a_move_onto_a_file_or_of_a_file_open_elsewhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("a.sqlite");
        let to = dir.path().join("b.sqlite");
        std::fs::write(&from, b"a").unwrap();
        std::fs::write(&to, b"b").unwrap();
        assert!(move_workspace_file(&from, &to).is_err());
        assert_eq!(std::fs::read(&to).unwrap(), b"b");
        std::fs::remove_file(&to).unwrap();
        std::fs::write(dir.path().join("a.sqlite-wal"), b"log").unwrap();
        let e = move_workspace_file(&from, &to).unwrap_err();
        assert!(matches!(e, ServiceError::Conflict(_)), "{e}");
        assert!(from.exists() && !to.exists());
    }

    /// A run in progress is cancelled by the close, which then still releases the file.
    #[test]
    fn closing_cancels_the_runs_in_progress() {
        let rt = runtime();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let ws =
            Arc::new(Workspace::open(&path, rt.handle().clone(), OpenOptions::default()).unwrap());
        ws.seed_demo(&dir.path().join("demo-data")).unwrap();
        let config = ws.list_configs().unwrap().remove(0);
        let run = ws
            .start_run(&config.id, engine::TriggeredBy::Manual)
            .unwrap();
        ws.close(Duration::from_secs(20)).unwrap();
        let ws = Workspace::open(&path, rt.handle().clone(), OpenOptions::default()).unwrap();
        let status = ws.get_run(&run.id).unwrap().run.status;
        assert!(
            matches!(
                status,
                engine::RunStatus::Cancelled | engine::RunStatus::Completed
            ),
            "{status:?}"
        );
    }
}
