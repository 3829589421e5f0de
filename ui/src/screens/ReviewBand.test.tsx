// The review desk's default queue against a mocked api: the pending results of the run's review band, followed from run to
// run, widened by the user (and by a bundle's request), said so when empty; and what it tells the guided first start.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', () => ({
  listRuns: vi.fn(),
  listConfigs: vi.fn(),
  getConfig: vi.fn(),
  listDatasets: vi.fn(),
  runSummary: vi.fn(),
  listResults: vi.fn(),
  resultDecisions: vi.fn(),
  referenceRows: vi.fn(),
  reviewResult: vi.fn(),
  reviewCounts: vi.fn(),
}));

import * as api from '../api';
import type { MatchResult } from '../bindings/MatchResult';
import type { ReviewCounts } from '../bindings/ReviewCounts';
import type { Run } from '../bindings/Run';
import type { RunSummary } from '../bindings/RunSummary';
import { requestReviewBand, subscribeGuide, type GuideSignal } from '../guide';
import { resetProgressHub } from '../progressHub';
import { change, click, press, render, settle, type Rendered } from '../testing';
import { RESULTS_PAGE_SIZE } from './review/constants';
import type { ReviewRequest } from './review/useReviewRuns';
import { ReviewScreen } from './ReviewScreen';

const mocked = vi.mocked(api);

const run = (id: string, configId: string): Run => ({
  id,
  matching_config_id: configId,
  config_name: `Config ${configId}`,
  status: 'completed',
  triggered_by: 'manual',
  rows_processed: 2,
  rows_total: 2,
  rows_matched: 1,
  avg_confidence: 0.9,
  pairs_compared: null,
  started_at: '2024-05-01T10:00:00Z',
  completed_at: '2024-05-01T10:01:00Z',
  error: null,
  created_at: '2024-05-01T10:00:00Z',
  run_type: 'manual',
  strategy_id: null,
});

const result = (id: string, confidence: number): MatchResult => ({
  id,
  run_id: 'r1',
  document_id: `DOC-${id}`,
  document_filename: null,
  matched_reference_row_id: 'PO-1',
  confidence,
  status: 'pending',
  notes: null,
  evidence: [],
  candidates: [{ rank: 1, reference_row_id: 'PO-1', confidence, evidence: [] }],
  contested: false,
  reviewed_at: null,
});

/** Each run's own band, as its summary (the config snapshot it ran with) says. */
const BANDS: Record<string, [number, number]> = { r1: [0.6, 0.8], r2: [0.4, 0.9] };

const queries = () => mocked.listResults.mock.calls.map(([id, q]) => [id, { ...q, page: undefined, limit: undefined }]);
const band = (id: string) => {
  const [floor, threshold] = BANDS[id] ?? [0, 1];
  return { sort: 'confidence_desc', status: 'pending', min_confidence: floor, max_confidence: threshold, page: undefined, limit: undefined };
};
const all = { sort: 'confidence_desc', page: undefined, limit: undefined };
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);

let view: Rendered | null = null;
let signals: GuideSignal[] = [];
let unsubscribe: () => void = () => undefined;

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.listRuns.mockResolvedValue([run('r1', 'cfg1'), run('r2', 'cfg2')]);
  mocked.listConfigs.mockResolvedValue([]);
  mocked.getConfig.mockRejectedValue(new Error('gone'));
  mocked.listDatasets.mockResolvedValue([]);
  mocked.runSummary.mockImplementation(async (id) => {
    const [review_floor, threshold] = BANDS[id] ?? [0, 1];
    return { threshold, review_floor } as RunSummary;
  });
  mocked.listResults.mockResolvedValue({ data: [result('a', 0.7), result('b', 0.65)], total: 2, page: 1, limit: RESULTS_PAGE_SIZE });
  mocked.resultDecisions.mockResolvedValue([]);
  mocked.referenceRows.mockResolvedValue([]);
  mocked.reviewCounts.mockResolvedValue({ pending: 2, approved: 0, rejected: 0, reviewed_today: 0, reviewed_today_all_runs: 0 } as unknown as ReviewCounts);
  signals = [];
  unsubscribe = subscribeGuide((s) => signals.push(s));
});

