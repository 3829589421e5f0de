// The live counters of the run on screen (per status, reviewed today), fetched again whenever asked.
import { useEffect, useState } from 'react';

import { reviewCounts } from '../../api';
import { countsOf } from '../../review';

export type Counts = ReturnType<typeof countsOf>;

/** The counters of `runId`, fetched again when the queue reloads and after every decision, undo, redo and bulk action (`countTick`). */
export function useReviewCounts(runId: string | null, reloadTick: number, countTick: number): Counts | null {
  const [counts, setCounts] = useState<Counts | null>(null);
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
  return counts;
}
