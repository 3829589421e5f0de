// Runs screen: start, smart-run or re-run a config, a filtered and paged runs list with live progress and cancel, and the selected run's summary (ai-resolve, export).
import { useCallback, useEffect, useRef, useState } from 'react';

import { aiResolve, cancelRun, listConfigs, listStrategies, runPage, runProgress, runSummary, startRun, startSmartRun } from '../api';
import { errorText } from '../apiError';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import type { Run } from '../bindings/Run';
import type { RunFilter } from '../bindings/RunFilter';
import type { RunProgress } from '../bindings/RunProgress';
import type { RunStatus } from '../bindings/RunStatus';
import type { RunSummary as Summary } from '../bindings/RunSummary';
import { ErrorBanner } from '../components/ErrorBanner';
import { Pager } from '../components/Pager';
import { ProgressBar } from '../components/ProgressBar';
import { RunSummary, canReview } from '../components/RunSummary';
import { SmartRunControl } from '../components/SmartRunControl';
import { StatusBadge } from '../components/StatusBadge';
import { PHASE_LABEL, formatCount, formatDateTime, formatDuration, formatEta, formatPairsCompared, formatPercent, toCount } from '../format';
import { goTo } from '../navigation';
import { isFinalStatus, latestProgress, subscribeProgress } from '../progressHub';
import { aiResolveState, strategyLabel } from '../smart';

interface Props {
  active: boolean;
  onReview: (runId: string) => void;
}

export const RUNS_PER_PAGE = 20;

const STATUS_FILTERS: { value: RunStatus; label: string }[] = [
  { value: 'queued', label: 'Queued' },
  { value: 'running', label: 'Running' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'ai_resolving', label: 'AI resolving' },
];

function isActive(run: Run): boolean {
  return !isFinalStatus(run.status);
}

/**
 * The run as the latest progress event says it is now. An ai-resolve pass reports no rows (its
 * progress is the share of the band done), so the run's counters stay as they are.
 */
export function applyProgress(run: Run, p: RunProgress): Run {
  if (p.status === 'ai_resolving') return { ...run, status: p.status };
  return {
    ...run,
    status: p.status,
    rows_processed: p.rows_processed,
    rows_total: p.rows_total,
    rows_matched: p.rows_matched,
  };
}

interface Query {
  configId: string;
  status: RunStatus | '';
  page: number;
}

/** The runPage filter for the controls: unset filters are left out rather than sent empty. */
export function runFilterOf(q: Query): RunFilter {
  return {
    ...(q.configId ? { config_id: q.configId } : {}),
    ...(q.status ? { status: q.status } : {}),
    limit: RUNS_PER_PAGE,
    page: q.page,
  };
}

/** Why a run can or cannot be started again, for the button's state and tooltip. */
export function rerunState(run: Run, configs: MatchingConfig[] | null): { disabled: boolean; title: string } {
  if (isActive(run)) return { disabled: true, title: 'The run is still going.' };
  // Unknown until the configs load: let the backend say no rather than guess.
  if (configs !== null && !configs.some((c) => c.id === run.matching_config_id))
    return { disabled: true, title: `The config “${run.config_name}” was deleted, so this run cannot be started again.` };
  return { disabled: false, title: `Start “${run.config_name}” again with the config’s current settings` };
}

