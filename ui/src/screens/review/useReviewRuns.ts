// Which run the review desk shows: the runs (of one config or all), the configs to filter on, the run picked, asked for or chosen by default.
import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';

import { listConfigs, listPackageRuns, listRuns } from '../../api';
import { errorText } from '../../apiError';
import type { MatchingConfig } from '../../bindings/MatchingConfig';
import type { Run } from '../../bindings/Run';
import { isFinalStatus, subscribeProgress } from '../../progressHub';
import { defaultReviewRun, runsOfConfig } from '../../review';

/**
 * A run to open, asked for by another screen; `seq` changes with every request. It opens on the
 * pending results of its review band, or on all of them with `widen`.
 */
export type ReviewRequest = { runId: string; seq: number; widen?: boolean } | null;

interface Options {
  active: boolean;
  request: ReviewRequest;
  onError: (text: string) => void;
  /** The run on screen finished: its results may have changed. */
  onShownRunFinished: () => void;
}

export interface ReviewRuns {
  runs: Run[] | null;
  configs: MatchingConfig[] | null;
  configFilter: string;
  setConfigFilter: (configId: string) => void;
  /** Only the matching runs of bundles (package runs) whose verdict is review. */
  bundlesOnly: boolean;
  setBundlesOnly: (on: boolean) => void;
  runId: string | null;
  /** The run on screen, current inside async callbacks. */
  runIdRef: MutableRefObject<string | null>;
  /** The user chose a run: it stays chosen when the list reloads. */
  pickRun: (runId: string | null) => void;
  run: Run | null;
}

export function useReviewRuns({ active, request, onError, onShownRunFinished }: Options): ReviewRuns {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [configs, setConfigs] = useState<MatchingConfig[] | null>(null);
  const [configFilter, setConfigFilter] = useState('');
  const [bundlesOnly, setBundlesOnly] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const userPickedRef = useRef(false);
  const runIdRef = useRef<string | null>(null);
  runIdRef.current = runId;
  // The callbacks change with every render of the screen; the progress subscription must not.
  const callbacksRef = useRef({ onError, onShownRunFinished });
  callbacksRef.current = { onError, onShownRunFinished };

  const loadRuns = useCallback(async () => {
    try {
      let list = runsOfConfig(await listRuns(configFilter ? { limit: 100, config_id: configFilter } : { limit: 100 }), configFilter);
      if (bundlesOnly) {
        const held = new Set((await listPackageRuns(undefined, 'review')).flatMap((p) => p.document_results.map((d) => d.matching_run_id)));
        list = list.filter((r) => held.has(r.id));
      }
      setRuns(list);
      setRunId((current) => {
        const listed = current !== null && list.some((r) => r.id === current);
        if (listed && userPickedRef.current) return current;
        const preferred = defaultReviewRun(list)?.id;
        if (preferred) return preferred;
        if (listed) return current;
        // A config with no finished run still offers its other runs; all configs keep a run asked for by another screen.
        return configFilter || bundlesOnly ? (list[0]?.id ?? null) : current;
      });
    } catch (e) {
      callbacksRef.current.onError(errorText(e, 'Could not load the runs'));
    }
  }, [configFilter, bundlesOnly]);

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
    setBundlesOnly(false);
    setRunId(request.runId);
  }, [request]);

  // A run that finishes may be the one to review: refresh the run list, and the results if it is shown.
  useEffect(
    () =>
      subscribeProgress((p) => {
        if (!isFinalStatus(p.status)) return;
        void loadRuns();
        if (runIdRef.current === p.run_id) callbacksRef.current.onShownRunFinished();
      }),
    [loadRuns],
  );

  const pickRun = useCallback((id: string | null) => {
    userPickedRef.current = true;
    setRunId(id);
  }, []);

  const run = runs?.find((r) => r.id === runId) ?? null;
  return { runs, configs, configFilter, setConfigFilter, bundlesOnly, setBundlesOnly, runId, runIdRef, pickRun, run };
}
