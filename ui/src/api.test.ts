// Tests of api.ts: each function invokes the right command with the right arguments; failures become ApiCallError.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const { invokeMock, openMock, saveMock, channels, dragDrop } = vi.hoisted(() => ({
  dragDrop: { handler: null as null | ((e: { payload: unknown }) => void), unlisten: vi.fn() },
  invokeMock: vi.fn(),
  openMock: vi.fn(),
  saveMock: vi.fn(),
  channels: [] as { onmessage?: (m: unknown) => void }[],
}));

vi.mock('@tauri-apps/api/core', () => ({
  invoke: invokeMock,
  Channel: class FakeChannel {
    onmessage?: (m: unknown) => void;
    constructor() {
      channels.push(this);
    }
  },
}));

vi.mock('@tauri-apps/plugin-dialog', () => ({ open: openMock, save: saveMock }));

vi.mock('@tauri-apps/api/webview', () => ({
  getCurrentWebview: () => ({
    onDragDropEvent: async (handler: (e: { payload: unknown }) => void) => {
      dragDrop.handler = handler;
      return dragDrop.unlisten;
    },
  }),
}));

import * as api from './api';
import { ApiCallError, toApiCallError } from './api';
import type { ConfigInput } from './bindings/ConfigInput';
import { TAURI_COMMANDS } from './bindings/TauriCommands';
import type { PipelineSpec } from './bindings/PipelineSpec';
import type { RunProgress } from './bindings/RunProgress';
import type { SqlImportRequest } from './bindings/SqlImportRequest';

const input: ConfigInput = {
  name: 'Invoices to POs',
  reference_data_id: 'ref-1',
  document_set_id: null,
  field_mappings: [{ source: 'po', target: 'po_number', strategy: 'exact', weight: 1 }],
  threshold: 0.85,
  review_floor: 0.5,
};

const sqlRequest: SqlImportRequest = {
  name: null,
  connection: { engine: 'postgres', host: 'db.local', port: 5432, database: 'erp', user: 'reader' },
  query: 'SELECT * FROM purchase_orders',
  password: 'secret',
  save_password: false,
  id_column: 'po_number',
  statement_timeout_seconds: null,
};

const pipelineSpec: PipelineSpec = {
  externalId: null,
  name: 'Time series to assets',
  description: null,
  sources: { resource: 'time_series', dataSetIds: [{ externalId: 'ts' }] },
  targets: { resource: 'assets', dataSetIds: [{ externalId: 'assets' }] },
  modelParameters: { featureType: 'bigram', matchFields: [{ source: 'name', target: 'name' }], classifier: null, ignoreMissingFields: null },
  trueMatches: [],
  confirmedMatches: [],
  rejectedMatches: [],
  useExistingMatches: false,
  generateRules: true,
  replacements: [],
  rules: [],
  rejectedRules: [],
  scoreThreshold: 0.5,
  scheduleInterval: null,
};

beforeEach(() => {
  invokeMock.mockReset();
  invokeMock.mockResolvedValue('ok');
  openMock.mockReset();
  saveMock.mockReset();
  channels.length = 0;
});

