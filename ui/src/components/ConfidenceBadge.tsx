// A confidence percentage coloured by band: matched (green), needs review (amber), low (grey).
import { BAND_LABEL, confidenceBand, formatPercent } from '../format';

interface Props {
  confidence: number;
  threshold: number;
  reviewFloor: number;
}

export function ConfidenceBadge({ confidence, threshold, reviewFloor }: Props) {
  const band = confidenceBand(confidence, threshold, reviewFloor);
  return (
    <span className={`confidence band-${band}`} data-band={band} title={`Confidence ${formatPercent(confidence)}: ${BAND_LABEL[band]}`}>
      {formatPercent(confidence)}
    </span>
  );
}
