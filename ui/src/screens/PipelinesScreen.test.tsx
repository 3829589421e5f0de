// Behaviour of the Pipelines screen against a mocked api: a pipeline made from two datasets and field pairs (refusals under their field), a run watched until it completes, its matches filtered by type and score, its rules with their matches and conflicts, and rules and matches accepted or rejected from the keyboard.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listDatasets: vi.fn(),
  listPipelines: vi.fn(),
  createPipeline: vi.fn(),
  updatePipeline: vi.fn(),
  runPipeline: vi.fn(),
  listPipelineRuns: vi.fn(),
  getPipelineRun: vi.fn(),
  takePipelineRule: vi.fn(),
  decidePipelineMatch: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Dataset } from '../bindings/Dataset';
import type { GeneratedRule } from '../bindings/GeneratedRule';
import type { Pipeline } from '../bindings/Pipeline';
import type { PipelineMatch } from '../bindings/PipelineMatch';
import type { PipelineRunResult } from '../bindings/PipelineRunResult';
import type { PipelineRunSummary } from '../bindings/PipelineRunSummary';
import { emptyPipelineForm, filterMatches, formOfPipeline, matchDecision, pipelineFieldId, ruleDecision, specOf, updateOf } from '../pipelines';
import { change, click, press, render, settle, type Rendered } from '../testing';
import { PipelinesScreen } from './PipelinesScreen';
import { POLL_MS } from './pipelines/usePipelineRun';

const mocked = vi.mocked(api);

const dataset = (id: string, name: string, kind: 'reference' | 'documents', columns: string[]): Dataset => ({
  id,
  kind,
  name,
  source_type: 'csv',
  source_file: null,
  columns: columns.map((c) => ({ name: c, type: 'string' })),
  row_count: 3,
  id_column: 'id',
  filename_column: null,
  created_at: '2026-12-01T10:00:00Z',
  status: 'ready',
  version: 1,
  error: null,
  rows_imported: null,
  sql: null,
});

const assets = dataset('d-assets', 'Plant assets', 'reference', ['id', 'name', 'description', 'site']);
const series = dataset('d-series', 'Historian time series', 'documents', ['id', 'name', 'description', 'unit', 'site']);

const tagRule: GeneratedRule = {
  priority: 1,
  extractors: [
    { entitySet: 'sources', extractorType: 'regex', field: 'name', pattern: '^[A-Z]+_(\\d+)([A-Z]+)(\\d+)\\.PV$' },
    { entitySet: 'targets', extractorType: 'regex', field: 'name', pattern: '^(\\d+)([A-Z]+)(\\d+)$' },
  ],
  conditions: [{ conditionType: 'equals', arguments: [[0, 0], [1, 0]] }],
  matches: [
    { sourceKeyField: 'name', targetKeyField: 'name', source: { externalId: 'ts-1' }, target: { externalId: 'a-1' }, existingMatchType: 'model', consistentMatch: true },
    { sourceKeyField: 'name', targetKeyField: 'name', source: { externalId: 'ts-2' }, target: { externalId: 'a-3' }, existingMatchType: 'model', consistentMatch: false },
  ],
  numConflicts: 1,
  numOverlaps: 0,
};

