// Review shortcuts as a pure function: which action a key press means, ignoring keys typed into form fields.

export type ReviewAction = 'next' | 'prev' | 'first' | 'last' | 'approve' | 'reject' | 'leave-field';

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
 * Maps a key press on the review screen to an action, or null when it is not a shortcut:
 * j / ArrowDown next, k / ArrowUp previous, Home / End first / last, a approve, r reject.
 * Keys typed into a form field are left alone, except Escape, which leaves the field so the
 * shortcuts work again. Modified keys (Ctrl, Cmd, Alt) are never shortcuts, and a held-down
 * a or r does not repeat a decision.
 */
export function reviewKeyAction(e: KeyPress): ReviewAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return e.key === 'Escape' ? 'leave-field' : null;
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
    case 'a':
      return e.repeat ? null : 'approve';
    case 'r':
      return e.repeat ? null : 'reject';
    default:
      return null;
  }
}
