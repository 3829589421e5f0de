// Behaviour of the runs screen against a mocked api: start, live progress, filters and paging, re-run, the run summary and export.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  listConfigs: vi.fn(),
  runPage: vi.fn(),
  runProgress: vi.fn(),
  runSummary: vi.fn(),
  startRun: vi.fn(),
  startSmartRun: vi.fn(),
  aiResolve: vi.fn(),
  listStrategies: vi.fn(),
  cancelRun: vi.fn(),
  exportResults: vi.fn(),
  pickSavePath: vi.fn(),
}));

import * as api from '../api';
import { ApiCallError } from '../api';
import type { Run } from '../bindings/Run';
import type { RunPage } from '../bindings/RunPage';
import type { RunProgress } from '../bindings/RunProgress';
import type { RunSummary } from '../bindings/RunSummary';
import { resetProgressHub } from '../progressHub';
import { click, emit, render, settle, type Rendered } from '../testing';
import { RunsScreen } from './RunsScreen';

const mocked = vi.mocked(api);

/** 64-bit counts arrive over JSON as plain numbers, whatever the generated types say. */
const n = (v: number) => v;

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
    run_type: 'manual',
    strategy_id: null,
    ...extra,
  };
}

function page(data: Run[], total = data.length, pageNo = 1): RunPage {
  return { data, total: n(total), page: pageNo, limit: 20 };
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

const HISTOGRAM = [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 3, 4, 0, 6, 10, 20, 7];

function summary(r: Run, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    run: r,
    threshold: 0.85,
    review_floor: 0.5,
    histogram: HISTOGRAM.map(n),
    matched: n(37),
    review: n(16),
    below: n(2),
    no_candidate: n(3),
    counts: { pending: n(40), approved: n(15), rejected: n(3), reviewed_today: n(4), reviewed_today_all_runs: n(9) },
    candidate_search: {
      named_keys: [],
      strategy: 'parallel',
      fields: [
        { source: 'vendor_name', target: 'vendor_name', keys: ['tokens', 'one-letter typos', '3-letter prefixes'] },
        { source: 'currency', target: 'currency', keys: [] },
      ],
      compared_whole_up_to: 16,
      walked_up_to: 4096,
    },
    block_sizes: {
      compared_whole_up_to: 16,
      walked_up_to: 4096,
      fields: [
        {
          source: 'vendor_name',
          target: 'vendor_name',
          values: n(4210),
          rows_with_value: n(20000),
          largest: n(1203),
          largest_value: 'rockline transport',
          median: n(3),
          p99: n(180),
          rows_over_compared_whole: n(7600),
          rows_over_walked: n(0),
        },
        {
          source: 'currency',
          target: 'currency',
          values: n(0),
          rows_with_value: n(0),
          largest: n(0),
          largest_value: null,
          median: n(0),
          p99: n(0),
          rows_over_compared_whole: n(0),
          rows_over_walked: n(0),
        },
      ],
    },
    suggestions: { made: n(0), open: n(0), accepted: n(0), dismissed: n(0) },
    field_estimates: null,
    ...extra,
  };
}

const done = run('done', 'completed', {
  rows_processed: 58,
  rows_total: 58,
  rows_matched: 37,
  avg_confidence: 0.912,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T10:01:00Z',
});

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listConfigs.mockResolvedValue([config('cfg1', 'Invoices to POs'), config('cfg2', 'Other')]);
  mocked.runPage.mockResolvedValue(page([done]));
  mocked.listStrategies.mockResolvedValue([]);
  mocked.runProgress.mockResolvedValue(progress('x', 'running', 0));
  mocked.runSummary.mockImplementation(async (id: string) => summary(id === 'done' ? done : run(id, 'completed')));
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);
const row = (id: string) => $<HTMLTableRowElement>(`tr[data-run-id="${id}"]`);