describe('commands', () => {
  const cases: [string, () => Promise<unknown>, string, Record<string, unknown> | undefined][] = [
    ['workspaceInfo', () => api.workspaceInfo(), 'workspace_info', undefined],
    ['listDatasets', () => api.listDatasets(), 'list_datasets', undefined],
    [
      'importDataset',
      () => api.importDataset({ path: '/tmp/po.csv', kind: 'reference', id_column: 'po_number' }),
      'import_dataset',
      { request: { path: '/tmp/po.csv', kind: 'reference', id_column: 'po_number' } },
    ],
    ['deleteDataset', () => api.deleteDataset('d1'), 'delete_dataset', { id: 'd1' }],
    ['datasetRows', () => api.datasetRows('d1', 2, 100), 'dataset_rows', { id: 'd1', page: 2, limit: 100 }],
    ['previewSql', () => api.previewSql(sqlRequest), 'preview_sql', { request: sqlRequest }],
    ['importSql', () => api.importSql(sqlRequest), 'import_sql', { request: sqlRequest }],
    ['refreshDataset', () => api.refreshDataset('d1', { password: null }), 'refresh_dataset', { id: 'd1', request: { password: null } }],
    ['refreshDataset (password)', () => api.refreshDataset('d1', { password: 'pw' }), 'refresh_dataset', { id: 'd1', request: { password: 'pw' } }],
    ['cancelImport', () => api.cancelImport('d1'), 'cancel_import', { id: 'd1' }],
    ['listConfigs', () => api.listConfigs(), 'list_configs', undefined],
    ['getConfig', () => api.getConfig('c1'), 'get_config', { id: 'c1' }],
    ['createConfig', () => api.createConfig(input), 'create_config', { input }],
    ['updateConfig', () => api.updateConfig('c1', input), 'update_config', { id: 'c1', input }],
    ['deleteConfig', () => api.deleteConfig('c1'), 'delete_config', { id: 'c1' }],
    ['startRun', () => api.startRun('c1'), 'start_run', { configId: 'c1' }],
    ['cancelRun', () => api.cancelRun('r1'), 'cancel_run', { runId: 'r1' }],
    ['listRuns', () => api.listRuns({ status: 'completed', limit: 10 }), 'list_runs', { filter: { status: 'completed', limit: 10 } }],
    ['listRuns (no filter)', () => api.listRuns(), 'list_runs', { filter: {} }],
    ['getRun', () => api.getRun('r1'), 'get_run', { runId: 'r1' }],
    ['runProgress', () => api.runProgress('r1'), 'run_progress', { runId: 'r1' }],
    [
      'listResults',
      () => api.listResults('r1', { status: 'pending', page: 3, limit: 50 }),
      'list_results',
      { runId: 'r1', query: { status: 'pending', page: 3, limit: 50 } },
    ],
    [
      'reviewResult',
      () => api.reviewResult('r1', 'res1', { status: 'approved', notes: 'ok' }),
      'review_result',
      { runId: 'r1', resultId: 'res1', input: { status: 'approved', notes: 'ok' } },
    ],
    ['resultDecisions', () => api.resultDecisions('res1'), 'result_decisions', { resultId: 'res1' }],
    ['revertDecision', () => api.revertDecision('r1', 'res1', 'dec1'), 'revert_decision', { runId: 'r1', resultId: 'res1', decisionId: 'dec1' }],
    ['referenceRows', () => api.referenceRows('ref-1', ['PO-1', 'PO-2']), 'reference_rows', { datasetId: 'ref-1', ids: ['PO-1', 'PO-2'], runId: null }],
    [
      'referenceRows (as a run matched them)',
      () => api.referenceRows('ref-1', ['PO-1'], 'r1'),
      'reference_rows',
      { datasetId: 'ref-1', ids: ['PO-1'], runId: 'r1' },
    ],
    [
      'listResults (filters)',
      () => api.listResults('r1', { min_confidence: 0.5, max_confidence: 0.85, search: 'acme', sort: 'confidence_asc' }),
      'list_results',
      { runId: 'r1', query: { min_confidence: 0.5, max_confidence: 0.85, search: 'acme', sort: 'confidence_asc' } },
    ],
    ['reviewCounts', () => api.reviewCounts('r1'), 'review_counts', { runId: 'r1' }],
    [
      'bulkApproveCount',
      () => api.bulkApproveCount('r1', { search: 'acme' }, 0.9),
      'bulk_approve_count',
      { runId: 'r1', query: { search: 'acme' }, minConfidence: 0.9 },
    ],
    [
      'bulkApprove',
      () => api.bulkApprove('r1', { query: { status: 'pending' }, min_confidence: 0.9, expected: 12 }),
      'bulk_approve',
      { runId: 'r1', input: { query: { status: 'pending' }, min_confidence: 0.9, expected: 12 } },
    ],
    [
      'revertDecisions',
      () => api.revertDecisions('r1', [{ result_id: 'res1', decision_id: 'dec1' }]),
      'revert_decisions',
      { runId: 'r1', decisions: [{ result_id: 'res1', decision_id: 'dec1' }] },
    ],
    ['runSummary', () => api.runSummary('r1'), 'run_summary', { runId: 'r1' }],
    ['runPage', () => api.runPage({ config_id: 'c1', page: 2, limit: 20 }), 'run_page', { filter: { config_id: 'c1', page: 2, limit: 20 } }],
    ['runPage (no filter)', () => api.runPage(), 'run_page', { filter: {} }],
    [
      'previewImport',
      () => api.previewImport({ path: '/tmp/po.xlsx', kind: 'reference', sheet: 'POs', has_header: false }),
      'preview_import',
      { request: { path: '/tmp/po.xlsx', kind: 'reference', sheet: 'POs', has_header: false } },
    ],
    ['previewConfig', () => api.previewConfig(input), 'preview_config', { input }],
    ['previewConfig (limit)', () => api.previewConfig(input, 5), 'preview_config', { input, limit: 5 }],
    [
      'exportResults',
      () => api.exportResults({ run_id: 'r1', path: '/tmp/out.xlsx', format: 'xlsx', include_unreviewed_matches: true }),
      'export_results',
      { request: { run_id: 'r1', path: '/tmp/out.xlsx', format: 'xlsx', include_unreviewed_matches: true } },
    ],
    [
      'generateStrategy',
      () => api.generateStrategy({ reference_data_id: 'ref-1', target_type: 'run', user_prompt: 'prioritise the PO number' }),
      'generate_strategy',
      { input: { reference_data_id: 'ref-1', target_type: 'run', user_prompt: 'prioritise the PO number' } },
    ],
    ['getStrategy', () => api.getStrategy('s1'), 'get_strategy', { id: 's1' }],
    [
      'patchStrategy',
      () => api.patchStrategy('s1', { strategy: { threshold: 0.9 } }),
      'patch_strategy',
      { id: 's1', patch: { strategy: { threshold: 0.9 } } },
    ],
    ['listStrategies', () => api.listStrategies('c1'), 'list_strategies', { matchingConfigId: 'c1' }],
    ['listStrategies (all)', () => api.listStrategies(), 'list_strategies', { matchingConfigId: null }],
    [
      'createConfigFromStrategy',
      () => api.createConfigFromStrategy('s1', { name: 'Learned' }),
      'create_config_from_strategy',
      { strategyId: 's1', input: { name: 'Learned' } },
    ],
    ['startSmartRun', () => api.startSmartRun('c1', 's1'), 'start_smart_run', { configId: 'c1', strategyId: 's1' }],
    ['aiResolve', () => api.aiResolve('r1'), 'ai_resolve', { runId: 'r1', resultIds: null }],
    ['aiResolve (some results)', () => api.aiResolve('r1', ['res1']), 'ai_resolve', { runId: 'r1', resultIds: ['res1'] }],
    ['acceptSuggestion', () => api.acceptSuggestion('r1', 'res1'), 'accept_suggestion', { runId: 'r1', resultId: 'res1' }],
    ['dismissSuggestion', () => api.dismissSuggestion('r1', 'res1'), 'dismiss_suggestion', { runId: 'r1', resultId: 'res1' }],
    [
      'restoreSuggestion',
      () => api.restoreSuggestion('r1', 'res1', 'sg1'),
      'restore_suggestion',
      { runId: 'r1', resultId: 'res1', suggestionId: 'sg1' },
    ],
    ['listPackageConfigs', () => api.listPackageConfigs(), 'list_package_configs', undefined],
    [
      'createPackageConfig',
      () => api.createPackageConfig({ name: 'Bundle', document_type_configs: [{ document_type: 'invoice', matching_config_id: 'c1', presence: 'required' }] }),
      'create_package_config',
      { input: { name: 'Bundle', document_type_configs: [{ document_type: 'invoice', matching_config_id: 'c1', presence: 'required' }] } },
    ],
    ['patchPackageConfig', () => api.patchPackageConfig('p1', { name: 'Strict' }), 'patch_package_config', { id: 'p1', patch: { name: 'Strict' } }],
    ['deletePackageConfig', () => api.deletePackageConfig('p1'), 'delete_package_config', { id: 'p1' }],
    [
      'runPackage',
      () => api.runPackage({ package_config_id: 'p1', input_documents: { invoice: [{ document_id: 'd1', values: { total: 1 } }] } }),
      'run_package',
      { input: { package_config_id: 'p1', input_documents: { invoice: [{ document_id: 'd1', values: { total: 1 } }] } } },
    ],
    ['listPackageRuns', () => api.listPackageRuns('p1', 'review'), 'list_package_runs', { packageConfigId: 'p1', status: 'review' }],
    ['listPackageRuns (all)', () => api.listPackageRuns(), 'list_package_runs', { packageConfigId: null, status: null }],
    ['getPackageRun', () => api.getPackageRun('q1'), 'get_package_run', { id: 'q1' }],
    ['packageDocumentsFromFile', () => api.packageDocumentsFromFile('/tmp/inv.xml'), 'package_documents_from_file', { path: '/tmp/inv.xml' }],
    ['listPipelines', () => api.listPipelines(), 'list_pipelines', undefined],
    ['createPipeline', () => api.createPipeline(pipelineSpec), 'create_pipeline', { spec: pipelineSpec }],
    [
      'updatePipeline',
      () => api.updatePipeline(7, { scoreThreshold: { set: 0.8 } }),
      'update_pipeline',
      { id: 7, update: { scoreThreshold: { set: 0.8 } } },
    ],
    ['runPipeline', () => api.runPipeline(7), 'run_pipeline', { id: 7 }],
    ['listPipelineRuns', () => api.listPipelineRuns(7), 'list_pipeline_runs', { pipelineId: 7 }],
    ['getPipelineRun', () => api.getPipelineRun(7, 9), 'get_pipeline_run', { pipelineId: 7, jobId: 9 }],
    ['takePipelineRule', () => api.takePipelineRule(7, 9, 0, true), 'take_pipeline_rule', { pipelineId: 7, jobId: 9, ruleIndex: 0, accept: true }],
    [
      'decidePipelineMatch',
      () => api.decidePipelineMatch(7, 'ts-1', 'asset-1', false),
      'decide_pipeline_match',
      { pipelineId: 7, sourceExternalId: 'ts-1', targetExternalId: 'asset-1', confirm: false },
    ],
    ['guideState', () => api.guideState(), 'guide_state', undefined],
    ['setGuideAtStart', () => api.setGuideAtStart(false), 'set_guide_at_start', { show: false }],
    ['apiStatus', () => api.apiStatus(), 'api_status', undefined],
    ['setApiSettings', () => api.setApiSettings({ enabled: true, port: 8787 }), 'set_api_settings', { settings: { enabled: true, port: 8787 } }],
    ['rotateApiKey', () => api.rotateApiKey(), 'rotate_api_key', undefined],
    ['recentWorkspaces', () => api.recentWorkspaces(), 'recent_workspaces', undefined],
    ['forgetRecentWorkspace', () => api.forgetRecentWorkspace('/w/old.sqlite'), 'forget_recent_workspace', { path: '/w/old.sqlite' }],
    ['openWorkspace', () => api.openWorkspace('/w/acme.sqlite'), 'open_workspace', { path: '/w/acme.sqlite' }],
    ['newWorkspace', () => api.newWorkspace('/w/march.sqlite'), 'new_workspace', { path: '/w/march.sqlite' }],
    ['moveWorkspace', () => api.moveWorkspace('/archive/march.sqlite'), 'move_workspace', { path: '/archive/march.sqlite' }],
    ['diagnostics', () => api.diagnostics(), 'diagnostics', undefined],
  ];

  it.each(cases)('%s calls its command', async (_name, fn, command, args) => {
    await expect(fn()).resolves.toBe('ok');
    expect(invokeMock).toHaveBeenCalledTimes(1);
    if (args === undefined) expect(invokeMock).toHaveBeenCalledWith(command);
    else expect(invokeMock).toHaveBeenCalledWith(command, args);
  });

  it('cover every command of the shell', () => {
    // TAURI_COMMANDS is generated from the Rust command list: a command that has no wrapper here (nor a case above) fails.
    const covered = new Set([...cases.map((c) => c[2]), 'watch_progress']);
    expect([...covered].sort()).toEqual([...TAURI_COMMANDS].sort());
  });

  it('watchProgress passes a channel whose messages reach the callback', async () => {
    invokeMock.mockResolvedValue(null);
    const seen: RunProgress[] = [];
    await expect(api.watchProgress((p) => seen.push(p))).resolves.toBeNull();
    expect(channels).toHaveLength(1);
    const channel = channels[0];
    expect(invokeMock).toHaveBeenCalledWith('watch_progress', { onEvent: channel });
    const event: RunProgress = {
      run_id: 'r1',
      status: 'running',
      phase: 'matching',
      phase_progress: 40,
      rows_processed: 40,
      rows_total: 100,
      rows_matched: 30,
      estimated_seconds_remaining: 95,
      updated_at: '2024-05-01T10:00:00Z',
    };
    channel?.onmessage?.(event);
    expect(seen).toEqual([event]);
  });
});

