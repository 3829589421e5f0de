// The evidence panel of one result: contested flag, ai-resolve suggestion, field-by-field evidence (with the waterfall of a smart run's match weights), top candidates, reference record, decision form and history.
import { memo, useState } from 'react';

import type { Candidate } from '../bindings/Candidate';
import type { FieldEvidence } from '../bindings/FieldEvidence';
import type { MatchResult } from '../bindings/MatchResult';
import type { Record as DataRecord } from '../bindings/Record';
import type { ReviewDecision } from '../bindings/ReviewDecision';
import { diffChars, type Segment } from '../diff';
import { STRATEGY_LABEL, evidenceValue, formatDateTime, formatNote, formatWeight } from '../format';
import { waterfallOf } from '../smart';
import { ConfidenceBadge } from './ConfidenceBadge';
import { ContestedBadge } from './ContestedBadge';
import { ScoreBar } from './ScoreBar';
import { StatusBadge } from './StatusBadge';
import { SuggestionPanel } from './SuggestionPanel';
import { Waterfall } from './Waterfall';

interface Props {
  result: MatchResult;
  threshold: number;
  reviewFloor: number;
  decisions: ReviewDecision[] | null;
  referenceColumns: string[];
  referenceRecords: Map<string, DataRecord>;
  notes: string;
  onNotes: (notes: string) => void;
  onDecide: (status: 'approved' | 'rejected') => void;
  /** Accepts or dismisses the result's open ai-resolve suggestion. */
  onSuggestion: (action: 'accept' | 'dismiss') => void;
  /** The prior log2 odds of the smart run's strategy, for a waterfall whose confidence is exactly 0 or 1. */
  modelPrior?: number | null;
  saving: boolean;
}

function Value({ value, segments }: { value: string; segments?: Segment[] }) {
  const v = evidenceValue(value);
  if (v.missing) return <span className="missing">{v.text}</span>;
  if (!segments) return <span className="value">{v.text}</span>;
  return (
    <span className="value">
      {segments.map((seg, i) =>
        seg.same ? (
          <span key={i}>{seg.text}</span>
        ) : (
          <mark key={i} className="diff" title="differs from the other value">
            {seg.text}
          </mark>
        ),
      )}
    </span>
  );
}

/** The two values split into shared and differing characters, when both are there and the field did not fully agree. */
function fieldDiff(f: FieldEvidence): { a: Segment[]; b: Segment[] } | null {
  const a = evidenceValue(f.source_value);
  const b = evidenceValue(f.target_value);
  if (f.missing || a.missing || b.missing || f.score >= 1) return null;
  return diffChars(a.text, b.text);
}

