// Review screen: pick a run, walk its results by confidence with the keyboard, approve or reject with the evidence in view; contested results flagged.
import { useCallback, useEffect, useRef, useState } from 'react';

import { getConfig, listDatasets, listResults, listRuns, referenceRows, resultDecisions, revertDecision, reviewResult } from '../api';
import type { MatchResult } from '../bindings/MatchResult';
import type { Record as DataRecord } from '../bindings/Record';
import type { ReviewDecision } from '../bindings/ReviewDecision';
import type { ReviewInput } from '../bindings/ReviewInput';
import type { ReviewStatus } from '../bindings/ReviewStatus';
import type { Run } from '../bindings/Run';
import { ConfidenceBadge } from '../components/ConfidenceBadge';
import { ContestedBadge } from '../components/ContestedBadge';
import { ErrorBanner } from '../components/ErrorBanner';
import { Pager } from '../components/Pager';
import { ResultDetail } from '../components/ResultDetail';
import { StatusBadge } from '../components/StatusBadge';
import { DEFAULTS } from '../configForm';
import { formatCount, formatDateTime } from '../format';
import { REVIEW_SHORTCUTS, reviewKeyAction } from '../keyboard';
import { isFinalStatus, subscribeProgress } from '../progressHub';
import { defaultReviewRun, moveIndex, nextPendingIndex, replaceResult, runLabel } from '../review';
import { afterRedo, afterUndo, nextRedo, nextUndo, NO_HISTORY, recordDecision, type DecisionRef, type UndoStacks } from '../undo';

export const RESULTS_PER_PAGE = 50;

