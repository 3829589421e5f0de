// The Runs screen's smart runs and ai-resolve against a mocked api: the strategy picker (or why there is none), starting a smart run, AI resolve with live progress, and the summary's run type, suggestion counts and m/u chart.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listConfigs: vi.fn(),
  listStrategies: vi.fn(),
  runPage: vi.fn(),
  runProgress: vi.fn(),
  runSummary: vi.fn(),
  startRun: vi.fn(),
  startSmartRun: vi.fn(),
  aiResolve: vi.fn(),
}));

import * as api from '../api';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import type { Run } from '../bindings/Run';
import type { RunSummary } from '../bindings/RunSummary';
import { resetProgressHub } from '../progressHub';
import { click, emit, render, type Rendered } from '../testing';
import { RunsScreen } from './RunsScreen';

const mocked = vi.mocked(api);

const run = (id: string, status: Run['status'], extra: Partial<Run> = {}): Run => ({
  id,
  matching_config_id: 'cfg1',
  config_name: 'Cautious',
  status,
  triggered_by: 'manual',
  rows_processed: 200,
  rows_total: 200,
  rows_matched: 122,
  avg_confidence: 0.99,
  pairs_compared: 400,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T10:01:00Z',
  error: null,
  created_at: '2024-05-01T10:00:00Z',
  run_type: 'manual',
  strategy_id: null,
  ...extra,
});

const config = (id: string, reference: string) =>
  ({ id, name: `Config ${id}`, reference_data_id: reference, document_set_id: null, field_mappings: [], threshold: 0.97, review_floor: 0.5, one_to_one: false, created_at: '', updated_at: '' }) as never;

const strategy = { id: 's1', name: 'Learned', matching_config_id: null, reference_data_id: 'ref', version: 1, created_at: '', updated_at: '' } as MatchingStrategy;

const summary = (r: Run, extra: Partial<RunSummary> = {}): RunSummary => ({
  run: r,
  threshold: 0.97,
  review_floor: 0.5,
  histogram: Array.from({ length: 20 }, () => 0),
  matched: 122,
  review: 77,
  below: 1,
  no_candidate: 0,
  counts: { pending: 200, approved: 0, rejected: 0, reviewed_today: 0, reviewed_today_all_runs: 0 },
  candidate_search: { named_keys: [], strategy: 'parallel', fields: [], compared_whole_up_to: 16, walked_up_to: 4096 },
  block_sizes: null,
  suggestions: { made: 0, open: 0, accepted: 0, dismissed: 0 },
  field_estimates: null,
  ...extra,
});

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listConfigs.mockResolvedValue([config('cfg1', 'ref'), config('cfg2', 'other')]);
  mocked.listStrategies.mockResolvedValue([strategy]);
  mocked.runPage.mockResolvedValue({ data: [run('r1', 'completed')], total: 1, page: 1, limit: 20 });
  mocked.runSummary.mockImplementation(async (id) => summary(run(id, 'completed')));
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);

describe('RunsScreen smart runs', () => {
  it('offers the strategies of the config’s reference data and starts a smart run with one', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    expect($<HTMLSelectElement>('#smart-strategy')?.value).toBe('s1');
    mocked.startSmartRun.mockResolvedValue(run('r2', 'queued', { run_type: 'smart', strategy_id: 's1' }));
    await click($('#smart-run'));
    expect(mocked.startSmartRun).toHaveBeenCalledWith('cfg1', 's1');
    expect($('tr[data-run-id="r2"] .run-type-tag')?.textContent).toBe('smart');
  });

  it('disables the button with the reason when no strategy fits the config', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await act(async () => {
      const select = $<HTMLSelectElement>('#run-config');
      if (!select) throw new Error('no config select');
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')?.set?.call(select, 'cfg2');
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect($<HTMLButtonElement>('#smart-run')?.disabled).toBe(true);
    expect($('#smart-run-why')?.textContent).toContain('generate one for its reference data on the Strategies screen');
  });

  it('starts AI resolve on a completed run, shows it live, then the suggestions it made', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await click($('tr[data-run-id="r1"] .run-select'));
    expect($('#run-type')?.textContent).toBe('Standard');
    expect($('#run-suggestions')?.dataset.made).toBe('0');
    mocked.aiResolve.mockResolvedValue(run('r1', 'ai_resolving'));
    await click($('#ai-resolve'));
    expect(mocked.aiResolve).toHaveBeenCalledWith('r1');
    expect($('tr[data-run-id="r1"]')?.dataset.status).toBe('ai_resolving');
    expect($<HTMLButtonElement>('#ai-resolve')?.disabled).toBe(true);

    await emit({ run_id: 'r1', status: 'ai_resolving', phase: 'ai_resolving', phase_progress: 40, rows_processed: 0, rows_total: 0, rows_matched: 0, estimated_seconds_remaining: null, updated_at: '' });
    expect($('tr[data-run-id="r1"] .live-progress')?.textContent).toContain('AI resolving · 40%');
    // The counters of the run stay: the pass reports none.
    expect($('tr[data-run-id="r1"]')?.textContent).toContain('200 / 200');
    expect($('tr[data-run-id="r1"] .cancel-run')).toBeNull();

    mocked.runSummary.mockImplementation(async (id) => summary(run(id, 'completed'), { suggestions: { made: 9, open: 8, accepted: 1, dismissed: 0 } }));
    mocked.runPage.mockResolvedValue({ data: [run('r1', 'completed')], total: 1, page: 1, limit: 20 });
    await emit({ run_id: 'r1', status: 'completed', phase: 'completed', phase_progress: 100, rows_processed: 200, rows_total: 200, rows_matched: 122, estimated_seconds_remaining: null, updated_at: '' });
    expect($('#run-suggestions')?.dataset.made).toBe('9');
    expect($('#run-suggestions [data-suggestions="open"]')?.textContent).toBe('open 8');
    expect($('#run-suggestions [data-suggestions="accepted"]')?.textContent).toBe('accepted 1');
  });

  it('shows a smart run’s type, strategy and m/u per field level', async () => {
    const smart = run('r1', 'completed', { run_type: 'smart', strategy_id: 's1' });
    mocked.runPage.mockResolvedValue({ data: [smart], total: 1, page: 1, limit: 20 });
    mocked.runSummary.mockResolvedValue(
      summary(smart, {
        field_estimates: [{ source: 'po', target: 'po_number', levels: ['different', 'similar', 'same'], m: [0.05, 0.15, 0.8], u: [0.9, 0.09, 0.01], match_weight: [-4.2, 0.7, 6.3] }],
      }),
    );
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await click($('tr[data-run-id="r1"] .run-select'));
    expect($('#run-type')?.textContent).toBe('Smart · Learned');
    const same = $('#run-mu-chart tr[data-field="po"] td[data-level="same"]');
    expect(same?.textContent).toContain('m 80%');
    expect(same?.textContent).toContain('u 1%');
    expect(same?.textContent).toContain('+6.3 bits');
    expect(same?.querySelector<HTMLElement>('.mu-m')?.style.width).toBe('80%');
  });
});
