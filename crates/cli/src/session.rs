//! An open workspace together with the tokio runtime its run worker lives on.

use std::path::Path;
use std::time::Duration;

use service::{OpenOptions, Workspace};
use tokio::runtime::Runtime;

use crate::error::CliError;

/// How long closing waits for the run worker. A run still executing at exit (which a later issue's
/// Ctrl-C handling will cancel first) must not keep the process alive forever.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

pub struct Session {
    // Both are `Option` only so `Drop` can close them in order: the workspace (and with it the
    // run queue) before the runtime that drives it.
    workspace: Option<Workspace>,
    runtime: Option<Runtime>,
}

impl Session {
    /// Opens (creating if needed) the workspace at `path` on a fresh multi-threaded runtime.
    pub fn open(path: &Path) -> Result<Session, CliError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("matchbook-worker")
            .build()
            .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
        let workspace = Workspace::open(path, runtime.handle().clone(), OpenOptions::default())?;
        Ok(Session {
            workspace: Some(workspace),
            runtime: Some(runtime),
        })
    }

    pub fn workspace(&self) -> &Workspace {
        // Only `Drop` takes it out.
        self.workspace
            .as_ref()
            .expect("workspace is open until drop")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.workspace.take());
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(SHUTDOWN_WAIT);
        }
    }
}
