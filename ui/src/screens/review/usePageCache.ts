// The loaded pages of the review queue: fetching the pages in view (each once), starting over for a new queue or a reload, patching decided results, finding the next pending one.
import { useCallback, useEffect, useRef, useState } from 'react';

import { listResults } from '../../api';
import { errorText } from '../../apiError';
import type { MatchResult } from '../../bindings/MatchResult';
import type { ResultQuery } from '../../bindings/ResultQuery';
import { cachedAt, isPending, patchPages, scanFor } from '../../review';
import { pageOf, pagesForRange, visibleRange, type RowRange } from '../../virtualList';
import { MAX_SCAN_PAGES, OVERSCAN, RESULTS_PAGE_SIZE, ROW_HEIGHT } from './constants';
import type { ListViewport } from './useListViewport';
import type { Selection } from './useSelection';

/** The loaded pages of the current queue. `stale` pages belong to the previous query and are only shown until the first fresh page arrives (no flicker on reload). */
export interface PageCache {
  key: string;
  total: number | null;
  pages: Map<number, MatchResult[]>;
  stale: boolean;
}

const EMPTY_CACHE: PageCache = { key: '', total: null, pages: new Map(), stale: false };

/** What to select once fresh data arrives: the first pending result of a new queue, or the same result after a reload. */
type PendingSelection = { mode: 'first-pending' } | { mode: 'keep'; id: string | null; index: number } | null;

export type NextPending = { kind: 'found'; index: number } | { kind: 'none' } | { kind: 'far' };

interface Options {
  runId: string | null;
  query: ResultQuery;
  /** Whether `query` can be sent (its confidence bounds parse). */
  queryValid: boolean;
  /** Bumped to fetch the same queue again. */
  reloadTick: number;
  selection: Selection;
  viewport: ListViewport;
  onError: (text: string) => void;
}

export interface PageCacheState {
  cache: PageCache;
  /** Results in the queue (0 until the first page arrives). */
  total: number;
  /** The rows to render. */
  range: RowRange;
  /** Whether the pages on screen still belong to the previous query. */
  isStale: () => boolean;
  /** Waits for the fresh page under the selection when the pages on screen are stale; false if the queue is still not fresh (replaced again, or the load failed). */
  settled: () => Promise<boolean>;
  /** The loaded result at `index` of the queue, as of now. */
  at: (index: number) => MatchResult | undefined;
  /** Puts what the backend returned for a result in place of the cached one. */
  patch: (updated: MatchResult) => void;
  /** Where a result is in the loaded pages; -1 when not loaded. */
  indexOfId: (id: string) => number;
  /** The next pending result after `from` over the whole queue, fetching pages it has not seen yet (a few at most). */
  findNextPending: (from: number) => Promise<NextPending>;
  /** The next result after `from` that `wanted` says yes to, as findNextPending looks. */
  findNext: (from: number, wanted: (r: MatchResult) => boolean) => Promise<NextPending>;
}