export function RunsScreen({ active, onReview }: Props) {
  const [configs, setConfigs] = useState<MatchingConfig[] | null>(null);
  const [strategies, setStrategies] = useState<MatchingStrategy[] | null>(null);
  const [configId, setConfigId] = useState('');
  const [filterConfig, setFilterConfig] = useState('');
  const [filterStatus, setFilterStatus] = useState<RunStatus | ''>('');
  const [page, setPage] = useState(1);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [total, setTotal] = useState(0);
  const [progress, setProgress] = useState<Record<string, RunProgress>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [summaryTick, setSummaryTick] = useState(0);

  const runsRef = useRef<Run[] | null>(null);
  runsRef.current = runs;
  const queryRef = useRef<Query>({ configId: filterConfig, status: filterStatus, page });
  queryRef.current = { configId: filterConfig, status: filterStatus, page };
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const requestedRef = useRef(new Set<string>());
  const loadSeqRef = useRef(0);
  const scrollPendingRef = useRef(false);

  const reloadRuns = useCallback(async () => {
    const q = queryRef.current;
    // Filters and pages change faster than the backend answers: only the latest answer counts.
    const seq = ++loadSeqRef.current;
    try {
      const p = await runPage(runFilterOf(q));
      if (seq !== loadSeqRef.current) return;
      const count = toCount(p.total);
      const lastPage = Math.max(1, Math.ceil(count / RUNS_PER_PAGE));
      if (p.data.length === 0 && q.page > lastPage) {
        setPage(lastPage); // runs went away under us; the effect loads the last page that exists
        return;
      }
      // A run can end between the backend reading the list and this answer arriving; the final event
      // already came, so show that rather than a status no later event would correct.
      setRuns(
        p.data.map((r) => {
          const known = latestProgress(r.id);
          return known && isFinalStatus(known.status) && !isFinalStatus(r.status) ? applyProgress(r, known) : r;
        }),
      );
      setTotal(count);
      // Runs already under way: show where they are before the next event arrives.
      for (const r of p.data.filter(isActive)) {
        const known = latestProgress(r.id);
        if (known) setProgress((prev) => ({ ...prev, [r.id]: known }));
        else
          runProgress(r.id).then(
            (pr) => setProgress((prev) => (prev[r.id] ? prev : { ...prev, [r.id]: pr })),
            () => undefined,
          );
      }
    } catch (e) {
      if (seq === loadSeqRef.current) setError(errorText(e, 'Could not load the runs'));
    }
  }, []);

  const loadConfigs = useCallback(async () => {
    try {
      const c = await listConfigs();
      setConfigs(c);
      setConfigId((current) => (current && c.some((x) => x.id === current) ? current : (c[0]?.id ?? '')));
      setFilterConfig((current) => (current && !c.some((x) => x.id === current) ? '' : current));
    } catch (e) {
      setError(errorText(e, 'Could not load the configs'));
    }
    try {
      setStrategies(await listStrategies());
    } catch (e) {
      setStrategies([]);
      setError(errorText(e, 'Could not load the strategies'));
    }
  }, []);

  useEffect(() => {
    if (!active) return;
    void loadConfigs();
    // Decisions taken in the Review screen change the counts of the summary.
    setSummaryTick((t) => t + 1);
  }, [active, loadConfigs]);

  useEffect(() => {
    if (active) void reloadRuns();
  }, [active, filterConfig, filterStatus, page, reloadRuns]);

  // Live progress: patch the one run; reload the list only when a run reaches a final status.
  useEffect(
    () =>
      subscribeProgress((p) => {
        setProgress((prev) => ({ ...prev, [p.run_id]: p }));
        const list = runsRef.current;
        if (list === null) return; // not loaded yet: the first load will show it
        if (list.some((r) => r.id === p.run_id)) {
          setRuns((prev) => prev && prev.map((r) => (r.id === p.run_id ? applyProgress(r, p) : r)));
          if (isFinalStatus(p.status)) void reloadRuns();
        } else if (isFinalStatus(p.status) || !requestedRef.current.has(p.run_id)) {
          // A run started elsewhere (or on another page): fetch the list once to learn about it,
          // and again when it ends, since a list fetched while it ran would show it running forever.
          requestedRef.current.add(p.run_id);
          void reloadRuns();
        }
        if (isFinalStatus(p.status) && p.run_id === selectedRef.current) setSummaryTick((t) => t + 1);
      }),
    [reloadRuns],
  );

  // The selected run's summary; a refresh keeps the old one on screen until the new one arrives.
  useEffect(() => {
    if (!selectedId) return;
    let stale = false;
    runSummary(selectedId).then(
      (s) => {
        if (stale) return;
        setSummary(s);
        setSummaryError(null);
      },
      (e: unknown) => {
        if (!stale) setSummaryError(errorText(e, 'Could not load the summary'));
      },
    );
    return () => {
      stale = true;
    };
  }, [selectedId, summaryTick]);

  const shownSummary = summary && summary.run.id === selectedId ? summary : null;

  // Below the list the summary can be off screen: bring it into view once, after a click.
  useEffect(() => {
    if (!shownSummary || !scrollPendingRef.current) return;
    scrollPendingRef.current = false;
    const el = document.getElementById('run-summary');
    if (el && el.getBoundingClientRect().top > window.innerHeight - 80) el.scrollIntoView?.({ block: 'start' });
  }, [shownSummary]);

  const select = (run: Run) => {
    if (run.id === selectedId) return;
    scrollPendingRef.current = true;
    setSelectedId(run.id);
    setSummary(null);
    setSummaryError(null);
  };

  /** Starts a run of config `cid`: a smart one when a strategy is given. */
  const launch = async (cid: string, strategyId?: string | null) => {
    setError(null);
    setNotice(null);
    setStarting(true);
    try {
      const run = strategyId ? await startSmartRun(cid, strategyId) : await startRun(cid);
      requestedRef.current.add(run.id);
      const q = queryRef.current;
      const shown = (!q.configId || q.configId === run.matching_config_id) && (!q.status || q.status === run.status);
      if (!shown) {
        setNotice(`Started a run of ${run.config_name}; the filters hide it.`);
      } else if (q.page !== 1) {
        setPage(1); // the newest run is on the first page
      } else {
        setRuns((prev) => [run, ...(prev ?? []).filter((r) => r.id !== run.id)].slice(0, RUNS_PER_PAGE));
        setTotal((t) => t + 1);
      }
    } catch (e) {
      setError(errorText(e, strategyId ? 'Could not start the smart run' : 'Could not start the run'));
    } finally {
      setStarting(false);
    }
  };

  const resolve = async (run: Run) => {
    setError(null);
    setNotice(null);
    const before = latestProgress(run.id);
    try {
      const updated = await aiResolve(run.id);
      // A short pass can end before its answer arrives: its final event then has the last word.
      const after = latestProgress(run.id);
      const status = after && after !== before && isFinalStatus(after.status) ? after.status : updated.status;
      setRuns((prev) => prev && prev.map((r) => (r.id === run.id ? { ...r, status } : r)));
    } catch (e) {
      setError(errorText(e, 'Could not start AI resolve'));
    }
  };

  const cancel = async (run: Run) => {
    setError(null);
    try {
      const updated = await cancelRun(run.id);
      setRuns((prev) => prev && prev.map((r) => (r.id === updated.id ? updated : r)));
    } catch (e) {
      setError(errorText(e, 'Could not cancel the run'));
    }
  };

  const refresh = () => {
    void loadConfigs();
    void reloadRuns();
    setSummaryTick((t) => t + 1);
  };

  const filtered = filterConfig !== '' || filterStatus !== '';
  const selectedRun = (selectedId && runs?.find((r) => r.id === selectedId)) || shownSummary?.run || null;
  const chosenConfig = configs?.find((c) => c.id === configId) ?? null;
  const strategyName = (id: string | null) => {
    const s = id ? strategies?.find((x) => x.id === id) : undefined;
    return s ? strategyLabel(s) : null;
  };
  const rerunOf = (run: Run) => {
    const state = rerunState(run, configs);
    return starting && !state.disabled ? { ...state, disabled: true } : state;
  };

  return (
    <div className="runs-screen">
      <section className="card toolbar-card" aria-labelledby="start-heading">
        <h2 id="start-heading" className="visually-hidden">
          Start a run
        </h2>
        <div className="toolbar">
          <label htmlFor="run-config">Config</label>
          <select id="run-config" value={configId} onChange={(e) => setConfigId(e.target.value)} disabled={!configs || configs.length === 0}>
            {(!configs || configs.length === 0) && <option value="">No configs yet</option>}
            {configs?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <button id="start-run" type="button" className="primary" onClick={() => void launch(configId)} disabled={!configId || starting}>
            {starting ? 'Starting…' : 'Start run'}
          </button>
          <SmartRunControl config={chosenConfig} strategies={strategies} starting={starting} onStart={(sid) => void launch(configId, sid)} />
          <button id="runs-refresh" type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
      </section>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <ErrorBanner message={notice} tone="info" onDismiss={() => setNotice(null)} />
      <div className={`runs-layout${selectedRun ? ' with-summary' : ''}`}>
        <section className="card runs-list" aria-labelledby="runs-heading">
          <div className="card-head row runs-head">
            <h2 id="runs-heading">Runs</h2>
            <div className="toolbar runs-filters" role="group" aria-label="Filter the runs">
              <label htmlFor="runs-filter-config">Config</label>
              <select
                id="runs-filter-config"
                value={filterConfig}
                onChange={(e) => {
                  setFilterConfig(e.target.value);
                  setPage(1);
                }}
              >
                <option value="">All configs</option>
                {configs?.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
              <label htmlFor="runs-filter-status">Status</label>
              <select
                id="runs-filter-status"
                value={filterStatus}
                onChange={(e) => {
                  setFilterStatus(e.target.value as RunStatus | '');
                  setPage(1);
                }}
              >
                <option value="">Any status</option>
                {STATUS_FILTERS.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {runs === null ? (
            <p className="muted">Loading…</p>
          ) : runs.length === 0 ? (
            filtered ? (
              <p className="empty">
                No runs match these filters.{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setFilterConfig('');
                    setFilterStatus('');
                    setPage(1);
                  }}
                >
                  Show all runs
                </button>
              </p>
            ) : (
              <p className="empty" id="runs-empty">
                No runs yet.{' '}
                {chosenConfig ? (
                  <button type="button" id="runs-empty-action" className="link" onClick={() => void launch(chosenConfig.id)} disabled={starting}>
                    Start a run of “{chosenConfig.name}”
                  </button>
                ) : (
                  <button type="button" id="runs-empty-action" className="link" onClick={() => goTo('configs')}>
                    Create a config first
                  </button>
                )}
              </p>
            )
          ) : (
            <>
              <p className="hint runs-hint">Select a run to see its summary and export it.</p>
              <div className="table-wrap">
                <table className="table runs-table" aria-label="Runs, newest first">
                  <thead>
                    <tr>
                      <th scope="col">Config</th>
                      <th scope="col">Status</th>
                      <th scope="col">Triggered by</th>
                      <th scope="col" className="num">
                        Rows
                      </th>
                      <th scope="col" className="num">
                        Matched
                      </th>
                      <th scope="col" className="num">
                        Avg. confidence
                      </th>
                      <th scope="col" className="num" title="Document and reference row pairs scored after candidate search">
                        Pairs compared
                      </th>
                      <th scope="col">Started</th>
                      <th scope="col">Duration</th>
                      <th scope="col">Progress</th>
                    </tr>
                  </thead>
                  <tbody>
                    {runs.map((r) => (
                      <RunRow
                        key={r.id}
                        run={r}
                        selected={r.id === selectedId}
                        progress={progress[r.id]}
                        rerun={rerunOf(r)}
                        onSelect={() => select(r)}
                        onCancel={() => void cancel(r)}
                        onReview={() => onReview(r.id)}
                        onRerun={() => void launch(r.matching_config_id, r.run_type === 'smart' ? r.strategy_id : null)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
              <div id="runs-pager">
                <Pager page={page} limit={RUNS_PER_PAGE} total={total} onPage={setPage} label="Pages of runs" />
              </div>
            </>
          )}
        </section>
        {selectedRun && (
          <RunSummary
            run={selectedRun}
            summary={shownSummary}
            error={summaryError}
            rerun={rerunOf(selectedRun)}
            onRerun={() => void launch(selectedRun.matching_config_id, selectedRun.run_type === 'smart' ? selectedRun.strategy_id : null)}
            onOpenReview={() => onReview(selectedRun.id)}
            aiResolve={aiResolveState(selectedRun)}
            onAiResolve={() => void resolve(selectedRun)}
            strategyName={strategyName(selectedRun.strategy_id)}
          />
        )}
      </div>
    </div>
  );
}

interface RowProps {
  run: Run;
  selected: boolean;
  progress: RunProgress | undefined;
  rerun: { disabled: boolean; title: string };
  onSelect: () => void;
  onCancel: () => void;
  onReview: () => void;
  onRerun: () => void;
}

function RunRow({ run, selected, progress, rerun, onSelect, onCancel, onReview, onRerun }: RowProps) {
  const live = isActive(run);
  const started = formatDateTime(run.started_at ?? run.created_at);
  return (
    // A click anywhere on the row selects it; the name button is the same thing for the keyboard.
    <tr data-run-id={run.id} data-status={run.status} aria-selected={selected} className={`run-row${selected ? ' selected' : ''}`} onClick={onSelect}>
      <td>
        <button type="button" className="link run-select" aria-pressed={selected} aria-label={`${run.config_name}, ${started}: show summary`} aria-controls={selected ? 'run-summary' : undefined}>
          {run.config_name}
        </button>
        {run.run_type === 'smart' && (
          <span className="run-type-tag small" title="A smart run: decided by a strategy’s match model">
            smart
          </span>
        )}
      </td>
      <td>
        <StatusBadge status={run.status} />
        {run.error && (
          <span className="run-error small" title={run.error}>
            {run.error}
          </span>
        )}
      </td>
      <td>{run.triggered_by}</td>
      <td className="num nowrap">
        {formatCount(run.rows_processed)} / {formatCount(run.rows_total)}
      </td>
      <td className="num">{formatCount(run.rows_matched)}</td>
      <td className="num">{formatPercent(run.avg_confidence)}</td>
      <td className="num pairs-compared" title={formatPairsCompared(run.pairs_compared) || undefined}>
        {formatCount(run.pairs_compared)}
      </td>
      <td className="nowrap">{started}</td>
      <td className="nowrap">{formatDuration(run.started_at, run.completed_at)}</td>
      <td className="progress-cell">
        {live ? (
          <LiveProgress run={run} progress={progress} onCancel={onCancel} />
        ) : (
          <div className="row-actions">
            {canReview(run) && (
              <button type="button" className="small" onClick={onReview}>
                Review results
              </button>
            )}
            {/* A disabled button shows no tooltip in every webview: the wrapper carries it too. */}
            <span title={rerun.title} className="rerun-wrap">
              <button
                type="button"
                className="small rerun-run"
                onClick={onRerun}
                disabled={rerun.disabled}
                aria-label={`Re-run ${run.config_name}`}
                aria-describedby={rerun.disabled ? `rerun-why-${run.id}` : undefined}
              >
                Re-run
              </button>
              {rerun.disabled && (
                <span id={`rerun-why-${run.id}`} className="visually-hidden">
                  {rerun.title}
                </span>
              )}
            </span>
          </div>
        )}
      </td>
    </tr>
  );
}

function LiveProgress({ run, progress, onCancel }: { run: Run; progress: RunProgress | undefined; onCancel: () => void }) {
  const phase = progress ? (PHASE_LABEL[progress.phase] ?? progress.phase) : run.status === 'queued' ? 'Queued' : 'Starting';
  const percent = progress?.phase_progress ?? 0;
  const rows = progress ? `${formatCount(progress.rows_processed)} of ${formatCount(progress.rows_total)} rows` : '';
  const matched = progress ? `${formatCount(progress.rows_matched)} matched` : '';
  const eta = progress ? formatEta(progress.estimated_seconds_remaining) : '';
  return (
    <div className="live-progress">
      <div className="live-progress-line">
        <ProgressBar
          value={percent}
          label={`Progress of ${run.config_name}`}
          valueText={`${phase}, ${percent}%${rows ? `, ${rows}, ${matched}` : ''}${eta ? `, ${eta}` : ''}`}
        />
        {/* An ai-resolve pass cannot be cancelled; it only writes suggestions. */}
        {run.status !== 'ai_resolving' && (
          <button type="button" className="cancel-run small danger" onClick={onCancel} aria-label={`Cancel run of ${run.config_name}`}>
            Cancel
          </button>
        )}
      </div>
      <span className="small muted">
        {phase} · {percent}%{rows && ` · ${rows} · ${matched}`}
        {eta && ` · ${eta}`}
      </span>
    </div>
  );
}
