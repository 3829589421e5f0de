// Behaviour of the review screen against a mocked api: default run, bands, contested badge, keyboard decisions, write-then-render,
// filters and sort, the virtualised queue, counters, bulk approval and its one-step undo.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', () => ({
  listRuns: vi.fn(),
  listConfigs: vi.fn(),
  getConfig: vi.fn(),
  listDatasets: vi.fn(),
  listResults: vi.fn(),
  resultDecisions: vi.fn(),
  referenceRows: vi.fn(),
  reviewResult: vi.fn(),
  revertDecision: vi.fn(),
  revertDecisions: vi.fn(),
  reviewCounts: vi.fn(),
  bulkApproveCount: vi.fn(),
  bulkApprove: vi.fn(),
}));

import * as api from '../api';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { MatchResult } from '../bindings/MatchResult';
import type { ResultQuery } from '../bindings/ResultQuery';
import type { ReviewCounts } from '../bindings/ReviewCounts';
import type { Run } from '../bindings/Run';
import { resetProgressHub } from '../progressHub';
import { click, emit, press, render, settle, type Rendered } from '../testing';
import { RESULTS_PAGE_SIZE, ROW_HEIGHT, ReviewScreen } from './ReviewScreen';

const mocked = vi.mocked(api);

function run(id: string, status: Run['status'], configId = 'cfg'): Run {
  return {
    id,
    matching_config_id: configId,
    config_name: 'Invoices to POs',
    status,
    triggered_by: 'manual',
    rows_processed: 3,
    rows_total: 3,
    rows_matched: 1,
    avg_confidence: 0.95,
    pairs_compared: null,
    started_at: '2024-05-01T10:00:00Z',
    completed_at: null,
    error: null,
    created_at: '2024-05-01T10:00:00Z',
    run_type: 'manual',
    strategy_id: null,
  };
}

function result(id: string, confidence: number, status: MatchResult['status'], matched: string | null): MatchResult {
  return {
    id,
    run_id: 'r1',
    document_id: `DOC-${id}`,
    document_filename: `${id}.pdf`,
    matched_reference_row_id: matched,
    confidence,
    status,
    notes: null,
    evidence: [
      { source: 'po', target: 'po_number', strategy: 'exact', weight: 0.6, score: 1, source_value: 'PO-1', target_value: 'PO-1', missing: false },
      { source: 'total', target: 'amount', strategy: 'numeric_range', weight: 0.4, score: 0, source_value: '', target_value: '100.00', missing: true },
    ],
    candidates: [
      { rank: 1, reference_row_id: 'PO-1', confidence, evidence: [] },
      { rank: 2, reference_row_id: 'PO-2', confidence: 0.2, evidence: [] },
    ],
    contested: false,
    reviewed_at: null,
  };
}

function config(id: string, name: string, threshold = 0.85): MatchingConfig {
  return {
    id,
    name,
    reference_data_id: 'ref',
    document_set_id: null,
    target_type: 'reference',
    target_value: {},
    field_mappings: [],
    threshold,
    review_floor: 0.5,
    one_to_one: false,
    created_at: '',
    updated_at: '',
  };
}

/** Counters as the backend sends them: JSON numbers (the generated type says bigint). */
function counts(pending: number, approved: number, rejected: number, today = 0, todayAllRuns = today): ReviewCounts {
  return { pending, approved, rejected, reviewed_today: today, reviewed_today_all_runs: todayAllRuns } as unknown as ReviewCounts;
}

/** The default query of the queue: the pending results of the run's review band (the config's 50 % to 85 %), best first. */
const DEFAULT_QUERY: ResultQuery = { sort: 'confidence_desc', status: 'pending', min_confidence: 0.5, max_confidence: 0.85 };
/** Every result, in the backend's order spelled out: the queue widened. */
const ALL_QUERY: ResultQuery = { sort: 'confidence_desc' };
const firstPage = (q: ResultQuery = DEFAULT_QUERY) => ({ ...q, page: 1, limit: RESULTS_PAGE_SIZE });

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listRuns.mockResolvedValue([run('r2', 'running'), run('r1', 'completed')]);
  mocked.listConfigs.mockResolvedValue([config('cfg', 'Invoices to POs'), config('cfg2', 'Credit notes')]);
  mocked.getConfig.mockResolvedValue(config('cfg', 'Invoices to POs'));
  mocked.reviewCounts.mockResolvedValue(counts(2, 1, 0));
  mocked.listDatasets.mockResolvedValue([
    {
      id: 'ref',
      kind: 'reference',
      name: 'POs',
      source_type: 'csv',
      source_file: 'po.csv',
      columns: [
        { name: 'po_number', type: 'string' },
        { name: 'amount', type: 'number' },
      ],
      row_count: 2,
      id_column: 'po_number',
      filename_column: null,
      created_at: '',
      status: 'ready',
      version: 1,
      error: null,
      rows_imported: null,
      sql: null,
    },
  ]);
  mocked.listResults.mockResolvedValue({
    data: [result('a', 0.95, 'pending', 'PO-1'), result('b', 0.7, 'approved', null), result('c', 0.3, 'pending', null)],
    total: 3,
    page: 1,
    limit: 200,
  });
  mocked.resultDecisions.mockResolvedValue([]);
  mocked.referenceRows.mockResolvedValue([
    { id: 'PO-1', values: ['PO-1', '100.00'] },
    { id: 'PO-2', values: ['PO-2', ''] },
  ]);
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const count = (s: string) => document.querySelector(`#review-counts [data-count="${s}"]`)?.textContent;
const item = (id: string) => document.querySelector<HTMLLIElement>(`li[data-result-id="${id}"]`);
const selectedItem = () => document.querySelector<HTMLLIElement>('li[data-result-id][aria-selected="true"]');