describe('pickFile', () => {
  it('opens a single-file dialog filtered to the importable formats and returns the path', async () => {
    openMock.mockResolvedValue('/home/me/po.csv');
    await expect(api.pickFile()).resolves.toBe('/home/me/po.csv');
    const options = openMock.mock.calls[0]?.[0] as { multiple: boolean; directory: boolean; filters: { extensions: string[] }[] };
    expect(options.multiple).toBe(false);
    expect(options.directory).toBe(false);
    expect(options.filters[0]?.extensions).toEqual(['csv', 'tsv', 'txt', 'xlsx', 'xlsm', 'xls', 'ods', 'json']);
    expect(options.filters[1]?.extensions).toEqual(['xml', 'pdf']);
  });

  it('returns null when the dialog is dismissed', async () => {
    openMock.mockResolvedValue(null);
    await expect(api.pickFile()).resolves.toBeNull();
  });
});

describe('pickSavePath', () => {
  it('opens a save dialog for the chosen format with the suggested name', async () => {
    saveMock.mockResolvedValue('/home/me/out.xlsx');
    await expect(api.pickSavePath('Invoices 2026-11-22.xlsx', 'xlsx')).resolves.toBe('/home/me/out.xlsx');
    const options = saveMock.mock.calls[0]?.[0] as { defaultPath: string; filters: { extensions: string[] }[] };
    expect(options.defaultPath).toBe('Invoices 2026-11-22.xlsx');
    expect(options.filters[0]?.extensions).toEqual(['xlsx']);
  });

  it('returns null when the dialog is dismissed', async () => {
    saveMock.mockResolvedValue(null);
    await expect(api.pickSavePath('out.csv', 'csv')).resolves.toBeNull();
  });
});

