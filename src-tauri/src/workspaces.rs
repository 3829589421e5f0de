//! The open workspace, which the window can switch at runtime: every command reads the current
//! one when it is called, and a switch (open, new, move) stops what served the old one (the
//! scheduler, the local REST API), retires it, and starts the same for the new one, with the
//! window's progress channels moved over. The checks and the file work are the service's
//! (`service::workspace_files`, `service::recent`); this only orders them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use engine::RunProgress;
use service::workspace_files::{
    check_existing, check_free, move_workspace_file, same_file_key, workspace_path, PATH_FIELD,
};
use service::{
    ApiError, ErrorCode, OpenOptions, RecentList, SchedulerHandle, ServiceError, Workspace,
    WorkspaceInfo,
};
use tauri::ipc::Channel;

use crate::api_server::ApiServer;
use crate::command_table::Reply;

/// How long a switch waits for the old workspace's runs to stop and its file to be let go of.
const CLOSE_WAIT: Duration = Duration::from_secs(30);
/// How often the scheduler looks for due runs.
const SCHEDULE_EVERY: Duration = Duration::from_secs(15);
/// Progress channels kept for the next switch: one per load of the window, so a few cover its
/// reloads (a channel whose window is gone unsubscribes itself at its first event).
const CHANNELS_KEPT: usize = 4;

pub struct Current {
    /// None only while a move has the file closed (or could not reopen it).
    ws: RwLock<Option<Arc<Workspace>>>,
    /// One switch at a time.
    switching: tokio::sync::Mutex<()>,
    scheduler: Mutex<Option<SchedulerHandle>>,
    api: Arc<ApiServer>,
    channels: Mutex<Vec<Channel<RunProgress>>>,
    /// Workspaces switched away from, still closing in the background: a move waits for them,
    /// since one of them may be the very file being moved.
    retiring: Mutex<Vec<tauri::async_runtime::JoinHandle<()>>>,
    recent: RecentList,
    log_dir: Option<PathBuf>,
    runtime: tokio::runtime::Handle,
}

/// An error about the workspace at `path`: it names the path, in the message and as the field.
fn at_path(e: ServiceError, path: &str) -> ApiError {
    let mut api = ApiError::from(e);
    api.field.get_or_insert_with(|| PATH_FIELD.to_string());
    if !api.message.contains(path) {
        api.message = format!("{path}: {}", api.message);
    }
    api
}

/// Runs blocking file and SQLite work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> service::Result<T> + Send + 'static,
) -> service::Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(ServiceError::Internal(format!("the work stopped: {e}"))))
}

fn now() -> String {
    use service::Clock;
    service::SystemClock.now_string()
}

/// What a call meets while a move has the workspace closed.
fn none_open() -> ApiError {
    ApiError {
        code: ErrorCode::Busy,
        message: "no workspace is open just now: it is being moved; try again in a moment".into(),
        field: None,
        file: None,
        row: None,
        column: None,
    }
}

impl Current {
    pub fn new(
        api: Arc<ApiServer>,
        recent: RecentList,
        log_dir: Option<PathBuf>,
        runtime: tokio::runtime::Handle,
    ) -> Current {
        Current {
            ws: RwLock::new(None),
            switching: tokio::sync::Mutex::new(()),
            scheduler: Mutex::new(None),
            api,
            channels: Mutex::new(Vec::new()),
            retiring: Mutex::new(Vec::new()),
            recent,
            log_dir,
            runtime,
        }
    }

    /// The open workspace, for one call.
    pub fn get(&self) -> Reply<Arc<Workspace>> {
        let ws = self.ws.read().unwrap_or_else(|p| p.into_inner()).clone();
        ws.ok_or_else(none_open)
    }

    pub fn recent(&self) -> &RecentList {
        &self.recent
    }

    pub fn log_dir(&self) -> Option<PathBuf> {
        self.log_dir.clone()
    }

    /// Makes `ws` the open workspace and starts its scheduler; the caller then resumes the
    /// REST API ([`Current::resume_api`]), which waits for a port.
    pub fn start(&self, ws: Arc<Workspace>) {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        for channel in channels.iter() {
            subscribe(&ws, channel.clone());
        }
        let scheduler = ws.spawn_scheduler(&self.runtime, SCHEDULE_EVERY);
        *self.scheduler.lock().unwrap_or_else(|p| p.into_inner()) = Some(scheduler);
        if let Err(e) = self.recent.touch(ws.path(), &now()) {
            tracing::warn!("recent workspaces: {e}");
        }
        tracing::info!(path = %ws.path().display(), read_only = ws.is_read_only(), "workspace open");
        *self.ws.write().unwrap_or_else(|p| p.into_inner()) = Some(ws);
        drop(channels);
    }

