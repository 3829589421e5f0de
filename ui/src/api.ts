// Typed wrappers over the Tauri commands: the only module that calls invoke; failures become ApiCallError.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { open } from '@tauri-apps/plugin-dialog';

import type { ApiError } from './bindings/ApiError';
import type { ConfigInput } from './bindings/ConfigInput';
import type { Dataset } from './bindings/Dataset';
import type { ErrorCode } from './bindings/ErrorCode';
import type { ImportRequest } from './bindings/ImportRequest';
import type { MatchResult } from './bindings/MatchResult';
import type { MatchingConfig } from './bindings/MatchingConfig';
import type { Record as DataRecord } from './bindings/Record';
import type { ResultPage } from './bindings/ResultPage';
import type { ResultQuery } from './bindings/ResultQuery';
import type { ReviewDecision } from './bindings/ReviewDecision';
import type { ReviewInput } from './bindings/ReviewInput';
import type { RowPage } from './bindings/RowPage';
import type { Run } from './bindings/Run';
import type { RunDetail } from './bindings/RunDetail';
import type { RunFilter } from './bindings/RunFilter';
import type { RunProgress } from './bindings/RunProgress';
import type { WorkspaceInfo } from './bindings/WorkspaceInfo';

const ERROR_CODES: readonly ErrorCode[] = [
  'validation_error',
  'import_error',
  'not_found',
  'conflict',
  'storage_error',
  'internal_error',
];

/** A failed backend call, carrying the fields of the backend's ApiError. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
    if (error.file !== undefined) this.file = error.file;
    if (error.row !== undefined) this.row = error.row;
    if (error.column !== undefined) this.column = error.column;
  }
}

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; message?: unknown };
  return typeof v.code === 'string' && typeof v.message === 'string';
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Turns whatever a rejected invoke carried into an ApiCallError (unknown shapes: internal_error). */
export function toApiCallError(reason: unknown): ApiCallError {
  if (reason instanceof ApiCallError) return reason;
  if (isApiError(reason)) {
    const code = (ERROR_CODES as readonly string[]).includes(reason.code) ? reason.code : 'internal_error';
    const row = typeof reason.row === 'number' ? reason.row : undefined;
    return new ApiCallError({
      code,
      message: reason.message,
      field: optString(reason.field),
      file: optString(reason.file),
      row,
      column: optString(reason.column),
    });
  }
  let message: string;
  if (reason === undefined || reason === null) message = 'Unknown error';
  else if (reason instanceof Error) message = reason.message;
  else if (typeof reason === 'string') message = reason;
  else {
    try {
      message = JSON.stringify(reason) ?? String(reason);
    } catch {
      message = String(reason);
    }
  }
  return new ApiCallError({ code: 'internal_error', message: message || 'Unknown error' });
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return args === undefined ? await invoke<T>(command) : await invoke<T>(command, args);
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

export function resultDecisions(resultId: string): Promise<ReviewDecision[]> {
  return call('result_decisions', { resultId });
}

export function referenceRows(datasetId: string, ids: string[]): Promise<DataRecord[]> {
  return call('reference_rows', { datasetId, ids });
}

/**
 * Subscribes to the progress of every run. Call once at app start: the backend sends throttled
 * updates plus a final event (completed, failed or cancelled) for each run on this one channel.
 */
export async function watchProgress(onEvent: (progress: RunProgress) => void): Promise<null> {
  const channel = new Channel<RunProgress>();
  channel.onmessage = onEvent;
  return call('watch_progress', { onEvent: channel });
}

/** Asks the user for a data file; null when the dialog was dismissed. */
export async function pickFile(): Promise<string | null> {
  try {
    const picked = await open({
      multiple: false,
      directory: false,
      title: 'Choose a data file',
      filters: [{ name: 'Delimited text (CSV, TSV, TXT)', extensions: ['csv', 'tsv', 'txt'] }],
    });
    return typeof picked === 'string' ? picked : null;
  } catch (reason) {
    throw toApiCallError(reason);
  }
}
