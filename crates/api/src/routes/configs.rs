//! Matching configs (spec A.4): list with cursor paging, create (201), read, partial update
//! (PUT), delete (runs and results stay).

use axum::extract::State;
use axum::http::StatusCode;
use engine::{ConfigInput, MatchingConfig};
use service::CursorQuery;

use super::{blocking, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, Query};
use crate::wire::{self, Config, ConfigPage, CreateConfig, CursorParams, Deleted, UpdateConfig};
use crate::AppState;

/// The spec's targeting mode has one value; anything else is refused rather than stored unused.
fn check_target(
    target_type: Option<&str>,
    target_value: Option<&serde_json::Value>,
) -> Result<(), HttpError> {
    if let Some(t) = target_type {
        if t != "run" {
            return Err(HttpError::validation(
                "target_type",
                format!("'{t}' is not supported; the only targeting mode is \"run\""),
            ));
        }
    }
    match target_value {
        None => Ok(()),
        Some(serde_json::Value::Object(m)) if m.is_empty() => Ok(()),
        Some(_) => Err(HttpError::validation(
            "target_value",
            "must be {} (the \"run\" mode takes no values)",
        )),
    }
}

async fn config_or_404(state: &AppState, id: String) -> Result<MatchingConfig, HttpError> {
    blocking(state, move |w| w.get_config(&id)).await
}

// Every operation names its id (`list_configs`, not the handler's `list`): OpenAPI requires them
// unique, and client generators make their function names from them.
#[utoipa::path(get, path = "/v1/matching/configs", tag = "configs", operation_id = "list_configs", params(CursorParams),
    responses((status = 200, body = ConfigPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<CursorParams>,
) -> Result<axum::Json<ConfigPage>, HttpError> {
    let page = blocking(&s, move |w| {
        w.config_page(&CursorQuery {
            cursor: q.cursor,
            limit: q.limit,
        })
    })
    .await?;
    Ok(axum::Json(ConfigPage {
        data: page.data.into_iter().map(wire::config).collect(),
        pagination: page.pagination,
    }))
}

#[utoipa::path(post, path = "/v1/matching/configs", tag = "configs", operation_id = "create_config", request_body = CreateConfig,
    responses((status = 201, body = Config), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, description = "The reference data does not exist", body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Json(body): Json<CreateConfig>,
) -> Result<(StatusCode, axum::Json<Config>), HttpError> {
    check_target(body.target_type.as_deref(), body.target_value.as_ref())?;
    let input = ConfigInput {
        name: body.name,
        reference_data_id: body.reference_data_id,
        document_set_id: body.document_set_id,
        field_mappings: body.field_mappings,
        threshold: body.threshold,
        review_floor: body.review_floor,
        one_to_one: body.one_to_one,
        schedule: body.schedule,
        blocking_keys: body.blocking_keys,
        blocking_strategy: body.blocking_strategy,
    };
    let config = blocking(&s, move |w| w.create_config(&input)).await?;
    Ok((StatusCode::CREATED, axum::Json(wire::config(config))))
}

#[utoipa::path(get, path = "/v1/matching/configs/{id}", tag = "configs", operation_id = "get_config",
    params(("id" = String, Path)),
    responses((status = 200, body = Config), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Config>, HttpError> {
    Ok(axum::Json(wire::config(config_or_404(&s, id).await?)))
}

/// Fields left out keep their value; changes apply from the next run.
#[utoipa::path(put, path = "/v1/matching/configs/{id}", tag = "configs", operation_id = "update_config",
    params(("id" = String, Path)), request_body = UpdateConfig,
    responses((status = 200, body = Config), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Json(body): Json<UpdateConfig>,
) -> Result<axum::Json<Config>, HttpError> {
    check_target(body.target_type.as_deref(), body.target_value.as_ref())?;
    let current = config_or_404(&s, id.clone()).await?;
    if let Some(r) = &body.reference_data_id {
        if *r != current.reference_data_id {
            return Err(HttpError::validation(
                "reference_data_id",
                "a config's reference data cannot change; create a new config instead",
            ));
        }
    }
    let input = ConfigInput {
        name: body.name.unwrap_or(current.name),
        reference_data_id: current.reference_data_id,
        document_set_id: body.document_set_id.unwrap_or(current.document_set_id),
        field_mappings: body.field_mappings.unwrap_or(current.field_mappings),
        threshold: Some(body.threshold.unwrap_or(current.threshold)),
        review_floor: Some(body.review_floor.unwrap_or(current.review_floor)),
        one_to_one: Some(body.one_to_one.unwrap_or(current.one_to_one)),
        schedule: body.schedule.unwrap_or(current.schedule),
        blocking_keys: body.blocking_keys.unwrap_or(current.blocking_keys),
        blocking_strategy: body.blocking_strategy.unwrap_or(current.blocking_strategy),
    };
    let config = blocking(&s, move |w| w.update_config(&id, &input)).await?;
    Ok(axum::Json(wire::config(config)))
}

/// Removes the config; its runs and results stay readable.
#[utoipa::path(delete, path = "/v1/matching/configs/{id}", tag = "configs", operation_id = "delete_config",
    params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Deleted>, HttpError> {
    blocking(&s, move |w| w.delete_config(&id)).await?;
    Ok(axum::Json(Deleted { deleted: true }))
}
