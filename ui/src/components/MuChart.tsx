// The Fellegi-Sunter estimates of a smart run's strategy as a small chart: per field and agreement level, how often true matches (m) and unrelated pairs (u) land there, and the match weight that gives.
import type { FieldEstimate } from '../bindings/FieldEstimate';
import { formatBits, formatShare } from '../format';

interface Props {
  estimates: FieldEstimate[];
  id?: string;
}

const LEVEL_LABEL: Record<string, string> = { different: 'Different', similar: 'Similar', same: 'Same' };

/** A bar's width in percent; a share above 0 keeps a sliver so it is seen to exist. */
export function barWidth(share: number): number {
  if (!Number.isFinite(share) || share <= 0) return 0;
  return Math.max(1.5, Math.min(100, share * 100));
}

export function MuChart({ estimates, id = 'mu-chart' }: Props) {
  if (estimates.length === 0) return <p className="muted">No field was estimated.</p>;
  return (
    <div id={id} className="mu-chart">
      <p className="mu-legend small muted">
        <span className="mu-swatch mu-m" aria-hidden="true" /> m: share of true matches at this level{' '}
        <span className="mu-swatch mu-u" aria-hidden="true" /> u: share of unrelated pairs · the weight is log2(m/u), what reaching the level does to the odds
      </p>
      <table className="table dense mu-table" aria-label="Estimated m and u per field and agreement level">
        <thead>
          <tr>
            <th scope="col">Field</th>
            {(estimates[0]?.levels ?? []).map((level) => (
              <th scope="col" key={level}>
                {LEVEL_LABEL[level] ?? level}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {estimates.map((e) => (
            <tr key={`${e.source}-${e.target}`} data-field={e.source}>
              <th scope="row">
                <span className="mono">{e.source}</span> <span aria-label="compared with">→</span> <span className="mono">{e.target}</span>
              </th>
              {e.levels.map((level, i) => {
                const m = e.m[i] ?? 0;
                const u = e.u[i] ?? 0;
                const w = e.match_weight[i];
                return (
                  <td key={level} data-level={level} title={`${LEVEL_LABEL[level] ?? level}: m ${formatShare(m)}, u ${formatShare(u)}, weight ${formatBits(w)}`}>
                    <div className="mu-bars">
                      <span className="mu-bar mu-m" style={{ width: `${barWidth(m)}%` }} data-m={m} />
                      <span className="mu-bar mu-u" style={{ width: `${barWidth(u)}%` }} data-u={u} />
                    </div>
                    <span className="small">
                      <span className="muted">m</span> {formatShare(m)} <span className="muted">u</span> {formatShare(u)}{' '}
                      <strong className={w !== undefined && w >= 0 ? 'weight-up' : 'weight-down'}>{formatBits(w)}</strong>
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
