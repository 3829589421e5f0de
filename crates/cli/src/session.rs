//! An open workspace together with the tokio runtime its run worker lives on, and the
//! `--workspace` flag that names it, opened only by the commands that need one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use service::{OpenOptions, Workspace};
use tokio::runtime::Runtime;

use crate::error::CliError;

/// How long closing waits for the run worker. A run still executing at exit (`run` cancels its
/// run on Ctrl-C before it gets here) must not keep the process alive forever.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

pub struct Session {
    // Both are `Option` only so `Drop` can close them in order: the workspace (and with it the
    // run queue) before the runtime that drives it.
    workspace: Option<Arc<Workspace>>,
    runtime: Option<Runtime>,
}

impl Session {
    /// Opens (creating if needed) the workspace at `path` on a fresh multi-threaded runtime;
    /// `take_over_runs` as in [`OpenOptions`].
    pub fn open(path: &Path, take_over_runs: bool) -> Result<Session, CliError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("matchbook-worker")
            .build()
            .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
        let opts = OpenOptions {
            take_over_runs,
            ..OpenOptions::default()
        };
        let workspace = Workspace::open(path, runtime.handle().clone(), opts)?;
        Ok(Session {
            workspace: Some(Arc::new(workspace)),
            runtime: Some(runtime),
        })
    }

    pub fn workspace(&self) -> &Workspace {
        // Only `Drop` takes it out.
        self.workspace
            .as_ref()
            .expect("workspace is open until drop")
    }

    /// The workspace as the REST server and the scheduler hold it.
    pub fn shared(&self) -> Arc<Workspace> {
        self.workspace
            .clone()
            .expect("workspace is open until drop")
    }

    /// The runtime the workspace's run worker lives on; `run` listens for Ctrl-C on it.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        self.runtime
            .as_ref()
            .expect("runtime is up until drop")
            .handle()
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

/// The `--workspace` path (or `MATCHBOOK_WORKSPACE`) as given, opened only once a command needs
/// it: `eval` of a predictions file runs without one.
pub(crate) struct WorkspaceArg(Option<PathBuf>);

impl WorkspaceArg {
    pub(crate) fn new(path: Option<PathBuf>) -> Self {
        WorkspaceArg(path)
    }

    /// The path as given; a usage error when there is none. `import --no-wait` hands it to a
    /// process of its own.
    pub(crate) fn path(&self) -> Result<&Path, CliError> {
        self.0.as_deref().ok_or_else(|| {
            CliError::Usage(
                "this command needs a workspace: pass --workspace PATH or set MATCHBOOK_WORKSPACE"
                    .into(),
            )
        })
    }

    /// Opens the workspace, leaving the queued runs of a process that died where they are.
    pub(crate) fn open(&self) -> Result<Session, CliError> {
        self.open_with(false)
    }

    /// Opens the workspace and takes over the queued runs of a process that died: only for a
    /// command that lives long enough to finish them (`serve`); any other would start them and
    /// exit.
    pub(crate) fn open_taking_over_runs(&self) -> Result<Session, CliError> {
        self.open_with(true)
    }

    fn open_with(&self, take_over_runs: bool) -> Result<Session, CliError> {
        Session::open(self.path()?, take_over_runs)
    }
}
