// A 0..1 setting edited with a slider and a number box kept in step (threshold, review floor).
import { formatPercent } from '../format';
import { FieldError, fieldInputId } from './FieldError';

interface Props {
  path: string;
  /** DOM id of the slider (the number box has the id of its validation path). */
  sliderId: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

export function RangeField({ path, sliderId, label, hint, value, onChange, error }: Props) {
  const id = fieldInputId(path);
  const numeric = Number(value);
  const parsed = value.trim() !== '' && Number.isFinite(numeric);
  const sliderValue = parsed ? Math.max(0, Math.min(1, numeric)) : 0;
  const percent = parsed ? formatPercent(numeric) : '—';
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field range-field">
      <label htmlFor={sliderId}>
        {label}{' '}
        <output htmlFor={`${sliderId} ${id}`} className="range-percent" id={`${sliderId}-percent`}>
          {percent}
        </output>
      </label>
      <div className="input-row">
        <input
          id={sliderId}
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={sliderValue}
          aria-valuetext={percent}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        />
        <input
          id={id}
          type="number"
          min={0}
          max={1}
          step={0.01}
          className="narrow"
          value={value}
          aria-label={`${label} (0 to 1)`}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      </div>
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
