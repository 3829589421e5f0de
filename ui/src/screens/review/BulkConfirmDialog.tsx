// The modal that asks before a bulk approval, with the count it would approve (asked again when the queue changed).
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';

import { formatCount } from '../../format';
import { bulkQuestion } from '../../review';
import type { BulkAsk } from './useBulkApproval';

// Tab and Shift+Tab cycle over the dialog's buttons, so focus cannot wander behind the modal.
function trapFocus(e: ReactKeyboardEvent<HTMLDivElement>) {
  if (e.key !== 'Tab') return;
  const buttons = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)'));
  if (buttons.length === 0) return;
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = e.shiftKey ? (at <= 0 ? buttons.length - 1 : at - 1) : at < 0 || at === buttons.length - 1 ? 0 : at + 1;
  e.preventDefault();
  buttons[next]?.focus();
}

interface Props {
  ask: BulkAsk;
  saving: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function BulkConfirmDialog({ ask, saving, onConfirm, onCancel }: Props) {
  return (
    // A click on the backdrop must not take the focus out of the modal dialog.
    <div className="overlay" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && e.preventDefault()}>
      <div
        id="bulk-confirm-dialog"
        className="card dialog bulk-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="bulk-confirm-title"
        aria-describedby="bulk-confirm-text"
        onKeyDown={trapFocus}
      >
        <h2 id="bulk-confirm-title">Approve in bulk</h2>
        <p id="bulk-confirm-text">{bulkQuestion(ask.count, ask.percent, formatCount)}</p>
        {ask.message && (
          <p className="field-error" id="bulk-confirm-error" role="alert">
            {ask.message}
          </p>
        )}
        <p className="muted small">One undo (u) reverts them all.</p>
        <div className="dialog-actions">
          <button type="button" id="bulk-confirm" className="approve" onClick={onConfirm} disabled={saving} autoFocus>
            Approve {formatCount(ask.count)}
          </button>
          <button type="button" id="bulk-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