    /// Serves the REST API again if the open workspace had it on; `wait_for_port` at app start
    /// (see `ApiServer::resume`).
    pub async fn resume_api(&self, wait_for_port: bool) {
        if let Ok(ws) = self.get() {
            self.api.resume(&ws, wait_for_port).await;
        }
    }

    /// Stops serving the open workspace (scheduler, REST API) and answers it, no longer open.
    async fn stop(&self) -> Option<Arc<Workspace>> {
        // Dropping the handle ends the loop after a pass in progress.
        self.scheduler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        self.api.stop().await;
        self.ws.write().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Streams the progress of every run of the open workspace, and of each one opened later,
    /// to the window through `channel`.
    pub fn watch(&self, channel: Channel<RunProgress>) -> Reply<()> {
        // Under the channels' lock, as in `start`: a switch meanwhile subscribes it exactly once.
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.push(channel.clone());
        let extra = channels.len().saturating_sub(CHANNELS_KEPT);
        channels.drain(..extra);
        // During a move there is none: the reopened workspace gets the channel in `start`.
        if let Ok(ws) = self.get() {
            subscribe(&ws, channel);
        }
        Ok(())
    }

    /// Opens the existing workspace file at `input` (or, with `create`, a new empty one where
    /// no file is) in place of the open one.
    pub async fn open(&self, input: String, create: bool) -> Reply<WorkspaceInfo> {
        let path = workspace_path(&input).map_err(|e| at_path(e, &input))?;
        let shown = path.display().to_string();
        let _one = self.switching.lock().await;
        let checked = if create {
            check_free(&path)
        } else {
            check_existing(&path)
        };
        checked.map_err(|e| at_path(e, &shown))?;
        if let Ok(ws) = self.get() {
            if same_file_key(ws.path()) == same_file_key(&path) {
                return ws.info().map_err(ApiError::from);
            }
        }
        let runtime = self.runtime.clone();
        let target = path.clone();
        let opened = blocking(move || Workspace::open(&target, runtime, OpenOptions::default()))
            .await
            .map_err(|e| at_path(e, &shown))?;
        tracing::info!(path = %shown, create, "switching workspace");
        let old = self.stop().await;
        let ws = Arc::new(opened);
        self.start(ws.clone());
        self.resume_api(false).await;
        if let Some(old) = old {
            let closing = retire(old);
            let mut retiring = self.retiring.lock().unwrap_or_else(|p| p.into_inner());
            retiring.retain(|h| !h.inner().is_finished());
            retiring.push(closing);
        }
        ws.info().map_err(ApiError::from)
    }

    /// Moves the open workspace's file to `input` and reopens it there (see
    /// `service::workspace_files`): closed first, its runs cancelled; when the move fails the
    /// workspace reopens where it was and the error says why.
    pub async fn move_to(&self, input: String) -> Reply<WorkspaceInfo> {
        let to = workspace_path(&input).map_err(|e| at_path(e, &input))?;
        let shown = to.display().to_string();
        let _one = self.switching.lock().await;
        let retiring =
            std::mem::take(&mut *self.retiring.lock().unwrap_or_else(|p| p.into_inner()));
        for closing in retiring {
            let _ = closing.await;
        }
        let ws = self.get()?;
        let from = ws.path().to_path_buf();
        if ws.is_read_only() {
            let e = ServiceError::validation(
                PATH_FIELD,
                format!(
                    "{} is open read-only: Matchbook may not move it",
                    from.display()
                ),
            );
            return Err(at_path(e, &shown));
        }
        check_free(&to).map_err(|e| at_path(e, &shown))?;
        let from_key = same_file_key(&from);
        drop(ws);
        tracing::info!(from = %from.display(), to = %shown, "moving workspace");
        let old = self.stop().await.ok_or_else(none_open)?;
        let (src, dst) = (from.clone(), to.clone());
        let moved = blocking(move || {
            old.close(CLOSE_WAIT)?;
            move_workspace_file(&src, &dst)
        })
        .await;
        let reopen_at = if moved.is_ok() { &to } else { &from };
        self.reopen(reopen_at).await?;
        match moved {
            Ok(()) => {
                tracing::info!(from = %from.display(), to = %shown, "workspace moved");
                if let Err(e) = self.recent.moved(&from_key, &to, &now()) {
                    tracing::warn!("recent workspaces: {e}");
                }
                self.get()?.info().map_err(ApiError::from)
            }
            Err(e) => {
                tracing::warn!(to = %shown, "move refused: {e}");
                Err(at_path(e, &shown))
            }
        }
    }

    /// Opens `path` again after a move (or a refused one) and serves it.
    async fn reopen(&self, path: &Path) -> Reply<()> {
        let runtime = self.runtime.clone();
        let target = path.to_path_buf();
        let shown = path.display().to_string();
        let ws = blocking(move || Workspace::open(&target, runtime, OpenOptions::default()))
            .await
            .map_err(|e| {
                tracing::error!(path = %shown, "cannot reopen the workspace: {e}");
                at_path(e, &shown)
            })?;
        self.start(Arc::new(ws));
        self.resume_api(false).await;
        Ok(())
    }
}

fn subscribe(ws: &Workspace, channel: Channel<RunProgress>) {
    ws.subscribe_progress(Box::new(move |p| channel.send(p.clone()).is_ok()));
}

/// Closes a workspace switched away from, in the background: its runs are cancelled (the
/// window has moved on; they show as cancelled when it is opened again) and its file let go of.
fn retire(old: Arc<Workspace>) -> tauri::async_runtime::JoinHandle<()> {
    let path = old.path().display().to_string();
    tauri::async_runtime::spawn_blocking(move || match old.close(CLOSE_WAIT) {
        Ok(()) => tracing::info!(%path, "workspace closed"),
        Err(e) => tracing::warn!(%path, "workspace not closed cleanly: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Handle {
        let tauri::async_runtime::RuntimeHandle::Tokio(h) = tauri::async_runtime::handle();
        h
    }

    fn text(p: &Path) -> String {
        p.display().to_string()
    }

    /// The shell's part of a switch, without a window: new refuses a taken path, open a missing
    /// one, each naming it in `path`; new, open and move each leave the right file open, a
    /// moved file is gone from its old name, and the recent list follows.
    #[test]
    fn new_open_and_move_switch_the_open_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let root = same_file_key(dir.path());
        let demo = root.join("demo.sqlite");
        let ws = Workspace::open(&demo, runtime(), OpenOptions::default()).unwrap();
        ws.seed_demo(&root.join("demo-data")).unwrap();
        let recent = RecentList::new(root.join("config/recent-workspaces.json"));
        let current = Current::new(Arc::new(ApiServer::default()), recent, None, runtime());
        current.start(Arc::new(ws));
        let moved = root.join("archive/march-2026.sqlite");
        tauri::async_runtime::block_on(async {
            let taken = current.open(text(&demo), true).await.unwrap_err();
            assert_eq!(taken.field.as_deref(), Some("path"));
            assert!(taken.message.contains(&text(&demo)), "{}", taken.message);
            let missing = current.open(text(&root.join("no.sqlite")), false).await;
            assert_eq!(missing.unwrap_err().code, ErrorCode::NotFound);
            let relative = current.open("w.sqlite".into(), true).await.unwrap_err();
            assert_eq!(relative.code, ErrorCode::ValidationError);

            let march = root.join("march.sqlite");
            let info = current.open(text(&march), true).await.unwrap();
            assert_eq!(
                (info.path.as_str(), info.datasets),
                (text(&march).as_str(), 0)
            );
            let info = current.open(text(&demo), false).await.unwrap();
            assert!(info.datasets > 0);
            let info = current.open(text(&march), false).await.unwrap();
            assert_eq!(info.path, text(&march));

            let info = current.move_to(text(&moved)).await.unwrap();
            assert_eq!(info.path, text(&moved));
            assert!(moved.is_file() && !march.exists());
            assert_eq!(current.get().unwrap().path(), moved.as_path());
            let onto = current.move_to(text(&demo)).await.unwrap_err();
            assert_eq!(onto.field.as_deref(), Some("path"));
            assert_eq!(current.get().unwrap().path(), moved.as_path());
        });
        let paths: Vec<String> = current
            .recent()
            .list()
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(paths, [text(&moved), text(&demo)]);
    }
}
