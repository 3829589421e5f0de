//! The desktop app's switch for the local REST API: starts and stops the `api` crate's server on
//! the app's tokio runtime, remembers the choice in the workspace, and hands the settings screen
//! the key's whole text only when it was just created or rotated.

use std::sync::Arc;

use api::{ServeOptions, Server};
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
}

impl ApiServer {
    /// At app start: serve again if the workspace says the API was on.
    pub async fn resume(&self, ws: &Arc<Workspace>) {
        match ws.api_settings() {
            Ok(s) if s.enabled => {
                let _ = self.apply(ws, s).await;
            }
            Ok(_) => {}
            Err(e) => self.state.lock().await.error = Some(e.to_string()),
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
        let mut new_key = None;
        {
            let mut state = self.state.lock().await;
            if let Some(server) = state.server.take() {
                server.stop().await;
            }
            state.error = None;
            if settings.enabled {
                new_key = ws.ensure_api_key()?.map(|k| k.key);
                let opts = ServeOptions {
                    port: settings.port,
                    ..Default::default()
                };
                match Server::start(ws.clone(), opts).await {
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
