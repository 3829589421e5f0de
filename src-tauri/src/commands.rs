//! Tauri commands: one per service call, each defined once in the `commands!` list below (which
//! also registers them and describes them to the TypeScript client, see command_table.rs). Each
//! runs the (blocking, SQLite-bound) service call on the blocking pool so the window never waits
//! on disk, and hands errors over as `ApiError`.

use std::sync::Arc;

use engine::package::{PackageConfig, PackageRun, PackageVerdict};
use engine::{
    ConfigInput, Dataset, MatchResult, MatchingConfig, Record, ResultPage, ReviewDecision, RowPage,
    Run, RunDetail, RunProgress, TriggeredBy,
};
use service::{
    input_from_json, AiResolveInput, ApiError, ApiServerStatus, ApiSettings, BulkApproveInput,
    BulkOutcome, ConfigPreview, DecisionRef, ErrorCode, ExportOutcome, ExportRequest,
    ImportPreview, ImportRequest, MatchingStrategy, ResultQuery, ReviewCounts, ReviewInput,
    RunFilter, RunPage, RunSummary, SmartRunInput, Workspace, WorkspaceInfo,
};
use service::{
    CursorQuery, GuideState, InputRow, PackageConfigInput, PackageConfigPatch, PackageRunFilter,
};
use service::{Diagnostics, RecentWorkspace};
use service::{RefreshRequest, SqlImportRequest, SqlPreview};
// Named as the window's types are: the service has a RunSummary of its own (matching runs).
use service::em::{
    Pipeline, PipelineSpec, RunResult as PipelineRunResult, RunSummary as PipelineRunSummary,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::command_table::Reply;
use crate::workspaces::Current;

/// The open workspace, read by each call: the window can switch it (workspaces.rs).
type Ws<'a> = State<'a, Arc<Current>>;
type Api<'a> = State<'a, Arc<crate::api_server::ApiServer>>;

async fn call<T, F>(ws: Ws<'_>, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&Workspace) -> service::Result<T> + Send + 'static,
{
    let ws = ws.get()?;
    match tauri::async_runtime::spawn_blocking(move || f(&ws)).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => Err(ApiError {
            code: ErrorCode::InternalError,
            message: format!("the request stopped unexpectedly: {e}"),
            field: None,
            file: None,
            row: None,
            column: None,
        }),
    }
}

/// A config arrives untyped so that an unknown or mistyped field is a validation error naming
/// it, as over the REST API, not the shell's own error for arguments it cannot read.
fn config_input(input: serde_json::Value) -> service::Result<ConfigInput> {
    Ok(engine::validate::config_input_from_json(input)?)
}

// Managed state (the workspace, the API server) in brackets, the window's arguments in parentheses.
commands! {
    async fn workspace_info[ws: Ws<'_>]() -> WorkspaceInfo {
        call(ws, |w| w.info()).await
    }

    async fn list_datasets[ws: Ws<'_>]() -> Vec<Dataset> {
        crate::startup::first_screen_request();
        call(ws, |w| w.list_datasets()).await
    }

    async fn import_dataset[ws: Ws<'_>](request: ImportRequest) -> Dataset {
        call(ws, move |w| w.import_dataset(&request)).await
    }

    async fn delete_dataset[ws: Ws<'_>](id: String) -> () {
        call(ws, move |w| w.delete_dataset(&id)).await
    }

    // ---- reference data from a database ---------------------------------------------------
    // The password comes with the request (used once, never stored) or from the user's
    // PostgreSQL password file; errors name the field to change (`connection.host`, `password`,
    // `query`, `id_column`).

    /// The query's columns (with the database's types) and first rows, for the wizard.
    async fn preview_sql[ws: Ws<'_>](request: SqlImportRequest) -> SqlPreview {
        call(ws, move |w| w.preview_sql(&request)).await
    }

    /// Starts importing the query's rows as new reference data: answers at once, `importing`
    /// with its columns; the rows stream in the background until it is `ready` or `failed`.
    async fn import_sql[ws: Ws<'_>](request: SqlImportRequest) -> Dataset {
        call(ws, move |w| w.import_sql(&request)).await
    }

    /// Re-runs a database dataset's query into a new version, in the background.
    async fn refresh_dataset[ws: Ws<'_>](id: String, request: RefreshRequest) -> Dataset {
        call(ws, move |w| w.refresh_dataset(&id, &request)).await
    }

    /// Stops an import in progress: a first import's dataset goes, a refresh keeps the
    /// previous version.
    async fn cancel_import[ws: Ws<'_>](id: String) -> Dataset {
        call(ws, move |w| w.cancel_import(&id)).await
    }

    async fn dataset_rows[ws: Ws<'_>](
        id: String,
        page: Option<u32>,
        limit: Option<u32>,
    ) -> RowPage {
        call(ws, move |w| w.dataset_rows(&id, page, limit)).await
    }

    async fn list_configs[ws: Ws<'_>]() -> Vec<MatchingConfig> {
        call(ws, |w| w.list_configs()).await
    }

    async fn get_config[ws: Ws<'_>](id: String) -> MatchingConfig {
        call(ws, move |w| w.get_config(&id)).await
    }

    async fn create_config[ws: Ws<'_>](input: serde_json::Value) -> MatchingConfig {
        call(ws, move |w| w.create_config(&config_input(input)?)).await
    }

    async fn update_config[ws: Ws<'_>](id: String, input: serde_json::Value) -> MatchingConfig {
        call(ws, move |w| w.update_config(&id, &config_input(input)?)).await
    }

    async fn delete_config[ws: Ws<'_>](id: String) -> () {
        call(ws, move |w| w.delete_config(&id)).await
    }

    async fn start_run[ws: Ws<'_>](config_id: String) -> Run {
        call(ws, move |w| w.start_run(&config_id, TriggeredBy::Manual)).await
    }

    async fn cancel_run[ws: Ws<'_>](run_id: String) -> Run {
        call(ws, move |w| w.cancel_run(&run_id)).await
    }

    async fn list_runs[ws: Ws<'_>](filter: Option<RunFilter>) -> Vec<Run> {
        call(ws, move |w| w.list_runs(&filter.unwrap_or_default())).await
    }

    async fn get_run[ws: Ws<'_>](run_id: String) -> RunDetail {
        call(ws, move |w| w.get_run(&run_id)).await
    }

    async fn run_progress[ws: Ws<'_>](run_id: String) -> RunProgress {
        call(ws, move |w| w.run_progress(&run_id)).await
    }

    async fn list_results[ws: Ws<'_>](run_id: String, query: Option<ResultQuery>) -> ResultPage {
        call(ws, move |w| {
            w.list_results(&run_id, &query.unwrap_or_default())
        })
        .await
    }

    async fn review_result[ws: Ws<'_>](
        run_id: String,
        result_id: String,
        input: ReviewInput,
    ) -> MatchResult {
        call(ws, move |w| w.review_result(&run_id, &result_id, &input)).await
    }

    async fn revert_decision[ws: Ws<'_>](
        run_id: String,
        result_id: String,
        decision_id: String,
    ) -> MatchResult {
        call(ws, move |w| {
            w.revert_decision(&run_id, &result_id, &decision_id)
        })
        .await
    }

    async fn result_decisions[ws: Ws<'_>](result_id: String) -> Vec<ReviewDecision> {
        call(ws, move |w| w.result_decisions(&result_id)).await
    }

    /// With `run_id`, the rows that run matched against (a refresh may have replaced them since).
    async fn reference_rows[ws: Ws<'_>](dataset_id: String, ids: Vec<String>, run_id: Option<String>) -> Vec<Record> {
        call(ws, move |w| w.reference_rows(&dataset_id, &ids, run_id.as_deref())).await
    }

    /// Streams the progress of every run to the window through `on_event` until the window goes
    /// away.
    async fn watch_progress[ws: Ws<'_>](on_event: Channel<RunProgress>) -> () {
        ws.watch(on_event)
    }

    async fn preview_import[ws: Ws<'_>](request: ImportRequest) -> ImportPreview {
        call(ws, move |w| w.preview_import(&request)).await
    }

    async fn preview_config[ws: Ws<'_>](
        input: serde_json::Value,
        limit: Option<u32>,
    ) -> ConfigPreview {
        call(ws, move |w| w.preview_config(&config_input(input)?, limit)).await
    }

    async fn run_page[ws: Ws<'_>](filter: Option<RunFilter>) -> RunPage {
        call(ws, move |w| w.run_page(&filter.unwrap_or_default())).await
    }

    async fn run_summary[ws: Ws<'_>](run_id: String) -> RunSummary {
        call(ws, move |w| w.run_summary(&run_id)).await
    }

    async fn review_counts[ws: Ws<'_>](run_id: String) -> ReviewCounts {
        call(ws, move |w| w.review_counts(&run_id)).await
    }

    async fn bulk_approve_count[ws: Ws<'_>](
        run_id: String,
        query: ResultQuery,
        min_confidence: f64,
    ) -> u64 {
        call(ws, move |w| {
            w.bulk_approve_count(&run_id, &query, min_confidence)
        })
        .await
    }

    async fn bulk_approve[ws: Ws<'_>](run_id: String, input: BulkApproveInput) -> BulkOutcome {
        call(ws, move |w| w.bulk_approve(&run_id, &input)).await
    }

    async fn revert_decisions[ws: Ws<'_>](
        run_id: String,
        decisions: Vec<DecisionRef>,
    ) -> BulkOutcome {
        call(ws, move |w| w.revert_decisions(&run_id, &decisions)).await
    }

    async fn export_results[ws: Ws<'_>](request: ExportRequest) -> ExportOutcome {
        call(ws, move |w| w.export_results(&request)).await
    }

    // ---- strategies ---------------------------------------------------------------------------
    // Requests arrive untyped, as configs do, so a missing or mistyped field is a validation
    // error naming it (GenerateStrategyInput, StrategyPatch, ConfigFromStrategy).

    async fn generate_strategy[ws: Ws<'_>](input: serde_json::Value) -> MatchingStrategy {
        call(ws, move |w| w.generate_strategy(&input_from_json(input)?)).await
    }

    async fn get_strategy[ws: Ws<'_>](id: String) -> MatchingStrategy {
        call(ws, move |w| w.get_strategy(&id)).await
    }

    async fn patch_strategy[ws: Ws<'_>](id: String, patch: serde_json::Value) -> MatchingStrategy {
        call(ws, move |w| w.patch_strategy(&id, &input_from_json(patch)?)).await
    }

    async fn list_strategies[ws: Ws<'_>](
        matching_config_id: Option<String>,
    ) -> Vec<MatchingStrategy> {
        call(ws, move |w| w.list_strategies(matching_config_id.as_deref())).await
    }

    async fn create_config_from_strategy[ws: Ws<'_>](
        strategy_id: String,
        input: serde_json::Value,
    ) -> MatchingConfig {
        call(ws, move |w| {
            w.create_config_from_strategy(&strategy_id, &input_from_json(input)?)
        })
        .await
    }

    // ---- smart runs and ai-resolve ---------------------------------------------------------

    /// A run of `config_id` decided by `strategy_id`'s match model (confidence is the match
    /// probability); the strategy must be the config's or one of its reference data.
    async fn start_smart_run[ws: Ws<'_>](config_id: String, strategy_id: String) -> Run {
        call(ws, move |w| {
            let input = SmartRunInput {
                strategy_id: Some(strategy_id),
            };
            w.start_smart_run(&config_id, &input, TriggeredBy::Manual)
        })
        .await
    }

    /// Starts ai-resolve on a completed run (its review band, or only `result_ids`); the run is
    /// `ai_resolving` until the pass ends, with progress on the usual channel.
    async fn ai_resolve[ws: Ws<'_>](run_id: String, result_ids: Option<Vec<String>>) -> Run {
        call(ws, move |w| w.ai_resolve(&run_id, &AiResolveInput { result_ids })).await
    }

    async fn accept_suggestion[ws: Ws<'_>](run_id: String, result_id: String) -> MatchResult {
        call(ws, move |w| w.accept_suggestion(&run_id, &result_id)).await
    }

    async fn dismiss_suggestion[ws: Ws<'_>](run_id: String, result_id: String) -> MatchResult {
        call(ws, move |w| w.dismiss_suggestion(&run_id, &result_id)).await
    }

    /// Reopens a dismissed suggestion (the desk's undo of a dismissal); a conflict once the
    /// result was decided or suggested on again.
    async fn restore_suggestion[ws: Ws<'_>](
        run_id: String,
        result_id: String,
        suggestion_id: String,
    ) -> MatchResult {
        call(ws, move |w| {
            w.restore_suggestion(&run_id, &result_id, &suggestion_id)
        })
        .await
    }

    // ---- packages ------------------------------------------------------------------------------

    /// The package configs, newest first (the first 100).
    async fn list_package_configs[ws: Ws<'_>]() -> Vec<PackageConfig> {
        call(ws, |w| {
            let q = CursorQuery {
                cursor: None,
                limit: Some(100),
            };
            Ok(w.package_config_page(&q)?.data)
        })
        .await
    }

    /// A package config from its JSON body (spec A.8.2); an unknown or mistyped key is a
    /// validation error naming it.
    async fn create_package_config[ws: Ws<'_>](input: serde_json::Value) -> PackageConfig {
        call(ws, move |w| {
            let input: PackageConfigInput = input_from_json(input)?;
            w.create_package_config(&input)
        })
        .await
    }

    async fn patch_package_config[ws: Ws<'_>](id: String, patch: serde_json::Value) -> PackageConfig {
        call(ws, move |w| {
            let patch: PackageConfigPatch = input_from_json(patch)?;
            w.patch_package_config(&id, &patch)
        })
        .await
    }

    /// Deletes the package config and its package runs.
    async fn delete_package_config[ws: Ws<'_>](id: String) -> () {
        call(ws, move |w| w.delete_package_config(&id)).await
    }

    /// Runs a bundle now and answers its verdict (spec A.9.2); each slot makes a normal run.
    async fn run_package[ws: Ws<'_>](input: serde_json::Value) -> PackageRun {
        call(ws, move |w| w.run_package(&input_from_json(input)?)).await
    }

    /// Package runs, newest first (the first 100), of one config and/or one verdict.
    async fn list_package_runs[ws: Ws<'_>](
        package_config_id: Option<String>,
        status: Option<PackageVerdict>,
    ) -> Vec<PackageRun> {
        call(ws, move |w| {
            let filter = PackageRunFilter {
                package_config_id,
                status,
            };
            let q = CursorQuery {
                cursor: None,
                limit: Some(100),
            };
            Ok(w.package_run_page(&filter, &q)?.data)
        })
        .await
    }

    async fn get_package_run[ws: Ws<'_>](id: String) -> PackageRun {
        call(ws, move |w| w.get_package_run(&id)).await
    }

    /// The documents of a file for a bundle (CSV, workbook, JSON, e-invoice XML or PDF): one per
    /// row; errors name the file, row and column.
    async fn package_documents_from_file[ws: Ws<'_>](path: String) -> Vec<InputRow> {
        call(ws, move |_| service::input_rows_from_file(std::path::Path::new(&path))).await
    }

    // ---- entity-matching pipelines (Cognite's spec B.7, B.8) ----------------------------------

    /// The pipelines, oldest first (the first 1000), each with its last run.
    async fn list_pipelines[ws: Ws<'_>]() -> Vec<Pipeline> {
        call(ws, |w| w.em_pipelines(0, 1000)).await
    }

    /// A pipeline from its body (spec B.7.2); an unknown or mistyped key is a validation error
    /// naming it.
    async fn create_pipeline[ws: Ws<'_>](spec: serde_json::Value) -> Pipeline {
        call(ws, move |w| {
            let spec: PipelineSpec = input_from_json(spec)?;
            w.em_create_pipeline(spec)
        })
        .await
    }

    /// Sets fields of a pipeline: `update` is Cognite's `{"<field>": {"set": value}}`.
    async fn update_pipeline[ws: Ws<'_>](id: i64, update: serde_json::Value) -> Pipeline {
        call(ws, move |w| {
            let update: serde_json::Map<String, serde_json::Value> = input_from_json(update)?;
            w.em_update_pipeline(id, &update)
        })
        .await
    }

    /// Starts a run in the background; answers it queued.
    async fn run_pipeline[ws: Ws<'_>](id: i64) -> PipelineRunSummary {
        call(ws, move |w| w.em_run_pipeline(id)).await
    }

    /// A pipeline's runs, newest first (the last 100).
    async fn list_pipeline_runs[ws: Ws<'_>](pipeline_id: i64) -> Vec<PipelineRunSummary> {
        call(ws, move |w| w.em_pipeline_runs(pipeline_id, None, 100)).await
    }

    /// A run with its matches and rules once completed.
    async fn get_pipeline_run[ws: Ws<'_>](pipeline_id: i64, job_id: i64) -> PipelineRunResult {
        call(ws, move |w| w.em_pipeline_run(pipeline_id, job_id)).await
    }

    /// Takes generated rule `rule_index` (from 0) of a run into the pipeline's rules (`accept`)
    /// or its rejected rules.
    async fn take_pipeline_rule[ws: Ws<'_>](
        pipeline_id: i64,
        job_id: i64,
        rule_index: u32,
        accept: bool,
    ) -> Pipeline {
        call(ws, move |w| {
            w.em_take_rule(pipeline_id, job_id, rule_index as usize, accept)
        })
        .await
    }

    /// Confirms (`confirm`) or rejects a source-target pair, by external ids, for the next runs.
    async fn decide_pipeline_match[ws: Ws<'_>](
        pipeline_id: i64,
        source_external_id: String,
        target_external_id: String,
        confirm: bool,
    ) -> Pipeline {
        call(ws, move |w| {
            w.em_decide_match(pipeline_id, &source_external_id, &target_external_id, confirm)
        })
        .await
    }

    // ---- guided first start -------------------------------------------------------------------

    /// Whether the window opens the guided first start by itself (a demo workspace, until off).
    async fn guide_state[ws: Ws<'_>]() -> GuideState {
        call(ws, |w| w.guide_state()).await
    }

    async fn set_guide_at_start[ws: Ws<'_>](show: bool) -> GuideState {
        call(ws, move |w| w.set_guide_at_start(show)).await
    }

    // ---- local REST API -----------------------------------------------------------------------

    async fn api_status[ws: Ws<'_>, server: Api<'_>]() -> ApiServerStatus {
        server
            .status(&ws.get()?, None)
            .await
            .map_err(ApiError::from)
    }

    async fn set_api_settings[ws: Ws<'_>, server: Api<'_>](
        settings: ApiSettings,
    ) -> ApiServerStatus {
        server
            .apply(&ws.get()?, settings)
            .await
            .map_err(ApiError::from)
    }

    async fn rotate_api_key[ws: Ws<'_>, server: Api<'_>]() -> ApiServerStatus {
        server.rotate(&ws.get()?).await.map_err(ApiError::from)
    }

    // ---- workspaces and diagnostics -----------------------------------------------------------
    // A switch answers the new workspace; errors name the path (field `path`).

    /// The workspaces opened before, most recent first; files no longer there are marked.
    async fn recent_workspaces[ws: Ws<'_>]() -> Vec<RecentWorkspace> {
        Ok(ws.recent().list())
    }

    /// Takes a workspace off the recent list (the file stays where it is, if anywhere).
    async fn forget_recent_workspace[ws: Ws<'_>](path: String) -> Vec<RecentWorkspace> {
        ws.recent()
            .forget(std::path::Path::new(&path))
            .map_err(ApiError::from)
    }

    /// Opens the existing workspace file at `path` in place of the open one, whose runs in
    /// progress are cancelled.
    async fn open_workspace[ws: Ws<'_>](path: String) -> WorkspaceInfo {
        ws.open(path, false).await
    }

    /// Creates an empty workspace at `path` (refused where any file is) and opens it.
    async fn new_workspace[ws: Ws<'_>](path: String) -> WorkspaceInfo {
        ws.open(path, true).await
    }

    /// Moves the open workspace's file to `path` (refused where any file is) and reopens it.
    async fn move_workspace[ws: Ws<'_>](path: String) -> WorkspaceInfo {
        ws.move_to(path).await
    }

    /// Version, workspace file and size, SQLite and schema versions, the log folder, the OS.
    async fn diagnostics[ws: Ws<'_>]() -> Diagnostics {
        let log_dir = ws.log_dir();
        call(ws, move |w| w.diagnostics(log_dir.as_deref())).await
    }
}
