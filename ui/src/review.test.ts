// Tests of the review desk logic in review.ts.
import { describe, expect, it } from 'vitest';

import type { MatchResult } from './bindings/MatchResult';
import type { Run } from './bindings/Run';
import {
  bandFilters,
  buildResultQuery,
  bulkDoneNotice,
  bulkQuestion,
  cachedAt,
  changesBand,
  countsOf,
  defaultReviewRun,
  filterErrors,
  hasFilters,
  moveIndex,
  nextPendingIndex,
  NO_FILTERS,
  parsePercent,
  patchPages,
  percentText,
  replaceResult,
  runsOfConfig,
  scanForPending,
} from './review';
import type { ReviewCounts } from './bindings/ReviewCounts';

function run(id: string, status: Run['status'], configId = 'c'): Run {
  return {
    id,
    matching_config_id: configId,
    config_name: 'C',
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
    run_type: 'manual',
    strategy_id: null,
    created_at: '2024-01-01T00:00:00Z',
  };
}

function result(id: string, status: MatchResult['status']): MatchResult {
  return {
    id,
    run_id: 'r',
    document_id: id,
    document_filename: null,
    matched_reference_row_id: null,
    confidence: 0.5,
    status,
    notes: null,
    evidence: null,
    candidates: [],
    contested: false,
    reviewed_at: null,
  };
}

describe('defaultReviewRun', () => {
  it('picks the newest completed or cancelled run', () => {
    expect(defaultReviewRun([run('a', 'running'), run('b', 'failed'), run('c', 'cancelled'), run('d', 'completed')])?.id).toBe('c');
    expect(defaultReviewRun([run('a', 'running')])).toBeUndefined();
  });
});

describe('moveIndex', () => {
  it('moves within bounds', () => {
    expect(moveIndex(0, 1, 3)).toBe(1);
    expect(moveIndex(2, 1, 3)).toBe(2);
    expect(moveIndex(0, -1, 3)).toBe(0);
    expect(moveIndex(-1, 1, 3)).toBe(0);
    expect(moveIndex(-1, -1, 3)).toBe(2);
    expect(moveIndex(0, 1, 0)).toBe(-1);
  });
});

describe('nextPendingIndex', () => {
  const list = [result('a', 'approved'), result('b', 'pending'), result('c', 'rejected'), result('d', 'pending')];
  it('finds the next pending result, wrapping round', () => {
    expect(nextPendingIndex(list, 1)).toBe(3);
    expect(nextPendingIndex(list, 3)).toBe(1);
    expect(nextPendingIndex(list, 0)).toBe(1);
  });
  it('returns -1 when nothing else is pending', () => {
    expect(nextPendingIndex([result('a', 'approved'), result('b', 'pending')], 1)).toBe(-1);
    expect(nextPendingIndex([], 0)).toBe(-1);
  });
  it('replaces a result with the returned one', () => {
    const updated = { ...result('b', 'approved'), notes: 'fine' };
    const next = replaceResult(list, updated);
    expect(next[1]).toBe(updated);
    expect(next).toHaveLength(4);
    expect(list[1]?.status).toBe('pending');
  });
});

