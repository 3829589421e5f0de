// Typed wrappers over the Tauri commands (checked against the Rust command list): the only module that calls invoke; failures become ApiCallError.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';

import type { ApiServerStatus } from './bindings/ApiServerStatus';
import type { ApiSettings } from './bindings/ApiSettings';
import type { BulkApproveInput } from './bindings/BulkApproveInput';
import type { BulkOutcome } from './bindings/BulkOutcome';
import type { ConfigFromStrategy } from './bindings/ConfigFromStrategy';
import type { ConfigPreview } from './bindings/ConfigPreview';
import type { DecisionRef } from './bindings/DecisionRef';
import type { Diagnostics } from './bindings/Diagnostics';
import type { ConfigInput } from './bindings/ConfigInput';
import type { Dataset } from './bindings/Dataset';
import type { ExportOutcome } from './bindings/ExportOutcome';
import type { ExportRequest } from './bindings/ExportRequest';
import type { GenerateStrategyInput } from './bindings/GenerateStrategyInput';
import type { GuideState } from './bindings/GuideState';
import type { ImportPreview } from './bindings/ImportPreview';
import type { ImportRequest } from './bindings/ImportRequest';
import type { MatchResult } from './bindings/MatchResult';
import type { MatchingConfig } from './bindings/MatchingConfig';
import type { MatchingStrategy } from './bindings/MatchingStrategy';
import type { InputRow } from './bindings/InputRow';
import type { PackageConfig } from './bindings/PackageConfig';
import type { PackageConfigInput } from './bindings/PackageConfigInput';
import type { PackageConfigPatch } from './bindings/PackageConfigPatch';
import type { PackageRun } from './bindings/PackageRun';
import type { PackageRunInput } from './bindings/PackageRunInput';
import type { PackageVerdict } from './bindings/PackageVerdict';
import type { Pipeline } from './bindings/Pipeline';
import type { PipelineRunResult } from './bindings/PipelineRunResult';
import type { PipelineRunSummary } from './bindings/PipelineRunSummary';
import type { PipelineSpec } from './bindings/PipelineSpec';
import type { RecentWorkspace } from './bindings/RecentWorkspace';
import type { RefreshRequest } from './bindings/RefreshRequest';
import type { Record as DataRecord } from './bindings/Record';
import type { ResultPage } from './bindings/ResultPage';
import type { ResultQuery } from './bindings/ResultQuery';
import type { ReviewCounts } from './bindings/ReviewCounts';
import type { ReviewDecision } from './bindings/ReviewDecision';
import type { ReviewInput } from './bindings/ReviewInput';
import type { RowPage } from './bindings/RowPage';
import type { Run } from './bindings/Run';
import type { RunDetail } from './bindings/RunDetail';
import type { RunFilter } from './bindings/RunFilter';
import type { RunPage } from './bindings/RunPage';
import type { RunProgress } from './bindings/RunProgress';
import type { RunSummary } from './bindings/RunSummary';
import type { SqlImportRequest } from './bindings/SqlImportRequest';
import type { SqlPreview } from './bindings/SqlPreview';
import type { StrategyPatch } from './bindings/StrategyPatch';
import type { TauriCommands } from './bindings/TauriCommands';
import type { WorkspaceInfo } from './bindings/WorkspaceInfo';
import { toApiCallError } from './apiError';

// Callers see the error type thrown by every function here.
export { ApiCallError, toApiCallError } from './apiError';

type Command = keyof TauriCommands;
type Args<C extends Command> = TauriCommands[C]['args'];
type Answer<C extends Command> = TauriCommands[C]['answer'];

/**
 * Invokes a command of the shell. Its name, the names and types of its arguments and the type of
 * its answer come from TauriCommands, generated from the Rust command list, so a misspelt or
 * missing command or argument does not compile. A command without arguments takes none.
 */
async function call<C extends Command>(command: C, ...args: [Args<C>] extends [never] ? [] : [Args<C>]): Promise<Answer<C>> {
  try {
    return args.length === 0 ? await invoke<Answer<C>>(command) : await invoke<Answer<C>>(command, args[0] as InvokeArgs);
  } catch (reason) {
    throw toApiCallError(reason);
  }
}

