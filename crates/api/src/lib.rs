//! Matchbook's local REST API: the matching API of the spec (part A) served on 127.0.0.1 only,
//! on the same service layer as the desktop app and the CLI. This crate only translates HTTP to
//! service calls and back; no matching or storage logic lives here.
//!
//! Layers, outermost first: request id + error envelope + timeout (`envelope`), body-size limit,
//! Bearer key + rate limit (`guard`), then the routes (`routes/`). The OpenAPI document is
//! generated from the handlers' and wire types' annotations (`openapi`).

mod cognite;
mod error;
mod extract;
mod guard;
pub mod openapi;
mod routes;
pub mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{SecondsFormat, Utc};
use service::Workspace;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use error::{Code, ErrorEnvelope, HttpError};
pub use guard::RateLimiter;

/// What a server accepts before it refuses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, uploads included.
    pub max_body_bytes: usize,
    /// Longest a request may take, reading its body included.
    pub request_timeout: Duration,
    /// Requests a client may make at once before it is slowed down...
    pub burst: u32,
    /// ...and how many a second after that.
    pub per_second: u32,
}

impl Default for Limits {
    /// Generous for one person's scripts on one machine, yet a runaway loop gets 429s instead of
    /// starving the app of its database (docs/DECISIONS.md).
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            burst: 2_000,
            per_second: 1_000,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub limits: Limits,
}

