//! Runs and their results (spec A.6, A.7): start (202, queued), list with cursor paging, detail
//! with the top 50 results, progress, cancel (409 once finished), results page by page, one
//! result, its review and its review log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use engine::{ReviewStatus, TriggeredBy};
use service::{CursorQuery, ResultQuery, ReviewInput};

use super::{blocking, Caller, Ids};
use crate::error::{ErrorEnvelope, HttpError};
use crate::extract::{Json, OptionalJson, Query};
use crate::wire::{
    self, DecisionList, PagePagination, Progress, ResultObject, ResultPage, ResultsQuery, Review,
    RunDetail, RunObject, RunPage, RunsQuery, StartRun,
};
use crate::AppState;

/// Queues a run of the config; poll its `links.self` or `links.progress`.
#[utoipa::path(post, path = "/v1/matching/configs/{id}/run", tag = "runs", operation_id = "start_run",
    params(("id" = String, Path, description = "Config id")), request_body(content = Option<StartRun>, description = "May be left out"),
    responses((status = 202, body = RunObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn start(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    OptionalJson(_body): OptionalJson<StartRun>,
) -> Result<(StatusCode, axum::Json<RunObject>), HttpError> {
    let run = blocking(&s, move |w| w.start_run(&id, TriggeredBy::Api)).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(wire::run(run))))
}