/** Widens the queue from the review band to every result, as "Clear filters" does. */
async function widen(): Promise<void> {
  await click(document.querySelector('#filter-clear'));
  expect(mocked.listResults.mock.lastCall?.[1]).toEqual(firstPage(ALL_QUERY));
}

describe('ReviewScreen', () => {
  it('opens the newest completed run on its review band and selects the first pending result', async () => {
    view = await render(<ReviewScreen active />);
    expect(document.querySelector<HTMLSelectElement>('#review-run')?.value).toBe('r1');
    // Only the band was asked for, never every result first (more in ReviewBand.test.tsx).
    expect(mocked.listResults.mock.calls.map(([id, q]) => [id, q])).toEqual([['r1', firstPage()]]);
    expect(document.querySelector('#filter-band')?.getAttribute('aria-pressed')).toBe('true');
    expect(document.querySelectorAll('li[data-result-id]')).toHaveLength(3);
    expect(selectedItem()?.dataset.resultId).toBe('a');
    expect(document.querySelector('#result-status')?.textContent).toBe('Pending');
    expect(item('b')?.textContent).toContain('no match');
  });

  it('flags a result that lost a contested row, in the list and in the evidence panel', async () => {
    mocked.listResults.mockResolvedValue({
      data: [{ ...result('a', 0.91, 'pending', 'PO-2'), contested: true }, result('b', 0.7, 'approved', null)],
      total: 2,
      page: 1,
      limit: 200,
    });
    view = await render(<ReviewScreen active />);
    const badge = item('a')?.querySelector<HTMLElement>('.contested-badge');
    expect(badge?.textContent).toBe('lost a contested row');
    expect(badge?.title).toContain('Another document was given the reference row this one scored best with');
    expect(badge?.title).toContain('one-to-one');
    expect(item('b')?.querySelector('.contested-badge')).toBeNull();
    const note = document.querySelector('#result-contested');
    expect(note?.querySelector('.contested-badge')).not.toBeNull();
    expect(note?.textContent).toContain('Its best candidate, PO-1, was given to another document');
    expect(note?.textContent).toContain('matched to PO-2 instead');
    await click(item('b'));
    expect(document.querySelector('#result-contested')).toBeNull();
  });

  it('colours confidence by band', async () => {
    view = await render(<ReviewScreen active />);
    expect(item('a')?.querySelector('.confidence')?.className).toContain('band-matched');
    expect(item('b')?.querySelector('.confidence')?.className).toContain('band-review');
    expect(item('c')?.querySelector('.confidence')?.className).toContain('band-low');
    expect(item('a')?.querySelector('.confidence')?.textContent).toBe('95%');
  });

  it('shows the evidence with missing values marked, candidates and the reference record', async () => {
    view = await render(<ReviewScreen active />);
    const rows = document.querySelectorAll('.evidence-table tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[1]?.className).toContain('evidence-missing');
    expect(rows[1]?.querySelector('.missing')?.textContent).toBe('missing');
    expect(document.querySelectorAll('.candidates-table tbody tr')).toHaveLength(2);
    // As the shown run matched them: a refresh of the reference data since may have replaced them.
    expect(mocked.referenceRows).toHaveBeenCalledWith('ref', ['PO-1', 'PO-2'], 'r1');
    expect(document.querySelector('.record')?.textContent).toContain('amount');
    expect(document.querySelector('.record')?.textContent).toContain('100.00');
  });

  it('reads the reference rows again for another run: each run shows the rows it matched', async () => {
    mocked.listRuns.mockResolvedValue([run('r2', 'completed'), run('r1', 'completed')]);
    mocked.listResults.mockImplementation(async (runId) => ({
      data: [{ ...result('a', 0.7, 'pending', 'PO-1'), run_id: runId }],
      total: 1,
      page: 1,
      limit: 200,
    }));
    view = await render(<ReviewScreen active />);
    expect(document.querySelector<HTMLSelectElement>('#review-run')?.value).toBe('r2');
    expect(mocked.referenceRows).toHaveBeenLastCalledWith('ref', ['PO-1', 'PO-2'], 'r2');
    await setValue(document.querySelector('#review-run'), 'r1');
    // The same ids, but run r1 may have matched an older version of them.
    expect(mocked.referenceRows).toHaveBeenLastCalledWith('ref', ['PO-1', 'PO-2'], 'r1');
  });

  it('counts the run\'s results by status and reviewed today, and counts again after a decision', async () => {
    mocked.reviewCounts.mockResolvedValue(counts(120, 30, 5, 12, 40));
    view = await render(<ReviewScreen active />);
    expect(mocked.reviewCounts).toHaveBeenCalledWith('r1');
    expect(count('pending')).toBe('Pending 120');
    expect(count('approved')).toBe('Approved 30');
    expect(count('rejected')).toBe('Rejected 5');
    expect(count('today')).toBe('Reviewed today 12');
    expect(document.querySelector<HTMLElement>('#review-counts [data-count="today"]')?.title).toBe('Reviewed today in all runs: 40');
    mocked.reviewCounts.mockResolvedValue(counts(119, 31, 5, 13, 41));
    mocked.reviewResult.mockResolvedValue({ ...result('a', 0.95, 'approved', 'PO-1'), reviewed_at: '2024-05-01T11:00:00Z' });
    await press('a');
    expect(count('pending')).toBe('Pending 119');
    expect(count('approved')).toBe('Approved 31');
    expect(count('today')).toBe('Reviewed today 13');
  });

  it('highlights the characters that differ in a field that did not fully agree', async () => {
    const r = result('a', 0.9, 'pending', 'PO-1');
    r.evidence = [
      { source: 'vendor', target: 'vendor', strategy: 'fuzzy', weight: 0.5, score: 0.97, source_value: 'Rockline Transprt', target_value: 'Rockline Transport', missing: false },
      { source: 'po', target: 'po_number', strategy: 'fuzzy', weight: 0.5, score: 1, source_value: 'PO 2024/1', target_value: 'PO-2024-000001', missing: false },
    ];
    mocked.listResults.mockResolvedValue({ data: [r], total: 1, page: 1, limit: 200 });
    view = await render(<ReviewScreen active />);
    const rows = document.querySelectorAll('.evidence-table tbody tr');
    const marks = Array.from(rows[0]?.querySelectorAll('mark.diff') ?? []).map((m) => m.textContent);
    expect(marks).toEqual(['o']);
    expect(rows[0]?.textContent).toContain('Rockline Transport');
    // A field the normaliser found equal is not marked, however differently it is written.
    expect(rows[1]?.querySelector('mark.diff')).toBeNull();
  });

  it('explains an amount in business terms under its score', async () => {
    const r = result('a', 0.9, 'pending', 'PO-1');
    r.evidence = [
      {
        source: 'total',
        target: 'net',
        strategy: 'numeric_range',
        weight: 1,
        score: 1,
        source_value: '1,057.67',
        target_value: '988.48',
        missing: false,
        note: { kind: 'amount', difference_percent: 0, difference: 0, tax_rate: 7, tolerance_percent: 0, tolerance_absolute: 0.01 },
      },
    ];
    mocked.listResults.mockResolvedValue({ data: [r], total: 1, page: 1, limit: 200 });
    view = await render(<ReviewScreen active />);
    expect(document.querySelector('.evidence-table .field-note')?.textContent).toBe('equals the reference amount plus 7 % VAT');
  });

  it('approves with "a", renders what the backend returned and moves to the next pending result', async () => {
    mocked.reviewResult.mockResolvedValue({ ...result('a', 0.95, 'approved', 'PO-1'), reviewed_at: '2024-05-01T11:00:00Z' });
    view = await render(<ReviewScreen active />);
    await press('a');
    expect(mocked.reviewResult).toHaveBeenCalledWith('r1', 'a', { status: 'approved' });
    expect(item('a')?.dataset.status).toBe('approved');
    expect(selectedItem()?.dataset.resultId).toBe('c');
  });

  it('approves the pairing with candidate 2 on "2", undoes with "u" and redoes with Shift+U', async () => {
    const decision = (id: string, status: MatchResult['status'], reverts: string | null = null) => ({
      id,
      result_id: 'a',
      run_id: 'r1',
      document_id: 'DOC-a',
      reference_row_id: 'PO-2',
      previous_status: 'pending' as const,
      status,
      notes: null,
      decided_by: 'me',
      decided_at: '2024-05-01T11:00:00Z',
      reverts,
      suggestion_id: null,
    });
    mocked.reviewResult.mockResolvedValue({ ...result('a', 0.95, 'approved', 'PO-2'), reviewed_at: '2024-05-01T11:00:00Z' });
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved')]);
    view = await render(<ReviewScreen active />);
    await press('2');
    expect(mocked.reviewResult).toHaveBeenCalledWith('r1', 'a', { status: 'approved', reference_row_id: 'PO-2' });
    expect(item('a')?.dataset.status).toBe('approved');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(false);

    mocked.revertDecision.mockResolvedValue(result('a', 0.95, 'pending', 'PO-1'));
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved'), decision('d2', 'pending', 'd1')]);
    await press('u');
    expect(mocked.revertDecision).toHaveBeenLastCalledWith('r1', 'a', 'd1');
    expect(item('a')?.dataset.status).toBe('pending');
    expect(selectedItem()?.dataset.resultId).toBe('a');
    expect(document.querySelector<HTMLButtonElement>('#redo')?.disabled).toBe(false);

    mocked.revertDecision.mockResolvedValue({ ...result('a', 0.95, 'approved', 'PO-2'), reviewed_at: '2024-05-01T11:01:00Z' });
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved'), decision('d2', 'pending', 'd1'), decision('d3', 'approved', 'd2')]);
    await press('U');
    expect(mocked.revertDecision).toHaveBeenLastCalledWith('r1', 'a', 'd2');
    expect(item('a')?.dataset.status).toBe('approved');
    expect(document.querySelector<HTMLButtonElement>('#redo')?.disabled).toBe(true);
  });

  it('lists every decision with who, when, old and new status, the row, and which were undos', async () => {
    const base = { result_id: 'a', run_id: 'r1', document_id: 'DOC-a', notes: null, decided_by: 'reviewer', decided_at: '2024-05-01T11:00:00Z', suggestion_id: null };
    mocked.resultDecisions.mockResolvedValue([
      { ...base, id: 'd1', reference_row_id: 'PO-2', previous_status: 'pending', status: 'approved', notes: 'second PO', reverts: null },
      { ...base, id: 'd2', reference_row_id: 'PO-2', previous_status: 'approved', status: 'pending', reverts: 'd1' },
    ]);
    view = await render(<ReviewScreen active />);
    const entries = document.querySelectorAll('.history li');
    expect(entries).toHaveLength(2);
    expect(entries[0]?.textContent).toContain('reviewer');
    expect(entries[0]?.textContent).toContain('Pending → Approved');
    expect(entries[0]?.textContent).toContain('row PO-2');
    expect(entries[0]?.textContent).toContain('second PO');
    expect(entries[0]?.querySelector('.history-undo')).toBeNull();
    expect(entries[1]?.textContent).toContain('Approved → Pending');
    expect(entries[1]?.querySelector('.history-undo')?.textContent).toBe(' (undo)');
  });

  it('says so when a result has no such candidate, and when there is nothing to undo', async () => {
    view = await render(<ReviewScreen active />);
    await press('5');
    expect(mocked.reviewResult).not.toHaveBeenCalled();
    expect(document.body.textContent).toContain('This result has no candidate 5.');
    await press('u');
    expect(mocked.revertDecision).not.toHaveBeenCalled();
    expect(document.body.textContent).toContain('Nothing to undo.');
  });

  it('shows the shortcuts on "?" and hides them on Escape', async () => {
    view = await render(<ReviewScreen active />);
    expect(document.querySelector('#shortcuts-overlay')).toBeNull();
    await press('?');
    const overlay = document.querySelector('#shortcuts-overlay');
    expect(overlay?.getAttribute('role')).toBe('dialog');
    expect(overlay?.textContent).toContain('Undo the last decision');
    expect(overlay?.textContent).toContain('Approve the pairing with candidate 1 to 5');
    await press('Escape');
    expect(document.querySelector('#shortcuts-overlay')).toBeNull();
  });

  it('takes the status from the backend, not from the button pressed', async () => {
    mocked.reviewResult.mockResolvedValue(result('a', 0.95, 'pending', 'PO-1'));
    view = await render(<ReviewScreen active />);
    await click(document.querySelector('#reject'));
    expect(mocked.reviewResult).toHaveBeenCalledWith('r1', 'a', { status: 'rejected' });
    expect(item('a')?.dataset.status).toBe('pending');
  });

  it('moves with j/k and arrows, and ignores shortcuts typed in the notes', async () => {
    view = await render(<ReviewScreen active />);
    await press('j');
    expect(selectedItem()?.dataset.resultId).toBe('b');
    await press('ArrowDown');
    expect(selectedItem()?.dataset.resultId).toBe('c');
    await press('ArrowDown');
    expect(selectedItem()?.dataset.resultId).toBe('c');
    await press('k');
    expect(selectedItem()?.dataset.resultId).toBe('b');
    const notes = document.querySelector('#review-notes');
    expect(notes).not.toBeNull();
    await press('r', notes!);
    await press('j', notes!);
    expect(mocked.reviewResult).not.toHaveBeenCalled();
    expect(selectedItem()?.dataset.resultId).toBe('b');
  });

  it('sends notes with the decision and shows an error banner when it fails', async () => {
    mocked.reviewResult.mockRejectedValue(new Error('result a not found'));
    view = await render(<ReviewScreen active />);
    await click(document.querySelector('#approve'));
    expect(document.querySelector('.banner-error')?.textContent).toContain('result a not found');
    expect(item('a')?.dataset.status).toBe('pending');
  });

  it('filters by status', async () => {
    view = await render(<ReviewScreen active />);
    await widen();
    await click(document.querySelector('#filter-pending'));
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', firstPage({ sort: 'confidence_desc', status: 'pending' }));
    expect(document.querySelector('#filter-pending')?.getAttribute('aria-pressed')).toBe('true');
  });

  it('refreshes the run list when a run finishes', async () => {
    view = await render(<ReviewScreen active />);
    const before = mocked.listRuns.mock.calls.length;
    mocked.listRuns.mockResolvedValue([run('r2', 'completed'), run('r1', 'completed')]);
    await emit({
      run_id: 'r2',
      status: 'completed',
      phase: 'completed',
      phase_progress: 100,
      rows_processed: 3,
      rows_total: 3,
      rows_matched: 1,
      estimated_seconds_remaining: 0,
      updated_at: '',
    });
    expect(mocked.listRuns.mock.calls.length).toBe(before + 1);
    // The user had not picked a run, so the newest finished one is shown.
    expect(document.querySelector<HTMLSelectElement>('#review-run')?.value).toBe('r2');
  });
});

/** Sets a controlled input's or select's value as typing or picking would (React listens to input/change). */
async function setValue(el: Element | null, value: string): Promise<void> {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error('no such field');
  await act(async () => {
    const proto = el instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLSelectElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLInputElement ? 'input' : 'change', { bubbles: true }));
  });
  await settle();
}

