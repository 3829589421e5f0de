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

export function useEvidence(selected: MatchResult | null, referenceDataId: string | null): Evidence {
  const [decisions, setDecisions] = useState<ReviewDecision[] | null>(null);
  const [records, setRecords] = useState<Map<string, DataRecord>>(new Map());
  const [notes, setNotes] = useState('');
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
    const datasetId = referenceDataId;
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
  }, [referenceDataId, candidateIds]);

  return { decisions, setDecisions, records, notes, setNotes };
}