async function change(selector: string, value: string): Promise<void> {
  const el = $<HTMLSelectElement | HTMLInputElement>(selector);
  if (!el) throw new Error(`no ${selector}`);
  await act(async () => {
    // React tracks the value it last set; go through the native setter so the change is seen.
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
  await settle();
}

async function renderAndSelect(id = 'done') {
  view = await render(<RunsScreen active onReview={() => undefined} />);
  await click(row(id));
}

describe('RunsScreen list', () => {
  it('preselects the first config and lists the first page of runs', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    expect($<HTMLSelectElement>('#run-config')?.value).toBe('cfg1');
    expect(row('done')?.dataset.status).toBe('completed');
    expect(row('done')?.textContent).toContain('91.2%');
    expect(mocked.runPage).toHaveBeenCalledTimes(1);
    expect(mocked.runPage).toHaveBeenCalledWith({ limit: 20, page: 1 });
  });

  it('shows the pairs compared with thousands separators, and a dash while unknown', async () => {
    mocked.runPage.mockResolvedValue(page([run('done', 'completed', { rows_processed: 10, rows_total: 10, pairs_compared: 1234567 }), run('live', 'running')]));
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
    await click($('#start-run'));
    expect(mocked.startRun).toHaveBeenCalledWith('cfg1');
    expect(row('new')?.dataset.status).toBe('queued');
    expect($('#runs-pager')?.textContent).toContain('of 2');
    const callsBefore = mocked.runPage.mock.calls.length;

    await emit(progress('new', 'running', 40));
    expect(row('new')?.dataset.status).toBe('running');
    const bar = row('new')?.querySelector('[role="progressbar"]');
    expect(bar?.getAttribute('aria-valuenow')).toBe('40');
    expect(row('new')?.textContent).toContain('Matching · 40%');
    expect(row('new')?.textContent).toContain('40 of 100 rows · 20 matched');
    expect(row('new')?.textContent).toContain('1 min 35 s');
    expect(mocked.runPage.mock.calls.length).toBe(callsBefore);

    mocked.runPage.mockResolvedValue(page([run('new', 'completed', { rows_processed: 100, rows_total: 100 }), done]));
    await emit(progress('new', 'completed', 100));
    expect(mocked.runPage.mock.calls.length).toBe(callsBefore + 1);
    expect(row('new')?.dataset.status).toBe('completed');
    expect(row('new')?.querySelector('[role="progressbar"]')).toBeNull();
  });

  it('shows a run as finished when its final event beats a list read while it ran', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    // A run started elsewhere: its first event makes the screen fetch the list, which the backend
    // read while the run was still running and which answers only after the run has ended.
    let answer: (p: RunPage) => void = () => undefined;
    mocked.runPage.mockImplementationOnce(() => new Promise<RunPage>((resolve) => (answer = resolve)));
    await emit(progress('fast', 'running', 50));
    mocked.runPage.mockResolvedValue(page([run('fast', 'completed', { rows_processed: 100, rows_total: 100 }), done]));
    await emit(progress('fast', 'completed', 100));
    await act(async () => answer(page([run('fast', 'running'), done])));
    await settle();
    expect(row('fast')?.dataset.status).toBe('completed');
  });

  it('shows a dismissible banner when cancelling fails', async () => {
    mocked.runPage.mockResolvedValue(page([run('live', 'running')]));
    mocked.cancelRun.mockRejectedValue(new ApiCallError({ code: 'conflict', message: 'run live has already finished' }));
    view = await render(<RunsScreen active onReview={() => undefined} />);
    await click(row('live')?.querySelector('.cancel-run') ?? null);
    expect(mocked.cancelRun).toHaveBeenCalledWith('live');
    const banner = $('.banner-error');
    expect(banner?.textContent).toContain('already finished');
    await click(banner?.querySelector('button') ?? null);
    expect($('.banner-error')).toBeNull();
  });

  it('filters by config and status, back on the first page, with the filter options listed', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    const configOptions = [...document.querySelectorAll<HTMLOptionElement>('#runs-filter-config option')].map((o) => [o.value, o.textContent]);
    expect(configOptions).toEqual([
      ['', 'All configs'],
      ['cfg1', 'Invoices to POs'],
      ['cfg2', 'Other'],
    ]);
    const statusOptions = [...document.querySelectorAll<HTMLOptionElement>('#runs-filter-status option')].map((o) => o.value);
    expect(statusOptions).toEqual(['', 'queued', 'running', 'completed', 'failed', 'cancelled', 'ai_resolving']);

    await change('#runs-filter-config', 'cfg2');
    expect(mocked.runPage).toHaveBeenLastCalledWith({ config_id: 'cfg2', limit: 20, page: 1 });
    await change('#runs-filter-status', 'failed');
    expect(mocked.runPage).toHaveBeenLastCalledWith({ config_id: 'cfg2', status: 'failed', limit: 20, page: 1 });
    await change('#runs-filter-config', '');
    expect(mocked.runPage).toHaveBeenLastCalledWith({ status: 'failed', limit: 20, page: 1 });
  });

  it('says when the filters hide every run and clears them on request', async () => {
    view = await render(<RunsScreen active onReview={() => undefined} />);
    mocked.runPage.mockResolvedValue(page([]));
    await change('#runs-filter-status', 'cancelled');
    expect($('.runs-list .empty')?.textContent).toContain('No runs match these filters');
    mocked.runPage.mockResolvedValue(page([done]));
    await click($('.runs-list .empty button'));
    expect(mocked.runPage).toHaveBeenLastCalledWith({ limit: 20, page: 1 });
    expect($<HTMLSelectElement>('#runs-filter-status')?.value).toBe('');
    expect(row('done')).not.toBeNull();
  });

  it('pages through the runs with the pager, keeping the filters', async () => {
    const firstPage = Array.from({ length: 20 }, (_, i) => run(`r${i}`, 'completed'));
    mocked.runPage.mockResolvedValue(page(firstPage, 45));
    view = await render(<RunsScreen active onReview={() => undefined} />);
    expect(document.querySelectorAll('tr[data-run-id]')).toHaveLength(20);
    const pager = $('#runs-pager');
    expect(pager?.textContent).toContain('1–20 of 45');
    const [prev, next] = [...(pager?.querySelectorAll('button') ?? [])];
    expect(prev?.disabled).toBe(true);

    await change('#runs-filter-status', 'completed');
    mocked.runPage.mockResolvedValue(page(firstPage.map((r) => ({ ...r, id: `p2-${r.id}` })), 45, 2));
    await click(next ?? null);
    expect(mocked.runPage).toHaveBeenLastCalledWith({ status: 'completed', limit: 20, page: 2 });
    expect($('#runs-pager')?.textContent).toContain('21–40 of 45');
    expect(row('p2-r0')).not.toBeNull();
    await click($('#runs-pager button:first-of-type'));
    expect(mocked.runPage).toHaveBeenLastCalledWith({ status: 'completed', limit: 20, page: 1 });
  });

  it('re-runs a finished run with its config, and not one whose config was deleted', async () => {
    mocked.runPage.mockResolvedValue(
      page([
        done,
        run('gone', 'failed', { matching_config_id: 'deleted', config_name: 'Old config', error: 'boom' }),
        run('live', 'running'),
      ]),
    );
    mocked.startRun.mockResolvedValue(run('again', 'queued', { matching_config_id: 'cfg1' }));
    view = await render(<RunsScreen active onReview={() => undefined} />);
    expect(row('live')?.querySelector('.rerun-run')).toBeNull();

    const gone = row('gone')?.querySelector<HTMLButtonElement>('.rerun-run');
    expect(gone?.disabled).toBe(true);
    expect(gone?.parentElement?.title).toContain('was deleted');
    expect(document.getElementById(gone?.getAttribute('aria-describedby') ?? '')?.textContent).toContain('was deleted');

    await click(row('done')?.querySelector('.rerun-run') ?? null);
    expect(mocked.startRun).toHaveBeenCalledWith('cfg1');
    expect(row('again')?.dataset.status).toBe('queued');
  });
});

