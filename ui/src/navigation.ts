// Moving to another screen from inside one (an empty state's "Import data", the guide's "Go to Runs"): the shell listens, the screens ask.
import type { Tab } from './App';

let listener: ((tab: Tab) => void) | null = null;

/** Shows `tab`, as clicking its tab would. */
export function goTo(tab: Tab): void {
  listener?.(tab);
}

/** The shell's one listener; returns the function that removes it. */
export function onGoTo(show: (tab: Tab) => void): () => void {
  listener = show;
  return () => {
    if (listener === show) listener = null;
  };
}

/** Puts the cursor in the field with `id`, brought into view: an empty state's way into the form beside it. */
export function focusField(id: string): void {
  const el = document.getElementById(id);
  // jsdom has no scrolling.
  el?.scrollIntoView?.({ block: 'center' });
  el?.focus();
}