export function workspaceInfo(): Promise<WorkspaceInfo> {
  return call('workspace_info');
}

export function listDatasets(): Promise<Dataset[]> {
  return call('list_datasets');
}

export function importDataset(request: ImportRequest): Promise<Dataset> {
  return call('import_dataset', { request });
}

export function deleteDataset(id: string): Promise<null> {
  return call('delete_dataset', { id });
}

/** The query's columns (with the database's types) and first rows; errors name the field to change (`connection.host`, `password`, `query`, `id_column`). */
export function previewSql(request: SqlImportRequest): Promise<SqlPreview> {
  return call('preview_sql', { request });
}

/** Starts importing a query's rows as reference data: answers at once, `importing`, while the rows stream in. */
export function importSql(request: SqlImportRequest): Promise<Dataset> {
  return call('import_sql', { request });
}

/** Re-reads a database dataset into a new version in the background; without a password, the user's password file is used. */
export function refreshDataset(id: string, request: RefreshRequest): Promise<Dataset> {
  return call('refresh_dataset', { id, request });
}

/** Stops an import in progress: a first import's dataset goes away, a refresh keeps the previous version. */
export function cancelImport(id: string): Promise<Dataset> {
  return call('cancel_import', { id });
}

export function datasetRows(id: string, page: number, limit: number): Promise<RowPage> {
  return call('dataset_rows', { id, page, limit });
}

export function listConfigs(): Promise<MatchingConfig[]> {
  return call('list_configs');
}

export function getConfig(id: string): Promise<MatchingConfig> {
  return call('get_config', { id });
}

export function createConfig(input: ConfigInput): Promise<MatchingConfig> {
  return call('create_config', { input });
}

export function updateConfig(id: string, input: ConfigInput): Promise<MatchingConfig> {
  return call('update_config', { id, input });
}

export function deleteConfig(id: string): Promise<null> {
  return call('delete_config', { id });
}

export function startRun(configId: string): Promise<Run> {
  return call('start_run', { configId });
}

export function cancelRun(runId: string): Promise<Run> {
  return call('cancel_run', { runId });
}

export function listRuns(filter: RunFilter = {}): Promise<Run[]> {
  return call('list_runs', { filter });
}

export function getRun(runId: string): Promise<RunDetail> {
  return call('get_run', { runId });
}

export function runProgress(runId: string): Promise<RunProgress> {
  return call('run_progress', { runId });
}

export function listResults(runId: string, query: ResultQuery): Promise<ResultPage> {
  return call('list_results', { runId, query });
}

export function reviewResult(runId: string, resultId: string, input: ReviewInput): Promise<MatchResult> {
  return call('review_result', { runId, resultId, input });
}

/** Undoes `decisionId`, the result's latest decision (a conflict otherwise); undoing the undo redoes it. */
export function revertDecision(runId: string, resultId: string, decisionId: string): Promise<MatchResult> {
  return call('revert_decision', { runId, resultId, decisionId });
}

/** Live counters of the review desk: per status, and decided today (this run and all runs). */
export function reviewCounts(runId: string): Promise<ReviewCounts> {
  return call('review_counts', { runId });
}

/** How many pending results a bulk approval of `query` at `minConfidence` would approve. */
export function bulkApproveCount(runId: string, query: ResultQuery, minConfidence: number): Promise<number> {
  return call('bulk_approve_count', { runId, query, minConfidence });
}

/** Approves them all in one transaction; a `conflict` when the count is no longer `input.expected`. */
export function bulkApprove(runId: string, input: BulkApproveInput): Promise<BulkOutcome> {
  return call('bulk_approve', { runId, input });
}

/** Undoes several decisions at once (all or none); reverting the answer's decisions redoes them. */
export function revertDecisions(runId: string, decisions: DecisionRef[]): Promise<BulkOutcome> {
  return call('revert_decisions', { runId, decisions });
}

/** A run with its confidence histogram and counts per band. */
export function runSummary(runId: string): Promise<RunSummary> {
  return call('run_summary', { runId });
}

/** A page of the runs list with the total the filter passes. */
export function runPage(filter: RunFilter = {}): Promise<RunPage> {
  return call('run_page', { filter });
}

