// The left pane of the review desk: how many results, the run's counters, and the queue (or why it is empty).
import type { ReactNode } from 'react';

import { formatCount } from '../../format';
import { SORTS, type ReviewFilters } from '../../review';
import type { Counts } from './useReviewCounts';

function CountsLine({ counts }: { counts: Counts }) {
  return (
    <p id="review-counts" className="review-counts small" aria-live="polite">
      <span data-count="pending">
        Pending <strong>{formatCount(counts.pending)}</strong>
      </span>
      {' · '}
      <span data-count="approved">
        Approved <strong>{formatCount(counts.approved)}</strong>
      </span>
      {' · '}
      <span data-count="rejected">
        Rejected <strong>{formatCount(counts.rejected)}</strong>
      </span>
      {' · '}
      <span data-count="today" title={`Reviewed today in all runs: ${formatCount(counts.todayAllRuns)}`}>
        Reviewed today <strong>{formatCount(counts.today)}</strong>
      </span>
    </p>
  );
}

interface Props {
  /** Results in the queue; null until the first page arrives. */
  total: number | null;
  filters: ReviewFilters;
  counts: Counts | null;
  /** The queue is the review band's pending results. */
  bandOn: boolean;
  /** Widens the queue to every result (clears the filters). */
  onShowAll: () => void;
  /** The list itself, shown when there are results. */
  children: ReactNode;
}

/** Why the queue is empty, and the way out when filters made it so. */
function EmptyQueue({ filters, bandOn, onShowAll }: Pick<Props, 'filters' | 'bandOn' | 'onShowAll'>) {
  const filtered = filters.status !== 'all' || filters.minPercent !== '' || filters.maxPercent !== '' || filters.search !== '';
  return (
    <p className="empty" id="results-empty">
      {bandOn ? (
        'No pending result in the review band: nothing here needs a decision.'
      ) : (
        <>
          No results{filters.status === 'all' ? '' : filters.status === 'suggested' ? ' with an open AI suggestion' : ` with status ${filters.status}`}
          {filters.minPercent || filters.maxPercent || filters.search ? ' match these filters' : ''}.
        </>
      )}{' '}
      {filtered && (
        <button type="button" id="results-show-all" className="link" onClick={onShowAll}>
          Show all results
        </button>
      )}
    </p>
  );
}

export function ResultsPane({ total, filters, counts, bandOn, onShowAll, children }: Props) {
  const sortLabel = SORTS.find((s) => s.id === filters.sort)?.label ?? '';
  const n = total ?? 0;
  return (
    <section className="card results-pane" aria-labelledby="results-heading">
      <h2 id="results-heading" className="results-title">
        Results{' '}
        <span id="results-count" className="muted small" aria-live="polite">
          {total === null ? 'loading…' : `${formatCount(n)} ${n === 1 ? 'result' : 'results'}`}
        </span>
        <span className="muted small">
          {bandOn && ' · review band'} · {sortLabel.toLowerCase()}
        </span>
      </h2>
      {counts && <CountsLine counts={counts} />}
      {total === null ? (
        <p className="muted">Loading…</p>
      ) : n === 0 ? (
        <EmptyQueue filters={filters} bandOn={bandOn} onShowAll={onShowAll} />
      ) : (
        children
      )}
    </section>
  );
}
