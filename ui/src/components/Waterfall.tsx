// The waterfall of a smart run's decision: the prior odds, then how far each field moved them (its match weight in bits), to the match probability.
import { formatBits, formatPercent } from '../format';
import { probabilityOf, rarityNote, type Waterfall as Steps } from '../smart';

interface Props {
  waterfall: Steps;
}

/** The axis the bars are drawn on: from the lowest to the highest log2 odds any step reaches (0 included). */
export function waterfallScale(w: Steps): { min: number; max: number } {
  const points = [0, w.total, ...w.steps.flatMap((s) => [s.from, s.to])];
  const min = Math.min(...points);
  const max = Math.max(...points);
  return max - min < 1e-9 ? { min: min - 1, max: max + 1 } : { min, max };
}

export function Waterfall({ waterfall }: Props) {
  const { min, max } = waterfallScale(waterfall);
  const pos = (x: number) => ((x - min) / (max - min)) * 100;
  const zero = pos(0);
  return (
    <figure id="waterfall" className="waterfall" aria-labelledby="waterfall-caption">
      <figcaption id="waterfall-caption" className="small muted">
        How each field moved the odds of a match (bits: +1 doubles the odds, −1 halves them). The bars start at the prior
        {waterfall.priorFromModel ? ' of the strategy’s model' : ''} and end at the match probability. The line marks even odds (50%).
      </figcaption>
      <ol className="waterfall-steps">
        {waterfall.steps.map((s, i) => {
          const left = pos(Math.min(s.from, s.to));
          const width = Math.max(0.5, Math.abs(pos(s.to) - pos(s.from)));
          const direction = s.missing ? 'none' : s.bits >= 0 ? 'up' : 'down';
          const rare = rarityNote(s.rarity);
          return (
            <li key={i} className={`waterfall-step waterfall-${s.kind}`} data-step={s.kind === 'prior' ? 'prior' : s.label} data-bits={s.bits.toFixed(3)}>
              <span className="waterfall-label mono small" title={s.label}>
                {s.label}
              </span>
              <span className="waterfall-track" aria-hidden="true">
                <span className="waterfall-zero" style={{ left: `${zero}%` }} />
                <span className={`waterfall-bar waterfall-${direction}`} style={{ left: `${left}%`, width: `${width}%` }} />
              </span>
              <span className="waterfall-value small">
                {s.missing ? <span className="muted">missing, no effect</span> : s.kind === 'prior' ? `${formatBits(s.bits)} (${formatPercent(probabilityOf(s.bits))})` : formatBits(s.bits)}
                {rare && (
                  <span className="muted waterfall-rarity" title={`This value is ${formatBits(s.rarity)} rarer than the column’s average; the model weighs a shared rare value more.`}>
                    {' '}
                    · {rare}
                  </span>
                )}
              </span>
            </li>
          );
        })}
        <li className="waterfall-step waterfall-total" data-step="total">
          <span className="waterfall-label small">
            <strong>Match probability</strong>
          </span>
          <span className="waterfall-track" aria-hidden="true">
            <span className="waterfall-zero" style={{ left: `${zero}%` }} />
            <span className="waterfall-marker" style={{ left: `${pos(waterfall.total)}%` }} />
          </span>
          <span className="waterfall-value small">
            <strong id="waterfall-probability">{formatPercent(waterfall.probability)}</strong> <span className="muted">({formatBits(waterfall.total)})</span>
          </span>
        </li>
      </ol>
    </figure>
  );
}
