// A small horizontal bar with the number beside it, for a field score between 0 and 1.
import { formatPercent } from '../format';

interface Props {
  score: number;
  label: string;
}

export function ScoreBar({ score, label }: Props) {
  const pct = Math.max(0, Math.min(1, score)) * 100;
  const tone = score >= 0.999 ? 'full' : score > 0 ? 'partial' : 'none';
  return (
    <span className="scorebar">
      <span className="scorebar-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
        <span className={`scorebar-fill score-${tone}`} style={{ width: `${pct}%` }} />
      </span>
      <span className="scorebar-value">{formatPercent(score)}</span>
    </span>
  );
}
