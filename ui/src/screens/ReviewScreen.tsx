// Review screen: pick a run, filter and sort its queue, walk it with the keyboard in a virtualised list, approve or reject (one by one or in bulk) with the evidence in view.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type UIEvent } from 'react';

import {
  bulkApprove,
  bulkApproveCount,
  getConfig,
  listConfigs,
  listDatasets,
  listResults,
  listRuns,
  referenceRows,
  resultDecisions,
  revertDecision,
  revertDecisions,
  reviewCounts,
  reviewResult,
} from '../api';
import type { MatchResult } from '../bindings/MatchResult';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { Record as DataRecord } from '../bindings/Record';
import type { ResultQuery } from '../bindings/ResultQuery';
import type { ResultSort } from '../bindings/ResultSort';
import type { ReviewDecision } from '../bindings/ReviewDecision';
import type { ReviewInput } from '../bindings/ReviewInput';
import type { Run } from '../bindings/Run';
import { ConfidenceBadge } from '../components/ConfidenceBadge';
import { ContestedBadge } from '../components/ContestedBadge';
import { ErrorBanner } from '../components/ErrorBanner';
import { ResultDetail } from '../components/ResultDetail';
import { StatusBadge } from '../components/StatusBadge';
import { DEFAULTS } from '../configForm';
import { formatCount, formatDateTime } from '../format';
import { REVIEW_SHORTCUTS, reviewKeyAction } from '../keyboard';
import { isFinalStatus, subscribeProgress } from '../progressHub';
import {
  buildResultQuery,
  bulkDoneNotice,
  bulkQuestion,
  cachedAt,
  countsOf,
  defaultReviewRun,
  filterErrors,
  hasFilters,
  moveIndex,
  NO_FILTERS,
  parsePercent,
  patchPages,
  percentText,
  runLabel,
  runsOfConfig,
  scanForPending,
  SORTS,
  type ReviewFilters,
} from '../review';
import {
  afterRedo,
  afterUndo,
  entrySize,
  groupFromWire,
  groupToWire,
  isGroup,
  nextRedo,
  nextUndo,
  NO_HISTORY,
  recordDecision,
  type DecisionRef,
  type UndoStacks,
} from '../undo';
import { pageOf, pagesForRange, scrollTopToReveal, visibleRange } from '../virtualList';
import '../styles/review.css';

/** Results fetched per listResults call while scrolling. */
export const RESULTS_PAGE_SIZE = 200;
/** Height of a row of the list in pixels; review.css gives .result-item the same. */
export const ROW_HEIGHT = 56;
/** Rows rendered beyond each edge of the view, so quick scrolling shows no blank rows. */
const OVERSCAN = 8;
/** The list's height when it cannot be measured (jsdom has no layout). */
const FALLBACK_VIEWPORT = 600;
export const SEARCH_DEBOUNCE_MS = 250;
/** Pages fetched at most when looking for the next pending result after a decision. */
const MAX_SCAN_PAGES = 5;

const STATUS_FILTERS: { id: ReviewFilters['status']; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'approved', label: 'Approved' },
  { id: 'rejected', label: 'Rejected' },
];

interface RunContext {
  threshold: number;
  reviewFloor: number;
  referenceDataId: string | null;
  referenceColumns: string[];
}

const DEFAULT_CONTEXT: RunContext = {
  threshold: DEFAULTS.threshold,
  reviewFloor: DEFAULTS.review_floor,
  referenceDataId: null,
  referenceColumns: [],
};

/** The loaded pages of the current queue. `stale` pages belong to the previous query and are only shown until the first fresh page arrives (no flicker on reload). */
interface PageCache {
  key: string;
  total: number | null;
  pages: Map<number, MatchResult[]>;
  stale: boolean;
}

const EMPTY_CACHE: PageCache = { key: '', total: null, pages: new Map(), stale: false };

/** What to select once fresh data arrives: the first pending result of a new queue, or the same result after a reload. */
type PendingSelection = { mode: 'first-pending' } | { mode: 'keep'; id: string | null; index: number } | null;

interface BulkAsk {
  runId: string;
  query: ResultQuery;
  fraction: number;
  percent: string;
  count: number;
  /** Why the dialog asks again (the queue changed since the count). */
  message: string | null;
}

