// The review desk and ai-resolve against a mocked api: the suggestion panel and list marker, g / s / d, undo of an accepted suggestion and of a dismissed one, the "AI suggested" filter, and the waterfall of a smart run's result.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', () => ({
  listRuns: vi.fn(),
  listConfigs: vi.fn(),
  getConfig: vi.fn(),
  getStrategy: vi.fn(),
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
  acceptSuggestion: vi.fn(),
  dismissSuggestion: vi.fn(),
  restoreSuggestion: vi.fn(),
}));

import * as api from '../api';
import type { AiSuggestion } from '../bindings/AiSuggestion';
import type { MatchResult } from '../bindings/MatchResult';
import type { ReviewCounts } from '../bindings/ReviewCounts';
import type { ReviewDecision } from '../bindings/ReviewDecision';
import type { Run } from '../bindings/Run';
import { resetProgressHub } from '../progressHub';
import { click, press, render, settle, type Rendered } from '../testing';
import { ReviewScreen } from './ReviewScreen';

const mocked = vi.mocked(api);

const run = (extra: Partial<Run> = {}): Run => ({
  id: 'r1',
  matching_config_id: 'cfg',
  config_name: 'Invoices to POs',
  status: 'completed',
  triggered_by: 'manual',
  rows_processed: 3,
  rows_total: 3,
  rows_matched: 1,
  avg_confidence: 0.95,
  pairs_compared: null,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T10:01:00Z',
  error: null,
  created_at: '2024-05-01T10:00:00Z',
  run_type: 'manual',
  strategy_id: null,
  ...extra,
});

const suggestion = (status: AiSuggestion['status'], row: string | null): AiSuggestion => ({
  id: `sg-${row ?? 'none'}`,
  resolved_by: 'ai',
  status,
  reference_row_id: row,
  probability: 0.999,
  reason: 'Match probability 99.9 %: po_reference same (+8.6), vendor_name similar (+2.5).',
  created_at: '2024-05-01T10:02:00Z',
});

function result(id: string, confidence: number, s?: AiSuggestion, weights?: number[]): MatchResult {
  return {
    id,
    run_id: 'r1',
    document_id: `DOC-${id}`,
    document_filename: `${id}.pdf`,
    matched_reference_row_id: null,
    confidence,
    status: 'pending',
    notes: null,
    evidence: [
      { source: 'po', target: 'po_number', strategy: 'fuzzy', weight: 0.6, score: 1, source_value: 'PO 1', target_value: 'PO-1', missing: false, ...(weights ? { match_weight: weights[0] } : {}) },
      { source: 'vendor', target: 'vendor_name', strategy: 'fuzzy', weight: 0.4, score: 0.8, source_value: 'Acme', target_value: 'Acme Ltd', missing: false, ...(weights ? { match_weight: weights[1] } : {}) },
    ],
    candidates: [{ rank: 1, reference_row_id: 'PO-1', confidence, evidence: [] }],
    contested: false,
    reviewed_at: null,
    ...(s ? { suggestion: s } : {}),
  };
}

const counts = (pending: number, approved: number) => ({ pending, approved, rejected: 0, reviewed_today: 0, reviewed_today_all_runs: 0 }) as unknown as ReviewCounts;

const decision = (id: string, status: ReviewDecision['status'], extra: Partial<ReviewDecision> = {}): ReviewDecision => ({
  id,
  result_id: 'b',
  run_id: 'r1',
  document_id: 'DOC-b',
  reference_row_id: 'PO-1',
  previous_status: 'pending',
  status,
  notes: null,
  decided_by: 'me',
  decided_at: '2024-05-01T11:00:00Z',
  reverts: null,
  suggestion_id: null,
  ...extra,
});

let view: Rendered | null = null;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listRuns.mockResolvedValue([run()]);
  mocked.listConfigs.mockResolvedValue([]);
  mocked.getConfig.mockResolvedValue({
    id: 'cfg',
    name: 'Invoices to POs',
    reference_data_id: 'ref',
    document_set_id: null,
    target_type: 'reference',
    target_value: {},
    field_mappings: [],
    threshold: 0.97,
    review_floor: 0.5,
    one_to_one: false,
    created_at: '',
    updated_at: '',
  } as never);
  mocked.listDatasets.mockResolvedValue([]);
  mocked.reviewCounts.mockResolvedValue(counts(3, 0));
  mocked.resultDecisions.mockResolvedValue([]);
  mocked.referenceRows.mockResolvedValue([]);
  mocked.listResults.mockResolvedValue({
    data: [result('a', 0.99), result('b', 0.92, suggestion('approved', 'PO-1')), result('c', 0.9, suggestion('rejected', null))],
    total: 3,
    page: 1,
    limit: 200,
  });
});

afterEach(() => {
  view?.unmount();
  view = null;
});

