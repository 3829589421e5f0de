// Pure logic of the review desk: default run choice, moving the selection, finding the next pending result.
import type { MatchResult } from './bindings/MatchResult';
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