async function wait(ms: number): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
  await settle();
}

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector<T>(selector);
const lastQuery = () => mocked.listResults.mock.lastCall?.[1];

describe('ReviewScreen filters and sort', () => {
  it('sends the confidence range in 0..1 from the percent fields, and refuses a range upside down', async () => {
    view = await render(<ReviewScreen active />);
    await widen();
    expect($('label[for="filter-min"]')?.textContent).toBe('Confidence from');
    expect($('label[for="filter-max"]')?.textContent).toBe('to');
    await setValue($('#filter-min'), '80');
    expect(lastQuery()).toEqual(firstPage({ sort: 'confidence_desc', min_confidence: 0.8 }));
    await setValue($('#filter-max'), '95.5');
    expect(lastQuery()).toEqual(firstPage({ sort: 'confidence_desc', min_confidence: 0.8, max_confidence: 0.955 }));
    const calls = mocked.listResults.mock.calls.length;
    await setValue($('#filter-min'), '97');
    expect(mocked.listResults.mock.calls.length).toBe(calls);
    expect($('#filter-min')?.getAttribute('aria-invalid')).toBe('true');
    expect($('#filter-min-error')?.textContent).toContain('is above');
    await setValue($('#filter-min'), '');
    expect(lastQuery()).toEqual(firstPage({ sort: 'confidence_desc', max_confidence: 0.955 }));
    expect($('#filter-min-error')).toBeNull();
  });

  it('debounces the search box and sends the text only once typing pauses', async () => {
    view = await render(<ReviewScreen active />);
    const search = $<HTMLInputElement>('#filter-search');
    expect(search?.type).toBe('search');
    expect($('label[for="filter-search"]')).not.toBeNull();
    await setValue(search, 'ac');
    await setValue(search, 'acme');
    expect(mocked.listResults.mock.calls.some(([, q]) => q.search !== undefined)).toBe(false);
    await wait(120);
    expect(mocked.listResults.mock.calls.some(([, q]) => q.search !== undefined)).toBe(false);
    await wait(200);
    // The search narrows the band; it does not leave it.
    expect(lastQuery()).toEqual(firstPage({ ...DEFAULT_QUERY, search: 'acme' }));
    expect(mocked.listResults.mock.calls.filter(([, q]) => q.search !== undefined)).toHaveLength(1);
  });

  it('does not take letters typed in the search box as shortcuts, and "/" goes to the search box', async () => {
    view = await render(<ReviewScreen active />);
    await press('/');
    const search = $<HTMLInputElement>('#filter-search');
    expect(document.activeElement).toBe(search);
    for (const key of ['a', 'r', 'j', 'u', '2']) await press(key, search!);
    expect(mocked.reviewResult).not.toHaveBeenCalled();
    expect(selectedItem()?.dataset.resultId).toBe('a');
    await setValue(search, 'acme');
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    await act(async () => {
      search!.dispatchEvent(escape);
    });
    expect(document.activeElement).not.toBe(search);
    // Leaving the box keeps the search (a search box clears itself on an Escape not prevented).
    expect(escape.defaultPrevented).toBe(true);
    expect(search?.value).toBe('acme');
  });

  it('sorts, combines the filters and clears them', async () => {
    view = await render(<ReviewScreen active />);
    await widen();
    const sort = $<HTMLSelectElement>('#sort');
    expect(Array.from(sort?.options ?? []).map((o) => o.value)).toEqual(['confidence_desc', 'confidence_asc', 'document', 'recently_reviewed']);
    await setValue(sort, 'document');
    expect(lastQuery()).toEqual(firstPage({ sort: 'document' }));
    await click($('#filter-rejected'));
    await setValue($('#filter-min'), '50');
    expect(lastQuery()).toEqual(firstPage({ sort: 'document', status: 'rejected', min_confidence: 0.5 }));
    await setValue($('#filter-search'), 'PO-7');
    await wait(300);
    expect(lastQuery()).toEqual(firstPage({ sort: 'document', status: 'rejected', min_confidence: 0.5, search: 'PO-7' }));
    await click($('#filter-clear'));
    expect(lastQuery()).toEqual(firstPage(ALL_QUERY));
    expect($<HTMLInputElement>('#filter-search')?.value).toBe('');
    expect($<HTMLInputElement>('#filter-min')?.value).toBe('');
    expect($<HTMLSelectElement>('#sort')?.value).toBe('confidence_desc');
    expect($('#filter-all')?.getAttribute('aria-pressed')).toBe('true');
  });

  it('narrows the runs to one config', async () => {
    mocked.listRuns.mockImplementation(async (filter = {}) =>
      [run('r3', 'completed', 'cfg2'), run('r2', 'running'), run('r1', 'completed')].filter((r) => !filter.config_id || r.matching_config_id === filter.config_id),
    );
    view = await render(<ReviewScreen active />);
    const runOptions = () => Array.from($<HTMLSelectElement>('#review-run')?.options ?? []).map((o) => o.value);
    expect(runOptions()).toEqual(['r3', 'r2', 'r1']);
    const configs = $<HTMLSelectElement>('#filter-config');
    expect(Array.from(configs?.options ?? []).map((o) => o.textContent)).toEqual(['All configs', 'Invoices to POs', 'Credit notes']);
    await setValue(configs, 'cfg');
    expect(mocked.listRuns).toHaveBeenLastCalledWith({ limit: 100, config_id: 'cfg' });
    expect(runOptions()).toEqual(['r2', 'r1']);
    expect($<HTMLSelectElement>('#review-run')?.value).toBe('r1');
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', firstPage());
    await setValue(configs, 'cfg2');
    expect(runOptions()).toEqual(['r3']);
    expect($<HTMLSelectElement>('#review-run')?.value).toBe('r3');
    expect(mocked.listResults).toHaveBeenLastCalledWith('r3', firstPage());
  });
});

