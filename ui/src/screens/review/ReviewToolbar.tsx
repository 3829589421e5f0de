// The review desk's top bar: the run to review, the status shown (or the results with an AI suggestion), undo/redo and the shortcuts.
import type { Run } from '../../bindings/Run';
import { formatDateTime } from '../../format';
import { runLabel, type ReviewFilters } from '../../review';

const STATUS_FILTERS: { id: ReviewFilters['status']; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'approved', label: 'Approved' },
  { id: 'rejected', label: 'Rejected' },
  { id: 'suggested', label: 'AI suggested' },
];

interface Props {
  runs: Run[];
  runId: string | null;
  onPickRun: (runId: string | null) => void;
  /** Whether the run list is of one config (for the empty list's text). */
  configFiltered: boolean;
  status: ReviewFilters['status'];
  onStatus: (status: ReviewFilters['status']) => void;
  canUndo: boolean;
  canRedo: boolean;
  onStep: (kind: 'undo' | 'redo') => void;
  onShowShortcuts: () => void;
}

export function ReviewToolbar({ runs, runId, onPickRun, configFiltered, status, onStatus, canUndo, canRedo, onStep, onShowShortcuts }: Props) {
  return (
    <div className="toolbar">
      <label htmlFor="review-run">Run</label>
      <select id="review-run" value={runId ?? ''} onChange={(e) => onPickRun(e.target.value || null)} disabled={runs.length === 0}>
        {runs.length === 0 && <option value="">{configFiltered ? 'No runs of this config' : 'No runs yet'}</option>}
        {runs.map((r) => (
          <option key={r.id} value={r.id}>
            {runLabel(r, formatDateTime)}
          </option>
        ))}
      </select>
      <div className="segmented-buttons" role="group" aria-label="Show results">
        {STATUS_FILTERS.map((f) => (
          <button key={f.id} type="button" id={`filter-${f.id}`} aria-pressed={status === f.id} onClick={() => onStatus(f.id)}>
            {f.label}
          </button>
        ))}
      </div>
      <button type="button" id="undo" onClick={() => onStep('undo')} disabled={!canUndo} title="Undo (u)">
        Undo
      </button>
      <button type="button" id="redo" onClick={() => onStep('redo')} disabled={!canRedo} title="Redo (Shift+U)">
        Redo
      </button>
      <span className="muted small shortcuts" aria-hidden="true">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>1</kbd>-<kbd>5</kbd> candidate · <kbd>u</kbd> undo · <kbd>/</kbd> search
      </span>
      <button type="button" id="show-shortcuts" className="link-button" onClick={onShowShortcuts} aria-keyshortcuts="?">
        Shortcuts (?)
      </button>
    </div>
  );
}