type Filter = 'all' | ReviewStatus;
const FILTERS: { id: Filter; label: string }[] = [
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

interface Props {
  active: boolean;
  /** A run to open, asked for by another screen; `seq` changes with every request. */
  request?: { runId: string; seq: number } | null;
}

export function ReviewScreen({ active, request = null }: Props) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const userPickedRef = useRef(false);
  const runIdRef = useRef<string | null>(null);
  runIdRef.current = runId;
  const [context, setContext] = useState<RunContext>(DEFAULT_CONTEXT);
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState(1);
  const [results, setResults] = useState<MatchResult[] | null>(null);
  const [total, setTotal] = useState(0);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [decisions, setDecisions] = useState<ReviewDecision[] | null>(null);
  const [records, setRecords] = useState<Map<string, DataRecord>>(new Map());
  const [notes, setNotes] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const [history, setHistory] = useState<UndoStacks>(NO_HISTORY);
  const [counts, setCounts] = useState<Record<ReviewStatus, number> | null>(null);
  const [countTick, setCountTick] = useState(0);
  const [helpOpen, setHelpOpen] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);

  const loadRuns = useCallback(async () => {
    try {
      const list = await listRuns({ limit: 100 });
      setRuns(list);
      setRunId((current) => {
        if (current && list.some((r) => r.id === current) && userPickedRef.current) return current;
        return defaultReviewRun(list)?.id ?? current ?? null;
      });
    } catch (e) {
      setError(`Could not load the runs: ${(e as Error).message}`);
    }
  }, []);

  useEffect(() => {
    if (active) void loadRuns();
  }, [active, loadRuns]);

  useEffect(() => {
    if (!request) return;
    userPickedRef.current = true;
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

  // Reset paging when the run or the filter changes.
  useEffect(() => {
    setPage(1);
    setSelectedId(null);
  }, [runId, filter]);

  // The current page of results.
  useEffect(() => {
    if (!runId) {
      setResults(null);
      return;
    }
    let stale = false;
    listResults(runId, { page, limit: RESULTS_PER_PAGE, ...(filter === 'all' ? {} : { status: filter }) }).then(
      (p) => {
        if (stale) return;
        setResults(p.data);
        setTotal(p.total);
        setSelectedId((current) => {
          if (current && p.data.some((r) => r.id === current)) return current;
          return (p.data.find((r) => r.status === 'pending') ?? p.data[0])?.id ?? null;
        });
      },
      (e: Error) => {
        if (!stale) setError(`Could not load the results: ${e.message}`);
      },
    );
    return () => {
      stale = true;
    };
  }, [runId, filter, page, reloadTick]);

  // Live counters of the run's results by status, refreshed after every decision.
  useEffect(() => {
    if (!runId) {
      setCounts(null);
      return;
    }
    let stale = false;
    const statuses: ReviewStatus[] = ['pending', 'approved', 'rejected'];
    Promise.all(statuses.map((status) => listResults(runId, { status, page: 1, limit: 1 }).then((p) => p.total))).then(
      ([pending = 0, approved = 0, rejected = 0]) => {
        if (!stale) setCounts({ pending, approved, rejected });
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [runId, reloadTick, countTick]);

  const selectedIndex = results ? results.findIndex((r) => r.id === selectedId) : -1;
  const selected = selectedIndex >= 0 && results ? (results[selectedIndex] ?? null) : null;

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

  // Keep the selected item in view.
  useEffect(() => {
    if (!selectedId) return;
    const el = document.getElementById(`result-${selectedId}`);
    if (el && typeof el.scrollIntoView === 'function') el.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const decide = useCallback(
    async (status: 'approved' | 'rejected', referenceRowId?: string) => {
      if (!runId || !selected || !results || saving) return;
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
        const next = replaceResult(results, updated);
        setResults(next);
        const index = next.findIndex((r) => r.id === updated.id);
        const pendingIndex = nextPendingIndex(next, index);
        if (pendingIndex >= 0) setSelectedId(next[pendingIndex]?.id ?? updated.id);
        else {
          setNotice(page * RESULTS_PER_PAGE < total ? 'No pending results left on this page: go to the next page.' : 'No pending results left.');
          // Same selection: refresh its history to show the decision just made.
          resultDecisions(updated.id).then(setDecisions, () => undefined);
          setNotes('');
        }
      } catch (e) {
        setError(`Could not save the decision: ${(e as Error).message}`);
      } finally {
        setSaving(false);
      }
    },
    [runId, selected, results, saving, notes, page, total],
  );

  // Undo reverts the latest decision of this session; redo reverts that revert.
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
        const updated = await revertDecision(entry.runId, entry.resultId, entry.decisionId);
        const log = await resultDecisions(updated.id);
        const made = log[log.length - 1];
        const ref: DecisionRef = { runId: entry.runId, resultId: updated.id, decisionId: made?.id ?? '' };
        setHistory((h) => (kind === 'undo' ? afterUndo(h, ref) : afterRedo(h, ref)));
        setCountTick((t) => t + 1);
        if (entry.runId === runId && results?.some((r) => r.id === updated.id)) {
          setResults(replaceResult(results, updated));
          setSelectedId(updated.id);
          setDecisions(log);
        }
        setNotice(`${kind === 'undo' ? 'Undone' : 'Redone'}: ${updated.document_filename ?? updated.document_id} is ${updated.status} again.`);
      } catch (e) {
        setError(`Could not ${kind} the decision: ${(e as Error).message}`);
      } finally {
        setSaving(false);
      }
    },
    [saving, history, runId, results],
  );

  // Keyboard: j/k or arrows move, a approves, r rejects (not while typing in a field).
  const keyHandlerRef = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyHandlerRef.current = (e: KeyboardEvent) => {
    if (helpOpen && e.key === 'Escape') {
      setHelpOpen(false);
      return;
    }
    const action = reviewKeyAction(e);
    if (!action) return;
    if (action === 'leave-field') {
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
    if (!results || results.length === 0) return;
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
    const target =
      action === 'first' ? 0 : action === 'last' ? results.length - 1 : moveIndex(selectedIndex, action === 'next' ? 1 : -1, results.length);
    const r = results[target];
    if (r) setSelectedId(r.id);
  };
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => keyHandlerRef.current(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  return (
    <div className="review-screen">
      <div className="card toolbar-card">
        <div className="toolbar">
          <label htmlFor="review-run">Run</label>
          <select
            id="review-run"
            value={runId ?? ''}
            onChange={(e) => {
              userPickedRef.current = true;
              setRunId(e.target.value || null);
            }}
            disabled={!runs || runs.length === 0}
          >
            {(!runs || runs.length === 0) && <option value="">No runs yet</option>}
            {runs?.map((r) => (
              <option key={r.id} value={r.id}>
                {runLabel(r, formatDateTime)}
              </option>
            ))}
          </select>
          <div className="segmented-buttons" role="group" aria-label="Show results">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" id={`filter-${f.id}`} aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
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
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>1</kbd>-<kbd>5</kbd> candidate · <kbd>u</kbd> undo
          </span>
          <button type="button" id="show-shortcuts" className="link-button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            Shortcuts (?)
          </button>
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
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} onDismiss={() => setNotice(null)} tone="info" />
      {!runId ? (
        <p className="empty card">No finished run to review yet. Start one on the Runs screen.</p>
      ) : (
        <div className="review-body">
          <section className="card results-pane" aria-labelledby="results-heading">
            <h2 id="results-heading" className="results-title">
              Results <span className="muted small">{formatCount(total)} · best confidence first</span>
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
              </p>
            )}
            {results === null ? (
              <p className="muted">Loading…</p>
            ) : results.length === 0 ? (
              <p className="empty">No results{filter === 'all' ? '' : ` with status ${filter}`}.</p>
            ) : (
              <ul
                ref={listRef}
                className="results-list"
                role="listbox"
                aria-label="Results"
                tabIndex={0}
                aria-activedescendant={selectedId ? `result-${selectedId}` : undefined}
              >
                {results.map((r) => (
                  <li
                    key={r.id}
                    id={`result-${r.id}`}
                    role="option"
                    aria-selected={r.id === selectedId}
                    data-result-id={r.id}
                    data-status={r.status}
                    className={`result-item ${r.id === selectedId ? 'selected' : ''}`}
                    onClick={() => setSelectedId(r.id)}
                  >
                    <span className="result-main">
                      <span className="result-doc" title={r.document_filename ?? r.document_id}>
                        {r.document_filename ?? r.document_id}
                      </span>
                      <span className="result-sub small muted">
                        {r.document_filename && <span className="mono">{r.document_id} · </span>}
                        {r.matched_reference_row_id ? <span className="mono">→ {r.matched_reference_row_id}</span> : <span className="no-match">no match</span>}
                      </span>
                    </span>
                    <span className="result-side">
                      <ConfidenceBadge confidence={r.confidence} threshold={context.threshold} reviewFloor={context.reviewFloor} />
                      <StatusBadge status={r.status} />
                      {r.contested && <ContestedBadge />}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {total > RESULTS_PER_PAGE && <Pager label="Result pages" page={page} limit={RESULTS_PER_PAGE} total={total} onPage={setPage} />}
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
                onDecide={(s) => void decide(s)}
                saving={saving}
              />
            ) : (
              <p className="empty">Select a result to see its evidence.</p>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
