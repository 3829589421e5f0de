// Behaviour of the review screen against a mocked api: default run, bands, contested badge, keyboard decisions, write-then-render.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', () => ({
  listRuns: vi.fn(),
  getConfig: vi.fn(),
  listDatasets: vi.fn(),
  listResults: vi.fn(),
  resultDecisions: vi.fn(),
  referenceRows: vi.fn(),
  reviewResult: vi.fn(),
  revertDecision: vi.fn(),
}));

import * as api from '../api';
import type { MatchResult } from '../bindings/MatchResult';
import type { Run } from '../bindings/Run';
import { resetProgressHub } from '../progressHub';
import { click, emit, press, render, type Rendered } from '../testing';
import { ReviewScreen } from './ReviewScreen';

const mocked = vi.mocked(api);

function run(id: string, status: Run['status']): Run {
  return {
    id,
    matching_config_id: 'cfg',
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

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listRuns.mockResolvedValue([run('r2', 'running'), run('r1', 'completed')]);
  mocked.getConfig.mockResolvedValue({
    id: 'cfg',
    name: 'Invoices to POs',
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
    },
  ]);
  mocked.listResults.mockResolvedValue({
    data: [result('a', 0.95, 'pending', 'PO-1'), result('b', 0.7, 'approved', null), result('c', 0.3, 'pending', null)],
    total: 3,
    page: 1,
    limit: 50,
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

const item = (id: string) => document.querySelector<HTMLLIElement>(`li[data-result-id="${id}"]`);
const selectedItem = () => document.querySelector<HTMLLIElement>('li[data-result-id][aria-selected="true"]');

describe('ReviewScreen', () => {
  it('opens the newest completed run and selects the first pending result', async () => {
    view = await render(<ReviewScreen active />);
    expect(document.querySelector<HTMLSelectElement>('#review-run')?.value).toBe('r1');
    expect(mocked.listResults).toHaveBeenCalledWith('r1', { page: 1, limit: 50 });
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
      limit: 50,
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
    expect(mocked.referenceRows).toHaveBeenCalledWith('ref', ['PO-1', 'PO-2']);
    expect(document.querySelector('.record')?.textContent).toContain('amount');
    expect(document.querySelector('.record')?.textContent).toContain('100.00');
  });

  it('counts the run\'s results by status and counts again after a decision', async () => {
    const page = { data: [result('a', 0.95, 'pending', 'PO-1'), result('b', 0.7, 'approved', null)], total: 2, page: 1, limit: 50 };
    let totals: Record<string, number> = { pending: 120, approved: 30, rejected: 5 };
    mocked.listResults.mockImplementation(async (_run, q) => (q.limit === 1 ? { data: [], total: totals[q.status ?? ''] ?? 0, page: 1, limit: 1 } : page));
    view = await render(<ReviewScreen active />);
    const count = (s: string) => document.querySelector(`#review-counts [data-count="${s}"]`)?.textContent;
    expect(count('pending')).toBe('Pending 120');
    expect(count('approved')).toBe('Approved 30');
    expect(count('rejected')).toBe('Rejected 5');
    totals = { pending: 119, approved: 31, rejected: 5 };
    mocked.reviewResult.mockResolvedValue({ ...result('a', 0.95, 'approved', 'PO-1'), reviewed_at: '2024-05-01T11:00:00Z' });
    await press('a');
    expect(count('pending')).toBe('Pending 119');
    expect(count('approved')).toBe('Approved 31');
  });

  it('highlights the characters that differ in a field that did not fully agree', async () => {
    const r = result('a', 0.9, 'pending', 'PO-1');
    r.evidence = [
      { source: 'vendor', target: 'vendor', strategy: 'fuzzy', weight: 0.5, score: 0.97, source_value: 'Rockline Transprt', target_value: 'Rockline Transport', missing: false },
      { source: 'po', target: 'po_number', strategy: 'fuzzy', weight: 0.5, score: 1, source_value: 'PO 2024/1', target_value: 'PO-2024-000001', missing: false },
    ];
    mocked.listResults.mockResolvedValue({ data: [r], total: 1, page: 1, limit: 50 });
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
    mocked.listResults.mockResolvedValue({ data: [r], total: 1, page: 1, limit: 50 });
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
    const base = { result_id: 'a', run_id: 'r1', document_id: 'DOC-a', notes: null, decided_by: 'reviewer', decided_at: '2024-05-01T11:00:00Z' };
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
    await click(document.querySelector('#filter-pending'));
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', { page: 1, limit: 50, status: 'pending' });
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