#[derive(Clone)]
pub struct AppState {
    pub(crate) ws: Arc<Workspace>,
    pub(crate) limits: Arc<Limits>,
    pub(crate) limiter: Arc<RateLimiter>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

/// A running server. Dropping it stops the server too.
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Listens on 127.0.0.1 (never another interface) and serves on the current tokio runtime.
    pub async fn start(ws: Arc<Workspace>, opts: ServeOptions) -> Result<Server, ServeError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
            .await
            .map_err(|source| ServeError::Bind {
                port: opts.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            port: opts.port,
            source,
        })?;
        let app = router(ws, opts.limits);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                eprintln!("matchbook api: the server stopped: {e}");
            }
        });
        Ok(Server {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:8750`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits (at most five seconds) for requests in flight.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Waits until the server ends (it only ends when stopped or on a fatal error).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// ISO 8601 UTC with milliseconds, the spec's timestamp format.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

tokio::task_local! {
    /// The body limit of the request being handled, for messages; set by the envelope layer.
    static BODY_LIMIT: usize;
}

pub(crate) fn current_body_limit() -> usize {
    BODY_LIMIT.try_with(|l| *l).unwrap_or(0)
}

pub(crate) fn too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::PayloadTooLarge,
        format!(
            "the body is larger than this server accepts ({} bytes); send less at once",
            current_body_limit()
        ),
    )
}

/// Every route of the API.
pub fn router(ws: Arc<Workspace>, limits: Limits) -> Router {
    let state = AppState {
        ws,
        limiter: Arc::new(RateLimiter::new(limits.burst, limits.per_second)),
        limits: Arc::new(limits),
    };
    let guarded = Router::new()
        .merge(table_routes())
        .merge(config_routes())
        .merge(run_routes())
        .merge(strategy_routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), guard::guard));
    let max_body = state.limits.max_body_bytes;
    // Cognite's entity matching keeps its own conventions (errors, auth answers): its routes get
    // their own gate, not the matching API's envelope.
    let cognite = cognite::routes(state.clone()).layer(DefaultBodyLimit::max(max_body));
    let talonic = Router::new()
        .route("/v1/openapi.json", get(openapi::document))
        .merge(guarded)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), envelope));
    Router::new()
        .merge(cognite)
        .merge(talonic)
        .with_state(state)
}

/// Reference data (under both of the spec's paths) and document sets.
fn table_routes() -> Router<AppState> {
    use routes::{sql, tables};
    let reference = Router::new()
        .route(
            "/",
            get(tables::list_reference).post(tables::create_reference),
        )
        .route("/from-sql", post(sql::from_sql))
        .route("/from-sql/preview", post(sql::preview))
        .route(
            "/{id}",
            get(tables::get_reference).delete(tables::delete_reference),
        )
        .route("/{id}/rows", get(tables::reference_rows))
        .route("/{id}/export", get(tables::export_reference))
        .route("/{id}/refresh", post(sql::refresh))
        .route("/{id}/cancel-import", post(sql::cancel_import));
    Router::new()
        // The spec documents both paths for reference data; they are one store (A.3).
        .nest("/v1/reference-data", reference.clone())
        .nest("/v1/matching/reference-data", reference)
        .route(
            "/v1/document-sets",
            get(tables::list_documents).post(tables::create_documents),
        )
        .route(
            "/v1/document-sets/{id}",
            get(tables::get_documents).delete(tables::delete_documents),
        )
        .route("/v1/document-sets/{id}/rows", get(tables::document_rows))
        .route(
            "/v1/document-sets/{id}/export",
            get(tables::export_documents),
        )
}

/// Matching configs and the runs they start.
fn config_routes() -> Router<AppState> {
    use routes::{configs, packages, runs, smart};
    Router::new()
        .route(
            "/v1/matching/configs",
            get(configs::list).post(configs::create),
        )
        .route(
            "/v1/matching/configs/{id}",
            get(configs::get)
                .put(configs::update)
                .delete(configs::delete),
        )
        .route("/v1/matching/configs/{id}/run", post(runs::start))
        .route("/v1/matching/configs/{id}/match", post(packages::match_one))
        .route(
            "/v1/matching/configs/{id}/smart-run",
            post(smart::smart_run),
        )
}

/// Runs, their results and the review of them; packages.
fn run_routes() -> Router<AppState> {
    use routes::{packages, runs, smart};
    Router::new()
        .route("/v1/matching/runs", get(runs::list))
        .route("/v1/matching/runs/{id}", get(runs::detail))
        .route("/v1/matching/runs/{id}/progress", get(runs::progress))
        .route("/v1/matching/runs/{id}/cancel", post(runs::cancel))
        .route("/v1/matching/runs/{id}/ai-resolve", post(smart::ai_resolve))
        .route("/v1/matching/runs/{id}/results", get(runs::results))
        .route(
            "/v1/matching/runs/{run_id}/results/{result_id}",
            get(runs::result),
        )
        .route(
            "/v1/matching/runs/{run_id}/results/{result_id}/review",
            post(runs::review),
        )
        .route(
            "/v1/matching/runs/{run_id}/results/{result_id}/decisions",
            get(runs::decisions),
        )
        .route(
            "/v1/matching/runs/{run_id}/results/{result_id}/revert",
            post(runs::revert),
        )
        .route(
            "/v1/matching/runs/{run_id}/results/{result_id}/suggestion",
            post(smart::answer_suggestion),
        )
        .route("/v1/matching/runs/{id}/summary", get(runs::summary))
        .route(
            "/v1/matching/runs/{id}/bulk-approve",
            get(runs::bulk_count).post(runs::bulk_approve),
        )
        .route(
            "/v1/matching/packages/configs",
            get(packages::list).post(packages::create),
        )
        .route(
            "/v1/matching/packages/configs/{id}",
            get(packages::get)
                .patch(packages::patch)
                .delete(packages::delete),
        )
        .route(
            "/v1/matching/packages/runs",
            get(packages::runs).post(packages::run),
        )
        .route("/v1/matching/packages/runs/{id}", get(packages::get_run))
}

/// Strategies: learned plans, their versions, and configs made from them.
fn strategy_routes() -> Router<AppState> {
    use routes::strategies;
    Router::new()
        .route("/v1/matching/strategies", get(strategies::list))
        .route(
            "/v1/matching/strategies/generate",
            post(strategies::generate),
        )
        .route(
            "/v1/matching/strategies/{id}",
            get(strategies::get).patch(strategies::patch),
        )
        .route(
            "/v1/matching/strategies/{id}/config",
            post(strategies::create_config),
        )
}

async fn not_found(req: Request) -> HttpError {
    HttpError::not_found(format!(
        "there is no endpoint {} {}; see /v1/openapi.json",
        req.method(),
        req.uri().path()
    ))
}

async fn method_not_allowed(req: Request) -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Code::MethodNotAllowed,
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Gives every request an id, bounds its time, and turns every failure into the spec's envelope.
async fn envelope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let path = req.uri().path().to_string();
    let limit = state.limits.max_body_bytes;
    let handled = BODY_LIMIT.scope(
        limit,
        tokio::time::timeout(state.limits.request_timeout, next.run(req)),
    );
    let mut response = match handled.await {
        Ok(r) => r,
        Err(_) => HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            Code::RequestTimeout,
            format!(
                "the request took longer than {} s and was stopped",
                state.limits.request_timeout.as_secs()
            ),
        )
        .into_response(),
    };
    let failure = response.extensions_mut().remove::<HttpError>().or_else(|| {
        // A failure from outside the handlers (e.g. a panic caught lower down): still an envelope.
        let status = response.status();
        (status.is_client_error() || status.is_server_error()).then(|| {
            let mut e = HttpError::new(
                status,
                if status.is_server_error() {
                    Code::InternalError
                } else {
                    Code::ValidationError
                },
                status.canonical_reason().unwrap_or("error").to_string(),
            );
            e.retryable = status.is_server_error();
            e
        })
    });
    if let Some(e) = failure {
        let body = ErrorEnvelope::of(&e, &request_id, &path);
        let headers = std::mem::take(response.headers_mut());
        response = (e.status, axum::Json(body)).into_response();
        for (name, value) in headers.iter() {
            if name != axum::http::header::CONTENT_TYPE
                && name != axum::http::header::CONTENT_LENGTH
            {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}
