// The filter bar's state: status, confidence bounds, sort and the debounced search, and the query they make.
// The desk opens on the work a reviewer came for, the pending results of the run's review band, and follows the band from
// run to run until the user changes the status or the bounds (or clears the filters), which widens the queue for good.
import { useCallback, useEffect, useMemo, useRef, useState, type SetStateAction } from 'react';

import type { ResultQuery } from '../../bindings/ResultQuery';
import { bandFilters, buildResultQuery, changesBand, filterErrors, NO_FILTERS, type ReviewBand, type ReviewFilters } from '../../review';
import { SEARCH_DEBOUNCE_MS } from './constants';

export interface ReviewFilterState {
  filters: ReviewFilters;
  setFilters: (next: SetStateAction<ReviewFilters>) => void;
  /** The search box as typed; `filters.search` follows once typing pauses. */
  searchText: string;
  setSearchText: (text: string) => void;
  errors: { min?: string; max?: string };
  /** Whether the query can be sent: the bounds parse, and the band to show is known. */
  valid: boolean;
  query: ResultQuery;
  /** The queue shows the pending results of the run's review band (and follows it to the next run). */
  bandOn: boolean;
  /** Back to the band's pending results, keeping search and sort. */
  showBand: () => void;
  /** Every status and confidence, keeping search and sort. */
  showAll: () => void;
  /** Back to no filters and an empty search box. */
  reset: () => void;
}

/** `band`: the review band of the run on screen, null while it is being read (the query waits for it when following it). */
export function useReviewFilters(band: ReviewBand | null): ReviewFilterState {
  const [base, setBase] = useState<ReviewFilters>(NO_FILTERS);
  const [followBand, setFollowBand] = useState(true);
  const [searchText, setSearchText] = useState('');
  const floor = band?.reviewFloor;
  const threshold = band?.threshold;

  // Derived, not copied in an effect: the first query of a run is already the band's, never every result first.
  const filters = useMemo(
    () => (followBand && floor !== undefined && threshold !== undefined ? bandFilters(base, { reviewFloor: floor, threshold }) : base),
    [base, followBand, floor, threshold],
  );
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const setFilters = useCallback((next: SetStateAction<ReviewFilters>) => {
    const cur = filtersRef.current;
    const updated = typeof next === 'function' ? next(cur) : next;
    // Several updates in one event each see the one before.
    filtersRef.current = updated;
    if (changesBand(cur, updated)) setFollowBand(false);
    setBase(updated);
  }, []);

  // The search box asks the backend only once typing pauses.
  useEffect(() => {
    if (searchText === filters.search) return;
    const timer = setTimeout(() => setFilters((f) => ({ ...f, search: searchText })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, filters.search, setFilters]);

  const errors = useMemo(() => filterErrors(filters), [filters]);
  const query = useMemo(() => buildResultQuery(filters), [filters]);
  const showBand = useCallback(() => setFollowBand(true), []);
  const showAll = useCallback(() => {
    // Also before the band is known, when the filters do not show it yet: it must not come later.
    setFollowBand(false);
    setFilters((f) => ({ ...f, status: 'all', minPercent: '', maxPercent: '' }));
  }, [setFilters]);
  const reset = useCallback(() => {
    setFollowBand(false);
    setBase(NO_FILTERS);
    setSearchText('');
  }, []);
  const waiting = followBand && band === null;
  return {
    filters,
    setFilters,
    searchText,
    setSearchText,
    errors,
    valid: !errors.min && !errors.max && !waiting,
    query,
    bandOn: followBand,
    showBand,
    showAll,
    reset,
  };
}
