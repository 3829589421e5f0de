//! The model and predict endpoints of spec B.4 and B.6: fit, retrieve (one, by ids, list),
//! update, delete, refit, predict and the predict job's result.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use service::em::{
    EmFitInput, EmModel, EmModelFilter, EmPredictInput, EmRefitInput, EmUpdate, IdEither,
};
use service::ServiceError;

use super::{blocking, body, query, resolve, CogError, CogResult};
use crate::AppState;

/// Most items one batch request may name (spec B.4.3, B.4.5, B.4.6).
const MAX_BATCH: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Items<T> {
    pub(super) items: Vec<T>,
    #[serde(default)]
    ignore_unknown_ids: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListBody {
    #[serde(default)]
    filter: EmModelFilter,
    #[serde(default)]
    limit: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct LimitQuery {
    #[serde(default)]
    limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetString {
    set: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelChanges {
    #[serde(default)]
    name: Option<SetString>,
    #[serde(default)]
    description: Option<SetString>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateItem {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    external_id: Option<String>,
    update: ModelChanges,
}

fn items_of<T: serde::Serialize>(items: Vec<T>) -> Json<Value> {
    Json(json!({ "items": items }))
}

fn check_batch(n: usize) -> CogResult<()> {
    if n == 0 || n > MAX_BATCH {
        return Err(CogError::bad_request(format!(
            "items must hold 1 to {MAX_BATCH} entries, not {n}"
        )));
    }
    Ok(())
}

fn duplicated(e: ServiceError, external_id: Option<&str>) -> CogError {
    let conflict = matches!(e, ServiceError::Conflict(_));
    let mut out = CogError::from(e);
    if let (true, Some(ext)) = (conflict, external_id) {
        out.duplicated = vec![json!({ "externalId": ext })];
    }
    out
}

/// What a call naming a model (and maybe a new externalId) failed with: an unknown model is a
/// 400 listing it as the request named it (an externalId that looks like a number stays one).
fn model_error(e: ServiceError, model: Option<&IdEither>, new_ext: Option<&str>) -> CogError {
    match (&e, model) {
        (ServiceError::NotFound { kind: "model", .. }, Some(r)) => {
            let mut out = CogError::missing(vec![json!(r)]);
            out.message = e.to_string();
            out
        }
        _ => duplicated(e, new_ext),
    }
}

/// `POST /context/entitymatching`: queues a training; answers the model, `Queued`.
pub async fn fit(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<EmModel>> {
    let input: EmFitInput = body(&bytes)?;
    let ext = input.external_id.clone();
    blocking(&state, move |ws| {
        ws.em_fit(input).map_err(|e| duplicated(e, ext.as_deref()))
    })
    .await
    .map(Json)
}

/// `GET /context/entitymatching/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    Path((_project, id)): Path<(String, String)>,
) -> CogResult<Json<EmModel>> {
    let id: i64 = id
        .parse()
        .map_err(|_| CogError::bad_request(format!("{id:?} is not a model id")))?;
    blocking(&state, move |ws| Ok(ws.em_model(id)?))
        .await
        .map(Json)
}

/// `POST /context/entitymatching/byids`.
pub async fn by_ids(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: Items<IdEither> = body(&bytes)?;
    check_batch(req.items.len())?;
    blocking(&state, move |ws| {
        resolve(&req.items, req.ignore_unknown_ids, |r| ws.em_model_by(r))
    })
    .await
    .map(items_of)
}

/// `POST /context/entitymatching/list`.
pub async fn list(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: ListBody = body(&bytes)?;
    let limit = limit_of(req.limit)?;
    blocking(&state, move |ws| Ok(ws.em_models(&req.filter, limit)?))
        .await
        .map(items_of)
}

/// `GET /context/entitymatching?limit=`: every model (or the first `limit`).
pub async fn list_get(State(state): State<AppState>, q: RawQuery) -> CogResult<Json<Value>> {
    let q: LimitQuery = query(q)?;
    let limit = limit_of(q.limit)?;
    blocking(&state, move |ws| {
        Ok(ws.em_models(&EmModelFilter::default(), limit)?)
    })
    .await
    .map(items_of)
}

/// `-1` (the SDK's "all") and absence list everything.
fn limit_of(limit: Option<i64>) -> CogResult<Option<u32>> {
    match limit {
        None | Some(-1) => Ok(None),
        Some(n) if n >= 1 => Ok(Some(n.min(u32::MAX as i64) as u32)),
        Some(n) => Err(CogError::bad_request(format!(
            "limit must be 1 or more, not {n}"
        ))),
    }
}

/// `POST /context/entitymatching/update`: names and descriptions, all or none.
pub async fn update(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: Items<UpdateItem> = body(&bytes)?;
    check_batch(req.items.len())?;
    // All or none: what the service would refuse for one item is refused before any changes.
    for (i, item) in req.items.iter().enumerate() {
        for (field, change, max) in [
            ("name", &item.update.name, 256),
            ("description", &item.update.description, 500),
        ] {
            if let Some(v) = change.as_ref().and_then(|c| c.set.as_deref()) {
                if v.chars().count() > max {
                    return Err(CogError::bad_request(format!(
                        "items[{i}].update.{field}: is longer than {max} characters"
                    )));
                }
            }
        }
    }
    blocking(&state, move |ws| {
        let refs: Vec<IdEither> = req
            .items
            .iter()
            .map(|i| {
                IdEither::of(i.id, i.external_id.as_deref())
                    .ok_or_else(|| CogError::bad_request("each item needs id or externalId"))
            })
            .collect::<CogResult<_>>()?;
        let models = resolve(&refs, false, |r| ws.em_model_by(r))?;
        let mut out = Vec::new();
        for (model, item) in models.iter().zip(req.items) {
            let change = EmUpdate {
                name: item.update.name.and_then(|s| s.set),
                description: item.update.description.and_then(|s| s.set),
            };
            out.push(ws.em_update(model.id, &change)?);
        }
        Ok(out)
    })
    .await
    .map(items_of)
}

/// `POST /context/entitymatching/delete`: answers `{}`.
pub async fn delete(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<Value>> {
    let req: Items<IdEither> = body(&bytes)?;
    check_batch(req.items.len())?;
    blocking(&state, move |ws| {
        let ids: Vec<i64> = resolve(&req.items, req.ignore_unknown_ids, |r| ws.em_model_by(r))?
            .iter()
            .map(|m| m.id)
            .collect();
        ws.em_delete(&ids)?;
        Ok(Json(json!({})))
    })
    .await
}

/// `POST /context/entitymatching/refit`: a new model, `Queued`, with `originalId`.
pub async fn refit(State(state): State<AppState>, bytes: Bytes) -> CogResult<Json<EmModel>> {
    let input: EmRefitInput = body(&bytes)?;
    let ext = input.new_external_id.clone();
    let model = IdEither::of(input.id, input.external_id.as_deref());
    blocking(&state, move |ws| {
        ws.em_refit(input)
            .map_err(|e| model_error(e, model.as_ref(), ext.as_deref()))
    })
    .await
    .map(Json)
}

/// `POST /context/entitymatching/predict`: the job, `Queued`, and its `X-Job-Token`.
pub async fn predict(State(state): State<AppState>, bytes: Bytes) -> CogResult<Response> {
    let input: EmPredictInput = body(&bytes)?;
    let model = IdEither::of(input.id, input.external_id.as_deref());
    let job = blocking(&state, move |ws| {
        ws.em_predict(input)
            .map_err(|e| model_error(e, model.as_ref(), None))
    })
    .await?;
    let token = job.token.clone();
    let mut response = Json(job).into_response();
    if let Ok(v) = HeaderValue::from_str(&token) {
        response.headers_mut().insert("x-job-token", v);
    }
    Ok(response)
}

/// `GET /context/entitymatching/jobs/{jobId}`: the job, with its items once completed. An unknown
/// job is a 404 here (one resource by id, not a batch).
pub async fn job(
    State(state): State<AppState>,
    Path((_project, job_id)): Path<(String, String)>,
) -> CogResult<Json<service::em::EmJob>> {
    let id: i64 = job_id
        .parse()
        .map_err(|_| CogError::bad_request(format!("{job_id:?} is not a job id")))?;
    blocking(&state, move |ws| {
        ws.em_job(id).map_err(|e| match e {
            ServiceError::NotFound { .. } => CogError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!("job {id} not found"),
            ),
            e => e.into(),
        })
    })
    .await
    .map(Json)
}
