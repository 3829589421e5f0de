//! The API's endpoints, one module per resource; each handler turns its request into one service
//! call on the blocking pool and its answer into the spec's shape.

pub mod configs;
pub mod packages;
pub mod runs;
pub mod smart;
pub mod sql;
pub mod strategies;
pub mod tables;

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use service::Workspace;

use crate::error::HttpError;
use crate::AppState;

/// Who made the call, for the review log: the API key's prefix.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

/// Runs a (SQLite-bound, blocking) service call off the async workers.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, HttpError>
where
    T: Send + 'static,
    F: FnOnce(&Workspace) -> service::Result<T> + Send + 'static,
{
    let ws: Arc<Workspace> = state.ws.clone();
    match tokio::task::spawn_blocking(move || f(&ws)).await {
        Ok(r) => r.map_err(HttpError::from),
        Err(e) => Err(HttpError::internal(format!(
            "the request stopped unexpectedly: {e}"
        ))),
    }
}

/// Path parameters, with a rejection in the spec's envelope.
pub struct Ids<T>(pub T);

impl<T, S> FromRequestParts<S> for Ids<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Ids(v))
            .map_err(|e| HttpError::validation("", format!("the path is not valid: {e}")))
    }
}