/** Reads the start of a file as an import would: detected options, columns, first rows. */
export function previewImport(request: ImportRequest): Promise<ImportPreview> {
  return call('preview_import', { request });
}

/** Matches the first documents (default 20) with an unsaved config; nothing is stored. */
export function previewConfig(input: ConfigInput, limit?: number): Promise<ConfigPreview> {
  return limit === undefined ? call('preview_config', { input }) : call('preview_config', { input, limit });
}

/** Writes a run's matches and unmatched documents to a CSV or XLSX file. */
export function exportResults(request: ExportRequest): Promise<ExportOutcome> {
  return call('export_results', { request });
}

/** Learns a strategy (mappings, weights and threshold, each with a rationale) from reference data and documents; no config changes. Takes seconds on large data. */
export function generateStrategy(input: GenerateStrategyInput): Promise<MatchingStrategy> {
  return call('generate_strategy', { input });
}

export function getStrategy(id: string): Promise<MatchingStrategy> {
  return call('get_strategy', { id });
}

/** Renames a strategy and/or deep-merges `patch.strategy` into its plan, as a new version; a plan no config could be made from is a validation error naming the key (`strategy.threshold`). */
export function patchStrategy(id: string, patch: StrategyPatch): Promise<MatchingStrategy> {
  return call('patch_strategy', { id, patch });
}

/** Every strategy, or those of one config, newest first. */
export function listStrategies(matchingConfigId?: string): Promise<MatchingStrategy[]> {
  return call('list_strategies', { matchingConfigId: matchingConfigId ?? null });
}

/** Makes a config from a strategy's plan, validated as any new config; the strategy stays as it is. */
export function createConfigFromStrategy(strategyId: string, input: ConfigFromStrategy): Promise<MatchingConfig> {
  return call('create_config_from_strategy', { strategyId, input });
}

/** Queues a run of a config decided by a strategy's match model (confidence is the match probability). */
export function startSmartRun(configId: string, strategyId: string): Promise<Run> {
  return call('start_smart_run', { configId, strategyId });
}

/** Starts ai-resolve on a completed run: its review band, or only `resultIds`. The run answers `ai_resolving`; progress comes on the usual channel. */
export function aiResolve(runId: string, resultIds?: string[]): Promise<Run> {
  return call('ai_resolve', { runId, resultIds: resultIds ?? null });
}

/** Takes a result's open ai-resolve suggestion as the reviewer's decision (the log names the suggestion). */
export function acceptSuggestion(runId: string, resultId: string): Promise<MatchResult> {
  return call('accept_suggestion', { runId, resultId });
}

/** Drops a result's open ai-resolve suggestion; the result stays pending. */
export function dismissSuggestion(runId: string, resultId: string): Promise<MatchResult> {
  return call('dismiss_suggestion', { runId, resultId });
}

/** Reopens a dismissed suggestion (undo of a dismissal); a conflict once the result was decided or suggested on again. */
export function restoreSuggestion(runId: string, resultId: string, suggestionId: string): Promise<MatchResult> {
  return call('restore_suggestion', { runId, resultId, suggestionId });
}

export function resultDecisions(resultId: string): Promise<ReviewDecision[]> {
  return call('result_decisions', { resultId });
}

/** Reference rows by id; with `runId`, as that run matched them (a refresh may have replaced them since). */
export function referenceRows(datasetId: string, ids: string[], runId?: string | null): Promise<DataRecord[]> {
  return call('reference_rows', { datasetId, ids, runId: runId ?? null });
}

/** The package configs, newest first. */
export function listPackageConfigs(): Promise<PackageConfig[]> {
  return call('list_package_configs');
}

/** Creates a package config; refusals name the field (`document_type_configs[1].matching_config_id`, `rules[0].unit_price_column`). */
export function createPackageConfig(input: PackageConfigInput): Promise<PackageConfig> {
  return call('create_package_config', { input });
}

/** Changes a package config: slots and rules replaced as a whole, criteria merged. */
export function patchPackageConfig(id: string, patch: PackageConfigPatch): Promise<PackageConfig> {
  return call('patch_package_config', { id, patch });
}