export function usePageCache({ runId, query, queryValid, reloadTick, selection, viewport, onError }: Options): PageCacheState {
  const { indexRef: selectedIndexRef, selectIndex } = selection;
  const { scrollToTop } = viewport;
  const [cache, setCache] = useState<PageCache>(EMPTY_CACHE);
  const cacheRef = useRef<PageCache>(EMPTY_CACHE);
  const pendingSelectionRef = useRef<PendingSelection>(null);
  const inFlightRef = useRef(new Map<string, Promise<void>>());
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  const listKey = runId && queryValid ? `${runId}\u0000${JSON.stringify(query)}` : null;
  const cacheKey = listKey ? `${listKey}\u0000${reloadTick}` : null;
  const paramsRef = useRef({ runId, query, cacheKey });
  paramsRef.current = { runId, query, cacheKey };
  const prevListKeyRef = useRef<string | null>(null);

  const commitCache = useCallback((next: PageCache) => {
    cacheRef.current = next;
    setCache(next);
  }, []);

  const applyPendingSelection = useCallback(
    (page: number, rows: MatchResult[], total: number) => {
      const want = pendingSelectionRef.current;
      if (!want) return;
      if (want.mode === 'first-pending') {
        if (page !== 1) return;
        const i = rows.findIndex((r) => r.status === 'pending');
        selectIndex(rows.length === 0 ? -1 : Math.max(0, i));
      } else {
        const found = want.id === null ? -1 : rows.findIndex((r) => r.id === want.id);
        if (found >= 0) selectIndex((page - 1) * RESULTS_PAGE_SIZE + found);
        else if (page === pageOf(want.index, RESULTS_PAGE_SIZE) || want.index >= total) selectIndex(Math.min(want.index, total - 1));
        else return;
      }
      pendingSelectionRef.current = null;
    },
    [selectIndex],
  );

  /** Fetches one page of the current queue into the cache (once, however often asked). */
  const loadPage = useCallback(
    (page: number): Promise<void> => {
      const c = cacheRef.current;
      const { runId: rid, query: q, cacheKey: key } = paramsRef.current;
      if (!rid || !key || c.key !== key) return Promise.resolve();
      if (!c.stale && c.pages.has(page)) return Promise.resolve();
      const flight = `${key}#${page}`;
      const running = inFlightRef.current.get(flight);
      if (running) return running;
      const p = listResults(rid, { ...q, page, limit: RESULTS_PAGE_SIZE })
        .then(
          (res) => {
            const cur = cacheRef.current;
            if (cur.key !== key) return;
            const pages = cur.stale ? new Map<number, MatchResult[]>() : new Map(cur.pages);
            pages.set(page, res.data);
            commitCache({ key, total: res.total, pages, stale: false });
            applyPendingSelection(page, res.data, res.total);
          },
          (e: unknown) => {
            if (cacheRef.current.key === key) onErrorRef.current(errorText(e, 'Could not load the results'));
          },
        )
        .finally(() => inFlightRef.current.delete(flight));
      inFlightRef.current.set(flight, p);
      return p;
    },
    [commitCache, applyPendingSelection],
  );

  // A new queue (run, filters, sort) or a reload of the same one: start a new cache.
  useEffect(() => {
    if (!cacheKey) {
      // No query yet for this run (its review band is being read): another run's results must not stay meanwhile.
      if (!runId || !cacheRef.current.key.startsWith(`${runId}\u0000`)) {
        commitCache(EMPTY_CACHE);
        selectIndex(-1);
        prevListKeyRef.current = null;
      }
      return;
    }
    const old = cacheRef.current;
    // Already started (StrictMode runs effects twice).
    if (old.key === cacheKey) return;
    const sameQueue = prevListKeyRef.current === listKey;
    const sameRun = old.key.startsWith(`${runId}\u0000`);
    prevListKeyRef.current = listKey;
    if (sameQueue) {
      const index = selectedIndexRef.current;
      pendingSelectionRef.current = { mode: 'keep', id: cachedAt(old.pages, index, RESULTS_PAGE_SIZE)?.id ?? null, index };
      commitCache({ key: cacheKey, total: old.total, pages: old.pages, stale: true });
      void loadPage(index >= 0 ? pageOf(index, RESULTS_PAGE_SIZE) : 1);
      return;
    }
    pendingSelectionRef.current = { mode: 'first-pending' };
    // Another run's results must not stay on screen, even briefly.
    commitCache(sameRun ? { key: cacheKey, total: old.total, pages: old.pages, stale: true } : { ...EMPTY_CACHE, key: cacheKey });
    if (!sameRun) selectIndex(-1);
    scrollToTop();
    void loadPage(1);
  }, [cacheKey, listKey, runId, commitCache, selectIndex, selectedIndexRef, loadPage, scrollToTop]);

  const total = cache.total ?? 0;
  const range = visibleRange({ scrollTop: viewport.scrollTop, viewportHeight: viewport.viewportHeight, rowHeight: ROW_HEIGHT, overscan: OVERSCAN, total });
  const neededPages = pagesForRange(range, RESULTS_PAGE_SIZE)
    .filter((p) => cache.stale || !cache.pages.has(p))
    .join(',');

  // Fetch the pages the rows in view need.
  useEffect(() => {
    if (!neededPages) return;
    for (const p of neededPages.split(',')) void loadPage(Number(p));
  }, [neededPages, cache.key, loadPage]);

  const isStale = useCallback(() => cacheRef.current.stale, []);

  const settled = useCallback(async (): Promise<boolean> => {
    const key = cacheRef.current.key;
    if (!cacheRef.current.stale) return true;
    const index = selectedIndexRef.current;
    await loadPage(index >= 0 ? pageOf(index, RESULTS_PAGE_SIZE) : 1);
    const c = cacheRef.current;
    return c.key === key && !c.stale;
  }, [loadPage, selectedIndexRef]);

  const at = useCallback((index: number) => cachedAt(cacheRef.current.pages, index, RESULTS_PAGE_SIZE), []);

  const patch = useCallback(
    (updated: MatchResult) => {
      const c = cacheRef.current;
      const pages = patchPages(c.pages, updated);
      if (pages) commitCache({ ...c, pages });
    },
    [commitCache],
  );

  const indexOfId = useCallback((id: string): number => {
    for (const [page, rows] of cacheRef.current.pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return (page - 1) * RESULTS_PAGE_SIZE + i;
    }
    return -1;
  }, []);

  const findNext = useCallback(
    async (from: number, wanted: (r: MatchResult) => boolean): Promise<NextPending> => {
      const key = cacheRef.current.key;
      for (let fetched = 0; ; fetched++) {
        const c = cacheRef.current;
        if (c.key !== key) return { kind: 'far' };
        const scan = scanFor((i) => cachedAt(c.pages, i, RESULTS_PAGE_SIZE), from, c.total ?? 0, wanted);
        if (scan.kind !== 'unloaded') return scan;
        if (fetched >= MAX_SCAN_PAGES) return { kind: 'far' };
        await loadPage(pageOf(scan.index, RESULTS_PAGE_SIZE));
        if (!cachedAt(cacheRef.current.pages, scan.index, RESULTS_PAGE_SIZE)) return { kind: 'far' };
      }
    },
    [loadPage],
  );
  const findNextPending = useCallback((from: number) => findNext(from, isPending), [findNext]);

  return { cache, total, range, isStale, settled, at, patch, indexOfId, findNextPending, findNext };
}
