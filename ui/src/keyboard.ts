// Keyboard shortcuts as pure functions (the review desk's, and the pipeline lists' built on them): which action a key press means, ignoring keys typed into form fields.

export type ReviewAction =
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'page-down'
  | 'page-up'
  | 'search'
  | 'approve'
  | 'reject'
  | 'accept-suggestion'
  | 'dismiss-suggestion'
  | 'next-suggestion'
  | 'undo'
  | 'redo'
  | 'note'
  | 'help'
  | 'pick-1'
  | 'pick-2'
  | 'pick-3'
  | 'pick-4'
  | 'pick-5'
  | 'leave-field';

/** The shortcuts, as the "?" overlay lists them. */
export const REVIEW_SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['j', '↓'], what: 'Next result' },
  { keys: ['k', '↑'], what: 'Previous result' },
  { keys: ['Home', 'End'], what: 'First / last result' },
  { keys: ['PgDn', 'PgUp'], what: 'A screenful down / up' },
  { keys: ['a'], what: 'Approve, then open the next pending result' },
  { keys: ['r'], what: 'Reject, then open the next pending result' },
  { keys: ['1', '…', '5'], what: 'Approve the pairing with candidate 1 to 5' },
  { keys: ['s'], what: 'Accept the AI suggestion, then open the next result with one' },
  { keys: ['d'], what: 'Dismiss the AI suggestion (the result stays pending)' },
  { keys: ['g'], what: 'Go to the next result with an AI suggestion' },
  { keys: ['n'], what: 'Write a note (Esc leaves the note)' },
  { keys: ['/'], what: 'Search the results (Esc leaves the search box)' },
  { keys: ['u', 'Ctrl+Z'], what: 'Undo the last decision or dismissed AI suggestion' },
  { keys: ['Shift+U', 'Ctrl+Shift+Z'], what: 'Redo' },
  { keys: ['?'], what: 'Show or hide these shortcuts' },
];

/** The parts of a KeyboardEvent the mapping looks at (so tests need no DOM events). */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  repeat?: boolean;
  target?: unknown;
}

interface ElementLike {
  tagName?: unknown;
  isContentEditable?: unknown;
}

/** Whether keys pressed in `target` belong to it: inputs, text areas, selects and editable content. */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const el = target as ElementLike;
  if (el.isContentEditable === true) return true;
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/**
 * Maps a key press on the review screen to an action, or null when it is not a shortcut (see
 * REVIEW_SHORTCUTS). Keys typed into a form field are left alone, except Escape, which leaves the
 * field so the shortcuts work again. Of modified keys only Ctrl/Cmd+Z (undo) and Ctrl/Cmd+Shift+Z
 * or Ctrl+Y (redo) are shortcuts, and a held-down key never repeats a decision.
 */
export function reviewKeyAction(e: KeyPress & { shiftKey?: boolean }): ReviewAction | null {
  if (isTypingTarget(e.target)) return e.key === 'Escape' ? 'leave-field' : null;
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) {
    const key = e.key.toLowerCase();
    if (e.repeat) return null;
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && e.ctrlKey) return 'redo';
    return null;
  }
  const decision = (action: ReviewAction): ReviewAction | null => (e.repeat ? null : action);
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'prev';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    case 'PageDown':
      return 'page-down';
    case 'PageUp':
      return 'page-up';
    case '/':
      return 'search';
    case 'a':
      return decision('approve');
    case 'r':
      return decision('reject');
    case 's':
      return decision('accept-suggestion');
    case 'd':
      return decision('dismiss-suggestion');
    case 'g':
      return 'next-suggestion';
    case 'u':
      return decision('undo');
    case 'U':
      return decision('redo');
    case 'n':
      return 'note';
    case '?':
      return 'help';
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
      return decision(`pick-${e.key}` as ReviewAction);
    default:
      return null;
  }
}

export type ListAction = 'next' | 'prev' | 'first' | 'last' | 'accept' | 'reject';

/** The shortcuts of a list of proposals (a pipeline run's rules or matches), as its hint lists them. */
export const LIST_SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['j', '↓'], what: 'Next' },
  { keys: ['k', '↑'], what: 'Previous' },
  { keys: ['a'], what: 'Accept' },
  { keys: ['r'], what: 'Reject' },
];

/**
 * Maps a key press in a list of proposals to an action, or null: the review desk's keys (j/k or
 * arrows move, Home/End, a accepts, r rejects), with the same care for form fields and held keys.
 */
export function listKeyAction(e: KeyPress & { shiftKey?: boolean }): ListAction | null {
  switch (reviewKeyAction(e)) {
    case 'next':
      return 'next';
    case 'prev':
      return 'prev';
    case 'first':
      return 'first';
    case 'last':
      return 'last';
    case 'approve':
      return 'accept';
    case 'reject':
      return 'reject';
    default:
      return null;
  }
}
