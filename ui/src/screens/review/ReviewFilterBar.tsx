// The filter bar: config, search, the review band, confidence bounds, sort and clearing them, with room for the bulk approval field.
import type { ReactNode } from 'react';

import type { MatchingConfig } from '../../bindings/MatchingConfig';
import type { ResultSort } from '../../bindings/ResultSort';
import { hasFilters, SORTS } from '../../review';
import { PercentInput } from './PercentInput';
import type { ReviewFilterState } from './useReviewFilters';

interface Props {
  configs: MatchingConfig[] | null;
  configFilter: string;
  onConfigFilter: (configId: string) => void;
  /** Only the runs of bundles held for review. */
  bundlesOnly: boolean;
  onBundlesOnly: (on: boolean) => void;
  state: ReviewFilterState;
  onClear: () => void;
  /** The bulk approval field, after the filters it approves. */
  children: ReactNode;
}

export function ReviewFilterBar({ configs, configFilter, onConfigFilter, bundlesOnly, onBundlesOnly, state, onClear, children }: Props) {
  const { filters, setFilters, searchText, setSearchText, errors, bandOn } = state;
  return (
    <div className="toolbar review-filters" role="group" aria-label="Filters and bulk approval">
      <span className="filter-field">
        <label htmlFor="filter-config">Config</label>
        <select id="filter-config" value={configFilter} onChange={(e) => onConfigFilter(e.target.value)}>
          <option value="">All configs</option>
          {configs?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </span>
      <label className="filter-field check" htmlFor="filter-bundles">
        <input id="filter-bundles" type="checkbox" checked={bundlesOnly} onChange={(e) => onBundlesOnly(e.target.checked)} />
        Bundles in review
      </label>
      <span className="filter-field filter-search">
        <label htmlFor="filter-search">Search</label>
        <input
          id="filter-search"
          type="search"
          value={searchText}
          placeholder="Document, PO, vendor, amount…"
          onChange={(e) => setSearchText(e.target.value)}
          aria-keyshortcuts="/"
        />
      </span>
      <button
        type="button"
        id="filter-band"
        aria-pressed={bandOn}
        onClick={bandOn ? state.showAll : state.showBand}
        title={bandOn ? 'Showing the pending results between the review floor and the threshold; press to show every result' : 'Show the pending results between the review floor and the threshold'}
      >
        Review band
      </button>
      <span className="filter-field">
        <label htmlFor="filter-min">Confidence from</label>
        <PercentInput id="filter-min" value={filters.minPercent} error={errors.min} onChange={(v) => setFilters((f) => ({ ...f, minPercent: v }))} />
        <label htmlFor="filter-max">to</label>
        <PercentInput id="filter-max" value={filters.maxPercent} error={errors.max} onChange={(v) => setFilters((f) => ({ ...f, maxPercent: v }))} />
        <span aria-hidden="true">%</span>
      </span>
      <span className="filter-field">
        <label htmlFor="sort">Sort</label>
        <select id="sort" value={filters.sort} onChange={(e) => setFilters((f) => ({ ...f, sort: e.target.value as ResultSort }))}>
          {SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </span>
      <button type="button" id="filter-clear" onClick={onClear} disabled={!hasFilters(filters, configFilter) && searchText === ''}>
        Clear filters
      </button>
      {children}
      {errors.min && (
        <p className="field-error filter-error" id="filter-min-error" role="alert">
          Confidence from: {errors.min}
        </p>
      )}
      {errors.max && (
        <p className="field-error filter-error" id="filter-max-error" role="alert">
          Confidence to: {errors.max}
        </p>
      )}
    </div>
  );
}
