// The confidence histogram of a run in plain CSS: bars coloured per band, threshold and review floor marked.
import { formatBinRange, formatCount, formatPercent, plural } from '../format';

/** The band a bar (or part of one) is coloured by; "low" is below the review floor. */
export type BinBand = 'matched' | 'review' | 'low';

export interface BinSegment {
  band: BinBand;
  /** Share of the bar's width, 0..1, from its left edge. */
  from: number;
  to: number;
}

/**
 * Which bands bin `index` of `bins` covers, left to right. A bin lying across the threshold or
 * the review floor (say 0.87 in the 0.85–0.90 bin) is split where the line falls, so the colour
 * never claims results are matched that are not.
 */
export function binSegments(index: number, bins: number, threshold: number, reviewFloor: number): BinSegment[] {
  const lo = index / bins;
  const hi = (index + 1) / bins;
  const width = hi - lo;
  const edges: { at: number; band: BinBand }[] = [
    { at: -Infinity, band: 'low' },
    { at: reviewFloor, band: 'review' },
    { at: threshold, band: 'matched' },
  ];
  const out: BinSegment[] = [];
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i];
    if (!edge) continue;
    const start = Math.max(lo, edge.at);
    const end = Math.min(hi, edges[i + 1]?.at ?? Infinity);
    if (end - start > 1e-9) out.push({ band: edge.band, from: (start - lo) / width, to: (end - lo) / width });
  }
  return out;
}

const BAND_VAR: Record<BinBand, string> = { matched: 'var(--ok)', review: 'var(--warn)', low: 'var(--low)' };

function segmentStyle(segments: BinSegment[]): { background?: string } {
  if (segments.length <= 1) return {};
  const stops = segments.map((s) => `${BAND_VAR[s.band]} ${(s.from * 100).toFixed(1)}% ${(s.to * 100).toFixed(1)}%`);
  return { background: `linear-gradient(to right, ${stops.join(', ')})` };
}

export interface BandCounts {
  matched: number;
  review: number;
  below: number;
  noCandidate: number;
}

interface Props {
  bins: number[];
  threshold: number;
  reviewFloor: number;
  bands: BandCounts;
  id?: string;
}

/** What a screen reader hears instead of the bars. */
export function histogramDescription(bins: number[], threshold: number, reviewFloor: number, bands: BandCounts): string {
  const total = bins.reduce((a, b) => a + b, 0);
  return (
    `Confidence histogram of ${plural(total, 'result', 'results')}: ` +
    `${formatCount(bands.matched)} matched at or above the ${formatPercent(threshold)} threshold, ` +
    `${formatCount(bands.review)} in the review band from ${formatPercent(reviewFloor)}, ` +
    `${formatCount(bands.below)} below the review floor, ` +
    `${formatCount(bands.noCandidate)} with no candidate (counted in the lowest bar).`
  );
}

const AXIS_TICKS = [0, 0.25, 0.5, 0.75, 1];

export function Histogram({ bins, threshold, reviewFloor, bands, id }: Props) {
  const max = Math.max(0, ...bins);
  const n = bins.length;
  const markers = [
    { kind: 'review-floor', at: reviewFloor, label: `Review floor ${formatPercent(reviewFloor)}` },
    { kind: 'threshold', at: threshold, label: `Threshold ${formatPercent(threshold)}` },
  ];
  return (
    <figure className="histogram-figure">
      <div id={id} className="histogram" role="img" aria-label={histogramDescription(bins, threshold, reviewFloor, bands)}>
        <div className="histogram-plot">
          <div className="histogram-bars">
            {bins.map((count, i) => {
              const segments = binSegments(i, n, threshold, reviewFloor);
              const band = segments.length === 1 ? (segments[0]?.band ?? 'low') : 'mixed';
              return (
                <div key={i} className="histogram-slot" title={`${formatBinRange(i, n)}: ${plural(count, 'result', 'results')}`}>
                  <div
                    className={`histogram-bar bar-${band}${count > 0 ? '' : ' is-empty'}`}
                    data-bin={i}
                    data-count={count}
                    data-fill={band}
                    style={{ height: max > 0 ? `${(count / max) * 100}%` : '0%', ...segmentStyle(segments) }}
                  />
                </div>
              );
            })}
          </div>
          {markers.map((m) => {
            const at = Math.max(0, Math.min(1, m.at));
            return (
              <div
                key={m.kind}
                className={`histogram-marker marker-${m.kind}${at > 0.6 ? ' label-left' : ''}`}
                data-marker={m.kind}
                data-value={m.at}
                style={{ left: `${at * 100}%` }}
              >
                <span className="histogram-marker-label">{m.label}</span>
              </div>
            );
          })}
        </div>
        <div className="histogram-axis" aria-hidden="true">
          {AXIS_TICKS.map((t) => (
            <span key={t} className="histogram-tick" style={{ left: `${t * 100}%` }}>
              {formatPercent(t)}
            </span>
          ))}
        </div>
        <p className="histogram-scale small muted" aria-hidden="true">
          Tallest bar: {plural(max, 'result', 'results')}
        </p>
      </div>
      <table className="visually-hidden">
        <caption>Results per confidence range</caption>
        <thead>
          <tr>
            <th scope="col">Confidence</th>
            <th scope="col">Results</th>
          </tr>
        </thead>
        <tbody>
          {bins.map((count, i) => (
            <tr key={i}>
              <th scope="row">{formatBinRange(i, n)}</th>
              <td>{formatCount(count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