/** Deletes a package config with its package runs. */
export function deletePackageConfig(id: string): Promise<null> {
  return call('delete_package_config', { id });
}

/** Judges a bundle now: each slot's documents are matched as a normal run; answers the verdict. */
export function runPackage(input: PackageRunInput): Promise<PackageRun> {
  return call('run_package', { input });
}

/** Package runs, newest first, of one package config and/or one verdict. */
export function listPackageRuns(packageConfigId?: string, status?: PackageVerdict): Promise<PackageRun[]> {
  return call('list_package_runs', { packageConfigId: packageConfigId ?? null, status: status ?? null });
}

export function getPackageRun(id: string): Promise<PackageRun> {
  return call('get_package_run', { id });
}

/** The documents a file holds for a bundle (CSV, workbook, JSON, e-invoice XML or PDF), one per row. */
export function packageDocumentsFromFile(path: string): Promise<InputRow[]> {
  return call('package_documents_from_file', { path });
}

/** Cognite's update body: each key of a pipeline to set, as `{ set: value }`. */
export type PipelineUpdate = { [K in keyof PipelineSpec]?: { set: PipelineSpec[K] } };

/** The entity-matching pipelines, oldest first, each with its last run. */
export function listPipelines(): Promise<Pipeline[]> {
  return call('list_pipelines');
}

/** Creates a pipeline; refusals name the key (`scoreThreshold`, `targets.dataSetIds`). */
export function createPipeline(spec: PipelineSpec): Promise<Pipeline> {
  return call('create_pipeline', { spec });
}

/** Sets keys of a pipeline (Cognite's `{ key: { set: value } }`). */
export function updatePipeline(id: number, update: PipelineUpdate): Promise<Pipeline> {
  return call('update_pipeline', { id, update });
}

/** Starts a run in the background; answers it queued. */
export function runPipeline(id: number): Promise<PipelineRunSummary> {
  return call('run_pipeline', { id });
}

/** A pipeline's runs, newest first. */
export function listPipelineRuns(pipelineId: number): Promise<PipelineRunSummary[]> {
  return call('list_pipeline_runs', { pipelineId });
}

/** A run with its matches and generated rules once completed. */
export function getPipelineRun(pipelineId: number, jobId: number): Promise<PipelineRunResult> {
  return call('get_pipeline_run', { pipelineId, jobId });
}

/** Takes generated rule `ruleIndex` of a run into the pipeline's rules (`accept`) or its rejected rules; answers the pipeline. */
export function takePipelineRule(pipelineId: number, jobId: number, ruleIndex: number, accept: boolean): Promise<Pipeline> {
  return call('take_pipeline_rule', { pipelineId, jobId, ruleIndex, accept });
}

/** Confirms or rejects a source–target pair (by external ids) for the next runs; answers the pipeline. */
export function decidePipelineMatch(pipelineId: number, sourceExternalId: string, targetExternalId: string, confirm: boolean): Promise<Pipeline> {
  return call('decide_pipeline_match', { pipelineId, sourceExternalId, targetExternalId, confirm });
}

/**
 * Subscribes to the progress of every run. Call once at app start: the backend sends throttled
 * updates plus a final event (completed, failed or cancelled) for each run on this one channel.
 */
/** Whether the window opens the guided first start by itself (a demo workspace, until turned off). */
export function guideState(): Promise<GuideState> {
  return call('guide_state');
}

/** Turns the guided first start at start on or off, in the workspace's settings. */
export function setGuideAtStart(show: boolean): Promise<GuideState> {
  return call('set_guide_at_start', { show });
}

/** The local REST API: whether it is served, where, and the key's prefix. */
export function apiStatus(): Promise<ApiServerStatus> {
  return call('api_status');
}

/** Turns the REST API on or off (and sets its port); the answer holds a new key once, when created. */
export function setApiSettings(settings: ApiSettings): Promise<ApiServerStatus> {
  return call('set_api_settings', { settings });
}

/** Replaces the API key; the answer holds the new key, the only time it is shown whole. */
export function rotateApiKey(): Promise<ApiServerStatus> {
  return call('rotate_api_key');
}

/** The workspaces opened before, most recent first; `exists` is false for a file no longer there. */
export function recentWorkspaces(): Promise<RecentWorkspace[]> {
  return call('recent_workspaces');
}

