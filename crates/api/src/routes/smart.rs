//! Smart runs (spec A.6.3: 202 queued; 400 without `strategy_id` or with a strategy of another
//! config or other data; 404 for an unknown config or strategy), ai-resolve (A.6.8: 202
//! `ai_resolving`; 409 unless the run is completed) and a reviewer's answer to a suggestion
//! (accept, dismiss, or restore a dismissed one).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use engine::TriggeredBy;
use service::{AiResolveInput, SmartRunInput};

use super::{blocking, Caller, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, OptionalJson};
use crate::wire::SuggestionAnswer;
use crate::wire::{self, AiResolve, ResultObject, RunObject, SmartRun, SuggestionAction};
use crate::AppState;

/// Queues a smart run: the strategy's match model ranks and decides, so confidence is a match
/// probability and the evidence carries each field's match weight.
#[utoipa::path(post, path = "/v1/matching/configs/{id}/smart-run", tag = "runs", operation_id = "start_smart_run",
    params(("id" = String, Path, description = "Config id")), request_body = SmartRun,
    responses((status = 202, body = RunObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn smart_run(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    OptionalJson(body): OptionalJson<SmartRun>,
) -> Result<(StatusCode, axum::Json<RunObject>), HttpError> {
    let input = SmartRunInput {
        strategy_id: body.and_then(|b| b.strategy_id),
    };
    let run = blocking(&s, move |w| {
        w.start_smart_run(&id, &input, TriggeredBy::Api)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(wire::run(run))))
}

/// Starts an ai-resolve pass over a completed run's review band (or the results named): the
/// run is `ai_resolving` until it ends, then `completed` with suggestions on the results it
/// settled. Decisions already made are never changed.
#[utoipa::path(post, path = "/v1/matching/runs/{id}/ai-resolve", tag = "runs", operation_id = "ai_resolve_run",
    params(("id" = String, Path, description = "Run id")), request_body(content = Option<AiResolve>, description = "May be left out"),
    responses((status = 202, body = RunObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn ai_resolve(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    OptionalJson(body): OptionalJson<AiResolve>,
) -> Result<(StatusCode, axum::Json<RunObject>), HttpError> {
    let input = AiResolveInput {
        result_ids: body.and_then(|b| b.result_ids),
    };
    let run = blocking(&s, move |w| w.ai_resolve(&id, &input)).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(wire::run(run))))
}

/// Accepts (as the caller's decision) or dismisses a result's open ai-resolve suggestion (409
/// when it has none), or restores a dismissed one named by `suggestion_id` (400 without it; 409
/// once the result was decided, has an open suggestion or was suggested on again; 404 when the
/// result never had it).
#[utoipa::path(post, path = "/v1/matching/runs/{run_id}/results/{result_id}/suggestion", tag = "results", operation_id = "answer_suggestion",
    params(("run_id" = String, Path), ("result_id" = String, Path)), request_body = SuggestionAnswer,
    responses((status = 200, body = ResultObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn answer_suggestion(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Ids((run_id, result_id)): Ids<(String, String)>,
    Json(body): Json<SuggestionAnswer>,
) -> Result<axum::Json<ResultObject>, HttpError> {
    let answer = match (body.action, body.suggestion_id) {
        (SuggestionAction::Restore, Some(id)) if !id.trim().is_empty() => Answer::Restore(id),
        (SuggestionAction::Restore, _) => {
            return Err(HttpError::validation(
                "suggestion_id",
                "is required to restore a suggestion",
            ))
        }
        (SuggestionAction::Accept, None) => Answer::Accept,
        (SuggestionAction::Dismiss, None) => Answer::Dismiss,
        // Accept and dismiss answer the open suggestion, whatever its id: a name they would not
        // check is refused rather than ignored.
        (_, Some(_)) => {
            return Err(HttpError::validation(
                "suggestion_id",
                "is only taken with action restore",
            ))
        }
    };
    let decided_by = format!("api:{}", caller.0);
    let r = blocking(&s, move |w| match answer {
        Answer::Accept => w.accept_suggestion_as(&run_id, &result_id, &decided_by),
        Answer::Dismiss => w.dismiss_suggestion(&run_id, &result_id),
        Answer::Restore(id) => w.restore_suggestion(&run_id, &result_id, &id),
    })
    .await?;
    Ok(axum::Json(wire::result(r)))
}

/// A suggestion answer with what it needs checked.
enum Answer {
    Accept,
    Dismiss,
    Restore(String),
}