describe('filters', () => {
  it('reads percentages as fractions of 1, empty as no bound', () => {
    expect(parsePercent('85')).toEqual({ ok: true, value: 0.85 });
    expect(parsePercent(' 33.3 ')).toEqual({ ok: true, value: 0.333 });
    expect(parsePercent('100')).toEqual({ ok: true, value: 1 });
    expect(parsePercent('0')).toEqual({ ok: true, value: 0 });
    expect(parsePercent('.5')).toEqual({ ok: true, value: 0.005 });
    expect(parsePercent('')).toEqual({ ok: true, value: undefined });
    for (const bad of ['101', '-1', 'abc', '1e2', '0x10', 'Infinity']) expect(parsePercent(bad).ok).toBe(false);
  });

  it('builds the query: status, bounds in 0..1, trimmed search, sort', () => {
    expect(buildResultQuery(NO_FILTERS)).toEqual({ sort: 'confidence_desc' });
    expect(buildResultQuery({ status: 'pending', minPercent: '80', maxPercent: '95', search: '  acme ', sort: 'document' })).toEqual({
      status: 'pending',
      min_confidence: 0.8,
      max_confidence: 0.95,
      search: 'acme',
      sort: 'document',
    });
    expect(buildResultQuery({ ...NO_FILTERS, minPercent: 'x', search: '   ' })).toEqual({ sort: 'confidence_desc' });
  });

  it('asks for the pending results with an open AI suggestion when "AI suggested" is on', () => {
    expect(buildResultQuery({ ...NO_FILTERS, status: 'suggested' })).toEqual({ sort: 'confidence_desc', status: 'pending', has_suggestion: true });
    expect(buildResultQuery({ ...NO_FILTERS, status: 'pending' }).has_suggestion).toBeUndefined();
  });

  it('flags bad bounds and a range upside down', () => {
    expect(filterErrors(NO_FILTERS)).toEqual({});
    expect(filterErrors({ ...NO_FILTERS, minPercent: '90', maxPercent: '80' }).min).toContain('above');
    expect(filterErrors({ ...NO_FILTERS, minPercent: '80', maxPercent: '80' })).toEqual({});
    expect(filterErrors({ ...NO_FILTERS, maxPercent: '120' }).max).toContain('0 to 100');
  });

  it('knows whether anything is filtered', () => {
    expect(hasFilters(NO_FILTERS, '')).toBe(false);
    expect(hasFilters(NO_FILTERS, 'cfg')).toBe(true);
    expect(hasFilters({ ...NO_FILTERS, sort: 'document' }, '')).toBe(true);
    expect(hasFilters({ ...NO_FILTERS, search: 'x' }, '')).toBe(true);
  });

  it('narrows runs to a config', () => {
    const runs = [run('a', 'completed', 'c1'), run('b', 'completed', 'c2'), run('c', 'running', 'c1')];
    expect(runsOfConfig(runs, 'c1').map((r) => r.id)).toEqual(['a', 'c']);
    expect(runsOfConfig(runs, '').map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('bulk approval texts and counters', () => {
  const fmt = (n: number) => n.toLocaleString('en-US');
  it('asks and reports with the count', () => {
    expect(bulkQuestion(123, '85', fmt)).toBe('Approve 123 pending results at or above 85 % in this filter?');
    expect(bulkQuestion(1, '97.5', fmt)).toBe('Approve 1 pending result at or above 97.5 % in this filter?');
    expect(bulkQuestion(12345, '85', fmt)).toBe('Approve 12,345 pending results at or above 85 % in this filter?');
    expect(bulkDoneNotice(123, fmt)).toBe('Approved 123 results. Undo with u.');
    expect(bulkDoneNotice(1, fmt)).toBe('Approved 1 result. Undo with u.');
  });

  it('shows a threshold as a percentage', () => {
    expect(percentText(0.85)).toBe('85');
    expect(percentText(0.875)).toBe('87.5');
    expect(percentText(0.9)).toBe('90');
  });

  it('reads counters sent as numbers or bigints', () => {
    const asNumbers = { pending: 3, approved: 2, rejected: 1, reviewed_today: 4, reviewed_today_all_runs: 9 } as unknown as ReviewCounts;
    const expected = { pending: 3, approved: 2, rejected: 1, today: 4, todayAllRuns: 9 };
    expect(countsOf(asNumbers)).toEqual(expected);
    expect(countsOf({ pending: 3, approved: 2, rejected: 1, reviewed_today: 4, reviewed_today_all_runs: 9 })).toEqual(expected);
  });
});

describe('paged queue cache', () => {
  const pages = new Map([
    [1, [result('a', 'approved'), result('b', 'pending')]],
    [3, [result('e', 'approved'), result('f', 'pending')]],
  ]);

  it('finds a result by its index in the whole queue', () => {
    expect(cachedAt(pages, 1, 2)?.id).toBe('b');
    expect(cachedAt(pages, 2, 2)).toBeUndefined();
    expect(cachedAt(pages, 4, 2)?.id).toBe('e');
    expect(cachedAt(pages, -1, 2)).toBeUndefined();
  });

  it('patches one result in place and leaves the input alone', () => {
    const updated = { ...result('f', 'approved'), notes: 'ok' };
    const next = patchPages(pages, updated);
    expect(next?.get(3)?.[1]).toBe(updated);
    expect(next?.get(1)).toBe(pages.get(1));
    expect(pages.get(3)?.[1]?.status).toBe('pending');
    expect(patchPages(pages, result('zz', 'approved'))).toBeNull();
  });

  it('scans for the next pending result, stopping at what is not loaded', () => {
    const at = (i: number) => cachedAt(pages, i, 2);
    // After b (1): 2 is on page 2, not loaded.
    expect(scanForPending(at, 1, 6)).toEqual({ kind: 'unloaded', index: 2 });
    // After f (5): wraps round to b.
    expect(scanForPending(at, 5, 6)).toEqual({ kind: 'found', index: 1 });
    expect(scanForPending(at, 0, 2)).toEqual({ kind: 'found', index: 1 });
    expect(scanForPending(at, 1, 2)).toEqual({ kind: 'none' });
    expect(scanForPending(at, 0, 0)).toEqual({ kind: 'none' });
  });
});

describe('review band', () => {
  const band = { reviewFloor: 0.5, threshold: 0.85 };

  it('is the pending results from the review floor up to the threshold, keeping search and sort', () => {
    const f = bandFilters({ ...NO_FILTERS, search: 'acme', sort: 'document' }, band);
    expect(f).toEqual({ status: 'pending', minPercent: '50', maxPercent: '85', search: 'acme', sort: 'document' });
    expect(buildResultQuery(f)).toEqual({ sort: 'document', status: 'pending', min_confidence: 0.5, max_confidence: 0.85, search: 'acme' });
    expect(hasFilters(f, '')).toBe(true);
  });

  it('is left by a change of status or bounds, not of search or sort', () => {
    const f = bandFilters(NO_FILTERS, band);
    expect(changesBand(f, { ...f, search: 'x', sort: 'confidence_asc' })).toBe(false);
    expect(changesBand(f, { ...f, status: 'all' })).toBe(true);
    expect(changesBand(f, { ...f, minPercent: '70' })).toBe(true);
    expect(changesBand(f, { ...f, maxPercent: '' })).toBe(true);
  });
});
