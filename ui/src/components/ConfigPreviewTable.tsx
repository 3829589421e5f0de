// The outcome of "Try on 20 documents": a summary line and one row per document with its match, confidence and band.
import type { ConfigPreview } from '../bindings/ConfigPreview';
import type { MatchResult } from '../bindings/MatchResult';
import { formatCount, formatPercent } from '../format';

export type PreviewBand = 'matched' | 'review' | 'below';

const BAND_CLASS: Record<PreviewBand, string> = { matched: 'band-matched', review: 'band-review', below: 'band-low' };

/**
 * Where a tried document lands. A matched row is what a run would store as the match; without
 * one, the confidence tells whether a reviewer would see it (a one-to-one loser can score above
 * the threshold and still have no row, so it needs review rather than counting as matched).
 */
export function previewBand(r: Pick<MatchResult, 'matched_reference_row_id' | 'confidence'>, reviewFloor: number): PreviewBand {
  if (r.matched_reference_row_id !== null) return 'matched';
  return r.confidence >= reviewFloor ? 'review' : 'below';
}

/** "12 of 20 matched, 5 in the review band — 41 ms". */
export function previewSummary(preview: ConfigPreview, reviewFloor: number): string {
  const bands = preview.results.map((r) => previewBand(r, reviewFloor));
  const matched = bands.filter((b) => b === 'matched').length;
  const review = bands.filter((b) => b === 'review').length;
  return `${formatCount(matched)} of ${formatCount(Number(preview.documents))} matched, ${formatCount(review)} in the review band — ${formatCount(Number(preview.elapsed_ms))} ms`;
}

interface Props {
  preview: ConfigPreview;
  /** The review floor the preview was made with (the form may have changed since). */
  reviewFloor: number;
  /** The form no longer matches what was tried. */
  outdated: boolean;
  /** Prefix of the element ids, so two screens can each show a trial. */
  idPrefix?: string;
}

export function ConfigPreviewTable({ preview, reviewFloor, outdated, idPrefix = 'config-preview' }: Props) {
  const documents = Number(preview.documents);
  return (
    <section id={`${idPrefix}-results`} className="config-preview" aria-labelledby={`${idPrefix}-heading`}>
      <h3 id={`${idPrefix}-heading`}>Trial on the first documents</h3>
      <p className="config-preview-summary" aria-live="polite">
        <strong id={`${idPrefix}-summary`}>{previewSummary(preview, reviewFloor)}</strong>{' '}
        <span className="muted small">· searched {formatCount(Number(preview.reference_rows))} reference rows · nothing was saved</span>
      </p>
      {outdated && (
        <p className="hint config-preview-outdated" role="status">
          {idPrefix === 'config-preview' ? 'The form has changed' : 'The strategy has changed'} since this trial: try again to see the effect.
        </p>
      )}
      {documents === 0 ? (
        <p className="empty">There are no documents to try: import documents on the Data screen first.</p>
      ) : (
        <div className="table-wrap">
          <table className="table dense" aria-label="Trial results, one row per document">
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Matched reference row</th>
                <th scope="col" className="num">
                  Confidence
                </th>
                <th scope="col">Band</th>
              </tr>
            </thead>
            <tbody>
              {preview.results.map((r) => {
                const band = previewBand(r, reviewFloor);
                const best = r.candidates[0]?.reference_row_id;
                return (
                  <tr key={r.id} data-preview-document={r.document_id} data-band={band}>
                    <th scope="row" className="row-id">
                      <span className="mono">{r.document_id}</span>
                      {r.document_filename && <span className="muted small preview-filename">{r.document_filename}</span>}
                    </th>
                    <td>
                      {r.matched_reference_row_id !== null ? (
                        <span className="mono">{r.matched_reference_row_id}</span>
                      ) : (
                        <>
                          <span className="no-match">no match</span>
                          {best && <span className="muted small preview-best"> · closest {best}</span>}
                        </>
                      )}
                    </td>
                    <td className="num">{formatPercent(r.confidence)}</td>
                    <td>
                      <span className={`confidence ${BAND_CLASS[band]}`}>{band}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
