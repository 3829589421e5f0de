//! Strategies (spec A.5): generate (201), read, PATCH (a deep merge into the plan, as a new
//! version), list newest first with cursor paging (of one config when asked), and a config made
//! from one (201). Generating never changes a config.

use axum::extract::State;
use axum::http::StatusCode;
use service::{CursorQuery, GenerateStrategyInput, StrategyPatch};

use super::{blocking, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, Query};
use crate::wire::{
    self, Config, ConfigFromStrategy, GenerateStrategy, PatchStrategy, StrategiesQuery,
    StrategyObject, StrategyPage,
};
use crate::AppState;

/// Learns mappings, strategies, weights and a threshold from the reference data and the documents,
/// each with a rationale, and stores them as version 1. Takes seconds on large data.
#[utoipa::path(post, path = "/v1/matching/strategies/generate", tag = "strategies",
    operation_id = "generate_strategy", request_body = GenerateStrategy,
    responses((status = 201, body = StrategyObject), (status = 400, description = "reference_data_id or target_type missing, or nothing to learn from", body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, description = "The reference data, document set or config does not exist", body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn generate(
    State(s): State<AppState>,
    Json(body): Json<GenerateStrategy>,
) -> Result<(StatusCode, axum::Json<StrategyObject>), HttpError> {
    let input = GenerateStrategyInput {
        reference_data_id: body.reference_data_id,
        target_type: body.target_type,
        document_set_id: body.document_set_id,
        matching_config_id: body.matching_config_id,
        user_prompt: body.user_prompt,
        name: body.name,
        target_value: body.target_value,
    };
    let strategy = blocking(&s, move |w| w.generate_strategy(&input)).await?;
    Ok((StatusCode::CREATED, axum::Json(wire::strategy(strategy))))
}

#[utoipa::path(get, path = "/v1/matching/strategies", tag = "strategies",
    operation_id = "list_strategies", params(StrategiesQuery),
    responses((status = 200, body = StrategyPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<StrategiesQuery>,
) -> Result<axum::Json<StrategyPage>, HttpError> {
    let page = blocking(&s, move |w| {
        w.strategy_page(
            q.matching_config_id.as_deref(),
            &CursorQuery {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
    })
    .await?;
    Ok(axum::Json(StrategyPage {
        data: page.data.into_iter().map(wire::strategy).collect(),
        pagination: page.pagination,
    }))
}

#[utoipa::path(get, path = "/v1/matching/strategies/{id}", tag = "strategies",
    operation_id = "get_strategy", params(("id" = String, Path)),
    responses((status = 200, body = StrategyObject), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<StrategyObject>, HttpError> {
    let strategy = blocking(&s, move |w| w.get_strategy(&id)).await?;
    Ok(axum::Json(wire::strategy(strategy)))
}

/// Renames the strategy and/or deep-merges changes into its plan; `version` goes up by one and
/// `version_hash` follows the plan. A plan no config could be made from is refused, naming the
/// key (`strategy.threshold`), and nothing changes.
#[utoipa::path(patch, path = "/v1/matching/strategies/{id}", tag = "strategies",
    operation_id = "patch_strategy", params(("id" = String, Path)), request_body = PatchStrategy,
    responses((status = 200, body = StrategyObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, description = "Other edits kept landing first", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn patch(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Json(body): Json<PatchStrategy>,
) -> Result<axum::Json<StrategyObject>, HttpError> {
    let patch = StrategyPatch {
        // The service clears the name on an empty one: that is what a JSON null asks for.
        name: body.name.map(Option::unwrap_or_default),
        strategy: body.strategy,
    };
    let strategy = blocking(&s, move |w| w.patch_strategy(&id, &patch)).await?;
    Ok(axum::Json(wire::strategy(strategy)))
}

/// Creates a config from the strategy's plan, validated as any new config; the strategy stays as
/// it is. Run it with POST `/v1/matching/configs/{id}/run`.
#[utoipa::path(post, path = "/v1/matching/strategies/{id}/config", tag = "strategies",
    operation_id = "create_config_from_strategy", params(("id" = String, Path, description = "Strategy id")),
    request_body = ConfigFromStrategy,
    responses((status = 201, body = Config), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, description = "The strategy or the document set does not exist", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn create_config(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Json(body): Json<ConfigFromStrategy>,
) -> Result<(StatusCode, axum::Json<Config>), HttpError> {
    let input = service::ConfigFromStrategy {
        name: body.name,
        document_set_id: body.document_set_id,
    };
    let config = blocking(&s, move |w| w.create_config_from_strategy(&id, &input)).await?;
    Ok((StatusCode::CREATED, axum::Json(wire::config(config))))
}
