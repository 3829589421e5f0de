// A 0..1 setting edited with a slider and a number box kept in step (threshold, review floor).
import { FieldError, fieldInputId } from './FieldError';

interface Props {
  path: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

export function RangeField({ path, label, hint, value, onChange, error }: Props) {
  const id = fieldInputId(path);
  const numeric = Number(value);
  const sliderValue = value.trim() !== '' && Number.isFinite(numeric) ? Math.max(0, Math.min(1, numeric)) : 0;
  return (
    <div className="field range-field">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={sliderValue}
          aria-label={`${label} slider`}
          onChange={(e) => onChange(e.target.value)}
          tabIndex={-1}
        />
        <input
          id={id}
          type="number"
          min={0}
          max={1}
          step={0.01}
          className="narrow"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
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
