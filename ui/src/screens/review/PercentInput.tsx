// A 0-100 % bound of the confidence filter; the text is kept as typed until it parses.
interface Props {
  id: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}

export function PercentInput({ id, value, error, onChange }: Props) {
  return (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      min={0}
      max={100}
      step="any"
      className="percent-input"
      value={value}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
