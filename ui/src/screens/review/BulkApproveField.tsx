// The "Bulk approve from … %" field and its button, which opens the confirmation.
import type { BulkApproval } from './useBulkApproval';

export function BulkApproveField({ bulk }: { bulk: BulkApproval }) {
  return (
    <span className="filter-field bulk-field" role="group" aria-label="Bulk approval">
      <label htmlFor="bulk-min">Bulk approve from</label>
      <input
        id="bulk-min"
        type="number"
        inputMode="decimal"
        min={0}
        max={100}
        step="any"
        className="percent-input"
        value={bulk.percent}
        aria-invalid={bulk.fraction === null ? true : undefined}
        onChange={(e) => bulk.setPercent(e.target.value)}
      />
      <span aria-hidden="true">%</span>
      <button
        type="button"
        id="bulk-approve"
        ref={bulk.buttonRef}
        className="primary-outline"
        onClick={() => void bulk.askBulk()}
        disabled={!bulk.canAsk}
        title="Approve every pending result of this filter at or above this confidence (one undo step)"
      >
        Approve all ≥ {bulk.label} %…
      </button>
    </span>
  );
}
