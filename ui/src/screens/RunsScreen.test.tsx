// Behaviour of the runs screen against a mocked api: start, live progress patching, reload on finish, cancel errors, pairs compared.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listConfigs: vi.fn(),
  listRuns: vi.fn(),
  runProgress: vi.fn(),
  startRun: vi.fn(),
  cancelRun: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Run } from '../bindings/Run';
import type { RunProgress } from '../bindings/RunProgress';
import { resetProgressHub } from '../progressHub';
import { click, emit, render, type Rendered } from '../testing';
import { RunsScreen } from './RunsScreen';

const mocked = vi.mocked(api);

function run(id: string, status: Run['status'], extra: Partial<Run> = {}): Run {
  return {
    id,
    matching_config_id: 'cfg1',
    config_name: 'Invoices to POs',
    status,
    triggered_by: 'manual',
    rows_processed: null,
    rows_total: null,
    rows_matched: null,
    avg_confidence: null,
    pairs_compared: null,
    started_at: null,
    completed_at: null,
    error: null,
    created_at: '2024-05-01T10:00:00Z',
    ...extra,
  };
}

function progress(runId: string, status: RunProgress['status'], processed: number): RunProgress {
  return {
    run_id: runId,
    status,
    phase: status === 'running' ? 'matching' : status,
    phase_progress: processed,
    rows_processed: processed,
    rows_total: 100,
    rows_matched: Math.floor(processed / 2),
    estimated_seconds_remaining: 95,
    updated_at: '',
  } as RunProgress;
}

const config = (id: string, name: string) => ({
  id,
  name,
  reference_data_id: 'ref',
  document_set_id: null,
  target_type: 'reference',
  target_value: {},
  field_mappings: [],
  threshold: 0.85,
  review_floor: 0.5,
  one_to_one: false,
  created_at: '',
  updated_at: '',
});

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listConfigs.mockResolvedValue([config('cfg1', 'Invoices to POs'), config('cfg2', 'Other')]);
  mocked.listRuns.mockResolvedValue([run('done', 'completed', { rows_processed: 10, rows_total: 10, rows_matched: 8, avg_confidence: 0.912 })]);
  mocked.runProgress.mockResolvedValue(progress('x', 'running', 0));
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const row = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-run-id="${id}"]`);

describe('RunsScreen', () => {
  it('preselects the first config and lists runs', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    expect(document.querySelector<HTMLSelectElement>('#run-config')?.value).toBe('cfg1');
    expect(row('done')?.dataset.status).toBe('completed');
    expect(row('done')?.textContent).toContain('91.2%');
    expect(mocked.listRuns).toHaveBeenCalledWith({ limit: 100 });
  });

  it('shows the pairs compared with thousands separators, and a dash while unknown', async () => {
    mocked.listRuns.mockResolvedValue([
      run('done', 'completed', { rows_processed: 10, rows_total: 10, pairs_compared: 1234567 }),
      run('live', 'running'),
    ]);
    view = await render(<RunsScreen active onReview={() => undefined} />);
    const headers = [...document.querySelectorAll('.runs-table thead th')].map((th) => th.textContent?.trim());
    expect(headers).toContain('Pairs compared');
    const cell = row('done')?.querySelector<HTMLTableCellElement>('.pairs-compared');
    expect(cell?.textContent).toBe('1,234,567');
    expect(cell?.title).toBe('1,234,567 pairs compared');
    expect(row('live')?.querySelector('.pairs-compared')?.textContent).toBe('—');
  });

  it('starts a run, patches it from progress events and reloads the list when it ends', async () => {
    mocked.startRun.mockResolvedValue(run('new', 'queued'));
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await click(document.querySelector('#start-run'));
    expect(mocked.startRun).toHaveBeenCalledWith('cfg1');
    expect(row('new')?.dataset.status).toBe('queued');
    const callsBefore = mocked.listRuns.mock.calls.length;

    await emit(progress('new', 'running', 40));
    expect(row('new')?.dataset.status).toBe('running');
    const bar = row('new')?.querySelector('[role="progressbar"]');
    expect(bar?.getAttribute('aria-valuenow')).toBe('40');
    expect(row('new')?.textContent).toContain('40 of 100 rows');
    expect(row('new')?.textContent).toContain('1 min 35 s');
    expect(mocked.listRuns.mock.calls.length).toBe(callsBefore);

    mocked.listRuns.mockResolvedValue([run('new', 'completed', { rows_processed: 100, rows_total: 100 }), run('done', 'completed')]);
    await emit(progress('new', 'completed', 100));
    expect(mocked.listRuns.mock.calls.length).toBe(callsBefore + 1);
    expect(row('new')?.dataset.status).toBe('completed');
    expect(row('new')?.querySelector('[role="progressbar"]')).toBeNull();
  });

  it('shows a dismissible banner when cancelling fails', async () => {
    mocked.listRuns.mockResolvedValue([run('live', 'running')]);
    mocked.cancelRun.mockRejectedValue(new ApiCallError({ code: 'conflict', message: 'run live has already finished' }));
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await click(row('live')?.querySelector('.cancel-run') ?? null);
    expect(mocked.cancelRun).toHaveBeenCalledWith('live');
    const banner = document.querySelector('.banner-error');
    expect(banner?.textContent).toContain('already finished');
    await click(banner?.querySelector('button') ?? null);
    expect(document.querySelector('.banner-error')).toBeNull();
  });
});
