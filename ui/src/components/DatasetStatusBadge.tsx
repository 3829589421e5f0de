// Where a dataset stands: ready, importing (with the rows read so far) or failed; and the version label of data read from a database.
import type { Dataset } from '../bindings/Dataset';
import { formatCount } from '../format';

/** "Importing · 1,500 rows", "Failed", "Ready". */
export function statusLabel(d: Pick<Dataset, 'status' | 'rows_imported'>): string {
  switch (d.status) {
    case 'importing': {
      const n = d.rows_imported ?? 0;
      return `Importing · ${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;
    }
    case 'failed':
      return 'Failed';
    default:
      return 'Ready';
  }
}

const STATUS_CLASS: Record<Dataset['status'], string> = {
  importing: 'status-running',
  failed: 'status-failed',
  ready: 'status-completed',
};

interface Props {
  dataset: Dataset;
  id?: string;
}

export function DatasetStatusBadge({ dataset, id }: Props) {
  return (
    <span id={id} className={`status dataset-status ${STATUS_CLASS[dataset.status] ?? ''}`} data-status={dataset.status} title={dataset.status === 'failed' ? (dataset.error ?? undefined) : undefined}>
      {statusLabel(dataset)}
    </span>
  );
}

/** "v2" for data read from a database that has rows; null for files and a first import still running or failed. */
export function versionLabel(d: Pick<Dataset, 'sql' | 'version'>): string | null {
  return d.sql && d.version > 0 ? `v${d.version}` : null;
}
