// Pure logic of the review desk: default run choice, filters and their query, the paged queue cache, bulk approval texts.
import type { MatchResult } from './bindings/MatchResult';
import type { ResultQuery } from './bindings/ResultQuery';
import type { ResultSort } from './bindings/ResultSort';
import type { ReviewCounts } from './bindings/ReviewCounts';
import type { ReviewStatus } from './bindings/ReviewStatus';
import type { Run } from './bindings/Run';

/** The run the review screen opens on: the newest completed or cancelled one (runs come newest first). */
export function defaultReviewRun(runs: readonly Run[]): Run | undefined {
  return runs.find((r) => r.status === 'completed' || r.status === 'cancelled');
}

/** The index after moving by `delta` from `current` (-1 when nothing is selected), clamped to the list. */
export function moveIndex(current: number, delta: number, length: number): number {
  if (length === 0) return -1;
  if (current < 0) return delta >= 0 ? 0 : length - 1;
  return Math.max(0, Math.min(length - 1, current + delta));
}

/**
 * The index of the next pending result after `from`, wrapping round to the start; -1 when none is
 * pending (the result at `from` itself is not a candidate).
 */
export function nextPendingIndex(results: readonly MatchResult[], from: number): number {
  const n = results.length;
  for (let step = 1; step < n; step++) {
    const i = (from + step) % n;
    if (results[i]?.status === 'pending') return i;
  }
  return -1;
}

/** The list with one result replaced by what the backend returned for it. */
export function replaceResult(results: readonly MatchResult[], updated: MatchResult): MatchResult[] {
  return results.map((r) => (r.id === updated.id ? updated : r));
}

/** A short label of a run for a select: "Invoices to POs · 2024-05-01 14:03 · completed". */
export function runLabel(run: Run, formatDate: (iso: string | null) => string): string {
  return `${run.config_name} · ${formatDate(run.started_at ?? run.created_at)} · ${run.status}`;
}

/** Which results the queue shows, as the filter bar holds them (percent fields as typed). */
export interface ReviewFilters {
  /** 'suggested': the pending results with an open AI suggestion. */
  status: 'all' | ReviewStatus | 'suggested';
  /** "Confidence from", in percent as typed; '' = no lower bound. */
  minPercent: string;
  /** "to", in percent as typed; '' = no upper bound. */
  maxPercent: string;
  /** Text searched on both sides of the match (already debounced). */
  search: string;
  sort: ResultSort;
}

export const NO_FILTERS: ReviewFilters = { status: 'all', minPercent: '', maxPercent: '', search: '', sort: 'confidence_desc' };

export const SORTS: { id: ResultSort; label: string }[] = [
  { id: 'confidence_desc', label: 'Best confidence first' },
  { id: 'confidence_asc', label: 'Lowest confidence first' },
  { id: 'document', label: 'Document' },
  { id: 'recently_reviewed', label: 'Recently reviewed' },
];

export type ParsedPercent = { ok: true; value: number | undefined } | { ok: false; error: string };

/**
 * A percentage typed in a field as a fraction of 1: "85" → 0.85, "" → no value. Rounded to
 * hundredths of a percent so that "33.3" is 0.333, not 0.33299999999999996.
 */
export function parsePercent(text: string): ParsedPercent {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  const n = Number(t);
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t) || !Number.isFinite(n) || n > 100) return { ok: false, error: 'Enter a percentage from 0 to 100.' };
  return { ok: true, value: Math.round(n * 100) / 10000 };
}

/** Problems of the confidence fields, by field; empty when the filters can be sent. */
export function filterErrors(f: ReviewFilters): { min?: string; max?: string } {
  const min = parsePercent(f.minPercent);
  const max = parsePercent(f.maxPercent);
  const errors: { min?: string; max?: string } = {};
  if (!min.ok) errors.min = min.error;
  if (!max.ok) errors.max = max.error;
  if (min.ok && max.ok && min.value !== undefined && max.value !== undefined && min.value > max.value)
    errors.min = '"Confidence from" is above "to".';
  return errors;
}

/** The backend query of the filters (without page and limit); unusable bounds are left out. */
export function buildResultQuery(f: ReviewFilters): ResultQuery {
  const q: ResultQuery = { sort: f.sort };
  if (f.status === 'suggested') {
    // Only a pending result has an open suggestion (a decision settles it); saying so keeps the status index in use.
    q.status = 'pending';
    q.has_suggestion = true;
  } else if (f.status !== 'all') q.status = f.status;
  const min = parsePercent(f.minPercent);
  const max = parsePercent(f.maxPercent);
  if (min.ok && min.value !== undefined) q.min_confidence = min.value;
  if (max.ok && max.value !== undefined) q.max_confidence = max.value;
  const search = f.search.trim();
  if (search) q.search = search;
  return q;
}

