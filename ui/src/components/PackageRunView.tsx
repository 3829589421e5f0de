// One package run: its verdict, each document type with its status, confidence, matched row and the evidence of its best result (with a way to the review desk), and the rules' outcomes with their numbers.
import { useEffect, useState } from 'react';

import { listResults } from '../api';
import { errorText } from '../apiError';
import type { DocumentResult } from '../bindings/DocumentResult';
import type { MatchResult } from '../bindings/MatchResult';
import type { PackageRun } from '../bindings/PackageRun';
import { formatDateTime, formatPercent } from '../format';
import { SLOT_LABEL, VERDICT_LABEL } from '../packages';

interface Props {
  run: PackageRun;
  onReview: (matchingRunId: string) => void;
  onError: (text: string) => void;
}

export function PackageRunView({ run, onReview, onError }: Props) {
  return (
    <div className="card package-run" id="package-run" data-package-run-id={run.id} data-verdict={run.status}>
      <h3>
        Bundle <span className={`verdict verdict-${run.status}`}>{VERDICT_LABEL[run.status]}</span>
      </h3>
      <p className="muted">
        {formatDateTime(run.created_at)}
        {run.error ? ` · ${run.error}` : ''}
      </p>
      {run.document_results.map((d) => (
        <SlotResult key={d.document_type} slot={d} documents={run.input_documents[d.document_type] ?? []} onReview={onReview} onError={onError} />
      ))}
      {run.rule_results.length > 0 && (
        <div className="package-rules">
          <h4>Rules</h4>
          <ul>
            {run.rule_results.map((r, i) => (
              <li key={i} data-rule={r.kind} data-rule-status={r.status}>
                <strong>{r.kind === 'three_way' ? 'Three-way match' : r.kind}</strong> <span className={`rule-${r.status}`}>{r.status}</span>: {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

interface SlotProps {
  slot: DocumentResult;
  documents: string[];
  onReview: (matchingRunId: string) => void;
  onError: (text: string) => void;
}

/** A slot's line, and the evidence of the best result of its matching run. */
function SlotResult({ slot, documents, onReview, onError }: SlotProps) {
  const [best, setBest] = useState<MatchResult | null>(null);
  const runId = slot.matching_run_id;
  useEffect(() => {
    if (!runId) return;
    let stale = false;
    listResults(runId, { sort: 'confidence_desc', limit: 1 }).then(
      (page) => {
        if (!stale) setBest(page.data[0] ?? null);
      },
      (e: unknown) => onError(errorText(e, `Could not load the evidence of ${slot.document_type}`)),
    );
    return () => {
      stale = true;
    };
  }, [runId, slot.document_type, onError]);
  const evidence = best?.evidence ?? best?.candidates[0]?.evidence ?? [];
  return (
    <section className="package-slot" data-slot={slot.document_type} data-slot-status={slot.status} data-matching-run-id={runId ?? undefined}>
      <h4>
        {slot.document_type} <span className="muted">({slot.presence})</span> <span className={`slot-${slot.status}`}>{SLOT_LABEL[slot.status]}</span>
      </h4>
      <p>
        {documents.length > 0 ? documents.join(', ') : 'No document'}
        {slot.confidence !== null && ` · ${formatPercent(slot.confidence)}`}
        {slot.matched_reference_row_id && ` · matched ${slot.matched_reference_row_id}`}
        {slot.error && ` · ${slot.error}`}
      </p>
      {evidence.length > 0 && (
        <table className="evidence compact">
          <thead>
            <tr>
              <th>Field</th>
              <th>Document</th>
              <th>Reference</th>
              <th>Score</th>
            </tr>
          </thead>
          <tbody>
            {evidence.map((e) => (
              <tr key={`${e.source}-${e.target}`} data-field={e.source}>
                <td>
                  {e.source} → {e.target}
                </td>
                <td>{e.source_value || '—'}</td>
                <td>{e.target_value || '—'}</td>
                <td>{formatPercent(e.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runId && (
        <button type="button" className="open-slot-review" onClick={() => onReview(runId)}>
          Open in review
        </button>
      )}
    </section>
  );
}
