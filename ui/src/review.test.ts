// Tests of the review desk logic in review.ts.
import { describe, expect, it } from 'vitest';

import type { MatchResult } from './bindings/MatchResult';
import type { Run } from './bindings/Run';
import { defaultReviewRun, moveIndex, nextPendingIndex, replaceResult } from './review';

function run(id: string, status: Run['status']): Run {
  return {
    id,
    matching_config_id: 'c',
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