afterEach(() => {
  unsubscribe();
  view?.unmount();
  view = null;
});

describe('ReviewScreen review band', () => {
  it('opens on the band its run ran with, follows it to another run, and widens for good once the user changes it', async () => {
    view = await render(<ReviewScreen active />);
    expect(queries()).toEqual([['r1', band('r1')]]);
    expect($('#filter-pending')?.getAttribute('aria-pressed')).toBe('true');
    expect((document.querySelector('#filter-min') as HTMLInputElement).value).toBe('60');
    expect((document.querySelector('#filter-max') as HTMLInputElement).value).toBe('80');
    expect($('#results-heading')?.textContent).toContain('review band');
    await change($('#review-run'), 'r2');
    expect(queries().at(-1)).toEqual(['r2', band('r2')]);
    // "All" is the user's choice: it stands when the run changes.
    await click($('#filter-all'));
    expect($('#filter-band')?.getAttribute('aria-pressed')).toBe('false');
    expect(queries().at(-1)).toEqual(['r2', { ...all, min_confidence: 0.4, max_confidence: 0.9 }]);
    await change($('#review-run'), 'r1');
    expect(queries().at(-1)).toEqual(['r1', { ...all, min_confidence: 0.4, max_confidence: 0.9 }]);
    await click($('#filter-band'));
    expect(queries().at(-1)).toEqual(['r1', band('r1')]);
    // Pressed again, the toggle shows every result.
    await click($('#filter-band'));
    expect(queries().at(-1)).toEqual(['r1', all]);
  });

  it('says when nothing in the band is pending and widens on "Show all results"', async () => {
    mocked.listResults.mockResolvedValueOnce({ data: [], total: 0, page: 1, limit: RESULTS_PAGE_SIZE });
    view = await render(<ReviewScreen active />);
    expect($('#results-empty')?.textContent).toContain('No pending result in the review band');
    await click($('#results-show-all'));
    expect(queries().at(-1)).toEqual(['r1', all]);
    expect(document.querySelectorAll('li[data-result-id]')).toHaveLength(2);
  });

  it('opens a run asked for by another screen on its band, or on all of it when widened', async () => {
    let request: ReviewRequest = null;
    view = await render(<ReviewScreen active request={request} />);
    await click($('#filter-clear'));
    request = { runId: 'r2', seq: 1 };
    await act(async () => view!.root.render(<ReviewScreen active request={request} />));
    await settle();
    expect(queries().at(-1)).toEqual(['r2', band('r2')]);
    request = { runId: 'r1', seq: 2, widen: true };
    await act(async () => view!.root.render(<ReviewScreen active request={request} />));
    await settle();
    expect(queries().at(-1)).toEqual(['r1', all]);
  });

  it('opens on every result of a run asked for widened before its band is read', async () => {
    view = await render(<ReviewScreen active request={{ runId: 'r2', seq: 1, widen: true }} />);
    expect(queries()).toEqual([['r2', all]]);
    expect($('#filter-band')?.getAttribute('aria-pressed')).toBe('false');
  });

  it('tells the guide when the band is on screen and a result is approved, and shows the band when the guide asks', async () => {
    view = await render(<ReviewScreen active={false} />);
    expect(signals).toEqual([]);
    await act(async () => view!.root.render(<ReviewScreen active />));
    await settle();
    expect(signals).toEqual(['band']);
    mocked.reviewResult.mockResolvedValue({ ...result('a', 0.7), status: 'approved' });
    await press('a');
    expect(mocked.reviewResult).toHaveBeenCalledWith('r1', 'a', { status: 'approved' });
    expect(signals).toEqual(['band', 'approve']);
    await click($('#filter-clear'));
    await act(async () => requestReviewBand());
    await settle();
    expect(queries().at(-1)).toEqual(['r1', band('r1')]);
  });
});