type Counts = ReturnType<typeof countsOf>;

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String((e as { message?: unknown } | null)?.message ?? e);
}

interface Props {
  active: boolean;
  /** A run to open, asked for by another screen; `seq` changes with every request. */
  request?: { runId: string; seq: number } | null;
}

/** A 0-100 % bound of the confidence filter; the text is kept as typed until it parses. */
function PercentInput({ id, value, error, onChange }: { id: string; value: string; error: string | undefined; onChange: (value: string) => void }) {
  return (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      min={0}
      max={100}
      step="any"
      className="percent-input"
      value={value}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function ReviewScreen({ active, request = null }: Props) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [configs, setConfigs] = useState<MatchingConfig[] | null>(null);
  const [configFilter, setConfigFilter] = useState('');
  const [runId, setRunId] = useState<string | null>(null);
  const userPickedRef = useRef(false);
  const runIdRef = useRef<string | null>(null);
  runIdRef.current = runId;
  const [context, setContext] = useState<RunContext>(DEFAULT_CONTEXT);
  const [filters, setFilters] = useState<ReviewFilters>(NO_FILTERS);
  const [searchText, setSearchText] = useState('');
  const [cache, setCache] = useState<PageCache>(EMPTY_CACHE);
  const cacheRef = useRef<PageCache>(EMPTY_CACHE);
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const selectedIndexRef = useRef(-1);
  const pendingSelectionRef = useRef<PendingSelection>(null);
  const inFlightRef = useRef(new Map<string, Promise<void>>());
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(FALLBACK_VIEWPORT);
  const [decisions, setDecisions] = useState<ReviewDecision[] | null>(null);
  const [records, setRecords] = useState<Map<string, DataRecord>>(new Map());
  const [notes, setNotes] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const [history, setHistory] = useState<UndoStacks>(NO_HISTORY);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [countTick, setCountTick] = useState(0);
  const [helpOpen, setHelpOpen] = useState(false);
  const [bulkPercent, setBulkPercent] = useState(percentText(DEFAULTS.threshold));
  const [bulk, setBulk] = useState<BulkAsk | null>(null);
  const listRef = useRef<HTMLUListElement | null>(null);
  const observerRef = useRef<ResizeObserver | null>(null);
  const bulkButtonRef = useRef<HTMLButtonElement>(null);

  const loadRuns = useCallback(async () => {
    try {
      const list = runsOfConfig(await listRuns(configFilter ? { limit: 100, config_id: configFilter } : { limit: 100 }), configFilter);
      setRuns(list);
      setRunId((current) => {
        const listed = current !== null && list.some((r) => r.id === current);
        if (listed && userPickedRef.current) return current;
        const preferred = defaultReviewRun(list)?.id;
        if (preferred) return preferred;
        if (listed) return current;
        // A config with no finished run still offers its other runs; all configs keep a run asked for by another screen.
        return configFilter ? (list[0]?.id ?? null) : current;
      });
    } catch (e) {
      setError(`Could not load the runs: ${errorMessage(e)}`);
    }
  }, [configFilter]);

  useEffect(() => {
    if (active) void loadRuns();
  }, [active, loadRuns]);

  useEffect(() => {
    if (!active) return;
    let stale = false;
    listConfigs().then(
      (list) => {
        if (!stale) setConfigs(list);
      },
      () => {
        if (!stale) setConfigs([]);
      },
    );
    return () => {
      stale = true;
    };
  }, [active]);

  useEffect(() => {
    if (!request) return;
    userPickedRef.current = true;
    // The run asked for may belong to another config than the one filtered on.
    setConfigFilter('');
    setRunId(request.runId);
  }, [request]);

  // A run that finishes may be the one to review: refresh the run list, and the results if it is shown.
  useEffect(
    () =>
      subscribeProgress((p) => {
        if (!isFinalStatus(p.status)) return;
        void loadRuns();
        if (runIdRef.current === p.run_id) setReloadTick((t) => t + 1);
      }),
    [loadRuns],
  );

  const run = runs?.find((r) => r.id === runId) ?? null;
  const configId = run?.matching_config_id ?? null;

  // The thresholds and reference columns of the run's config (defaults if the config is gone).
  useEffect(() => {
    if (!configId) return;
    let stale = false;
    (async () => {
      try {
        const config = await getConfig(configId);
        let columns: string[] = [];
        try {
          const datasets = await listDatasets();
          columns = datasets.find((d) => d.id === config.reference_data_id)?.columns.map((c) => c.name) ?? [];
        } catch {
          // the reference record panel will show bare values
        }
        if (!stale)
          setContext({ threshold: config.threshold, reviewFloor: config.review_floor, referenceDataId: config.reference_data_id, referenceColumns: columns });
      } catch {
        if (!stale) setContext(DEFAULT_CONTEXT);
      }
    })();
    return () => {
      stale = true;
    };
  }, [configId]);

  // Bulk approval starts at the config's threshold: what the run itself counted as a match.
  useEffect(() => {
    setBulkPercent(percentText(context.threshold));
  }, [context.threshold]);

  // The search box asks the backend only once typing pauses.
  useEffect(() => {
    if (searchText === filters.search) return;
    const timer = setTimeout(() => setFilters((f) => ({ ...f, search: searchText })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, filters.search]);

  const errors = useMemo(() => filterErrors(filters), [filters]);
  const filtersValid = !errors.min && !errors.max;
  const query = useMemo(() => buildResultQuery(filters), [filters]);
  const listKey = runId && filtersValid ? `${runId}\u0000${JSON.stringify(query)}` : null;
  const cacheKey = listKey ? `${listKey}\u0000${reloadTick}` : null;
  const paramsRef = useRef({ runId, query, cacheKey });
  paramsRef.current = { runId, query, cacheKey };
  const prevListKeyRef = useRef<string | null>(null);

  const commitCache = useCallback((next: PageCache) => {
    cacheRef.current = next;
    setCache(next);
  }, []);

  const selectIndex = useCallback((index: number) => {
    selectedIndexRef.current = index;
    setSelectedIndex(index);
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
            if (cacheRef.current.key === key) setError(`Could not load the results: ${errorMessage(e)}`);
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
      if (!runId) {
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
    if (listRef.current) listRef.current.scrollTop = 0;
    setScrollTop(0);
    void loadPage(1);
  }, [cacheKey, listKey, runId, commitCache, selectIndex, loadPage]);

  const total = cache.total ?? 0;
  const range = visibleRange({ scrollTop, viewportHeight, rowHeight: ROW_HEIGHT, overscan: OVERSCAN, total });
  const neededPages = pagesForRange(range, RESULTS_PAGE_SIZE)
    .filter((p) => cache.stale || !cache.pages.has(p))
    .join(',');

  // Fetch the pages the rows in view need.
  useEffect(() => {
    if (!neededPages) return;
    for (const p of neededPages.split(',')) void loadPage(Number(p));
  }, [neededPages, cache.key, loadPage]);

  // Live counters of the run, refreshed after every decision, undo, redo and bulk action.
  useEffect(() => {
    if (!runId) {
      setCounts(null);
      return;
    }
    let stale = false;
    reviewCounts(runId).then(
      (c) => {
        if (!stale) setCounts(countsOf(c));
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [runId, reloadTick, countTick]);

  const selected = cachedAt(cache.pages, selectedIndex, RESULTS_PAGE_SIZE) ?? null;
  const selectedId = selected?.id ?? null;

  // History of the selected result; reset the notes box when the selection changes.
  useEffect(() => {
    setNotes('');
    setDecisions(null);
    if (!selectedId) return;
    let stale = false;
    resultDecisions(selectedId).then(
      (d) => {
        if (!stale) setDecisions(d);
      },
      () => {
        if (!stale) setDecisions([]);
      },
    );
    return () => {
      stale = true;
    };
  }, [selectedId]);

  // The reference rows of the selected result's candidates, for the record panel.
  const candidateIds = selected ? selected.candidates.map((c) => c.reference_row_id).join('\u0000') : '';
  useEffect(() => {
    const datasetId = context.referenceDataId;
    if (!datasetId || !candidateIds) return;
    const ids = candidateIds.split('\u0000').filter((id) => !records.has(id));
    if (ids.length === 0) return;
    let stale = false;
    referenceRows(datasetId, ids).then(
      (rows) => {
        if (stale) return;
        setRecords((prev) => {
          const next = new Map(prev);
          for (const r of rows) next.set(r.id, r);
          return next;
        });
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
    // `records` is read only to skip rows already fetched, so it is not a dependency.
  }, [context.referenceDataId, candidateIds]);

  // Keep the selected row in view: scrolling also makes the list fetch its page.
  useEffect(() => {
    const el = listRef.current;
    if (!el || selectedIndex < 0) return;
    const top = scrollTopToReveal(selectedIndex, ROW_HEIGHT, el.scrollTop, viewportHeight);
    if (top !== el.scrollTop) el.scrollTop = top;
    setScrollTop(top);
  }, [selectedIndex, viewportHeight]);

  // The list's height decides how many rows to render; jsdom (no layout) gets the fallback.
  const listRefCallback = useCallback((el: HTMLUListElement | null) => {
    observerRef.current?.disconnect();
    observerRef.current = null;
    listRef.current = el;
    if (!el) return;
    const measure = () => setViewportHeight(el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT);
    measure();
    const top = scrollTopToReveal(selectedIndexRef.current, ROW_HEIGHT, 0, el.clientHeight > 0 ? el.clientHeight : FALLBACK_VIEWPORT);
    el.scrollTop = top;
    setScrollTop(top);
    if (typeof ResizeObserver !== 'undefined') {
      const observer = new ResizeObserver(measure);
      observer.observe(el);
      observerRef.current = observer;
    }
  }, []);

  const patchCache = useCallback(
    (updated: MatchResult) => {
      const c = cacheRef.current;
      const pages = patchPages(c.pages, updated);
      if (pages) commitCache({ ...c, pages });
    },
    [commitCache],
  );

  const indexOfId = (id: string): number => {
    for (const [page, rows] of cacheRef.current.pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return (page - 1) * RESULTS_PAGE_SIZE + i;
    }
    return -1;
  };

  /** The next pending result after `from` over the whole queue, fetching pages it has not seen yet (a few at most). */
  const findNextPending = useCallback(
    async (from: number): Promise<{ kind: 'found'; index: number } | { kind: 'none' } | { kind: 'far' }> => {
      const key = cacheRef.current.key;
      for (let fetched = 0; ; fetched++) {
        const c = cacheRef.current;
        if (c.key !== key) return { kind: 'far' };
        const scan = scanForPending((i) => cachedAt(c.pages, i, RESULTS_PAGE_SIZE), from, c.total ?? 0);
        if (scan.kind !== 'unloaded') return scan;
        if (fetched >= MAX_SCAN_PAGES) return { kind: 'far' };
        await loadPage(pageOf(scan.index, RESULTS_PAGE_SIZE));
        if (!cachedAt(cacheRef.current.pages, scan.index, RESULTS_PAGE_SIZE)) return { kind: 'far' };
      }
    },
    [loadPage],
  );

  const decide = useCallback(
    async (status: 'approved' | 'rejected', referenceRowId?: string) => {
      if (!runId || !selected || saving || cacheRef.current.stale) return;
      setSaving(true);
      setError(null);
      setNotice(null);
      const input: ReviewInput = { status };
      if (notes.trim()) input.notes = notes.trim();
      if (referenceRowId) input.reference_row_id = referenceRowId;
      try {
        const updated = await reviewResult(runId, selected.id, input);
        // The decision is on disk; its id makes it undoable.
        const log = await resultDecisions(updated.id).catch(() => null);
        const made = log?.[log.length - 1];
        if (made) setHistory((h) => recordDecision(h, { runId, resultId: updated.id, decisionId: made.id }));
        setCountTick((t) => t + 1);
        patchCache(updated);
        const index = indexOfId(updated.id);
        // The queue was replaced meanwhile (filters changed): its own selection stands.
        if (index < 0) return;
        const next = await findNextPending(index);
        if (next.kind === 'found') selectIndex(next.index);
        else {
          setNotice(next.kind === 'none' ? 'No pending results left.' : 'No pending result among the next results: move on with j or change the filters.');
          // Same selection: show the decision just made in its history.
          if (log) setDecisions(log);
          setNotes('');
        }
      } catch (e) {
        setError(`Could not save the decision: ${errorMessage(e)}`);
      } finally {
        setSaving(false);
      }
    },
    // indexOfId reads only refs.
    [runId, selected, saving, notes, patchCache, findNextPending, selectIndex],
  );

  // Undo reverts the latest entry of this session (a decision or a whole bulk approval); redo reverts that revert.
  const step = useCallback(
    async (kind: 'undo' | 'redo') => {
      if (saving) return;
      const entry = kind === 'undo' ? nextUndo(history) : nextRedo(history);
      if (!entry) {
        setNotice(kind === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
        return;
      }
      setSaving(true);
      setError(null);
      setNotice(null);
      try {
        if (isGroup(entry)) {
          const outcome = await revertDecisions(entry.runId, groupToWire(entry));
          const group = groupFromWire(entry.runId, outcome.decisions);
          setHistory((h) => (kind === 'undo' ? afterUndo(h, group) : afterRedo(h, group)));
          setCountTick((t) => t + 1);
          if (entry.runId === runIdRef.current) setReloadTick((t) => t + 1);
          const n = formatCount(entrySize(entry));
          setNotice(kind === 'undo' ? `Undone: the bulk approval of ${n} results.` : `Redone: ${n} results are approved again.`);
          return;
        }
        const updated = await revertDecision(entry.runId, entry.resultId, entry.decisionId);
        const log = await resultDecisions(updated.id);
        const made = log[log.length - 1];
        const ref: DecisionRef = { runId: entry.runId, resultId: updated.id, decisionId: made?.id ?? '' };
        setHistory((h) => (kind === 'undo' ? afterUndo(h, ref) : afterRedo(h, ref)));
        setCountTick((t) => t + 1);
        if (entry.runId === runIdRef.current) {
          patchCache(updated);
          const index = indexOfId(updated.id);
          if (index >= 0) {
            selectIndex(index);
            setDecisions(log);
          }
        }
        setNotice(`${kind === 'undo' ? 'Undone' : 'Redone'}: ${updated.document_filename ?? updated.document_id} is ${updated.status} again.`);
      } catch (e) {
        setError(`Could not ${kind} the decision: ${errorMessage(e)}`);
      } finally {
        setSaving(false);
      }
    },
    [saving, history, patchCache, selectIndex],
  );

  // A stable handler, so the memoised evidence panel does not re-render while the list scrolls.
  const decideRef = useRef(decide);
  decideRef.current = decide;
  const onDecide = useCallback((status: 'approved' | 'rejected') => void decideRef.current(status), []);

  // Only whole rows scrolled change what is rendered (overscan covers the partial row), so scrolling within a row re-renders nothing.
  const onListScroll = useCallback((e: UIEvent<HTMLUListElement>) => {
    setScrollTop(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT) * ROW_HEIGHT);
  }, []);

  const bulkParsed = parsePercent(bulkPercent);
  const bulkFraction = bulkParsed.ok && bulkParsed.value !== undefined && bulkParsed.value > 0 ? bulkParsed.value : null;
  const bulkLabel = bulkFraction === null ? '…' : percentText(bulkFraction);

  /** Counts what a bulk approval would take, then asks (or says there is nothing to approve). */
  const askBulk = async () => {
    if (!runId || bulkFraction === null || saving || !filtersValid) return;
    setError(null);
    setNotice(null);
    const percent = percentText(bulkFraction);
    try {
      const count = Number(await bulkApproveCount(runId, query, bulkFraction));
      if (count === 0) setNotice(`No pending results at or above ${percent} % in this filter: nothing to approve.`);
      else setBulk({ runId, query, fraction: bulkFraction, percent, count, message: null });
    } catch (e) {
      setError(`Could not count the results to approve: ${errorMessage(e)}`);
    }
  };

  const restoreFocusRef = useRef(false);
  const closeBulk = () => {
    setBulk(null);
    restoreFocusRef.current = true;
  };

  // Focus goes back to the bulk button once the dialog is gone and the button is enabled again.
  useEffect(() => {
    if (bulk || saving || !restoreFocusRef.current) return;
    restoreFocusRef.current = false;
    bulkButtonRef.current?.focus();
  }, [bulk, saving]);

  const confirmBulk = async () => {
    if (!bulk || saving) return;
    setSaving(true);
    try {
      const outcome = await bulkApprove(bulk.runId, { query: bulk.query, min_confidence: bulk.fraction, expected: bulk.count });
      // On disk now: make it one undo step, then show it.
      setHistory((h) => recordDecision(h, groupFromWire(bulk.runId, outcome.decisions)));
      closeBulk();
      setNotice(bulkDoneNotice(outcome.decisions.length, formatCount));
      setCountTick((t) => t + 1);
      if (bulk.runId === runIdRef.current) setReloadTick((t) => t + 1);
    } catch (e) {
      if (errorCode(e) !== 'conflict') {
        closeBulk();
        setError(`Could not approve the results: ${errorMessage(e)}`);
        return;
      }
      // The queue changed since the count (another decision, a new run): ask again with the new count.
      let count: number | null = null;
      try {
        count = Number(await bulkApproveCount(bulk.runId, bulk.query, bulk.fraction));
      } catch {
        // keep the old count; confirming again reports the conflict again
      }
      if (count === 0) {
        closeBulk();
        setNotice(`${errorMessage(e)} No pending results at or above ${bulk.percent} % are left in this filter.`);
      } else setBulk({ ...bulk, count: count ?? bulk.count, message: errorMessage(e) });
      setCountTick((t) => t + 1);
    } finally {
      setSaving(false);
    }
  };

  // Tab and Shift+Tab cycle over the dialog's buttons, so focus cannot wander behind the modal.
  const trapFocus = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab') return;
    const buttons = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)'));
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.shiftKey ? (at <= 0 ? buttons.length - 1 : at - 1) : at < 0 || at === buttons.length - 1 ? 0 : at + 1;
    e.preventDefault();
    buttons[next]?.focus();
  };

  const clearFilters = () => {
    setFilters(NO_FILTERS);
    setSearchText('');
    setConfigFilter('');
  };

  // Keyboard: j/k or arrows move, a approves, r rejects (not while typing in a field, nor behind the bulk dialog).
  const keyHandlerRef = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyHandlerRef.current = (e: KeyboardEvent) => {
    if (bulk) {
      if (e.key === 'Escape') {
        e.preventDefault();
        closeBulk();
      }
      return;
    }
    if (helpOpen && e.key === 'Escape') {
      setHelpOpen(false);
      return;
    }
    const action = reviewKeyAction(e);
    if (!action) return;
    if (action === 'leave-field') {
      // Escape in a search box would also clear it: leaving the box must keep the search.
      e.preventDefault();
      if (e.target instanceof HTMLElement) e.target.blur();
      return;
    }
    if (action === 'help') {
      e.preventDefault();
      setHelpOpen((open) => !open);
      return;
    }
    if (action === 'undo' || action === 'redo') {
      e.preventDefault();
      void step(action);
      return;
    }
    if (action === 'search') {
      e.preventDefault();
      document.getElementById('filter-search')?.focus();
      return;
    }
    if (total === 0) return;
    e.preventDefault();
    if (action === 'approve' || action === 'reject') {
      void decide(action === 'approve' ? 'approved' : 'rejected');
      return;
    }
    if (action === 'note') {
      document.getElementById('review-notes')?.focus();
      return;
    }
    if (action.startsWith('pick-')) {
      const candidate = selected?.candidates[Number(action.slice(5)) - 1];
      if (candidate) void decide('approved', candidate.reference_row_id);
      else setNotice(`This result has no candidate ${action.slice(5)}.`);
      return;
    }
    const screenful = Math.max(1, Math.floor(viewportHeight / ROW_HEIGHT) - 1);
    const target =
      action === 'first'
        ? 0
        : action === 'last'
          ? total - 1
          : moveIndex(selectedIndex, action === 'next' ? 1 : action === 'prev' ? -1 : action === 'page-down' ? screenful : -screenful, total);
    selectIndex(target);
  };
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => keyHandlerRef.current(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const shownRuns = runs ?? [];
  const sortLabel = SORTS.find((s) => s.id === filters.sort)?.label ?? '';
  const rows: number[] = [];
  for (let i = range.start; i < range.end; i++) rows.push(i);
  const activeDescendant = selectedIndex < 0 ? undefined : selected ? `result-${selected.id}` : `result-slot-${selectedIndex}`;

  return (
    <div className="review-screen">
      <div className="card toolbar-card review-toolbar">
        <div className="toolbar">
          <label htmlFor="review-run">Run</label>
          <select
            id="review-run"
            value={runId ?? ''}
            onChange={(e) => {
              userPickedRef.current = true;
              setRunId(e.target.value || null);
            }}
            disabled={shownRuns.length === 0}
          >
            {shownRuns.length === 0 && <option value="">{configFilter ? 'No runs of this config' : 'No runs yet'}</option>}
            {shownRuns.map((r) => (
              <option key={r.id} value={r.id}>
                {runLabel(r, formatDateTime)}
              </option>
            ))}
          </select>
          <div className="segmented-buttons" role="group" aria-label="Show results">
            {STATUS_FILTERS.map((f) => (
              <button
                key={f.id}
                type="button"
                id={`filter-${f.id}`}
                aria-pressed={filters.status === f.id}
                onClick={() => setFilters((cur) => ({ ...cur, status: f.id }))}
              >
                {f.label}
              </button>
            ))}
          </div>
          <button type="button" id="undo" onClick={() => void step('undo')} disabled={!nextUndo(history) || saving} title="Undo (u)">
            Undo
          </button>
          <button type="button" id="redo" onClick={() => void step('redo')} disabled={!nextRedo(history) || saving} title="Redo (Shift+U)">
            Redo
          </button>
          <span className="muted small shortcuts" aria-hidden="true">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>1</kbd>-<kbd>5</kbd> candidate · <kbd>u</kbd> undo · <kbd>/</kbd> search
          </span>
          <button type="button" id="show-shortcuts" className="link-button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            Shortcuts (?)
          </button>
        </div>
        <div className="toolbar review-filters" role="group" aria-label="Filters and bulk approval">
          <span className="filter-field">
            <label htmlFor="filter-config">Config</label>
            <select id="filter-config" value={configFilter} onChange={(e) => setConfigFilter(e.target.value)}>
              <option value="">All configs</option>
              {configs?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </span>
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
          <button type="button" id="filter-clear" onClick={clearFilters} disabled={!hasFilters(filters, configFilter) && searchText === ''}>
            Clear filters
          </button>
          <span className="filter-field bulk-field" role="group" aria-label="Bulk approval">
            <label htmlFor="bulk-min">Bulk approve from</label>
            <input
              id="bulk-min"
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step="any"
              className="percent-input"
              value={bulkPercent}
              aria-invalid={bulkFraction === null ? true : undefined}
              onChange={(e) => setBulkPercent(e.target.value)}
            />
            <span aria-hidden="true">%</span>
            <button
              type="button"
              id="bulk-approve"
              ref={bulkButtonRef}
              className="primary-outline"
              onClick={() => void askBulk()}
              disabled={!runId || bulkFraction === null || saving || !filtersValid}
              title="Approve every pending result of this filter at or above this confidence (one undo step)"
            >
              Approve all ≥ {bulkLabel} %…
            </button>
          </span>
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
      </div>
      {helpOpen && (
        <div className="overlay" role="presentation" onClick={() => setHelpOpen(false)}>
          <div id="shortcuts-overlay" className="card dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onClick={(e) => e.stopPropagation()}>
            <h2 id="shortcuts-title">Keyboard shortcuts</h2>
            <table className="table shortcuts-table">
              <tbody>
                {REVIEW_SHORTCUTS.map((s) => (
                  <tr key={s.what}>
                    <td>
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && ' '}
                          {k === '…' ? k : <kbd>{k}</kbd>}
                        </span>
                      ))}
                    </td>
                    <td>{s.what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" onClick={() => setHelpOpen(false)} autoFocus>
              Close
            </button>
          </div>
        </div>
      )}
      {bulk && (
        // A click on the backdrop must not take the focus out of the modal dialog.
        <div className="overlay" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && e.preventDefault()}>
          <div
            id="bulk-confirm-dialog"
            className="card dialog bulk-dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="bulk-confirm-title"
            aria-describedby="bulk-confirm-text"
            onKeyDown={trapFocus}
          >
            <h2 id="bulk-confirm-title">Approve in bulk</h2>
            <p id="bulk-confirm-text">{bulkQuestion(bulk.count, bulk.percent, formatCount)}</p>
            {bulk.message && (
              <p className="field-error" id="bulk-confirm-error" role="alert">
                {bulk.message}
              </p>
            )}
            <p className="muted small">One undo (u) reverts them all.</p>
            <div className="dialog-actions">
              <button type="button" id="bulk-confirm" className="approve" onClick={() => void confirmBulk()} disabled={saving} autoFocus>
                Approve {formatCount(bulk.count)}
              </button>
              <button type="button" id="bulk-cancel" onClick={closeBulk}>
                Cancel
              </button>
            </div>
          </div>
        </div>
      )}
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
      {!runId ? (
        <p className="empty card">{configFilter ? 'This config has no run to review yet.' : 'No finished run to review yet. Start one on the Runs screen.'}</p>
      ) : (
        <div className="review-body">
          <section className="card results-pane" aria-labelledby="results-heading">
            <h2 id="results-heading" className="results-title">
              Results{' '}
              <span id="results-count" className="muted small" aria-live="polite">
                {cache.total === null ? 'loading…' : `${formatCount(total)} ${total === 1 ? 'result' : 'results'}`}
              </span>
              <span className="muted small"> · {sortLabel.toLowerCase()}</span>
            </h2>
            {counts && (
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
            )}
            {cache.total === null ? (
              <p className="muted">Loading…</p>
            ) : total === 0 ? (
              <p className="empty">
                No results{filters.status === 'all' ? '' : ` with status ${filters.status}`}
                {filters.minPercent || filters.maxPercent || filters.search ? ' match these filters' : ''}.
              </p>
            ) : (
              <ul
                ref={listRefCallback}
                className="results-list"
                role="listbox"
                aria-label="Results"
                tabIndex={0}
                aria-activedescendant={activeDescendant}
                aria-busy={cache.stale || undefined}
                onScroll={onListScroll}
              >
                <li className="results-spacer" role="presentation" aria-hidden="true" style={{ height: total * ROW_HEIGHT }} />
                {rows.map((i) => {
                  const r = cachedAt(cache.pages, i, RESULTS_PAGE_SIZE);
                  const style = { top: i * ROW_HEIGHT, height: ROW_HEIGHT };
                  if (!r)
                    return (
                      <li
                        key={`slot-${i}`}
                        id={`result-slot-${i}`}
                        role="option"
                        aria-selected={i === selectedIndex}
                        aria-setsize={total}
                        aria-posinset={i + 1}
                        className={`result-item result-placeholder ${i === selectedIndex ? 'selected' : ''}`}
                        style={style}
                      >
                        <span className="muted small">Loading…</span>
                      </li>
                    );
                  return (
                    <li
                      key={r.id}
                      id={`result-${r.id}`}
                      role="option"
                      aria-selected={i === selectedIndex}
                      aria-setsize={total}
                      aria-posinset={i + 1}
                      data-result-id={r.id}
                      data-status={r.status}
                      data-index={i}
                      className={`result-item ${i === selectedIndex ? 'selected' : ''}`}
                      style={style}
                      onClick={() => selectIndex(i)}
                    >
                      <span className="result-main">
                        <span className="result-doc" title={r.document_filename ?? r.document_id}>
                          {r.document_filename ?? r.document_id}
                        </span>
                        <span className="result-sub small muted">
                          {r.document_filename && <span className="mono">{r.document_id} · </span>}
                          {r.matched_reference_row_id ? <span className="mono">→ {r.matched_reference_row_id}</span> : <span className="no-match">no match</span>}
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
                })}
              </ul>
            )}
          </section>
          <section className="card detail-pane" aria-label="Evidence">
            {selected ? (
              <ResultDetail
                key={selected.id}
                result={selected}
                threshold={context.threshold}
                reviewFloor={context.reviewFloor}
                decisions={decisions}
                referenceColumns={context.referenceColumns}
                referenceRecords={records}
                notes={notes}
                onNotes={setNotes}
                onDecide={onDecide}
                saving={saving}
              />
            ) : selectedIndex >= 0 ? (
              <p className="muted">Loading…</p>
            ) : (
              <p className="empty">Select a result to see its evidence.</p>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
