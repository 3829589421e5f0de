// A list of proposals worked from the keyboard (a pipeline run's rules or matches): one focusable box whose focused row moves with j/k or arrows and is accepted with a or rejected with r; rows are picked with the mouse too.
import { useRef, type KeyboardEvent, type ReactNode } from 'react';

import { LIST_SHORTCUTS, listKeyAction } from '../../keyboard';

interface Props {
  id: string;
  label: string;
  count: number;
  /** The focused row, or -1 for none. */
  index: number;
  onIndex: (index: number) => void;
  onDecide: (index: number, accept: boolean) => void;
  /** The table's head and rows; each row calls `pick(i)` on click and is `rowId(i)`. */
  children: (pick: (index: number) => void) => ReactNode;
}

/** The DOM id of row `index` of list `listId` (for aria-activedescendant). */
export function rowId(listId: string, index: number): string {
  return `${listId}-row-${index}`;
}

export function KeyList({ id, label, count, index, onIndex, onDecide, children }: Props) {
  const box = useRef<HTMLDivElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const action = listKeyAction(e);
    if (!action || count === 0) return;
    e.preventDefault();
    const at = Math.max(0, index);
    if (action === 'next') onIndex(Math.min(count - 1, index + 1));
    else if (action === 'prev') onIndex(Math.max(0, at - 1));
    else if (action === 'first') onIndex(0);
    else if (action === 'last') onIndex(count - 1);
    else if (index >= 0) onDecide(index, action === 'accept');
  };

  const pick = (i: number) => {
    onIndex(i);
    // Keys go where the focus is: a row picked with the mouse is then worked from the keyboard.
    box.current?.focus();
  };

  return (
    <div
      id={id}
      ref={box}
      className="key-list table-wrap"
      tabIndex={0}
      role="group"
      aria-label={label}
      aria-activedescendant={index >= 0 && index < count ? rowId(id, index) : undefined}
      data-focused-index={index}
      onKeyDown={onKeyDown}
    >
      {children(pick)}
    </div>
  );
}

/** The keys, as a line under a list. */
export function KeyHint() {
  return (
    <p className="muted small key-hint">
      {LIST_SHORTCUTS.map((s, i) => (
        <span key={s.what}>
          {i > 0 && ' · '}
          {s.keys.map((k) => (
            <kbd key={k}>{k}</kbd>
          ))}{' '}
          {s.what}
        </span>
      ))}
    </p>
  );
}
