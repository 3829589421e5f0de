// What the run's config tells the review desk: its thresholds (for the bands) and its reference dataset and columns (for the record panel).
import { useEffect, useState } from 'react';

import { getConfig, listDatasets } from '../../api';
import { DEFAULTS } from '../../configForm';

export interface RunContext {
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

/** The thresholds and reference columns of the config `configId` (defaults if the config is gone). */
export function useRunContext(configId: string | null): RunContext {
  const [context, setContext] = useState<RunContext>(DEFAULT_CONTEXT);
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
  return context;
}