const item = (id: string) => document.querySelector<HTMLLIElement>(`li[data-result-id="${id}"]`);
const selectedId = () => document.querySelector<HTMLLIElement>('li[data-result-id][aria-selected="true"]')?.dataset.resultId;

describe('ReviewScreen suggestions', () => {
  it('marks results with a suggestion, goes to them with g and shows the suggestion as one', async () => {
    view = await render(<ReviewScreen active />);
    expect(item('a')?.dataset.suggestion).toBeUndefined();
    expect(item('b')?.dataset.suggestion).toBe('approved');
    expect(item('b')?.querySelector('.suggestion-marker')).not.toBeNull();
    expect(selectedId()).toBe('a');
    expect(document.querySelector('#result-suggestion')).toBeNull();

    await press('g');
    expect(selectedId()).toBe('b');
    const panel = document.querySelector('#result-suggestion');
    expect(panel?.textContent).toContain('AI suggestion');
    expect(panel?.textContent).toContain('not a decision');
    expect(document.querySelector('#suggestion-text')?.textContent).toBe('Approve PO-1 as the match');
    expect(document.querySelector('#suggestion-reason')?.textContent).toContain('po_reference same');
    // Still pending: a suggestion decides nothing.
    expect(document.querySelector('#result-status')?.textContent).toBe('Pending');
  });

  it('g pressed while the queue reloads waits for the fresh page instead of being dropped', async () => {
    view = await render(<ReviewScreen active />);
    expect(selectedId()).toBe('a');
    // The next load of the queue hangs until released: the pages on screen are stale meanwhile.
    let release: () => void = () => {};
    const fresh = { data: [result('a', 0.99), result('b', 0.92, suggestion('approved', 'PO-1')), result('c', 0.9)], total: 3, page: 1, limit: 200 };
    mocked.listResults.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(fresh))));
    await click(document.querySelector('#filter-suggested'));
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', expect.objectContaining({ has_suggestion: true }));
    await press('g');
    expect(selectedId()).toBe('a');
    release();
    await settle();
    expect(selectedId()).toBe('b');
    expect(document.querySelector('#result-suggestion')).not.toBeNull();
  });

  it('accepts with s (undoable, the next suggestion opens) and dismisses with d (undoable too)', async () => {
    view = await render(<ReviewScreen active />);
    await press('g');
    const accepted: MatchResult = { ...result('b', 0.92), status: 'approved', matched_reference_row_id: 'PO-1' };
    mocked.acceptSuggestion.mockResolvedValue(accepted);
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved', { suggestion_id: 'sg-PO-1' })]);
    await press('s');
    expect(mocked.acceptSuggestion).toHaveBeenCalledWith('r1', 'b');
    expect(item('b')?.dataset.status).toBe('approved');
    expect(item('b')?.dataset.suggestion).toBeUndefined();
    expect(selectedId()).toBe('c');
    expect(document.querySelector('#suggestion-text')?.textContent).toBe('Reject: no candidate is the match');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(false);

    mocked.dismissSuggestion.mockResolvedValue(result('c', 0.9));
    await press('d');
    expect(mocked.dismissSuggestion).toHaveBeenCalledWith('r1', 'c');
    expect(item('c')?.dataset.suggestion).toBeUndefined();
    expect(item('c')?.dataset.status).toBe('pending');
    expect(document.querySelector('.banner')?.textContent).toContain('No open AI suggestions left');

    // Undo takes the dismissal back first (the suggestion is open again), then the acceptance.
    mocked.restoreSuggestion.mockResolvedValue(result('c', 0.9, suggestion('rejected', null)));
    await press('u');
    expect(mocked.restoreSuggestion).toHaveBeenCalledWith('r1', 'c', 'sg-none');
    expect(mocked.revertDecision).not.toHaveBeenCalled();
    mocked.revertDecision.mockResolvedValue(result('b', 0.92));
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved', { suggestion_id: 'sg-PO-1' }), decision('d2', 'pending', { reverts: 'd1' })]);
    await press('u');
    expect(mocked.revertDecision).toHaveBeenCalledWith('r1', 'b', 'd1');
  });

  it('undoes a dismissal by restoring the suggestion, and redoes it by dismissing it again', async () => {
    view = await render(<ReviewScreen active />);
    await press('g');
    expect(selectedId()).toBe('b');
    mocked.dismissSuggestion.mockResolvedValue(result('b', 0.92));
    await press('d');
    expect(mocked.dismissSuggestion).toHaveBeenCalledWith('r1', 'b');
    expect(item('b')?.dataset.suggestion).toBeUndefined();
    // On to the next result with a suggestion; the dismissal is one undo step.
    expect(selectedId()).toBe('c');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(false);

    mocked.restoreSuggestion.mockResolvedValue(result('b', 0.92, suggestion('approved', 'PO-1')));
    await press('u');
    expect(mocked.restoreSuggestion).toHaveBeenCalledWith('r1', 'b', 'sg-PO-1');
    expect(mocked.revertDecision).not.toHaveBeenCalled();
    expect(selectedId()).toBe('b');
    expect(item('b')?.dataset.suggestion).toBe('approved');
    expect(document.querySelector('#suggestion-text')?.textContent).toBe('Approve PO-1 as the match');
    expect(document.querySelector('.banner')?.textContent).toContain('Undone: the suggestion on b.pdf is open again.');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(true);

    mocked.dismissSuggestion.mockClear();
    await press('U');
    expect(mocked.dismissSuggestion).toHaveBeenCalledWith('r1', 'b');
    expect(item('b')?.dataset.suggestion).toBeUndefined();
    expect(document.querySelector('.banner')?.textContent).toContain('Redone: the suggestion on b.pdf is dismissed again.');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(false);
    expect(document.querySelector<HTMLButtonElement>('#redo')?.disabled).toBe(true);
  });

  it('says so when a dismissal can no longer be undone, and keeps it on the stack', async () => {
    view = await render(<ReviewScreen active />);
    await press('g');
    mocked.dismissSuggestion.mockResolvedValue(result('b', 0.92));
    await press('d');
    mocked.restoreSuggestion.mockRejectedValue(new Error('suggestion sg-PO-1 cannot be restored: result b has been approved since'));
    await press('u');
    expect(document.querySelector('.banner-error')?.textContent).toContain('cannot be restored');
    expect(document.querySelector<HTMLButtonElement>('#undo')?.disabled).toBe(false);
  });

  it('"AI suggested" shows the pending results with an open suggestion, for the list and for bulk approval', async () => {
    view = await render(<ReviewScreen active />);
    const button = document.querySelector<HTMLButtonElement>('#filter-suggested');
    expect(button?.textContent).toBe('AI suggested');
    expect(button?.getAttribute('aria-pressed')).toBe('false');
    await click(button);
    const query = { sort: 'confidence_desc', status: 'pending', has_suggestion: true, min_confidence: 0.5, max_confidence: 0.97 };
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', { ...query, page: 1, limit: 200 });
    expect(document.querySelector('#filter-suggested')?.getAttribute('aria-pressed')).toBe('true');
    expect(document.querySelector('#filter-pending')?.getAttribute('aria-pressed')).toBe('false');
    mocked.bulkApproveCount.mockResolvedValue(0);
    await click(document.querySelector('#bulk-approve'));
    expect(mocked.bulkApproveCount).toHaveBeenCalledWith('r1', query, 0.97);
    // Cleared, every result again.
    await click(document.querySelector('#filter-all'));
    expect(mocked.listResults).toHaveBeenLastCalledWith('r1', { sort: 'confidence_desc', min_confidence: 0.5, max_confidence: 0.97, page: 1, limit: 200 });
  });

  it('answers with the buttons too, and says so when there is no suggestion to answer', async () => {
    view = await render(<ReviewScreen active />);
    await press('s');
    expect(mocked.acceptSuggestion).not.toHaveBeenCalled();
    expect(document.querySelector('.banner')?.textContent).toContain('no open AI suggestion');
    await press('g');
    mocked.acceptSuggestion.mockResolvedValue({ ...result('b', 0.92), status: 'approved' });
    await click(document.querySelector('#accept-suggestion'));
    expect(mocked.acceptSuggestion).toHaveBeenCalledWith('r1', 'b');
  });

  it('names accepted suggestions in the history', async () => {
    mocked.resultDecisions.mockResolvedValue([decision('d1', 'approved', { result_id: 'a', suggestion_id: 'sg-1' })]);
    view = await render(<ReviewScreen active />);
    expect(document.querySelector('.history')?.textContent).toContain('accepted the AI suggestion');
  });

  it('draws the waterfall of a smart run’s result from its match weights', async () => {
    mocked.listRuns.mockResolvedValue([run({ run_type: 'smart', strategy_id: 's1' })]);
    mocked.getStrategy.mockRejectedValue(new Error('gone'));
    mocked.listResults.mockResolvedValue({ data: [result('a', 0.8, undefined, [3, -1])], total: 1, page: 1, limit: 200 });
    view = await render(<ReviewScreen active />);
    const steps = [...document.querySelectorAll<HTMLElement>('#waterfall [data-step]')].map((s) => s.dataset.step);
    expect(steps).toEqual(['prior', 'po → po_number', 'vendor → vendor_name', 'total']);
    // log2(0.8 / 0.2) = 2 = prior + 3 - 1: the prior is 0.
    expect(document.querySelector<HTMLElement>('#waterfall [data-step="prior"]')?.dataset.bits).toBe('0.000');
    expect(document.querySelector('#waterfall-probability')?.textContent).toBe('80%');
  });

  it('draws no waterfall for a standard run', async () => {
    view = await render(<ReviewScreen active />);
    expect(document.querySelector('#waterfall')).toBeNull();
  });
});
