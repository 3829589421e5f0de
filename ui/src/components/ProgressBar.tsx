// An accessible progress bar (role="progressbar" with aria-valuenow) for 0-100 values.
interface Props {
  value: number;
  label: string;
  valueText?: string;
}

export function ProgressBar({ value, label, valueText }: Props) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={v}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ width: `${v}%` }} />
    </div>
  );
}