#[utoipa::path(get, path = "/v1/matching/runs", tag = "runs", operation_id = "list_runs", params(RunsQuery),
    responses((status = 200, body = RunPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<RunsQuery>,
) -> Result<axum::Json<RunPage>, HttpError> {
    let page = blocking(&s, move |w| {
        w.run_cursor_page(
            q.config_id.as_deref(),
            q.status,
            &CursorQuery {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
    })
    .await?;
    Ok(axum::Json(RunPage {
        data: page.data.into_iter().map(wire::run).collect(),
        pagination: page.pagination,
    }))
}

#[utoipa::path(get, path = "/v1/matching/runs/{id}", tag = "runs", operation_id = "get_run",
    params(("id" = String, Path)),
    responses((status = 200, body = RunDetail), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn detail(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<RunDetail>, HttpError> {
    let d = blocking(&s, move |w| w.get_run(&id)).await?;
    Ok(axum::Json(RunDetail {
        run: wire::run(d.run),
        results: d.results.into_iter().map(wire::result).collect(),
    }))
}

#[utoipa::path(get, path = "/v1/matching/runs/{id}/progress", tag = "runs", operation_id = "get_run_progress",
    params(("id" = String, Path)),
    responses((status = 200, body = Progress), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn progress(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<Progress>, HttpError> {
    let (progress, run) = blocking(&s, move |w| {
        // Progress first: a run that ends in between then has its completed_at set already.
        let progress = w.run_progress(&id)?;
        Ok((progress, w.run_record(&id)?))
    })
    .await?;
    Ok(axum::Json(wire::progress(progress, &run)))
}

/// Stops a queued or running run; results written so far stay. A finished run answers 409.
#[utoipa::path(post, path = "/v1/matching/runs/{id}/cancel", tag = "runs", operation_id = "cancel_run",
    params(("id" = String, Path)),
    responses((status = 200, body = RunObject), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, description = "The run is completed, failed or cancelled", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<RunObject>, HttpError> {
    Ok(axum::Json(wire::run(
        blocking(&s, move |w| w.cancel_run(&id)).await?,
    )))
}

/// Best confidence first, then by document id.
#[utoipa::path(get, path = "/v1/matching/runs/{id}/results", tag = "results", operation_id = "list_results",
    params(("id" = String, Path), ResultsQuery),
    responses((status = 200, body = ResultPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn results(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Query(q): Query<ResultsQuery>,
) -> Result<axum::Json<ResultPage>, HttpError> {
    let query = ResultQuery {
        status: q.status,
        min_confidence: q.min_confidence,
        max_confidence: q.max_confidence,
        search: q.search,
        has_suggestion: q.has_suggestion,
        sort: None,
        page: q.page,
        limit: q.limit,
    };
    let page = blocking(&s, move |w| w.list_results(&id, &query)).await?;
    Ok(axum::Json(ResultPage {
        data: page.data.into_iter().map(wire::result).collect(),
        pagination: PagePagination {
            total: page.total,
            page: page.page,
            limit: page.limit,
        },
    }))
}

#[utoipa::path(get, path = "/v1/matching/runs/{run_id}/results/{result_id}", tag = "results", operation_id = "get_result",
    params(("run_id" = String, Path), ("result_id" = String, Path)),
    responses((status = 200, body = ResultObject), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn result(
    State(s): State<AppState>,
    Ids((run_id, result_id)): Ids<(String, String)>,
) -> Result<axum::Json<ResultObject>, HttpError> {
    Ok(axum::Json(wire::result(
        blocking(&s, move |w| w.get_result(&run_id, &result_id)).await?,
    )))
}

/// Approve or reject a result. Re-review is allowed; the last decision wins and every one is
/// kept in the review log.
#[utoipa::path(post, path = "/v1/matching/runs/{run_id}/results/{result_id}/review", tag = "results", operation_id = "review_result",
    params(("run_id" = String, Path), ("result_id" = String, Path)), request_body = Review,
    responses((status = 200, body = ResultObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn review(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Ids((run_id, result_id)): Ids<(String, String)>,
    Json(body): Json<Review>,
) -> Result<axum::Json<ResultObject>, HttpError> {
    if body.status == ReviewStatus::Pending {
        return Err(HttpError::validation(
            "status",
            "must be approved or rejected",
        ));
    }
    let input = ReviewInput {
        status: body.status,
        notes: body.notes,
        reference_row_id: body.reference_row_id,
    };
    let decided_by = format!("api:{}", caller.0);
    let r = blocking(&s, move |w| {
        w.review_result_as(&run_id, &result_id, &input, &decided_by)
    })
    .await?;
    Ok(axum::Json(wire::result(r)))
}

/// Every decision taken on a result, oldest first.
#[utoipa::path(get, path = "/v1/matching/runs/{run_id}/results/{result_id}/decisions", tag = "results", operation_id = "list_decisions",
    params(("run_id" = String, Path), ("result_id" = String, Path)),
    responses((status = 200, body = DecisionList), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn decisions(
    State(s): State<AppState>,
    Ids((run_id, result_id)): Ids<(String, String)>,
) -> Result<axum::Json<DecisionList>, HttpError> {
    let data = blocking(&s, move |w| {
        w.get_result(&run_id, &result_id)?;
        w.result_decisions(&result_id)
    })
    .await?;
    Ok(axum::Json(DecisionList { data }))
}

/// Histogram of confidences, counts per band and review counters.
#[utoipa::path(get, path = "/v1/matching/runs/{id}/summary", tag = "review desk", operation_id = "get_run_summary",
    params(("id" = String, Path)),
    responses((status = 200, body = wire::RunSummary), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn summary(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
) -> Result<axum::Json<wire::RunSummary>, HttpError> {
    Ok(axum::Json(wire::summary(
        blocking(&s, move |w| w.run_summary(&id)).await?,
    )))
}

/// The results list's filters for a bulk approval; the service applies `min_confidence` itself
/// and only ever takes pending results.
fn bulk_query(
    max: Option<f64>,
    search: Option<String>,
    has_suggestion: Option<bool>,
) -> ResultQuery {
    ResultQuery {
        max_confidence: max,
        search,
        has_suggestion,
        ..ResultQuery::default()
    }
}

/// How many pending results a bulk approval would take now.
#[utoipa::path(get, path = "/v1/matching/runs/{id}/bulk-approve", tag = "review desk", operation_id = "count_bulk_approve",
    params(("id" = String, Path), wire::BulkQuery),
    responses((status = 200, body = wire::BulkCount), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn bulk_count(
    State(s): State<AppState>,
    Ids(id): Ids<String>,
    Query(q): Query<wire::BulkQuery>,
) -> Result<axum::Json<wire::BulkCount>, HttpError> {
    let query = bulk_query(q.max_confidence, q.search, q.has_suggestion);
    let count = blocking(&s, move |w| {
        w.bulk_approve_count(&id, &query, q.min_confidence)
    })
    .await?;
    Ok(axum::Json(wire::BulkCount { count }))
}

/// Approves, in one transaction, every pending result at or above `min_confidence`; each gets its
/// own decision in the log. 409 when the count is no longer `expected`.
#[utoipa::path(post, path = "/v1/matching/runs/{id}/bulk-approve", tag = "review desk", operation_id = "bulk_approve",
    params(("id" = String, Path)), request_body = wire::BulkApprove,
    responses((status = 200, body = wire::BulkOutcome), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn bulk_approve(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Ids(id): Ids<String>,
    Json(body): Json<wire::BulkApprove>,
) -> Result<axum::Json<wire::BulkOutcome>, HttpError> {
    let input = service::BulkApproveInput {
        query: bulk_query(body.max_confidence, body.search, body.has_suggestion),
        min_confidence: body.min_confidence,
        expected: body.expected,
        notes: body.notes,
    };
    let decided_by = format!("api:{}", caller.0);
    let outcome = blocking(&s, move |w| w.bulk_approve_as(&id, &input, &decided_by)).await?;
    Ok(axum::Json(wire::BulkOutcome {
        approved: outcome.decisions.len() as u64,
        decisions: outcome
            .decisions
            .into_iter()
            .map(|d| wire::DecisionRef {
                result_id: d.result_id,
                decision_id: d.decision_id,
            })
            .collect(),
    }))
}

/// Undoes the result's latest decision (409 if `decision_id` is no longer the latest); the undo
/// is a decision of its own, so undoing it redoes the first.
#[utoipa::path(post, path = "/v1/matching/runs/{run_id}/results/{result_id}/revert", tag = "review desk", operation_id = "revert_decision",
    params(("run_id" = String, Path), ("result_id" = String, Path)), request_body = wire::Revert,
    responses((status = 200, body = ResultObject), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn revert(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Ids((run_id, result_id)): Ids<(String, String)>,
    Json(body): Json<wire::Revert>,
) -> Result<axum::Json<ResultObject>, HttpError> {
    let decided_by = format!("api:{}", caller.0);
    let r = blocking(&s, move |w| {
        w.revert_decision_as(&run_id, &result_id, &body.decision_id, &decided_by)
    })
    .await?;
    Ok(axum::Json(wire::result(r)))
}
