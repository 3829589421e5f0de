//! The pipeline endpoints of spec B.7 and B.8: create, list, get, byids, update, delete; start a
//! run, list runs, read a run's results.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use service::em::{IdEither, Pipeline, PipelineSpec, RunResult, RunSummary};
use service::ServiceError;

use super::{blocking, body, parse_item, query, resolve, CogError, CogResult};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefItems {
    items: Vec<IdEither>,
    #[serde(default)]
    ignore_unknown_ids: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateItem {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    external_id: Option<String>,
    update: serde_json::Map<String, Value>,
}

fn limit_of(q: &PageQuery) -> CogResult<u32> {
    match q.limit {
        None => Ok(100),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(n) => Err(CogError::bad_request(format!(
            "limit must be 1 to 100, not {n}"
        ))),
    }
}

/// Cursors are opaque to clients: the id to continue from, in hex.
fn cursor_of(q: &PageQuery) -> CogResult<Option<i64>> {
    q.cursor
        .as_deref()
        .map(|c| {
            i64::from_str_radix(c, 16)
                .map_err(|_| CogError::bad_request("cursor is not one this server gave"))
        })
        .transpose()
}

fn page(items: Value, next: Option<i64>) -> Json<Value> {
    let mut v = json!({ "items": items });
    if let Some(n) = next {
        v["nextCursor"] = json!(format!("{n:x}"));
    }
    Json(v)
}

fn pipeline_id(id: &str) -> CogResult<i64> {
    id.parse()
        .map_err(|_| CogError::bad_request(format!("{id:?} is not a pipeline id")))
}

/// Unknown pipelines or runs on a path: 404 (one resource by id).
fn not_found(e: ServiceError) -> CogError {
    match e {
        ServiceError::NotFound { kind, id } => CogError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("{kind} {id} not found"),
        ),
        e => e.into(),
    }
}

/// `POST /pipelines`: `{items: [...]}`, or one pipeline object (the older playground shape).
/// All or none (the service checks every item before storing any).
pub async fn create(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let raw: Value = body(&bytes)?;
    let items = match raw.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![raw],
    };
    let specs: Vec<PipelineSpec> = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_item(v, &format!("items[{i}]")))
        .collect::<CogResult<_>>()?;
    blocking(&state, move |ws| {
        let out = ws.em_create_pipelines(specs)?;
        Ok(Json(json!({ "items": out })))
    })
    .await
}

/// `GET /pipelines?limit&cursor`.
pub async fn list(State(state): State<AppState>, q: RawQuery) -> CogResult<Json<Value>> {
    let q: PageQuery = query(q)?;
    let limit = limit_of(&q)?;
    let after = cursor_of(&q)?.unwrap_or(0);
    blocking(&state, move |ws| {
        let mut items = ws.em_pipelines(after, limit + 1)?;
        let next = (items.len() > limit as usize).then(|| {
            items.truncate(limit as usize);
            items.last().map(|p| p.id)
        });
        Ok(page(json!(items), next.flatten()))
    })
    .await
}

pub async fn get(
    State(state): State<AppState>,
    Path((_project, id)): Path<(String, String)>,
) -> CogResult<Json<Pipeline>> {
    let id = pipeline_id(&id)?;
    blocking(&state, move |ws| ws.em_pipeline(id).map_err(not_found))
        .await
        .map(Json)
}

pub async fn by_ids(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: RefItems = body(&bytes)?;
    blocking(&state, move |ws| {
        Ok(Json(
            json!({ "items": resolve(&req.items, req.ignore_unknown_ids, |r| ws.em_pipeline_by(r))? }),
        ))
    })
    .await
}

/// `POST /pipelines/update`: all or none.
pub async fn update(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: super::models::Items<UpdateItem> = body(&bytes)?;
    blocking(&state, move |ws| {
        let refs: Vec<IdEither> = req
            .items
            .iter()
            .map(|i| {
                IdEither::of(i.id, i.external_id.as_deref())
                    .ok_or_else(|| CogError::bad_request("each item needs id or externalId"))
            })
            .collect::<CogResult<_>>()?;
        let pipelines = resolve(&refs, false, |r| ws.em_pipeline_by(r))?;
        let items: Vec<(i64, serde_json::Map<String, Value>)> = pipelines
            .iter()
            .zip(req.items)
            .map(|(p, item)| (p.id, item.update))
            .collect();
        let out = ws.em_update_pipelines(&items)?;
        Ok(Json(json!({ "items": out })))
    })
    .await
}

/// `POST /pipelines/delete`: `{}`; their runs go with them.
pub async fn delete(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: RefItems = body(&bytes)?;
    blocking(&state, move |ws| {
        let ids: Vec<i64> = resolve(&req.items, req.ignore_unknown_ids, |r| ws.em_pipeline_by(r))?
            .iter()
            .map(|p| p.id)
            .collect();
        ws.em_delete_pipelines(&ids)?;
        Ok(Json(json!({})))
    })
    .await
}

/// `POST /pipelines/{id}/runs`: the run's summary, `Queued`.
pub async fn run(
    State(state): State<AppState>,
    Path((_project, id)): Path<(String, String)>,
) -> CogResult<Json<RunSummary>> {
    let id = pipeline_id(&id)?;
    blocking(&state, move |ws| ws.em_run_pipeline(id).map_err(not_found))
        .await
        .map(Json)
}

/// `GET /pipelines/{id}/runs?limit&cursor`: newest first.
pub async fn runs(
    State(state): State<AppState>,
    Path((_project, id)): Path<(String, String)>,
    q: RawQuery,
) -> CogResult<Json<Value>> {
    let q: PageQuery = query(q)?;
    let id = pipeline_id(&id)?;
    let limit = limit_of(&q)?;
    let before = cursor_of(&q)?;
    blocking(&state, move |ws| {
        ws.em_pipeline(id).map_err(not_found)?;
        let mut items = ws.em_pipeline_runs(id, before, limit + 1)?;
        let next = (items.len() > limit as usize).then(|| {
            items.truncate(limit as usize);
            items.last().map(|r| r.job_id)
        });
        Ok(page(json!(items), next.flatten()))
    })
    .await
}

/// `GET /pipelines/{id}/runs/{runId}`: the results once completed.
pub async fn result(
    State(state): State<AppState>,
    Path((_project, id, run_id)): Path<(String, String, String)>,
) -> CogResult<Json<RunResult>> {
    let id = pipeline_id(&id)?;
    let run = run_id
        .parse()
        .map_err(|_| CogError::bad_request(format!("{run_id:?} is not a run id")))?;
    blocking(&state, move |ws| {
        ws.em_pipeline_run(id, run).map_err(not_found)
    })
    .await
    .map(Json)
}
