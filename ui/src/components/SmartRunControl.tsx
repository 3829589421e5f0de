// The Runs screen's "Smart run" control: a strategy of the chosen config (or of its reference data) and the button, disabled with the reason when there is none.
import { useEffect, useState } from 'react';

import type { MatchingConfig } from '../bindings/MatchingConfig';
import type { MatchingStrategy } from '../bindings/MatchingStrategy';
import { strategiesForConfig, strategyLabel } from '../smart';

interface Props {
  config: MatchingConfig | null;
  /** Every strategy; null while loading. */
  strategies: MatchingStrategy[] | null;
  starting: boolean;
  onStart: (strategyId: string) => void;
}

/** Why the button is disabled, or what it does. */
export function smartRunHint(config: MatchingConfig | null, usable: readonly MatchingStrategy[], strategies: MatchingStrategy[] | null): string {
  if (!config) return 'Choose a config first.';
  if (strategies === null) return 'Loading the strategies…';
  if (usable.length === 0) return `No strategy fits “${config.name}”: generate one for its reference data on the Strategies screen.`;
  return 'Run the config with the strategy’s match model: confidence becomes a match probability, learned from the data without labels.';
}

export function SmartRunControl({ config, strategies, starting, onStart }: Props) {
  const usable = config && strategies ? strategiesForConfig(strategies, config) : [];
  const [strategyId, setStrategyId] = useState('');
  const ids = usable.map((s) => s.id).join(',');
  // A new config (or new strategies): keep the choice if it still fits, else the best fit.
  useEffect(() => {
    const list = ids ? ids.split(',') : [];
    setStrategyId((current) => (list.includes(current) ? current : (list[0] ?? '')));
  }, [ids]);
  const hint = smartRunHint(config, usable, strategies);
  const disabled = starting || !strategyId || usable.length === 0;
  return (
    <span className="smart-run" role="group" aria-label="Smart run">
      <label htmlFor="smart-strategy">Strategy</label>
      <select id="smart-strategy" value={strategyId} onChange={(e) => setStrategyId(e.target.value)} disabled={usable.length === 0}>
        {usable.length === 0 && <option value="">No strategy</option>}
        {usable.map((s) => (
          <option key={s.id} value={s.id}>
            {strategyLabel(s)}
          </option>
        ))}
      </select>
      {/* A disabled button shows no tooltip in every webview: the wrapper carries it too. */}
      <span className="rerun-wrap" title={hint}>
        <button id="smart-run" type="button" onClick={() => onStart(strategyId)} disabled={disabled} title={hint} aria-describedby={usable.length === 0 ? 'smart-run-why' : undefined}>
          Smart run
        </button>
      </span>
      {usable.length === 0 && config && strategies !== null && (
        <span id="smart-run-why" className="hint small smart-run-why">
          {hint}
        </span>
      )}
    </span>
  );
}