describe('RunsScreen summary', () => {
  it('selects a run by clicking its row and shows its counters', async () => {
    await renderAndSelect();
    expect(mocked.runSummary).toHaveBeenCalledWith('done');
    expect(row('done')?.getAttribute('aria-selected')).toBe('true');
    expect(row('done')?.querySelector('.run-select')?.getAttribute('aria-pressed')).toBe('true');
    const section = $('#run-summary');
    expect(section?.textContent).toContain('Invoices to POs');
    expect(section?.querySelector('.run-stats')?.textContent).toContain('58 / 58');
    expect(section?.querySelector('.run-stats')?.textContent).toContain('91.2%');
    expect(section?.querySelector('.review-tally')?.textContent).toMatch(/Pending 40.*Approved 15.*Rejected 3/);
  });

  it('says how the run found its candidates: the keys picked per field, or the ones the config names', async () => {
    await renderAndSelect();
    const search = $('#run-candidate-search');
    expect(search?.textContent).toContain('vendor_name → vendor_name: tokens, one-letter typos, 3-letter prefixes');
    expect(search?.textContent).toContain('currency → currency: compared only');
    expect(search?.textContent).toContain('up to 16 rows');
  });

  it('tabulates the block sizes the run measured on its reference data, per field', async () => {
    await renderAndSelect();
    const table = $('#run-candidate-search #run-block-sizes');
    expect([...(table?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent)).toEqual([
      'Field',
      'Values',
      'Largest block',
      'Median',
      'p99',
      'Over 16',
      'Over 4,096',
    ]);
    const cells = (field: string) =>
      [...(table?.querySelectorAll(`tr[data-field="${field}"] th, tr[data-field="${field}"] td`) ?? [])].map((c) => c.textContent);
    expect(cells('vendor_name')).toEqual(['vendor_name → vendor_name', '4,210', '1,203 (rockline transport)', '3', '180', '38%', '0%']);
    // A field without values has no largest value and no share to show.
    expect(cells('currency')).toEqual(['currency → currency', '0', '0', '0', '0', '—', '—']);
  });

  it('leaves the block sizes out for a run that has none', async () => {
    mocked.runSummary.mockResolvedValue(summary(done, { block_sizes: null }));
    await renderAndSelect();
    expect($('#run-candidate-search')).not.toBeNull();
    expect($('#run-block-sizes')).toBeNull();
  });

  it('lists the blocking keys a config names, in order', async () => {
    mocked.runSummary.mockResolvedValue(
      summary(done, {
        candidate_search: {
          named_keys: [{ fields: ['po_reference'] }, { fields: ['vendor_name', 'total_amount'] }],
          strategy: 'ordered_fallback',
          fields: [],
          compared_whole_up_to: 16,
          walked_up_to: 4096,
        },
      }),
    );
    await renderAndSelect();
    const named = $('#run-candidate-search');
    expect(named?.textContent).toContain('named by the config, each in turn until one finds a candidate');
    expect([...(named?.querySelectorAll('li') ?? [])].map((li) => li.textContent)).toEqual(['po_reference', 'vendor_name + total_amount']);
  });

  it('draws 20 bars sized by count and coloured by band', async () => {
    await renderAndSelect();
    const bars = [...document.querySelectorAll<HTMLElement>('#histogram [data-bin]')];
    expect(bars.map((b) => b.dataset.bin)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(bars.map((b) => Number(b.dataset.count))).toEqual(HISTOGRAM);
    // 20 is the tallest bar; the others are drawn to its scale.
    expect(bars[18]?.style.height).toBe('100%');
    expect(bars[17]?.style.height).toBe('50%');
    expect(bars[1]?.style.height).toBe('0%');
    expect(bars[17]?.dataset.fill).toBe('matched');
    expect(bars[16]?.dataset.fill).toBe('review');
    expect(bars[10]?.dataset.fill).toBe('review');
    expect(bars[9]?.dataset.fill).toBe('low');
    expect(bars[18]?.parentElement?.title).toBe('90–95%: 20 results');
  });

  it('marks the threshold and the review floor where they fall, with labels', async () => {
    await renderAndSelect();
    const threshold = $('#histogram [data-marker="threshold"]');
    const floor = $('#histogram [data-marker="review-floor"]');
    expect(threshold?.style.left).toBe('85%');
    expect(threshold?.textContent).toBe('Threshold 85%');
    expect(floor?.style.left).toBe('50%');
    expect(floor?.textContent).toBe('Review floor 50%');
  });

  it('counts results per band and describes the chart for screen readers', async () => {
    await renderAndSelect();
    const band = (b: string) => $(`#run-summary [data-band="${b}"]`)?.textContent;
    expect(band('matched')).toBe('37');
    expect(band('review')).toBe('16');
    expect(band('below')).toBe('2');
    expect(band('no_candidate')).toBe('3');
    const label = $('#histogram')?.getAttribute('aria-label') ?? '';
    expect($('#histogram')?.getAttribute('role')).toBe('img');
    expect(label).toContain('58 results');
    expect(label).toContain('37 matched at or above the 85% threshold');
    expect(label).toContain('16 in the review band');
    expect(label).toContain('3 with no candidate');
    const table = $('#run-summary table.visually-hidden');
    expect(table?.querySelectorAll('tbody tr')).toHaveLength(20);
    expect(table?.querySelector('tbody tr:last-child')?.textContent).toBe('95–100%7');
  });

  it('opens the review screen on the selected run', async () => {
    const onReview = vi.fn();
    view = await render(<RunsScreen active onReview={onReview} />);
    await click(row('done'));
    await click($('#open-review'));
    expect(onReview).toHaveBeenCalledWith('done');
  });

  it('re-runs the selected run from the summary, unless its config is gone', async () => {
    mocked.startRun.mockResolvedValue(run('again', 'queued'));
    await renderAndSelect();
    await click($('#rerun'));
    expect(mocked.startRun).toHaveBeenCalledWith('cfg1');

    mocked.listConfigs.mockResolvedValue([config('cfg2', 'Other')]);
    await click($('#runs-refresh'));
    const rerun = $<HTMLButtonElement>('#rerun');
    expect(rerun?.disabled).toBe(true);
    expect(rerun?.title).toContain('was deleted');
  });

  it('refreshes the summary when the selected run finishes', async () => {
    mocked.runPage.mockResolvedValue(page([run('live', 'running')]));
    mocked.runSummary.mockResolvedValue(summary(run('live', 'running'), { histogram: Array.from({ length: 20 }, () => n(0)) }));
    await renderAndSelect('live');
    expect($<HTMLButtonElement>('#rerun')?.disabled).toBe(true);
    expect($<HTMLButtonElement>('#export-run')?.disabled).toBe(true);
    const calls = mocked.runSummary.mock.calls.length;
    mocked.runSummary.mockResolvedValue(summary(run('live', 'completed')));
    mocked.runPage.mockResolvedValue(page([run('live', 'completed')]));
    await emit(progress('live', 'completed', 100));
    expect(mocked.runSummary.mock.calls.length).toBe(calls + 1);
    expect($('#histogram [data-bin="18"]')?.getAttribute('data-count')).toBe('20');
    expect($<HTMLButtonElement>('#export-run')?.disabled).toBe(false);
  });
});

describe('RunsScreen export', () => {
  it('exports with the chosen format, path and include flag, and says what it wrote', async () => {
    mocked.exportResults.mockResolvedValue({ path: '/home/ana/may.csv', matched: n(12), unmatched: n(3), unreviewed_left_out: n(0) });
    await renderAndSelect();
    expect([...document.querySelectorAll<HTMLOptionElement>('#export-format option')].map((o) => o.value).sort()).toEqual(['csv', 'xlsx']);
    await change('#export-path', '/home/ana/may.xlsx');
    await change('#export-format', 'csv');
    expect($<HTMLInputElement>('#export-path')?.value).toBe('/home/ana/may.csv');
    await click($('#export-unreviewed'));
    expect($<HTMLInputElement>('#export-unreviewed')?.checked).toBe(true);
    await click($('#export-run'));
    expect(mocked.exportResults).toHaveBeenCalledWith({ run_id: 'done', path: '/home/ana/may.csv', format: 'csv', include_unreviewed_matches: true });
    const doneMsg = $('#export-done');
    expect(doneMsg?.getAttribute('role')).toBe('status');
    expect(doneMsg?.textContent).toBe('Exported 12 matches and 3 unmatched documents to /home/ana/may.csv');
  });

  it('fills the path from the save dialog, proposing the config name and run date', async () => {
    mocked.pickSavePath.mockResolvedValue('/tmp/chosen.xlsx');
    mocked.exportResults.mockResolvedValue({ path: '/tmp/chosen.xlsx', matched: n(1), unmatched: n(0), unreviewed_left_out: n(0) });
    await renderAndSelect();
    await click($('#export-browse'));
    const [name, format] = mocked.pickSavePath.mock.calls[0] ?? [];
    expect(format).toBe('xlsx');
    expect(name).toMatch(/^Invoices to POs \d{4}-\d{2}-\d{2}\.xlsx$/);
    expect($<HTMLInputElement>('#export-path')?.value).toBe('/tmp/chosen.xlsx');
    await click($('#export-run'));
    expect(mocked.exportResults).toHaveBeenCalledWith({ run_id: 'done', path: '/tmp/chosen.xlsx', format: 'xlsx', include_unreviewed_matches: false });
    expect($('#export-done')?.textContent).toBe('Exported 1 match and 0 unmatched documents to /tmp/chosen.xlsx');
  });

  it('keeps the path when the save dialog is dismissed', async () => {
    mocked.pickSavePath.mockResolvedValue(null);
    await renderAndSelect();
    await change('#export-path', '/tmp/typed.xlsx');
    await click($('#export-browse'));
    expect(mocked.pickSavePath).toHaveBeenCalledWith('/tmp/typed.xlsx', 'xlsx');
    expect($<HTMLInputElement>('#export-path')?.value).toBe('/tmp/typed.xlsx');
  });

  it('asks for a path instead of exporting without one', async () => {
    await renderAndSelect();
    await click($('#export-run'));
    expect(mocked.exportResults).not.toHaveBeenCalled();
    expect($('#export-path-error')?.textContent).toContain('Choose where to save');
    expect($('#export-path')?.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toBe('export-path');
  });

  it('shows the error message when the export fails', async () => {
    mocked.exportResults.mockRejectedValue(new ApiCallError({ code: 'validation_error', message: '/tmp is a folder; give a file name', field: 'path' }));
    await renderAndSelect();
    await change('#export-path', '/tmp');
    await click($('#export-run'));
    const banner = $('#run-summary .banner-error');
    expect(banner?.getAttribute('role')).toBe('alert');
    expect(banner?.textContent).toContain('Could not export the results: /tmp is a folder; give a file name');
    expect($('#export-done')).toBeNull();
    expect($<HTMLButtonElement>('#export-run')?.disabled).toBe(false);
  });
});