/** Takes a workspace off the recent list; answers the list. */
export function forgetRecentWorkspace(path: string): Promise<RecentWorkspace[]> {
  return call('forget_recent_workspace', { path });
}

/** Opens the existing workspace file at `path` instead of the open one (whose runs in progress are cancelled). */
export function openWorkspace(path: string): Promise<WorkspaceInfo> {
  return call('open_workspace', { path });
}

/** Creates an empty workspace at `path`, where no file may be, and opens it. */
export function newWorkspace(path: string): Promise<WorkspaceInfo> {
  return call('new_workspace', { path });
}

/** Moves the open workspace's file to `path`, where no file may be, and reopens it there. */
export function moveWorkspace(path: string): Promise<WorkspaceInfo> {
  return call('move_workspace', { path });
}

/** Version, workspace file and size, SQLite and schema versions, log folder and OS. */
export function diagnostics(): Promise<Diagnostics> {
  return call('diagnostics');
}

export async function watchProgress(onEvent: (progress: RunProgress) => void): Promise<null> {
  const channel = new Channel<RunProgress>();
  channel.onmessage = onEvent;
  return call('watch_progress', { onEvent: channel });
}

/**
 * Calls `onDrop` with the paths of files dropped on the window and where (CSS pixels in the
 * viewport); answers how to stop listening. The shell takes file drops itself (the page's own drop
 * events carry no paths), so this is the only way to learn them.
 */
export async function onFileDrop(onDrop: (paths: string[], x: number, y: number) => void): Promise<() => void> {
  try {
    return await getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type !== 'drop') return;
      const scale = window.devicePixelRatio || 1;
      onDrop(event.payload.paths, event.payload.position.x / scale, event.payload.position.y / scale);
    });
  } catch (reason) {
    throw toApiCallError(reason);
  }
}

/** Asks the user for a data file; null when the dialog was dismissed. */
export async function pickFile(): Promise<string | null> {
  try {
    const picked = await open({
      multiple: false,
      directory: false,
      title: 'Choose a data file',
      filters: [
        { name: 'Data files (CSV, TSV, XLSX, XLS, ODS, JSON)', extensions: ['csv', 'tsv', 'txt', 'xlsx', 'xlsm', 'xls', 'ods', 'json'] },
        { name: 'E-invoices (UBL, CII XML; Factur-X, ZUGFeRD PDF)', extensions: ['xml', 'pdf'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    return typeof picked === 'string' ? picked : null;
  } catch (reason) {
    throw toApiCallError(reason);
  }
}

const WORKSPACE_FILTERS = [
  { name: 'Matchbook workspace (SQLite)', extensions: ['sqlite', 'db', 'sqlite3'] },
  { name: 'All files', extensions: ['*'] },
];

/** Asks the user for an existing workspace file; null when the dialog was dismissed. */
export async function pickWorkspaceFile(): Promise<string | null> {
  try {
    const picked = await open({ multiple: false, directory: false, title: 'Open a workspace', filters: WORKSPACE_FILTERS });
    return typeof picked === 'string' ? picked : null;
  } catch (reason) {
    throw toApiCallError(reason);
  }
}

/** Asks the user where a new (or moved) workspace file goes; null when the dialog was dismissed. */
export async function pickWorkspacePath(title: string, defaultName: string): Promise<string | null> {
  try {
    const picked = await save({ title, defaultPath: defaultName, filters: WORKSPACE_FILTERS });
    return typeof picked === 'string' ? picked : null;
  } catch (reason) {
    throw toApiCallError(reason);
  }
}

/** Asks the user where to save an export; null when the dialog was dismissed. */
export async function pickSavePath(defaultName: string, format: 'csv' | 'xlsx'): Promise<string | null> {
  try {
    const picked = await save({
      title: 'Export results',
      defaultPath: defaultName,
      filters: [format === 'xlsx' ? { name: 'Excel workbook', extensions: ['xlsx'] } : { name: 'CSV', extensions: ['csv'] }],
    });
    return typeof picked === 'string' ? picked : null;
  } catch (reason) {
    throw toApiCallError(reason);
  }
}
