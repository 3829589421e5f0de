// What the evidence panel shows besides the result itself: its decision history, the notes being typed, the reference rows of its candidates.
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';

import { referenceRows, resultDecisions } from '../../api';
import type { MatchResult } from '../../bindings/MatchResult';
import type { Record as DataRecord } from '../../bindings/Record';
import type { ReviewDecision } from '../../bindings/ReviewDecision';

export interface Evidence {
  /** The selected result's decisions, oldest first; null while loading. */
  decisions: ReviewDecision[] | null;
  setDecisions: Dispatch<SetStateAction<ReviewDecision[] | null>>;
  /** Reference rows fetched so far, by id. */
  records: Map<string, DataRecord>;
  notes: string;
  setNotes: Dispatch<SetStateAction<string>>;
}

/** Reference rows fetched for one dataset as one run matched them: another run may have read another version. */
interface RecordCache {
  key: string;
  rows: Map<string, DataRecord>;
}

const NO_RECORDS: Map<string, DataRecord> = new Map();

/**
 * The evidence of the `selected` result of run `runId`. Its candidates' reference rows are read as
 * that run matched them (a refresh of database reference data may have replaced them since).
 */
export function useEvidence(selected: MatchResult | null, referenceDataId: string | null, runId: string | null): Evidence {
  const [decisions, setDecisions] = useState<ReviewDecision[] | null>(null);
  const [cache, setCache] = useState<RecordCache>({ key: '', rows: NO_RECORDS });
  const [notes, setNotes] = useState('');
  const selectedId = selected?.id ?? null;
  // The result's own run: the one whose reference rows its candidates are.
  const matchedIn = selected?.run_id ?? runId;
  const cacheKey = `${referenceDataId ?? ''}\u0000${matchedIn ?? ''}`;
  const records = cache.key === cacheKey ? cache.rows : NO_RECORDS;

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
    const datasetId = referenceDataId;
    if (!datasetId || !candidateIds) return;
    const ids = candidateIds.split('\u0000').filter((id) => !records.has(id));
    if (ids.length === 0) return;
    let stale = false;
    referenceRows(datasetId, ids, matchedIn).then(
      (rows) => {
        if (stale) return;
        setCache((prev) => {
          const next = new Map(prev.key === cacheKey ? prev.rows : NO_RECORDS);
          for (const r of rows) next.set(r.id, r);
          return { key: cacheKey, rows: next };
        });
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
    // `records` is read only to skip rows already fetched, so it is not a dependency.
  }, [referenceDataId, candidateIds, matchedIn, cacheKey]);

  return { decisions, setDecisions, records, notes, setNotes };
}
