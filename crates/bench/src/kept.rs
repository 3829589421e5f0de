//! Helpers for the subcommands that reopen a workspace the scale benchmark kept (`--keep`): which
//! config to use, running it to the end, and a throwaway copy to work on.

use std::path::{Path, PathBuf};
use std::time::Duration;

use engine::{Run, TriggeredBy};
use service::Workspace;

use crate::BenchError;

/// The files SQLite keeps a workspace in: the database, then its write-ahead log and shared
/// memory index when present. Committed pages may still sit in the log only.
const SQLITE_SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// The config named on the command line, or the workspace's only one (the scale benchmark creates
/// exactly one); with several, the caller must say which rather than have one picked silently.
pub fn config_id(ws: &Workspace, asked: Option<&str>) -> Result<String, BenchError> {
    if let Some(id) = asked {
        return Ok(ws.get_config(id)?.id);
    }
    let configs = ws.list_configs()?;
    match configs.as_slice() {
        [only] => Ok(only.id.clone()),
        _ => Err(BenchError::Usage(format!(
            "the workspace has {} configs; say which with --config",
            configs.len()
        ))),
    }
}

/// Starts a run of `config_id` and waits until it is no longer active, however long that takes.
pub fn run_to_end(ws: &Workspace, config_id: &str) -> Result<Run, BenchError> {
    let run = ws.start_run(config_id, TriggeredBy::Manual)?;
    loop {
        let r = ws.wait_for_run(&run.id, Duration::from_secs(3600))?;
        if !r.status.is_active() {
            return Ok(r);
        }
    }
}

/// Copies the workspace at `source` (with its -wal and -shm files) into `dir` and returns the
/// copy's path, so a benchmark that writes decisions or runs never changes the user's file. The
/// source must not be open in a process that writes to it meanwhile.
pub fn copy_workspace(source: &Path, dir: &Path) -> Result<PathBuf, BenchError> {
    if !source.is_file() {
        return Err(BenchError::Usage(format!(
            "{} is not a workspace file",
            source.display()
        )));
    }
    let name = source
        .file_name()
        .ok_or_else(|| BenchError::Usage(format!("{} has no file name", source.display())))?;
    let target = dir.join(name);
    for suffix in SQLITE_SUFFIXES {
        let from = with_suffix(source, suffix);
        if suffix.is_empty() || from.exists() {
            let to = with_suffix(&target, suffix);
            std::fs::copy(&from, &to).map_err(BenchError::io(format!(
                "cannot copy {} to {}",
                from.display(),
                to.display()
            )))?;
        }
    }
    Ok(target)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
