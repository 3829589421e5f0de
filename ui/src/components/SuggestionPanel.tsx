// An open ai-resolve suggestion on a result: what it suggests and why, marked as a suggestion (not a decision), with accept (s) and dismiss (d).
import type { AiSuggestion } from '../bindings/AiSuggestion';
import { formatDateTime, formatPercent } from '../format';

interface Props {
  suggestion: AiSuggestion;
  /** The result's own match, to say when the suggestion picks another row. */
  matchedRowId: string | null;
  onAccept: () => void;
  onDismiss: () => void;
  saving: boolean;
}

/** What the suggestion would decide, in words. */
export function suggestionText(s: Pick<AiSuggestion, 'status' | 'reference_row_id'>, matchedRowId: string | null): string {
  if (s.status === 'rejected') return 'Reject: no candidate is the match';
  if (s.reference_row_id && matchedRowId === null) return `Approve ${s.reference_row_id} as the match`;
  if (s.reference_row_id && s.reference_row_id !== matchedRowId) return `Approve another row: ${s.reference_row_id}`;
  return `Approve the match${s.reference_row_id ? ` with ${s.reference_row_id}` : ''}`;
}

export function SuggestionPanel({ suggestion, matchedRowId, onAccept, onDismiss, saving }: Props) {
  return (
    <section id="result-suggestion" className="suggestion" aria-labelledby="suggestion-heading" data-suggestion-status={suggestion.status}>
      <h3 id="suggestion-heading">
        <span className="suggestion-tag">AI suggestion</span> <span className="muted small">not a decision: the result stays pending until you accept it</span>
      </h3>
      <p className="suggestion-what">
        <strong id="suggestion-text">{suggestionText(suggestion, matchedRowId)}</strong>{' '}
        <span className="muted small">
          · match probability {formatPercent(suggestion.probability)} · suggested {formatDateTime(suggestion.created_at)}
        </span>
      </p>
      <p id="suggestion-reason" className="suggestion-reason">
        {suggestion.reason}
      </p>
      <div className="suggestion-buttons">
        <button id="accept-suggestion" type="button" className="primary" onClick={onAccept} disabled={saving} aria-keyshortcuts="s">
          Accept suggestion <kbd>s</kbd>
        </button>
        <button id="dismiss-suggestion" type="button" onClick={onDismiss} disabled={saving} aria-keyshortcuts="d">
          Dismiss <kbd>d</kbd>
        </button>
      </div>
    </section>
  );
}