function EvidenceTable({ evidence, caption }: { evidence: FieldEvidence[]; caption: string }) {
  return (
    <table className="table evidence-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Strategy</th>
          <th scope="col" className="num">
            Weight
          </th>
          <th scope="col">Score</th>
          <th scope="col">Document value</th>
          <th scope="col">Reference value</th>
        </tr>
      </thead>
      <tbody>
        {evidence.map((f, i) => {
          const diff = fieldDiff(f);
          return (
          <tr key={`${i}-${f.source}-${f.target}`} className={f.missing ? 'evidence-missing' : f.score <= 0 ? 'evidence-mismatch' : undefined}>
            <th scope="row">
              <span className="mono">{f.source}</span> <span aria-label="compared with">→</span> <span className="mono">{f.target}</span>
              {f.missing && <span className="missing-flag">missing</span>}
            </th>
            <td>{STRATEGY_LABEL[f.strategy] ?? f.strategy}</td>
            <td className="num">{formatWeight(f.weight)}</td>
            <td>
              <ScoreBar score={f.score} label={`Score of ${f.source}`} />
              {f.note && <div className="field-note small muted">{formatNote(f.note)}</div>}
            </td>
            <td className="value-cell">
              <Value value={f.source_value} segments={diff?.a} />
            </td>
            <td className="value-cell">
              <Value value={f.target_value} segments={diff?.b} />
            </td>
          </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Memoised: the review list re-renders while scrolling, and the evidence of the selected result does not change with it. */
export const ResultDetail = memo(function ResultDetail({
  result,
  threshold,
  reviewFloor,
  decisions,
  referenceColumns,
  referenceRecords,
  notes,
  onNotes,
  onDecide,
  onSuggestion,
  modelPrior = null,
  saving,
}: Props) {
  // Which candidate's evidence is shown; null = the result's own (best candidate).
  const [viewRank, setViewRank] = useState<number | null>(null);
  const viewed: Candidate | undefined = viewRank === null ? undefined : result.candidates.find((c) => c.rank === viewRank);
  const evidence = viewed ? viewed.evidence : result.evidence;
  const shownRowId = viewed ? viewed.reference_row_id : (result.matched_reference_row_id ?? result.candidates[0]?.reference_row_id ?? null);
  const record = shownRowId ? referenceRecords.get(shownRowId) : undefined;
  const waterfall = waterfallOf(evidence, viewed ? viewed.confidence : result.confidence, modelPrior);

  return (
    <article className="result-detail" aria-labelledby="result-heading">
      <header className="detail-head">
        <div>
          <h2 id="result-heading">{result.document_filename ?? result.document_id}</h2>
          <p className="muted small">
            Document <span className="mono">{result.document_id}</span>
            {' · '}
            {result.matched_reference_row_id ? (
              <>
                matched to <span className="mono">{result.matched_reference_row_id}</span>
              </>
            ) : (
              <span className="no-match">no match</span>
            )}
          </p>
        </div>
        <div className="detail-status">
          <ConfidenceBadge confidence={result.confidence} threshold={threshold} reviewFloor={reviewFloor} />
          <StatusBadge id="result-status" status={result.status} />
        </div>
      </header>

      {result.contested && (
        <p className="contested-note" id="result-contested">
          <ContestedBadge />{' '}
          {result.candidates[0] ? (
            <>
              Its best candidate, <span className="mono">{result.candidates[0].reference_row_id}</span>, was given to another document in the one-to-one
              assignment;{' '}
              {result.matched_reference_row_id ? (
                <>
                  this document was matched to <span className="mono">{result.matched_reference_row_id}</span> instead.
                </>
              ) : (
                'this document was left without a match.'
              )}
            </>
          ) : (
            'Its best reference row was given to another document in the one-to-one assignment.'
          )}
        </p>
      )}

      {result.suggestion && (
        <SuggestionPanel
          suggestion={result.suggestion}
          matchedRowId={result.matched_reference_row_id}
          onAccept={() => onSuggestion('accept')}
          onDismiss={() => onSuggestion('dismiss')}
          saving={saving}
        />
      )}

      <section aria-labelledby="evidence-heading">
        <h3 id="evidence-heading">
          Evidence
          {viewed ? (
            <span className="muted small">
              {' '}
              · candidate #{viewed.rank} (<span className="mono">{viewed.reference_row_id}</span>){' '}
              <button type="button" className="link small" onClick={() => setViewRank(null)}>
                back to best
              </button>
            </span>
          ) : (
            <span className="muted small"> · best candidate</span>
          )}
        </h3>
        {evidence && evidence.length > 0 ? (
          <EvidenceTable evidence={evidence} caption={`Evidence for ${result.document_id}`} />
        ) : (
          <p className="empty">No candidate scored above 0: there is no evidence to show.</p>
        )}
        {waterfall && <Waterfall waterfall={waterfall} />}
      </section>

      <div className="detail-columns">
        <section aria-labelledby="candidates-heading">
          <h3 id="candidates-heading">Top candidates</h3>
          {result.candidates.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <table className="table candidates-table">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Rank
                  </th>
                  <th scope="col">Reference row</th>
                  <th scope="col" className="num">
                    Confidence
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Evidence</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.candidates.map((c) => {
                  const isViewed = viewed ? viewed.rank === c.rank : c.reference_row_id === shownRowId;
                  return (
                    <tr key={c.rank} className={isViewed ? 'selected' : undefined} data-candidate-rank={c.rank}>
                      <td className="num">{c.rank}</td>
                      <td className="mono">
                        {c.reference_row_id}
                        {c.reference_row_id === result.matched_reference_row_id && <span className="small muted"> (match)</span>}
                      </td>
                      <td className="num">
                        <ConfidenceBadge confidence={c.confidence} threshold={threshold} reviewFloor={reviewFloor} />
                      </td>
                      <td>
                        <button
                          type="button"
                          className="link small"
                          aria-pressed={isViewed}
                          aria-label={`Show the evidence of candidate ${c.rank}`}
                          onClick={() => setViewRank(c === result.candidates[0] ? null : c.rank)}
                        >
                          evidence
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="record-heading">
          <h3 id="record-heading">
            Reference record {shownRowId && <span className="mono muted small">{shownRowId}</span>}
          </h3>
          {!shownRowId ? (
            <p className="muted">No reference row.</p>
          ) : record ? (
            <dl className="record">
              {record.values.map((v, i) => (
                <div key={i} className="record-item">
                  <dt>{referenceColumns[i] ?? `column ${i + 1}`}</dt>
                  <dd>
                    <Value value={v} />
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted">Not available.</p>
          )}
        </section>
      </div>

      <section className="decision" aria-labelledby="decision-heading">
        <h3 id="decision-heading" className="visually-hidden">
          Decision
        </h3>
        <div className="decision-row">
          <label htmlFor="review-notes" className="visually-hidden">
            Notes
          </label>
          <textarea
            id="review-notes"
            rows={2}
            placeholder="Notes (optional). Esc leaves the box so the shortcuts work again."
            value={notes}
            onChange={(e) => onNotes(e.target.value)}
          />
          <div className="decision-buttons">
            <button id="approve" type="button" className="approve" onClick={() => onDecide('approved')} disabled={saving} aria-keyshortcuts="a">
              Approve <kbd>a</kbd>
            </button>
            <button id="reject" type="button" className="reject" onClick={() => onDecide('rejected')} disabled={saving} aria-keyshortcuts="r">
              Reject <kbd>r</kbd>
            </button>
          </div>
        </div>
        {result.reviewed_at && <p className="muted small">Last reviewed {formatDateTime(result.reviewed_at)}</p>}
      </section>

      <section aria-labelledby="history-heading">
        <h3 id="history-heading">History</h3>
        {decisions === null ? (
          <p className="muted">Loading…</p>
        ) : decisions.length === 0 ? (
          <p className="muted">No decisions yet.</p>
        ) : (
          <ol className="history">
            {decisions.map((d) => (
              <li key={d.id} data-decision-id={d.id}>
                <span className="nowrap">{formatDateTime(d.decided_at)}</span> · <strong>{d.decided_by}</strong> · <StatusBadge status={d.previous_status} /> →{' '}
                <StatusBadge status={d.status} />
                {d.reverts && <span className="history-undo small muted"> (undo)</span>}
                {d.suggestion_id && <span className="history-suggestion small muted"> (accepted the AI suggestion)</span>}
                {d.reference_row_id && (
                  <span className="small muted">
                    {' '}
                    · row <span className="mono">{d.reference_row_id}</span>
                  </span>
                )}
                {d.notes && <p className="history-notes">{d.notes}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
});
