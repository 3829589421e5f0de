// The runs of the pipeline shown: their list, the one shown (the newest unless picked), asked again while it is queued or running, and starting a new one.
import { useCallback, useEffect, useRef, useState } from 'react';

import { getPipelineRun, listPipelineRuns, runPipeline } from '../../api';
import { errorText } from '../../apiError';
import type { PipelineRunResult } from '../../bindings/PipelineRunResult';
import type { PipelineRunSummary } from '../../bindings/PipelineRunSummary';

/** How often a run still going is asked again. */
export const POLL_MS = 400;

export const isFinished = (status: string) => status === 'Completed' || status === 'Failed';

export interface PipelineRuns {
  runs: PipelineRunSummary[];
  jobId: number | null;
  /** The run shown, with its output once completed. */
  result: PipelineRunResult | null;
  show: (jobId: number) => void;
  start: () => Promise<void>;
}

/**
 * The runs of pipeline `pipelineId` (null: none shown). `onFinished` is called when a run the
 * screen watched going ends (the pipeline's last run changed); failures go to `onError`.
 */
export function usePipelineRun(active: boolean, pipelineId: number | null, onFinished: () => void, onError: (text: string) => void): PipelineRuns {
  const [runs, setRuns] = useState<PipelineRunSummary[]>([]);
  const [jobId, setJobId] = useState<number | null>(null);
  const [result, setResult] = useState<PipelineRunResult | null>(null);
  const current = useRef(pipelineId);
  current.current = pipelineId;
  // Read through refs so a new callback each render does not restart the watch.
  const callbacks = useRef({ onFinished, onError });
  callbacks.current = { onFinished, onError };

  /** The runs; `show` picks the run shown (else the newest, when none is). */
  const load = useCallback(async (id: number, show?: number) => {
    try {
      const r = await listPipelineRuns(id);
      if (current.current !== id) return;
      setRuns(r);
      setJobId((shown) => show ?? (shown !== null && r.some((x) => x.jobId === shown) ? shown : (r[0]?.jobId ?? null)));
    } catch (e) {
      callbacks.current.onError(errorText(e, 'Could not load the runs'));
    }
  }, []);

  useEffect(() => {
    setRuns([]);
    setJobId(null);
    setResult(null);
    if (active && pipelineId !== null) void load(pipelineId);
  }, [active, pipelineId, load]);

  // The run shown, asked again while it is queued or running; its end refreshes the list.
  useEffect(() => {
    if (!active || pipelineId === null || jobId === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waited = false;
    const ask = async () => {
      try {
        const r = await getPipelineRun(pipelineId, jobId);
        if (stopped) return;
        setResult(r);
        if (!isFinished(r.status)) {
          waited = true;
          timer = setTimeout(() => void ask(), POLL_MS);
        } else if (waited) {
          void load(pipelineId);
          callbacks.current.onFinished();
        }
      } catch (e) {
        if (!stopped) callbacks.current.onError(errorText(e, 'Could not read the run'));
      }
    };
    void ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, pipelineId, jobId, load]);

  const start = useCallback(async () => {
    if (pipelineId === null) return;
    try {
      const started = await runPipeline(pipelineId);
      await load(pipelineId, started.jobId);
    } catch (e) {
      callbacks.current.onError(errorText(e, 'Could not start the run'));
    }
  }, [pipelineId, load]);

  return { runs, jobId, result, show: setJobId, start };
}
