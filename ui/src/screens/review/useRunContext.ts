// What the run tells the review desk: the thresholds it ran with (for the bands; a smart run's are its model's probabilities) and its reference dataset and columns (for the record panel); and a smart run's strategy, its model's prior (for the waterfall).
import { useEffect, useMemo, useState } from 'react';

import { getConfig, getStrategy, listDatasets, runSummary } from '../../api';
import { DEFAULTS } from '../../configForm';

export interface RunContext {
  threshold: number;
  reviewFloor: number;
  referenceDataId: string | null;
  referenceColumns: string[];
  /** The prior log2 odds of a smart run's strategy; null for standard runs. */
  modelPrior: number | null;
  /** The run the thresholds are of; null until the first run's are read (the defaults stand in). */
  loadedFor: string | null;
}

const DEFAULT_CONTEXT: RunContext = {
  threshold: DEFAULTS.threshold,
  reviewFloor: DEFAULTS.review_floor,
  referenceDataId: null,
  referenceColumns: [],
  modelPrior: null,
  loadedFor: null,
};

/** The thresholds run `runId` ran with (its config snapshot's: the current config's, then defaults, when its summary cannot be read), the reference columns of its config `configId`, and the prior of strategy `strategyId`. */
export function useRunContext(configId: string | null, strategyId: string | null = null, runId: string | null = null): RunContext {
  const [context, setContext] = useState<RunContext>(DEFAULT_CONTEXT);
  const [modelPrior, setModelPrior] = useState<number | null>(null);
  useEffect(() => {
    setModelPrior(null);
    if (!strategyId) return;
    let stale = false;
    // Only needed when a confidence is exactly 0 or 1: a strategy that is gone just leaves it out.
    getStrategy(strategyId).then(
      (s) => {
        if (!stale) setModelPrior(s.strategy.model?.prior_log2_odds ?? null);
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [strategyId]);
  useEffect(() => {
    if (!configId) return;
    let stale = false;
    (async () => {
      let band = { threshold: DEFAULT_CONTEXT.threshold, reviewFloor: DEFAULT_CONTEXT.reviewFloor };
      let referenceDataId: string | null = null;
      let columns: string[] = [];
      try {
        const config = await getConfig(configId);
        band = { threshold: config.threshold, reviewFloor: config.review_floor };
        referenceDataId = config.reference_data_id;
        try {
          const datasets = await listDatasets();
          columns = datasets.find((d) => d.id === config.reference_data_id)?.columns.map((c) => c.name) ?? [];
        } catch {
          // the reference record panel will show bare values
        }
      } catch {
        // the config is gone: the run's own band below, or the defaults
      }
      // The config may have changed since the run (or be gone); the run's snapshot decides its bands.
      if (runId) {
        try {
          const summary = await runSummary(runId);
          band = { threshold: summary.threshold, reviewFloor: summary.review_floor };
        } catch {
          // the current config's band is the best guess left
        }
      }
      if (!stale) setContext({ ...band, referenceDataId, referenceColumns: columns, modelPrior: null, loadedFor: runId });
    })();
    return () => {
      stale = true;
    };
  }, [configId, runId]);
  return useMemo(() => ({ ...context, modelPrior }), [context, modelPrior]);
}
