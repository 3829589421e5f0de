//! The desktop app's switch for the local REST API: starts and stops the `api` crate's server on
//! the app's tokio runtime, remembers the choice in the workspace, and hands the settings screen
//! the key's whole text only when it was just created or rotated.

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use api::{ServeError, ServeOptions, Server};
use service::{ApiServerStatus, ApiSettings, Workspace};
use tokio::sync::Mutex;

#[derive(Default)]
pub struct ApiServer {
    state: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    server: Option<Server>,
    error: Option<String>,
    /// Bumped by every start, stop and change of settings: a resume still waiting for its port
    /// gives up once someone else has decided what is served.
    generation: u64,
}

/// How long the app waits at start for a port that another process holds: the app's previous
/// instance may still be closing its server.
const RESUME_TRIES: u32 = 20;
const RESUME_WAIT: Duration = Duration::from_millis(250);

/// What one try of `resume` came to.
enum Tried {
    Settled,
    PortBusy,
}

impl ApiServer {
    /// Serves again if the workspace says the API was on. `wait_for_port`: at app start, where
    /// the port may still be held by the instance that just closed, try again for a few seconds
    /// (a switch of workspace has stopped this process's server already, so it does not wait).
    pub async fn resume(&self, ws: &Arc<Workspace>, wait_for_port: bool) {
        let tries = if wait_for_port { RESUME_TRIES } else { 1 };
        let generation = self.state.lock().await.generation;
        for attempt in 1..=tries {
            match self.try_resume(ws, generation, attempt == tries).await {
                Tried::PortBusy => tokio::time::sleep(RESUME_WAIT).await,
                Tried::Settled => return,
            }
        }
    }

    async fn try_resume(&self, ws: &Arc<Workspace>, generation: u64, last: bool) -> Tried {
        // Read each time: the user may switch the API off while the port is busy.
        let settings = ws.api_settings();
        let mut state = self.state.lock().await;
        if state.generation != generation || state.server.is_some() {
            return Tried::Settled;
        }
        let settings = match settings {
            Ok(s) if s.enabled => s,
            Ok(_) => return Tried::Settled,
            Err(e) => {
                state.error = Some(e.to_string());
                return Tried::Settled;
            }
        };
        if let Err(e) = ws.ensure_api_key() {
            state.error = Some(e.to_string());
            return Tried::Settled;
        }
        match Server::start(ws.clone(), options(&settings)).await {
            Ok(server) => state.server = Some(server),
            Err(ServeError::Bind { source, .. })
                if source.kind() == ErrorKind::AddrInUse && !last =>
            {
                // No error shown yet: Settings keeps showing "Starting…" and asking again.
                return Tried::PortBusy;
            }
            Err(e) => state.error = Some(e.to_string()),
        }
        Tried::Settled
    }

    pub async fn status(
        &self,
        ws: &Arc<Workspace>,
        new_key: Option<String>,
    ) -> service::Result<ApiServerStatus> {
        let settings = ws.api_settings()?;
        let key = ws.api_key_info()?;
        let state = self.state.lock().await;
        Ok(ApiServerStatus {
            settings,
            running: state.server.is_some(),
            url: state.server.as_ref().map(Server::url),
            key,
            new_key,
            error: state.error.clone(),
        })
    }

    /// Saves the settings and starts, restarts or stops the server to match them. The first
    /// start creates the workspace's key, returned whole this once.
    pub async fn apply(
        &self,
        ws: &Arc<Workspace>,
        settings: ApiSettings,
    ) -> service::Result<ApiServerStatus> {
        ws.set_api_settings(&settings)?;
        let mut new_key = None;
        {
            let mut state = self.state.lock().await;
            state.generation += 1;
            if let Some(server) = state.server.take() {
                server.stop().await;
            }
            state.error = None;
            if settings.enabled {
                new_key = ws.ensure_api_key()?.map(|k| k.key);
                match Server::start(ws.clone(), options(&settings)).await {
                    Ok(server) => state.server = Some(server),
                    Err(e) => state.error = Some(e.to_string()),
                }
            }
        }
        self.status(ws, new_key).await
    }

    /// Stops serving, leaving the workspace's settings as they are: before the window switches
    /// to another workspace, which then serves by its own settings (see `resume`).
    pub async fn stop(&self) {
        let mut state = self.state.lock().await;
        state.generation += 1;
        if let Some(server) = state.server.take() {
            server.stop().await;
        }
        state.error = None;
    }

    /// A new key; the old one stops working at once.
    pub async fn rotate(&self, ws: &Arc<Workspace>) -> service::Result<ApiServerStatus> {
        let key = ws.rotate_api_key()?;
        self.status(ws, Some(key.key)).await
    }
}

fn options(settings: &ApiSettings) -> ServeOptions {
    ServeOptions {
        port: settings.port,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use service::OpenOptions;

    fn runtime() -> tokio::runtime::Handle {
        let tauri::async_runtime::RuntimeHandle::Tokio(h) = tauri::async_runtime::handle();
        h
    }

    /// At app start the port may still be held by the instance that just closed: resume waits
    /// for it without showing an error meanwhile, and serves once it is free; a stop made while
    /// it waits (a switch of workspace) ends the wait.
    #[test]
    fn resume_at_start_waits_for_a_busy_port_and_gives_way_to_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(
            &dir.path().join("w.sqlite"),
            runtime(),
            OpenOptions::default(),
        );
        let ws = Arc::new(ws.unwrap());
        tauri::async_runtime::block_on(async {
            let held = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = held.local_addr().unwrap().port();
            ws.set_api_settings(&ApiSettings {
                enabled: true,
                port,
            })
            .unwrap();
            let api = Arc::new(ApiServer::default());
            let waiting = tokio::spawn({
                let (api, ws) = (api.clone(), ws.clone());
                async move { api.resume(&ws, true).await }
            });
            tokio::time::sleep(RESUME_WAIT * 2).await;
            let status = api.status(&ws, None).await.unwrap();
            assert!(!status.running && status.error.is_none(), "{status:?}");
            drop(held);
            waiting.await.unwrap();
            let status = api.status(&ws, None).await.unwrap();
            assert_eq!(status.url, Some(format!("http://127.0.0.1:{port}")));

            // Busy again, and a stop while resume waits: nothing is served, and no error shown.
            api.stop().await;
            let held = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            let waiting = tokio::spawn({
                let (api, ws) = (api.clone(), ws.clone());
                async move { api.resume(&ws, true).await }
            });
            tokio::time::sleep(RESUME_WAIT).await;
            api.stop().await;
            drop(held);
            waiting.await.unwrap();
            let status = api.status(&ws, None).await.unwrap();
            assert!(!status.running && status.error.is_none(), "{status:?}");
            // Without waiting (a switch of workspace), a busy port is shown at once.
            let _held = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            api.resume(&ws, false).await;
            let status = api.status(&ws, None).await.unwrap();
            assert!(status.error.is_some_and(|e| e.contains("cannot listen")));
        });
    }
}