const pipeline: Pipeline = {
  id: 7,
  owner: 'ana',
  createdTime: 1,
  lastUpdatedTime: 1,
  externalId: null,
  name: 'Series to assets',
  description: null,
  sources: { resource: 'documents', dataSetIds: [{ externalId: 'd-series' }] },
  targets: { resource: 'reference', dataSetIds: [{ externalId: 'Plant assets' }] },
  modelParameters: { featureType: 'bigramextratokenizers', matchFields: [{ source: 'name', target: 'name' }], classifier: null, ignoreMissingFields: null },
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

const match = (s: string, sName: string, t: string, tName: string, matchType: PipelineMatch['matchType'], score: number): PipelineMatch => ({
  matchType,
  score,
  source: { externalId: s, name: sName },
  target: { externalId: t, name: tName },
});

const summary = (jobId: number, status: string): PipelineRunSummary => ({ jobId, pipelineId: 7, status, createdTime: 1000 * jobId, startTime: null, statusTime: 0, errorMessage: null });

const completed: PipelineRunResult = {
  ...summary(21, 'Completed'),
  matches: [match('ts-1', 'KKL_21PT1019.PV', 'a-1', '21PT1019', 'model', 0.92), match('ts-2', 'KKL_21TT1020.PV', 'a-2', '21TT1020', 'model', 0.61), match('ts-3', 'KKL_23FIC0042.PV', 'a-3', '23FIC0042', 'previously-confirmed', 1)],
  suggestedRules: [{ inputPattern: '^[A-Z]+_(\\d+)([A-Z]+)(\\d+)\\.PV$', predictPattern: '\\1\\2\\3', numMatches: 1, avgScore: 0.92, matchIndex: [0] }],
  generatedRules: [tagRule],
  errors: [],
};

let view: Rendered | null = null;
const $ = <T extends Element = HTMLElement>(css: string) => view?.container.querySelector<T>(css) ?? null;
const $$ = (css: string) => Array.from(view?.container.querySelectorAll(css) ?? []);

beforeEach(() => {
  mocked.listDatasets.mockResolvedValue([assets, series]);
  mocked.listPipelines.mockResolvedValue([pipeline]);
  mocked.listPipelineRuns.mockResolvedValue([summary(21, 'Completed')]);
  mocked.getPipelineRun.mockResolvedValue(completed);
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.clearAllMocks();
});

describe('pipeline form', () => {
  it('starts from documents to reference data, name with name, and round-trips a pipeline', () => {
    const form = emptyPipelineForm([assets, series]);
    expect(form).toMatchObject({ sourceId: 'd-series', targetId: 'd-assets', fields: [{ source: 'name', target: 'name' }], generateRules: true });
    const back = formOfPipeline(pipeline, [assets, series]);
    expect(back.targetId).toBe('d-assets');
    expect(specOf(back)).toMatchObject({ sources: { dataSetIds: [{ externalId: 'd-series' }] }, scoreThreshold: 0.5, rules: [] });
    expect(updateOf({ ...back, threshold: '0.7' }).scoreThreshold).toEqual({ set: 0.7 });
    expect(specOf({ ...back, threshold: '' }).scoreThreshold).toBeNaN();
    expect(pipelineFieldId('targets.dataSetIds')).toBe('pl-target');
    expect(pipelineFieldId('modelParameters.matchFields[0].source')).toBe('pl-fields');
  });

  it('filters by type and score floor and sorts; knows decisions by id or external id', () => {
    const ms = completed.matches ?? [];
    expect(filterMatches(ms, { type: 'model', minScore: '', sort: 'score-asc' }).map((m) => m.score)).toEqual([0.61, 0.92]);
    expect(filterMatches(ms, { type: '', minScore: '0.9', sort: 'score-desc' }).map((m) => m.score)).toEqual([1, 0.92]);
    expect(filterMatches(ms, { type: '', minScore: '', sort: 'source' }, 'name')[0]?.source.name).toBe('KKL_21PT1019.PV');
    const p = { ...pipeline, confirmedMatches: [{ sourceId: 5, targetExternalId: 'a-1' }], rejectedRules: [{ priority: 3, extractors: tagRule.extractors, conditions: tagRule.conditions }] };
    expect(matchDecision(p, '5', 'a-1')).toBe('confirmed');
    expect(matchDecision(p, '6', 'a-1')).toBeNull();
    expect(ruleDecision(p, tagRule)).toBe('rejected');
  });
});

describe('PipelinesScreen', () => {
  it('creates a pipeline from two datasets and the field pairs, and shows a refusal under its field', async () => {
    mocked.listPipelines.mockResolvedValue([]);
    view = await render(<PipelinesScreen active />);
    expect($('#pipelines-empty')).not.toBeNull();
    expect($<HTMLSelectElement>('#pl-source')?.value).toBe('d-series');
    expect($$('#pl-field-0-source option').map((o) => o.textContent)).toEqual(['id', 'name', 'description', 'unit', 'site']);
    await click($('#pl-field-add'));
    expect($<HTMLSelectElement>('#pl-field-1-source')?.value).toBe('description');
    await change($('#pl-field-1-source'), 'site');
    await change($('#pl-field-1-target'), 'site');
    await change($('#pl-threshold'), '1.5');
    mocked.createPipeline.mockRejectedValueOnce(new ApiCallError({ code: 'validation_error', message: 'scoreThreshold: must be 0 to 1', field: 'scoreThreshold' }));
    await click($('#pl-save'));
    expect($('#pl-threshold-error')?.textContent).toContain('must be 0 to 1');
    await change($('#pl-threshold'), '0.6');
    mocked.createPipeline.mockResolvedValueOnce(pipeline);
    mocked.listPipelines.mockResolvedValue([pipeline]);
    await click($('#pl-save'));
    expect(mocked.createPipeline).toHaveBeenLastCalledWith(
      expect.objectContaining({
        sources: { resource: 'documents', dataSetIds: [{ externalId: 'd-series' }] },
        targets: { resource: 'reference', dataSetIds: [{ externalId: 'd-assets' }] },
        modelParameters: expect.objectContaining({ featureType: 'bigramextratokenizers', matchFields: [{ source: 'name', target: 'name' }, { source: 'site', target: 'site' }] }),
        scoreThreshold: 0.6,
        generateRules: true,
      }),
    );
    expect($('li[data-pipeline-id="7"] .selected')).not.toBeNull();
  });

  it('runs the pipeline and watches it until it completes', async () => {
    mocked.listPipelineRuns.mockResolvedValue([]);
    view = await render(<PipelinesScreen active />);
    expect($('#pipeline-matches')).toBeNull();
    mocked.runPipeline.mockResolvedValue(summary(22, 'Queued'));
    mocked.listPipelineRuns.mockResolvedValue([summary(22, 'Queued')]);
    mocked.getPipelineRun.mockResolvedValueOnce(summary(22, 'Running'));
    mocked.getPipelineRun.mockResolvedValue({ ...completed, jobId: 22 });
    await click($('#pipeline-run'));
    expect(mocked.runPipeline).toHaveBeenCalledWith(7);
    expect($('#pipeline-run-status')?.getAttribute('data-status')).toBe('Running');
    expect($<HTMLButtonElement>('#pipeline-run')?.disabled).toBe(true);
    // The next ask comes on a timer: let it fire inside act.
    await act(async () => {
      await new Promise((r) => setTimeout(r, POLL_MS + 50));
    });
    await settle();
    expect($('#pipeline-run-status')?.getAttribute('data-status')).toBe('Completed');
    expect($('#pipeline-run-counts')?.textContent).toContain('3 matches: 1 confirmed, 0 by rules, 2 by the model');
    expect($$('#pipeline-matches tr[data-match-type]')).toHaveLength(3);
  });

  it('filters the matches by type and score', async () => {
    view = await render(<PipelinesScreen active />);
    expect($$('#pipeline-matches tr[data-match-type]').map((r) => r.getAttribute('data-score'))).toEqual(['1', '0.92', '0.61']);
    await change($('#pipeline-match-type'), 'model');
    expect($$('#pipeline-matches tr[data-match-type]').every((r) => r.getAttribute('data-match-type') === 'model')).toBe(true);
    await change($('#pipeline-min-score'), '0.9');
    expect($$('#pipeline-matches tr[data-match-type]').map((r) => r.getAttribute('data-source'))).toEqual(['ts-1']);
    expect($('#pipeline-match-type option[value="rule"]')?.textContent).toBe('Rule (0)');
  });

  it('shows a rule with its matches and conflicts, and accepts it with the keyboard', async () => {
    view = await render(<PipelinesScreen active />);
    const row = $('#pipeline-rules tr[data-rule-index="0"]');
    expect(row?.getAttribute('data-rule-status')).toBe('open');
    expect(row?.textContent).toContain('\\1\\2\\3');
    expect($$('#rule-matches tbody tr')).toHaveLength(2);
    // Conflicts first, with the readable names the run's matches give.
    expect($('#rule-matches tbody tr')?.getAttribute('data-conflict')).toBe('true');
    expect($('#rule-matches tbody tr')?.textContent).toContain('KKL_21TT1020.PV');
    mocked.takePipelineRule.mockResolvedValue({ ...pipeline, rules: [{ priority: 1, extractors: tagRule.extractors, conditions: tagRule.conditions }] });
    await click(row);
    expect(document.activeElement?.id).toBe('pipeline-rules');
    expect($('#pipeline-rules')?.getAttribute('aria-activedescendant')).toBe('pipeline-rules-row-0');
    await press('a', document.activeElement ?? undefined);
    expect(mocked.takePipelineRule).toHaveBeenCalledWith(7, 21, 0, true);
    expect($('#pipeline-rules tr[data-rule-index="0"]')?.getAttribute('data-rule-status')).toBe('accepted');
    expect($('li[data-pipeline-id="7"]')?.textContent).toContain('1 rules');
  });

  it('moves through the matches with j/k and confirms or rejects the focused one', async () => {
    view = await render(<PipelinesScreen active />);
    const list = $('#pipeline-matches');
    expect(list).not.toBeNull();
    list?.focus();
    await press('j', list ?? undefined);
    await press('j', list ?? undefined);
    await press('k', list ?? undefined);
    expect(list?.getAttribute('data-focused-index')).toBe('0');
    expect($('#pipeline-matches tr.focused')?.getAttribute('data-source')).toBe('ts-3');
    await press('j', list ?? undefined);
    mocked.decidePipelineMatch.mockResolvedValue({ ...pipeline, rejectedMatches: [{ sourceExternalId: 'ts-1', targetExternalId: 'a-1' }] });
    await press('r', list ?? undefined);
    expect(mocked.decidePipelineMatch).toHaveBeenCalledWith(7, 'ts-1', 'a-1', false);
    expect($('#pipeline-matches tr[data-source="ts-1"]')?.getAttribute('data-decision')).toBe('rejected');
    // The focus moved on to the next match.
    expect($('#pipeline-matches tr.focused')?.getAttribute('data-source')).toBe('ts-2');
    mocked.decidePipelineMatch.mockResolvedValue({ ...pipeline, confirmedMatches: [{ sourceExternalId: 'ts-2', targetExternalId: 'a-2' }] });
    await click($('#match-confirm'));
    expect(mocked.decidePipelineMatch).toHaveBeenLastCalledWith(7, 'ts-2', 'a-2', true);
  });

  it('saves changes to a stored pipeline as an update', async () => {
    mocked.updatePipeline.mockResolvedValue({ ...pipeline, scoreThreshold: 0.8 });
    view = await render(<PipelinesScreen active />);
    expect($<HTMLSelectElement>('#pl-target')?.value).toBe('d-assets');
    await change($('#pl-threshold'), '0.8');
    await click($('#pl-save'));
    expect(mocked.updatePipeline).toHaveBeenCalledWith(7, expect.objectContaining({ scoreThreshold: { set: 0.8 }, generateRules: { set: true } }));
  });
});
