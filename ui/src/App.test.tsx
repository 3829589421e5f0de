// The shell against a mocked api: workspace path, tab navigation, one progress channel, Runs handing a run to Review, and the guided first start.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('./api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./api')>()),
  workspaceInfo: vi.fn(async () => ({ path: '/home/ana/books.matchbook', datasets: 0, configs: 0, runs: 0 })),
  watchProgress: vi.fn(async () => null),
  guideState: vi.fn(async () => ({ show_at_start: false })),
  setGuideAtStart: vi.fn(async () => ({ show_at_start: false })),
  listDatasets: vi.fn(async () => []),
  listConfigs: vi.fn(async () => []),
  listRuns: vi.fn(async () => []),
  listStrategies: vi.fn(async () => []),
  runPage: vi.fn(async () => ({ data: [], total: 0, page: 1, limit: 20 })),
  runSummary: vi.fn(),
  listResults: vi.fn(async () => ({ data: [], total: 0, page: 1, limit: 50 })),
  getConfig: vi.fn(async () => {
    throw new Error('gone');
  }),
}));

import * as api from './api';
import { App } from './App';
import type { Run } from './bindings/Run';
import { click, render, type Rendered } from './testing';

let view: Rendered | null = null;

afterEach(() => {
  view?.unmount();
  view = null;
});

describe('App', () => {
  it('shows the workspace, switches tabs and watches progress once', async () => {
    view = await render(<App />);
    expect(document.querySelector('.workspace')?.textContent).toContain('/home/ana/books.matchbook');
    for (const id of ['data', 'strategies', 'configs', 'runs', 'packages', 'pipelines', 'review', 'settings']) expect(document.querySelector(`#nav-${id}`)).not.toBeNull();
    expect(document.querySelector('#panel-data')?.hasAttribute('hidden')).toBe(false);
    expect(document.querySelector('#panel-review')?.hasAttribute('hidden')).toBe(true);

    await click(document.querySelector('#nav-review'));
    expect(document.querySelector('#nav-review')?.getAttribute('aria-selected')).toBe('true');
    expect(document.querySelector('#panel-review')?.hasAttribute('hidden')).toBe(false);
    expect(document.querySelector('#panel-data')?.hasAttribute('hidden')).toBe(true);

    await click(document.querySelector('#nav-runs'));
    expect(document.querySelector('#start-run')).not.toBeNull();
    expect(vi.mocked(api.watchProgress)).toHaveBeenCalledTimes(1);
  });

  it('opens on the guide where the workspace offers it; its buttons and the Help menu work from the top bar', async () => {
    vi.mocked(api.guideState).mockResolvedValueOnce({ show_at_start: true });
    view = await render(<App />);
    expect(document.querySelector('#guide')?.getAttribute('data-current')).toBe('run');
    await click(document.querySelector('#guide-action'));
    expect(document.querySelector('#nav-runs')?.getAttribute('aria-selected')).toBe('true');
    await click(document.querySelector('#guide-close'));
    expect(document.querySelector('#guide')).toBeNull();
    await click(document.querySelector('#help-menu'));
    await click(document.querySelector('#help-guide'));
    expect(document.querySelector('#guide')).not.toBeNull();
  });

  it('opens the Review screen on the run chosen in the Runs summary', async () => {
    const runs: Run[] = ['older', 'newer'].map((id, i) => ({
      id,
      matching_config_id: 'cfg1',
      config_name: `Config ${id}`,
      status: 'completed',
      triggered_by: 'manual',
      rows_processed: 1,
      rows_total: 1,
      rows_matched: 1,
      avg_confidence: 0.9,
      pairs_compared: 1,
      started_at: `2024-05-0${i + 1}T10:00:00Z`,
      completed_at: `2024-05-0${i + 1}T10:01:00Z`,
      error: null,
      created_at: `2024-05-0${i + 1}T10:00:00Z`,
      run_type: 'manual',
      strategy_id: null,
    }));
    const zero = 0;
    vi.mocked(api.listRuns).mockResolvedValue([...runs].reverse());
    vi.mocked(api.runPage).mockResolvedValue({ data: [...runs].reverse(), total: 2, page: 1, limit: 20 });
    vi.mocked(api.runSummary).mockImplementation(async (id) => ({
      run: runs.find((r) => r.id === id) as Run,
      threshold: 0.85,
      review_floor: 0.5,
      histogram: Array.from({ length: 20 }, () => zero),
      matched: zero,
      review: zero,
      below: zero,
      no_candidate: zero,
      counts: { pending: zero, approved: zero, rejected: zero, reviewed_today: zero, reviewed_today_all_runs: zero },
      candidate_search: { named_keys: [], strategy: 'parallel', fields: [], compared_whole_up_to: 16, walked_up_to: 4096 },
      block_sizes: null,
      suggestions: { made: zero, open: zero, accepted: zero, dismissed: zero },
      field_estimates: null,
    }));
    view = await render(<App />);
    await click(document.querySelector('#nav-runs'));
    await click(document.querySelector('tr[data-run-id="older"]'));
    await click(document.querySelector('#open-review'));
    expect(document.querySelector('#nav-review')?.getAttribute('aria-selected')).toBe('true');
    expect(document.querySelector<HTMLSelectElement>('#review-run')?.value).toBe('older');
  });
});