/** A backend with `total` results: page p holds ids i{(p-1)*limit}…, by default one in three pending. */
function bigQueue(total: number, pending: (i: number) => boolean = (i) => i % 3 === 0) {
  mocked.listResults.mockImplementation(async (_run, q) => {
    const page = q.page ?? 1;
    const limit = q.limit ?? 50;
    const data: MatchResult[] = [];
    for (let i = (page - 1) * limit; i < Math.min(total, page * limit); i++) {
      data.push({ ...result(`i${i}`, 0.99 - i / (total * 2), pending(i) ? 'pending' : 'approved', 'PO-1'), document_filename: `doc-${i}.pdf` });
    }
    return { data, total, page, limit };
  });
}

const requestedPages = () => mocked.listResults.mock.calls.map(([, q]) => q.page);

describe('ReviewScreen virtualised queue', () => {
  it('renders a window of rows over a spacer as tall as 100,000 results, not 100,000 items', async () => {
    bigQueue(100_000);
    view = await render(<ReviewScreen active />);
    const rows = document.querySelectorAll('ul.results-list li[data-result-id]');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect($('ul.results-list')?.getAttribute('role')).toBe('listbox');
    expect($<HTMLElement>('.results-spacer')?.style.height).toBe(`${100_000 * ROW_HEIGHT}px`);
    expect($('#results-count')?.textContent).toBe('100,000 results');
    expect($('#results-count')?.getAttribute('aria-live')).toBe('polite');
    expect(item('i3')?.style.top).toBe(`${3 * ROW_HEIGHT}px`);
    expect(item('i3')?.getAttribute('aria-posinset')).toBe('4');
    expect(item('i3')?.getAttribute('aria-setsize')).toBe('100000');
    // Only the first page was needed.
    expect(requestedPages()).toEqual([1]);
  });

  it('fetches the page a far scroll position needs and renders its rows', async () => {
    bigQueue(100_000);
    view = await render(<ReviewScreen active />);
    const list = $<HTMLUListElement>('ul.results-list')!;
    await act(async () => {
      list.scrollTop = 50_000 * ROW_HEIGHT;
      list.dispatchEvent(new Event('scroll'));
    });
    await settle();
    expect(requestedPages()).toContain(251);
    expect(item('i50000')).not.toBeNull();
    expect(item('i50000')?.style.top).toBe(`${50_000 * ROW_HEIGHT}px`);
    expect(item('i0')).toBeNull();
    expect(document.querySelectorAll('ul.results-list li[data-result-id]').length).toBeLessThan(60);
  });

  it('moves the selection over the whole queue: End fetches the last page, j past a page fetches the next', async () => {
    bigQueue(100_000);
    view = await render(<ReviewScreen active />);
    await press('End');
    expect(requestedPages()).toContain(500);
    expect(selectedItem()?.dataset.resultId).toBe('i99999');
    const list = $<HTMLUListElement>('ul.results-list')!;
    expect(list.scrollTop).toBe(100_000 * ROW_HEIGHT - 600);
    expect(list.getAttribute('aria-activedescendant')).toBe('result-i99999');
    await press('Home');
    expect(selectedItem()?.dataset.resultId).toBe('i0');
    expect(list.scrollTop).toBe(0);

    await act(async () => {
      list.scrollTop = 190 * ROW_HEIGHT;
      list.dispatchEvent(new Event('scroll'));
    });
    await settle();
    expect(requestedPages()).toContain(2);
    await click(item('i199'));
    expect(selectedItem()?.dataset.resultId).toBe('i199');
    expect(list.scrollTop).toBe(190 * ROW_HEIGHT);
    await press('j');
    expect(selectedItem()?.dataset.resultId).toBe('i200');
    // Scrolled just enough to show row 200 at the bottom of the view.
    expect(list.scrollTop).toBe(201 * ROW_HEIGHT - 600);
    expect($('#result-heading')?.textContent).toBe('doc-200.pdf');
    await press('k');
    expect(selectedItem()?.dataset.resultId).toBe('i199');
  });

  it('after a decision patches the cached row and advances to the next pending result, fetching pages not loaded yet', async () => {
    // Pending: 5, then nothing until 450 (page 3).
    bigQueue(1000, (i) => i === 5 || i === 450);
    view = await render(<ReviewScreen active />);
    expect(selectedItem()?.dataset.resultId).toBe('i5');
    expect(requestedPages()).toEqual([1]);
    mocked.reviewResult.mockResolvedValue({ ...result('i5', 0.9, 'approved', 'PO-1'), document_filename: 'doc-5.pdf' });
    await press('a');
    expect(mocked.reviewResult).toHaveBeenCalledWith('r1', 'i5', { status: 'approved' });
    expect(requestedPages()).toEqual([1, 2, 3]);
    expect(selectedItem()?.dataset.resultId).toBe('i450');
    expect($<HTMLUListElement>('ul.results-list')?.scrollTop).toBe(451 * ROW_HEIGHT - 600);
    // The decided row was patched in place, not fetched again.
    await press('Home');
    expect(item('i5')?.dataset.status).toBe('approved');
    expect(requestedPages().filter((p) => p === 1)).toHaveLength(1);
  });
});

