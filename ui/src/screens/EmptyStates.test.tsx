// Every list of an empty workspace says what to do next, with a button that does it (or goes where it is done).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listDatasets: vi.fn(async () => []),
  listConfigs: vi.fn(async () => []),
  listStrategies: vi.fn(async () => []),
  listRuns: vi.fn(async () => []),
  runPage: vi.fn(async () => ({ data: [], total: 0, page: 1, limit: 20 })),
  listPackageConfigs: vi.fn(async () => []),
  listPackageRuns: vi.fn(async () => []),
  listPipelines: vi.fn(async () => []),
  startRun: vi.fn(),
}));

import type { ReactElement } from 'react';

import * as api from '../api';
import type { Tab } from '../App';
import type { Dataset } from '../bindings/Dataset';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { Run } from '../bindings/Run';
import { onGoTo } from '../navigation';
import { resetProgressHub } from '../progressHub';
import { click, render, type Rendered } from '../testing';
import { ConfigsScreen } from './ConfigsScreen';
import { DataScreen } from './DataScreen';
import { PackagesScreen } from './PackagesScreen';
import { PipelinesScreen } from './PipelinesScreen';
import { ReviewScreen } from './ReviewScreen';
import { RunsScreen } from './RunsScreen';
import { StrategiesScreen } from './StrategiesScreen';

const mocked = vi.mocked(api);

const dataset = (id: string, kind: Dataset['kind']): Dataset => ({
  id,
  kind,
  name: id,
  source_type: 'csv',
  source_file: null,
  columns: [{ name: 'po_number', type: 'string' }],
  row_count: 1,
  id_column: null,
  filename_column: null,
  created_at: '',
  status: 'ready',
  version: 1,
  error: null,
  rows_imported: null,
  sql: null,
});

const config = { id: 'cfg', name: 'Invoices to POs', reference_data_id: 'ref', threshold: 0.85, review_floor: 0.5 } as MatchingConfig;

let view: Rendered | null = null;
let shown: Tab[] = [];
let stopListening: () => void = () => undefined;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  // An empty workspace again: a test may have given it data.
  mocked.listDatasets.mockResolvedValue([]);
  mocked.listConfigs.mockResolvedValue([]);
  shown = [];
  stopListening = onGoTo((tab) => shown.push(tab));
});

afterEach(() => {
  stopListening();
  view?.unmount();
  view = null;
});

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);

async function emptyState(screen: ReactElement, id: string): Promise<HTMLElement> {
  view = await render(screen);
  const empty = $(`#${id}`);
  expect(empty?.querySelector('button')).not.toBeNull();
  return empty as HTMLElement;
}

describe('empty states', () => {
  it('datasets: into the import form', async () => {
    await emptyState(<DataScreen active />, 'datasets-empty');
    await click($('#datasets-empty-action'));
    expect(document.activeElement?.id).toBe('import-path');
  });

  it('datasets: into the file form even from the database tab', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      await emptyState(<DataScreen active />, 'datasets-empty');
      await click($('#import-tab-sql'));
      expect($('#import-tab-sql')?.getAttribute('aria-selected')).toBe('true');
      await click($('#datasets-empty-action'));
      expect($('#import-tab-file')?.getAttribute('aria-selected')).toBe('true');
      vi.runAllTimers();
      expect(document.activeElement?.id).toBe('import-path');
    } finally {
      vi.useRealTimers();
    }
  });

  it('configs: to the Data screen without data, else into the form', async () => {
    await emptyState(<ConfigsScreen active />, 'configs-empty');
    await click($('#configs-empty-action'));
    expect(shown).toEqual(['data']);
    view?.unmount();
    mocked.listDatasets.mockResolvedValue([dataset('ref', 'reference'), dataset('docs', 'documents')]);
    await emptyState(<ConfigsScreen active />, 'configs-empty');
    await click($('#configs-empty-action'));
    expect(document.activeElement?.id).toBe('cfg-name');
  });

  it('runs: to the Configs screen without a config, else starts one', async () => {
    await emptyState(<RunsScreen active onReview={() => undefined} />, 'runs-empty');
    await click($('#runs-empty-action'));
    expect(shown).toEqual(['configs']);
    view?.unmount();
    mocked.listConfigs.mockResolvedValue([config]);
    mocked.startRun.mockResolvedValue({ id: 'r1', matching_config_id: 'cfg', config_name: 'Invoices to POs', status: 'queued' } as Run);
    await emptyState(<RunsScreen active onReview={() => undefined} />, 'runs-empty');
    expect($('#runs-empty-action')?.textContent).toContain('Invoices to POs');
    await click($('#runs-empty-action'));
    expect(mocked.startRun).toHaveBeenCalledWith('cfg');
  });

  it('review: to the Runs screen', async () => {
    await emptyState(<ReviewScreen active />, 'review-empty');
    await click($('#review-empty-action'));
    expect(shown).toEqual(['runs']);
  });

  it('strategies, packages and pipelines: to what they need first', async () => {
    await emptyState(<StrategiesScreen active />, 'strategies-empty');
    await click($('#strategies-empty-action'));
    view?.unmount();
    await emptyState(<PackagesScreen active onReview={() => undefined} />, 'packages-empty');
    await click($('#packages-empty-action'));
    view?.unmount();
    await emptyState(<PipelinesScreen active />, 'pipelines-empty');
    await click($('#pipelines-empty-action'));
    expect(shown).toEqual(['data', 'configs', 'data']);
  });

  it('packages and pipelines: into their form once there is something to build on', async () => {
    mocked.listConfigs.mockResolvedValue([config]);
    mocked.listDatasets.mockResolvedValue([dataset('assets', 'reference'), dataset('series', 'documents')]);
    await emptyState(<PackagesScreen active onReview={() => undefined} />, 'packages-empty');
    await click($('#packages-empty-action'));
    expect(document.activeElement?.id).toBe('pk-name');
    view?.unmount();
    await emptyState(<PipelinesScreen active />, 'pipelines-empty');
    await click($('#pipelines-empty-action'));
    expect(document.activeElement?.id).toBe('pl-name');
  });
});
