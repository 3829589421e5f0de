//! Matchbook's service layer: the one API the desktop shell, the REST API and the CLI call. It
//! validates requests, drives the engine, persists through the store and runs matching jobs on
//! tokio. Shells stay thin: they translate transport to these calls and `ApiError` back.

mod bands;
mod clock;
mod configs;
mod cron;
mod datasets;
pub mod demo;
mod diagnostics;
mod dto;
pub mod em;
mod error;
mod export;
mod guide;
mod keys;
mod lease;
mod memory;
mod packages;
mod paging;
mod prepare;
mod preview;
pub mod recent;
mod results;
mod review;
mod runner;
mod runs;
mod schedule;
mod smart;
mod sql_import;
mod strategies;
mod upload;
pub mod workspace_files;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use store::Store;
pub use store::StoreError;

pub use clock::{Clock, SystemClock};
pub use configs::{candidate_search, CandidateSearch, FieldSearch};
pub use diagnostics::Diagnostics;
pub use dto::*;
pub use error::{ApiError, ErrorCode, Result, ServiceError};
pub use guide::GuideState;
pub use keys::{ApiKeyInfo, ApiServerStatus, ApiSettings, NewApiKey, DEFAULT_API_PORT, KEY_PREFIX};
pub use memory::{prefer_small_pages, set_memory_release};
pub use packages::{
    input_rows_from_file, InputRow, MatchOne, MatchOneInput, PackageConfigInput,
    PackageConfigPatch, PackageRunFilter, PackageRunInput, PassCriteriaPatch,
};
pub use paging::{
    CursorPage, CursorPagination, CursorQuery, CURSOR_DEFAULT_LIMIT, CURSOR_MAX_LIMIT,
};
pub use recent::{RecentList, RecentWorkspace};
pub use runner::ProgressListener;
pub use schedule::SchedulerHandle;
pub use smart::{AiResolveInput, SmartRunInput};
pub use sql_import::{RefreshRequest, SqlImportRequest, SqlPreview};
pub use sqlsource::SqlColumn;
pub use strategies::{
    ConfigFromStrategy, GenerateStrategyInput, MatchingStrategy, StrategyContent, StrategyLinks,
    StrategyPatch,
};
pub use upload::{RowsImport, UploadImport};

/// Options for opening a workspace.
pub struct OpenOptions {
    /// Who review decisions are recorded as.
    pub user: String,
    pub clock: Arc<dyn Clock>,
    /// Whether this process takes over the queued runs of processes that died (and starts
    /// them). Right for the app and `serve`; a one-shot command that exits straight after would
    /// leave them interrupted.
    pub take_over_runs: bool,
    /// How long a warm index (package runs, match-one) stays unused before it is freed.
    pub warm_index_idle: std::time::Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "reviewer".to_string());
        OpenOptions {
            user,
            clock: Arc::new(SystemClock),
            take_over_runs: true,
            warm_index_idle: packages::warm::IDLE,
        }
    }
}

/// An open workspace: the SQLite file plus the worker that executes its runs.
pub struct Workspace {
    store: Arc<Store>,
    path: PathBuf,
    user: String,
    clock: Arc<dyn Clock>,
    runner: runner::Runner,
    /// Held through a pass of the scheduler, so two passes cannot both see a config without an
    /// active run and both start one.
    schedule_pass: Mutex<()>,
    /// Reference rows and indexes kept between package runs (see `packages::warm`).
    warm: Arc<packages::warm::WarmIndexes>,
    /// Where background work other than runs goes (entity-matching training and predict jobs).
    runtime: tokio::runtime::Handle,
}

impl Workspace {
    /// Opens (creating if needed) the workspace at `path`. Runs are executed on `runtime`. Runs
    /// whose process has ended are marked failed, and their queued ones start again here when
    /// `take_over_runs`; runs of processes that are still alive are left to them.
    pub fn open(
        path: &Path,
        runtime: tokio::runtime::Handle,
        opts: OpenOptions,
    ) -> Result<Workspace> {
        let store = Arc::new(Store::open(path)?);
        let warm = Arc::new(packages::warm::WarmIndexes::new(opts.warm_index_idle));
        packages::warm::free_when_idle(&warm, &runtime);
        let background = runtime.clone();
        let runner = runner::Runner::start(
            store.clone(),
            warm.clone(),
            opts.clock.clone(),
            runtime,
            opts.take_over_runs,
        );
        if opts.take_over_runs {
            // Entity-matching work lives in the process that queued it; one that ended left it
            // unfinished for good.
            store.fail_unfinished_em_work(
                lease::now_ms(),
                "the process training or predicting ended",
            )?;
        }
        runner.inner.recover_orphans();
        if !store.is_read_only() {
            // Best effort: a busy writer must not keep the workspace from opening; the next
            // open tries again.
            if let Err(e) = Workspace::fail_stale_imports(&store) {
                eprintln!("matchbook: failing stopped imports: {e}");
            }
        }
        let ws = Workspace {
            store,
            path: path.to_path_buf(),
            user: opts.user,
            clock: opts.clock,
            runner,
            schedule_pass: Mutex::new(()),
            warm,
            runtime: background,
        };
        Ok(ws)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the workspace file could only be opened for reading: every change is refused
    /// with `read_only`.
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    pub fn info(&self) -> Result<WorkspaceInfo> {
        let (datasets, configs, runs) = self.store.counts()?;
        Ok(WorkspaceInfo {
            path: self.path.display().to_string(),
            datasets,
            configs,
            runs,
        })
    }

    fn now(&self) -> String {
        self.clock.now_string()
    }
}

/// A fresh random id (UUIDv4, spec C.25).
/// A lock that a panic elsewhere does not poison for good: every guarded state here stays
/// consistent between statements, so the next caller may go on with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A time-ordered id: a version 7 UUID. A run's hundred thousand results go in at the end of the
/// primary-key index instead of all over it (15 % less writer work at 100k results), and package
/// configs and runs made in the same millisecond still list newest first. Still an opaque UUID
/// to clients (see docs/DECISIONS.md).
fn new_result_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