describe('ReviewScreen bulk approval', () => {
  const dialog = () => $('#bulk-confirm-dialog');

  it('counts, asks with the count, approves with the expected count, then reloads the list and counters', async () => {
    mocked.bulkApproveCount.mockResolvedValue(123);
    mocked.bulkApprove.mockResolvedValue({ decisions: [{ result_id: 'a', decision_id: 'd1' }] });
    view = await render(<ReviewScreen active />);
    expect($<HTMLInputElement>('#bulk-min')?.value).toBe('85');
    expect($('#bulk-approve')?.textContent).toBe('Approve all ≥ 85 %…');
    await click($('#bulk-approve'));
    expect(mocked.bulkApproveCount).toHaveBeenCalledWith('r1', DEFAULT_QUERY, 0.85);
    expect(dialog()?.getAttribute('role')).toBe('dialog');
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(dialog()?.textContent).toContain('Approve 123 pending results at or above 85 % in this filter?');
    expect(document.activeElement).toBe($('#bulk-confirm'));
    // Shortcuts are off behind the dialog.
    await press('a');
    expect(mocked.reviewResult).not.toHaveBeenCalled();
    expect(mocked.bulkApprove).not.toHaveBeenCalled();

    const lists = mocked.listResults.mock.calls.length;
    const countCalls = mocked.reviewCounts.mock.calls.length;
    mocked.reviewCounts.mockResolvedValue(counts(0, 124, 0, 123));
    await click($('#bulk-confirm'));
    expect(mocked.bulkApprove).toHaveBeenCalledWith('r1', { query: DEFAULT_QUERY, min_confidence: 0.85, expected: 123 });
    expect(dialog()).toBeNull();
    expect(document.body.textContent).toContain('Approved 1 result. Undo with u.');
    expect(mocked.listResults.mock.calls.length).toBeGreaterThan(lists);
    expect(mocked.reviewCounts.mock.calls.length).toBeGreaterThan(countCalls);
    expect(count('approved')).toBe('Approved 124');
    expect(count('today')).toBe('Reviewed today 123');
    expect(document.activeElement).toBe($('#bulk-approve'));
  });

  it('says how many results it approved', async () => {
    mocked.bulkApproveCount.mockResolvedValue(3);
    mocked.bulkApprove.mockResolvedValue({
      decisions: [
        { result_id: 'a', decision_id: 'd1' },
        { result_id: 'b', decision_id: 'd2' },
        { result_id: 'c', decision_id: 'd3' },
      ],
    });
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    await click($('#bulk-confirm'));
    expect($('.banner-info')?.textContent).toContain('Approved 3 results. Undo with u.');
  });

  it('uses the bulk threshold typed and the filters in view, and the config threshold as default', async () => {
    mocked.getConfig.mockResolvedValue(config('cfg', 'Invoices to POs', 0.9));
    mocked.bulkApproveCount.mockResolvedValue(7);
    view = await render(<ReviewScreen active />);
    expect($<HTMLInputElement>('#bulk-min')?.value).toBe('90');
    await widen();
    await setValue($('#bulk-min'), '97.5');
    expect($('#bulk-approve')?.textContent).toBe('Approve all ≥ 97.5 %…');
    await click($('#filter-pending'));
    await click($('#bulk-approve'));
    expect(mocked.bulkApproveCount).toHaveBeenLastCalledWith('r1', { sort: 'confidence_desc', status: 'pending' }, 0.975);
    expect(dialog()?.textContent).toContain('Approve 7 pending results at or above 97.5 % in this filter?');
    await setValue($('#bulk-min'), '0');
    // The dialog was open: cancel it first, then the button refuses a zero threshold.
    await click($('#bulk-cancel'));
    expect($<HTMLButtonElement>('#bulk-approve')?.disabled).toBe(true);
  });

  it('does nothing on cancel or Escape', async () => {
    mocked.bulkApproveCount.mockResolvedValue(5);
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    expect(dialog()).not.toBeNull();
    await click($('#bulk-cancel'));
    expect(dialog()).toBeNull();
    await click($('#bulk-approve'));
    expect(dialog()).not.toBeNull();
    await press('Escape');
    expect(dialog()).toBeNull();
    expect(mocked.bulkApprove).not.toHaveBeenCalled();
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(true);
  });

  it('keeps the focus on the dialog\'s buttons', async () => {
    mocked.bulkApproveCount.mockResolvedValue(5);
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    expect(document.activeElement).toBe($('#bulk-confirm'));
    await press('Tab', $('#bulk-confirm')!);
    expect(document.activeElement).toBe($('#bulk-cancel'));
    await press('Tab', $('#bulk-cancel')!);
    expect(document.activeElement).toBe($('#bulk-confirm'));
    await act(async () => {
      $('#bulk-confirm')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', shiftKey: true, bubbles: true, cancelable: true }));
    });
    expect(document.activeElement).toBe($('#bulk-cancel'));
  });

  it('says so instead of asking when nothing qualifies', async () => {
    mocked.bulkApproveCount.mockResolvedValue(0);
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    expect(dialog()).toBeNull();
    expect($('.banner-info')?.textContent).toContain('No pending results at or above 85 % in this filter');
    expect(mocked.bulkApprove).not.toHaveBeenCalled();
  });

  it('shows a conflict and asks again with the new count', async () => {
    mocked.bulkApproveCount.mockResolvedValueOnce(123).mockResolvedValueOnce(120);
    mocked.bulkApprove.mockRejectedValueOnce({ code: 'conflict', message: '120 results now qualify, not the 123 confirmed; nothing was approved, confirm again' });
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    await click($('#bulk-confirm'));
    expect(dialog()).not.toBeNull();
    expect($('#bulk-confirm-error')?.textContent).toContain('120 results now qualify, not the 123 confirmed');
    expect(dialog()?.textContent).toContain('Approve 120 pending results at or above 85 % in this filter?');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(true);
    mocked.bulkApprove.mockResolvedValueOnce({ decisions: [{ result_id: 'a', decision_id: 'd1' }] });
    await click($('#bulk-confirm'));
    expect(mocked.bulkApprove).toHaveBeenLastCalledWith('r1', { query: DEFAULT_QUERY, min_confidence: 0.85, expected: 120 });
    expect(dialog()).toBeNull();
  });

  it('undoes a whole bulk approval with one "u" and redoes it with one "U"', async () => {
    mocked.bulkApproveCount.mockResolvedValue(2);
    mocked.bulkApprove.mockResolvedValue({
      decisions: [
        { result_id: 'a', decision_id: 'd1' },
        { result_id: 'c', decision_id: 'd2' },
      ],
    });
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    await click($('#bulk-confirm'));

    mocked.revertDecisions.mockResolvedValueOnce({
      decisions: [
        { result_id: 'a', decision_id: 'u1' },
        { result_id: 'c', decision_id: 'u2' },
      ],
    });
    mocked.reviewCounts.mockResolvedValue(counts(2, 1, 0));
    let lists = mocked.listResults.mock.calls.length;
    await press('u');
    expect(mocked.revertDecisions).toHaveBeenCalledTimes(1);
    expect(mocked.revertDecisions).toHaveBeenLastCalledWith('r1', [
      { result_id: 'a', decision_id: 'd1' },
      { result_id: 'c', decision_id: 'd2' },
    ]);
    expect(mocked.revertDecision).not.toHaveBeenCalled();
    expect(mocked.listResults.mock.calls.length).toBeGreaterThan(lists);
    expect(count('pending')).toBe('Pending 2');
    expect($('.banner-info')?.textContent).toContain('Undone: the bulk approval of 2 results.');
    expect($<HTMLButtonElement>('#undo')?.disabled).toBe(true);
    expect($<HTMLButtonElement>('#redo')?.disabled).toBe(false);

    mocked.revertDecisions.mockResolvedValueOnce({
      decisions: [
        { result_id: 'a', decision_id: 'x1' },
        { result_id: 'c', decision_id: 'x2' },
      ],
    });
    mocked.reviewCounts.mockResolvedValue(counts(0, 3, 0));
    lists = mocked.listResults.mock.calls.length;
    await press('U');
    expect(mocked.revertDecisions).toHaveBeenLastCalledWith('r1', [
      { result_id: 'a', decision_id: 'u1' },
      { result_id: 'c', decision_id: 'u2' },
    ]);
    expect(mocked.listResults.mock.calls.length).toBeGreaterThan(lists);
    expect(count('approved')).toBe('Approved 3');
    expect($<HTMLButtonElement>('#redo')?.disabled).toBe(true);

    // Undo again reverts the redo's decisions.
    mocked.revertDecisions.mockResolvedValueOnce({ decisions: [] });
    await press('u');
    expect(mocked.revertDecisions).toHaveBeenLastCalledWith('r1', [
      { result_id: 'a', decision_id: 'x1' },
      { result_id: 'c', decision_id: 'x2' },
    ]);
  });

  it('shows an error when the bulk undo fails and keeps it undoable', async () => {
    mocked.bulkApproveCount.mockResolvedValue(1);
    mocked.bulkApprove.mockResolvedValue({ decisions: [{ result_id: 'a', decision_id: 'd1' }] });
    view = await render(<ReviewScreen active />);
    await click($('#bulk-approve'));
    await click($('#bulk-confirm'));
    mocked.revertDecisions.mockRejectedValueOnce({ code: 'conflict', message: 'decision d1 is no longer the latest of a' });
    await press('u');
    expect($('.banner-error')?.textContent).toContain('decision d1 is no longer the latest of a');
    expect($<HTMLButtonElement>('#undo')?.disabled).toBe(false);
  });
});
