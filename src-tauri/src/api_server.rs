//! The desktop app's switch for the local REST API: starts and stops the `api` crate's server on
//! the app's tokio runtime, remembers the choice in the workspace, and hands the settings screen
//! the key's whole text only when it was just created or rotated.

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use api::{ServeError, ServeOptions, Server};
use service::{ApiServerStatus, ApiSettings, Workspace};
use tokio::sync::Mutex;

/// Why `serve` did not leave a server running.
enum Started {
    Workspace(service::ServiceError),
    Failed(ServeError),
}

#[derive(Default)]
pub struct ApiServer {
    state: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    server: Option<Server>,
    error: Option<String>,
}

/// How long `resume` waits for a port that another process holds: when the app is restarted,
/// the previous instance may still be closing its server.
const RESUME_TRIES: u32 = 20;
const RESUME_WAIT: Duration = Duration::from_millis(250);

impl ApiServer {
    /// At app start: serve again if the workspace says the API was on.
    pub async fn resume(&self, ws: &Arc<Workspace>) {
        for attempt in 1.. {
            // Read each time: the user may switch the API off while the port is busy.
            let settings = match ws.api_settings() {
                Ok(s) if s.enabled => s,
                Ok(_) => return,
                Err(e) => {
                    self.state.lock().await.error = Some(e.to_string());
                    return;
                }
            };
            match self.serve(ws, &settings).await {
                Err(Started::Failed(ServeError::Bind { source, .. }))
                    if source.kind() == ErrorKind::AddrInUse && attempt < RESUME_TRIES =>
                {
                    tokio::time::sleep(RESUME_WAIT).await
                }
                _ => return,
            }
        }
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
        let new_key = match self.serve(ws, &settings).await {
            Ok(key) => key,
            Err(Started::Workspace(e)) => return Err(e),
            // Shown by the status.
            Err(Started::Failed(_)) => None,
        };
        self.status(ws, new_key).await
    }

    /// Stops the server and starts it again when `settings` say so; answers the key when it
    /// was just created.
    async fn serve(
        &self,
        ws: &Arc<Workspace>,
        settings: &ApiSettings,
    ) -> Result<Option<String>, Started> {
        let mut state = self.state.lock().await;
        if let Some(server) = state.server.take() {
            server.stop().await;
        }
        state.error = None;
        if !settings.enabled {
            return Ok(None);
        }
        let new_key = ws
            .ensure_api_key()
            .map_err(Started::Workspace)?
            .map(|k| k.key);
        let opts = ServeOptions {
            port: settings.port,
            ..Default::default()
        };
        match Server::start(ws.clone(), opts).await {
            Ok(server) => state.server = Some(server),
            Err(e) => {
                state.error = Some(e.to_string());
                return Err(Started::Failed(e));
            }
        }
        Ok(new_key)
    }

    /// Stops serving, leaving the workspace's settings as they are: before the window switches
    /// to another workspace, which then serves by its own settings (see `resume`).
    pub async fn stop(&self) {
        let mut state = self.state.lock().await;
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
