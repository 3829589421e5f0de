// The filter bar's state: status, confidence bounds, sort and the debounced search, and the query they make.
import { useCallback, useEffect, useMemo, useState, type Dispatch, type SetStateAction } from 'react';

import type { ResultQuery } from '../../bindings/ResultQuery';
import { buildResultQuery, filterErrors, NO_FILTERS, type ReviewFilters } from '../../review';
import { SEARCH_DEBOUNCE_MS } from './constants';

export interface ReviewFilterState {
  filters: ReviewFilters;
  setFilters: Dispatch<SetStateAction<ReviewFilters>>;
  /** The search box as typed; `filters.search` follows once typing pauses. */
  searchText: string;
  setSearchText: (text: string) => void;
  errors: { min?: string; max?: string };
  /** Whether the confidence bounds parse, so the query can be sent. */
  valid: boolean;
  query: ResultQuery;
  /** Back to no filters and an empty search box. */
  reset: () => void;
}

export function useReviewFilters(): ReviewFilterState {
  const [filters, setFilters] = useState<ReviewFilters>(NO_FILTERS);
  const [searchText, setSearchText] = useState('');

  // The search box asks the backend only once typing pauses.
  useEffect(() => {
    if (searchText === filters.search) return;
    const timer = setTimeout(() => setFilters((f) => ({ ...f, search: searchText })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, filters.search]);

  const errors = useMemo(() => filterErrors(filters), [filters]);
  const query = useMemo(() => buildResultQuery(filters), [filters]);
  const reset = useCallback(() => {
    setFilters(NO_FILTERS);
    setSearchText('');
  }, []);
  return { filters, setFilters, searchText, setSearchText, errors, valid: !errors.min && !errors.max, query, reset };
}
