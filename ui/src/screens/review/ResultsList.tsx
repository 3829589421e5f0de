// The virtualised queue: a listbox as tall as all its rows, rendering only those in view (placeholders until their page arrives).
import type { UIEvent } from 'react';

import type { MatchResult } from '../../bindings/MatchResult';
import { ConfidenceBadge } from '../../components/ConfidenceBadge';
import { ContestedBadge } from '../../components/ContestedBadge';
import { StatusBadge } from '../../components/StatusBadge';
import { cachedAt } from '../../review';
import type { RowRange } from '../../virtualList';
import { RESULTS_PAGE_SIZE, ROW_HEIGHT } from './constants';
import type { RunContext } from './useRunContext';

interface Props {
  pages: Map<number, MatchResult[]>;
  total: number;
  range: RowRange;
  /** The pages shown belong to the previous query. */
  stale: boolean;
  selectedIndex: number;
  onSelect: (index: number) => void;
  context: RunContext;
  listRef: (el: HTMLUListElement | null) => void;
  onScroll: (e: UIEvent<HTMLUListElement>) => void;
  /** The run whose results the pages hold (they may still be another run's while a new one loads). */
  shownRunId?: string;
}

interface RowProps {
  r: MatchResult;
  i: number;
  total: number;
  selected: boolean;
  onSelect: (index: number) => void;
  context: RunContext;
}

function ResultRow({ r, i, total, selected, onSelect, context }: RowProps) {
  return (
    <li
      id={`result-${r.id}`}
      role="option"
      aria-selected={selected}
      aria-setsize={total}
      aria-posinset={i + 1}
      data-result-id={r.id}
      data-status={r.status}
      data-suggestion={r.suggestion ? r.suggestion.status : undefined}
      data-index={i}
      className={`result-item ${selected ? 'selected' : ''}`}
      style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
      onClick={() => onSelect(i)}
    >
      <span className="result-main">
        <span className="result-doc" title={r.document_filename ?? r.document_id}>
          {r.document_filename ?? r.document_id}
        </span>
        <span className="result-sub small muted">
          {r.document_filename && <span className="mono">{r.document_id} · </span>}
          {r.matched_reference_row_id ? <span className="mono">→ {r.matched_reference_row_id}</span> : <span className="no-match">no match</span>}
          {r.suggestion && (
            <span className="suggestion-marker" title={`AI suggests: ${r.suggestion.status === 'approved' ? 'approve' : 'reject'} (not decided yet)`}>
              AI
              <span className="visually-hidden">{` suggests ${r.suggestion.status === 'approved' ? 'approving' : 'rejecting'}`}</span>
            </span>
          )}
          {r.contested && (
            <>
              {' '}
              <ContestedBadge />
            </>
          )}
        </span>
      </span>
      <span className="result-side">
        <ConfidenceBadge confidence={r.confidence} threshold={context.threshold} reviewFloor={context.reviewFloor} />
        <StatusBadge status={r.status} />
      </span>
    </li>
  );
}

export function ResultsList({ pages, total, range, stale, selectedIndex, onSelect, context, listRef, onScroll, shownRunId }: Props) {
  const selected = cachedAt(pages, selectedIndex, RESULTS_PAGE_SIZE);
  const activeDescendant = selectedIndex < 0 ? undefined : selected ? `result-${selected.id}` : `result-slot-${selectedIndex}`;
  const rows: number[] = [];
  for (let i = range.start; i < range.end; i++) rows.push(i);
  return (
    <ul
      ref={listRef}
      className="results-list"
      role="listbox"
      aria-label="Results"
      tabIndex={0}
      aria-activedescendant={activeDescendant}
      aria-busy={stale || undefined}
      data-run-id={shownRunId}
      onScroll={onScroll}
    >
      <li className="results-spacer" role="presentation" aria-hidden="true" style={{ height: total * ROW_HEIGHT }} />
      {rows.map((i) => {
        const r = cachedAt(pages, i, RESULTS_PAGE_SIZE);
        if (r) return <ResultRow key={r.id} r={r} i={i} total={total} selected={i === selectedIndex} onSelect={onSelect} context={context} />;
        return (
          <li
            key={`slot-${i}`}
            id={`result-slot-${i}`}
            role="option"
            aria-selected={i === selectedIndex}
            aria-setsize={total}
            aria-posinset={i + 1}
            className={`result-item result-placeholder ${i === selectedIndex ? 'selected' : ''}`}
            style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
          >
            <span className="muted small">Loading…</span>
          </li>
        );
      })}
    </ul>
  );
}
