// A small coloured label for a run status or a review status.
import type { ReviewStatus } from '../bindings/ReviewStatus';
import type { RunStatus } from '../bindings/RunStatus';

const LABEL: Record<RunStatus | ReviewStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  ai_resolving: 'Resolving',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
};

interface Props {
  status: RunStatus | ReviewStatus;
  id?: string;
}

export function StatusBadge({ status, id }: Props) {
  return (
    <span id={id} className={`status status-${status}`}>
      {LABEL[status] ?? status}
    </span>
  );
}