/** A run's review band: the confidences a reviewer decides on, from the review floor up to the threshold. */
export interface ReviewBand {
  reviewFloor: number;
  threshold: number;
}

/**
 * The filters of the work a reviewer came for: the pending results of the run's review band (the
 * threshold itself included, as the upper bound is). Search and sort stay as they are.
 */
export function bandFilters(f: ReviewFilters, band: ReviewBand): ReviewFilters {
  return { ...f, status: 'pending', minPercent: percentText(band.reviewFloor), maxPercent: percentText(band.threshold) };
}

/** Whether `next` changes which results are shown by status or confidence (what the band sets). */
export function changesBand(cur: ReviewFilters, next: ReviewFilters): boolean {
  return cur.status !== next.status || cur.minPercent !== next.minPercent || cur.maxPercent !== next.maxPercent;
}

/** Whether any filter narrows or reorders the queue (so "Clear filters" has something to do). */
export function hasFilters(f: ReviewFilters, configId: string): boolean {
  return configId !== '' || JSON.stringify(f) !== JSON.stringify(NO_FILTERS);
}

/** The runs of one config ('' = all of them). */
export function runsOfConfig(runs: readonly Run[], configId: string): Run[] {
  return configId ? runs.filter((r) => r.matching_config_id === configId) : [...runs];
}

/** A fraction as a percentage for a field: 0.85 → "85", 0.875 → "87.5". */
export function percentText(fraction: number): string {
  return String(Math.round(fraction * 1000) / 10);
}

/** The question of the bulk approval dialog. */
export function bulkQuestion(count: number, percent: string, formatCount: (n: number) => string): string {
  return `Approve ${formatCount(count)} pending ${count === 1 ? 'result' : 'results'} at or above ${percent} % in this filter?`;
}

/** The notice after a bulk approval. */
export function bulkDoneNotice(count: number, formatCount: (n: number) => string): string {
  return `Approved ${formatCount(count)} ${count === 1 ? 'result' : 'results'}. Undo with u.`;
}

/** The counters as numbers: ts-rs types u64 as bigint, but Tauri hands over JSON numbers. */
export function countsOf(c: ReviewCounts): { pending: number; approved: number; rejected: number; today: number; todayAllRuns: number } {
  return {
    pending: Number(c.pending),
    approved: Number(c.approved),
    rejected: Number(c.rejected),
    today: Number(c.reviewed_today),
    todayAllRuns: Number(c.reviewed_today_all_runs),
  };
}


/** The result at `index` of a queue cached by 1-based pages of `pageSize`; undefined when not loaded. */
export function cachedAt(pages: ReadonlyMap<number, readonly MatchResult[]>, index: number, pageSize: number): MatchResult | undefined {
  if (index < 0) return undefined;
  return pages.get(Math.floor(index / pageSize) + 1)?.[index % pageSize];
}

/** The cached pages with one result replaced by what the backend returned; null when it is not cached. */
export function patchPages(
  pages: ReadonlyMap<number, readonly MatchResult[]>,
  updated: MatchResult,
): Map<number, MatchResult[]> | null {
  for (const [page, rows] of pages) {
    if (rows.some((r) => r.id === updated.id)) {
      const next = new Map(pages as Map<number, MatchResult[]>);
      next.set(page, replaceResult(rows, updated));
      return next;
    }
  }
  return null;
}

export type PendingScan = { kind: 'found'; index: number } | { kind: 'unloaded'; index: number } | { kind: 'none' };

/**
 * The next pending result after `from` in a queue of `total` of which only some are loaded,
 * wrapping round to the start (`from` itself is not a candidate). Stops at the first result not
 * loaded yet, so the caller can fetch its page and look again.
 */
export function scanForPending(itemAt: (index: number) => MatchResult | undefined, from: number, total: number): PendingScan {
  return scanFor(itemAt, from, total, isPending);
}

export function isPending(r: MatchResult): boolean {
  return r.status === 'pending';
}

/** Whether a result carries an ai-resolve suggestion no one has answered yet. */
export function hasOpenSuggestion(r: MatchResult): boolean {
  return r.suggestion !== undefined && r.suggestion !== null;
}

/** As scanForPending, for the next result `wanted` says yes to. */
export function scanFor(itemAt: (index: number) => MatchResult | undefined, from: number, total: number, wanted: (r: MatchResult) => boolean): PendingScan {
  for (let step = 1; step < total; step++) {
    const i = (from + step) % total;
    const r = itemAt(i);
    if (!r) return { kind: 'unloaded', index: i };
    if (wanted(r)) return { kind: 'found', index: i };
  }
  return { kind: 'none' };
}
