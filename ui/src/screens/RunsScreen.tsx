// Runs screen: start a run of a config, watch live progress from the progress channel, cancel, open results; pairs compared per run.
import { useCallback, useEffect, useRef, useState } from 'react';

import { cancelRun, listConfigs, listRuns, runProgress, startRun } from '../api';
import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { Run } from '../bindings/Run';
import type { RunProgress } from '../bindings/RunProgress';
import { ErrorBanner } from '../components/ErrorBanner';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { PHASE_LABEL, formatCount, formatDateTime, formatDuration, formatEta, formatPairsCompared, formatPercent } from '../format';
import { isFinalStatus, latestProgress, subscribeProgress } from '../progressHub';

interface Props {
  active: boolean;
  onReview: (runId: string) => void;
}

const RUN_LIST_LIMIT = 100;

function isActive(run: Run): boolean {
  return !isFinalStatus(run.status);
}

/** The run as the latest progress event says it is now. */
export function applyProgress(run: Run, p: RunProgress): Run {
  return {
    ...run,
    status: p.status,
    rows_processed: p.rows_processed,
    rows_total: p.rows_total,
    rows_matched: p.rows_matched,
  };
}

export function RunsScreen({ active, onReview }: Props) {
  const [configs, setConfigs] = useState<MatchingConfig[]>([]);
  const [configId, setConfigId] = useState('');
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [progress, setProgress] = useState<Record<string, RunProgress>>({});
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const runsRef = useRef<Run[] | null>(null);
  runsRef.current = runs;
  const requestedRef = useRef(new Set<string>());

  const reloadRuns = useCallback(async () => {
    try {
      const list = await listRuns({ limit: RUN_LIST_LIMIT });
      setRuns(list);
      // Runs already under way: show where they are before the next event arrives.
      for (const r of list.filter(isActive)) {
        const known = latestProgress(r.id);
        if (known) setProgress((p) => ({ ...p, [r.id]: known }));
        else
          runProgress(r.id).then(
            (p) => setProgress((prev) => (prev[r.id] ? prev : { ...prev, [r.id]: p })),
            () => undefined,
          );
      }
    } catch (e) {
      setError(`Could not load the runs: ${(e as Error).message}`);
    }
  }, []);

  const reload = useCallback(async () => {
    try {
      const c = await listConfigs();
      setConfigs(c);
      setConfigId((current) => (current && c.some((x) => x.id === current) ? current : (c[0]?.id ?? '')));
    } catch (e) {
      setError(`Could not load the configs: ${(e as Error).message}`);
    }
    await reloadRuns();
  }, [reloadRuns]);

  useEffect(() => {
    if (active) void reload();
  }, [active, reload]);

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
        } else if (!requestedRef.current.has(p.run_id)) {
          // A run started elsewhere: fetch the list once to learn about it.
          requestedRef.current.add(p.run_id);
          void reloadRuns();
        }
      }),
    [reloadRuns],
  );

  const start = async () => {
    if (!configId) return;
    setError(null);
    setStarting(true);
    try {
      const run = await startRun(configId);
      setRuns((prev) => [run, ...(prev ?? []).filter((r) => r.id !== run.id)]);
    } catch (e) {
      setError(`Could not start the run: ${(e as Error).message}`);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async (run: Run) => {
    setError(null);
    try {
      const updated = await cancelRun(run.id);
      setRuns((prev) => prev && prev.map((r) => (r.id === updated.id ? updated : r)));
    } catch (e) {
      setError(`Could not cancel the run: ${(e as Error).message}`);
    }
  };

  return (
    <div className="runs-screen">
      <section className="card toolbar-card" aria-labelledby="start-heading">
        <h2 id="start-heading" className="visually-hidden">
          Start a run
        </h2>
        <div className="toolbar">
          <label htmlFor="run-config">Config</label>
          <select id="run-config" value={configId} onChange={(e) => setConfigId(e.target.value)} disabled={configs.length === 0}>
            {configs.length === 0 && <option value="">No configs yet</option>}
            {configs.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <button id="start-run" type="button" className="primary" onClick={() => void start()} disabled={!configId || starting}>
            {starting ? 'Starting…' : 'Start run'}
          </button>
          <button type="button" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
      </section>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <section className="card" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        {runs === null ? (
          <p className="muted">Loading…</p>
        ) : runs.length === 0 ? (
          <p className="empty">No runs yet. Choose a config above and start one.</p>
        ) : (
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
                  <RunRow key={r.id} run={r} progress={progress[r.id]} onCancel={() => void cancel(r)} onReview={() => onReview(r.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function RunRow({ run, progress, onCancel, onReview }: { run: Run; progress: RunProgress | undefined; onCancel: () => void; onReview: () => void }) {
  const live = isActive(run);
  return (
    <tr data-run-id={run.id} data-status={run.status}>
      <td>{run.config_name}</td>
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
      <td className="nowrap">{formatDateTime(run.started_at ?? run.created_at)}</td>
      <td className="nowrap">{formatDuration(run.started_at, run.completed_at)}</td>
      <td className="progress-cell">
        {live ? (
          <LiveProgress run={run} progress={progress} onCancel={onCancel} />
        ) : run.status === 'completed' || run.status === 'cancelled' ? (
          <button type="button" className="small" onClick={onReview}>
            Review results
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function LiveProgress({ run, progress, onCancel }: { run: Run; progress: RunProgress | undefined; onCancel: () => void }) {
  const phase = progress ? (PHASE_LABEL[progress.phase] ?? progress.phase) : run.status === 'queued' ? 'Queued' : 'Starting';
  const percent = progress?.phase_progress ?? 0;
  const rows = progress ? `${formatCount(progress.rows_processed)} of ${formatCount(progress.rows_total)} rows` : '';
  const eta = progress ? formatEta(progress.estimated_seconds_remaining) : '';
  return (
    <div className="live-progress">
      <div className="live-progress-line">
        <ProgressBar value={percent} label={`Progress of ${run.config_name}`} valueText={`${phase}, ${percent}%${rows ? `, ${rows}` : ''}${eta ? `, ${eta}` : ''}`} />
        <button type="button" className="cancel-run small danger" onClick={onCancel} aria-label={`Cancel run of ${run.config_name}`}>
          Cancel
        </button>
      </div>
      <span className="small muted">
        {phase} · {percent}%{rows && ` · ${rows}`}
        {eta && ` · ${eta}`}
      </span>
    </div>
  );
}