describe('workspace file dialogs', () => {
  it('opens an existing workspace file, SQLite files first', async () => {
    openMock.mockResolvedValue('/home/me/acme.sqlite');
    await expect(api.pickWorkspaceFile()).resolves.toBe('/home/me/acme.sqlite');
    const options = openMock.mock.calls[0]?.[0] as { multiple: boolean; directory: boolean; filters: { extensions: string[] }[] };
    expect(options.multiple).toBe(false);
    expect(options.directory).toBe(false);
    expect(options.filters[0]?.extensions).toContain('sqlite');
  });

  it('asks where a new or moved workspace goes, and null when dismissed', async () => {
    saveMock.mockResolvedValue('/home/me/new.sqlite');
    await expect(api.pickWorkspacePath('New workspace', 'workspace.sqlite')).resolves.toBe('/home/me/new.sqlite');
    expect((saveMock.mock.calls[0]?.[0] as { defaultPath: string }).defaultPath).toBe('workspace.sqlite');
    saveMock.mockResolvedValue(null);
    await expect(api.pickWorkspacePath('Move the workspace to', 'a.sqlite')).resolves.toBeNull();
  });
});

describe('errors', () => {
  it('turns a rejected ApiError into an ApiCallError with its location', async () => {
    invokeMock.mockRejectedValue({
      code: 'import_error',
      message: 'invoices.csv, row 4, column total_amount: not a number',
      file: 'invoices.csv',
      row: 4,
      column: 'total_amount',
    });
    const err = await api.importDataset({ path: '/x/invoices.csv', kind: 'documents' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toBeInstanceOf(Error);
    const e = err as ApiCallError;
    expect(e.code).toBe('import_error');
    expect(e.file).toBe('invoices.csv');
    expect(e.row).toBe(4);
    expect(e.column).toBe('total_amount');
    expect(e.message).toBe('invoices.csv, row 4, column total_amount: not a number');
    expect(e.field).toBeUndefined();
  });

  it('keeps the field of a validation error', async () => {
    invokeMock.mockRejectedValue({
      code: 'validation_error',
      message: 'field_mappings[1].weight: must be a number greater than 0',
      field: 'field_mappings[1].weight',
    });
    const e = (await api.createConfig(input).catch((x: unknown) => x)) as ApiCallError;
    expect(e).toBeInstanceOf(ApiCallError);
    expect(e.code).toBe('validation_error');
    expect(e.field).toBe('field_mappings[1].weight');
  });

  it('keeps conflict codes', async () => {
    invokeMock.mockRejectedValue({ code: 'conflict', message: 'run r1 has already finished' });
    const e = (await api.cancelRun('r1').catch((x: unknown) => x)) as ApiCallError;
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('run r1 has already finished');
  });

  it('falls back to internal_error for anything else', async () => {
    invokeMock.mockRejectedValue('command list_datasets not found');
    const e = (await api.listDatasets().catch((x: unknown) => x)) as ApiCallError;
    expect(e).toBeInstanceOf(ApiCallError);
    expect(e.code).toBe('internal_error');
    expect(e.message).toBe('command list_datasets not found');

    expect(toApiCallError(new TypeError('boom')).code).toBe('internal_error');
    expect(toApiCallError(new TypeError('boom')).message).toBe('boom');
    expect(toApiCallError(undefined).code).toBe('internal_error');
    expect(toApiCallError({ code: 'teapot', message: 'odd' }).code).toBe('internal_error');
  });

  it('wraps dialog failures too', async () => {
    openMock.mockRejectedValue(new Error('dialog unavailable'));
    const e = (await api.pickFile().catch((x: unknown) => x)) as ApiCallError;
    expect(e).toBeInstanceOf(ApiCallError);
    expect(e.message).toBe('dialog unavailable');
  });
});

describe('onFileDrop', () => {
  it('reports dropped paths where they were dropped, in CSS pixels, and nothing else', async () => {
    const seen: [string[], number, number][] = [];
    const stop = await api.onFileDrop((paths, x, y) => seen.push([paths, x, y]));
    const scale = window.devicePixelRatio || 1;
    dragDrop.handler?.({ payload: { type: 'over', position: { x: 5, y: 5 } } });
    dragDrop.handler?.({ payload: { type: 'drop', paths: ['/tmp/invoice.xml'], position: { x: 40 * scale, y: 20 * scale } } });
    expect(seen).toEqual([[['/tmp/invoice.xml'], 40, 20]]);
    stop();
    expect(dragDrop.unlisten).toHaveBeenCalled();
  });
});
