// The review desk's keyboard: j/k or arrows move, a approves, r rejects, s/d answer an AI suggestion, and the rest of the shortcuts (not while typing in a field, nor behind the bulk dialog).
import { useEffect, useRef } from 'react';

import type { MatchResult } from '../../bindings/MatchResult';
import { reviewKeyAction } from '../../keyboard';
import { moveIndex } from '../../review';
import { ROW_HEIGHT } from './constants';
import type { Decision } from './useDecisions';
import type { SuggestionAction } from './useSuggestions';

/** What the keys act on, as of the latest render. */
export interface KeyTargets {
  /** The bulk dialog is open: only Escape (close it) counts. */
  bulkOpen: boolean;
  closeBulk: () => void;
  helpOpen: boolean;
  setHelpOpen: (open: boolean | ((open: boolean) => boolean)) => void;
  total: number;
  selected: MatchResult | null;
  selectedIndex: number;
  selectIndex: (index: number) => void;
  viewportHeight: number;
  decide: (status: Decision, referenceRowId?: string) => Promise<void>;
  step: (kind: 'undo' | 'redo') => Promise<void>;
  suggest: (action: SuggestionAction) => Promise<void>;
  nextSuggestion: () => Promise<void>;
  setNotice: (text: string | null) => void;
}

function onReviewKey(e: KeyboardEvent, t: KeyTargets): void {
  if (t.bulkOpen) {
    if (e.key === 'Escape') {
      e.preventDefault();
      t.closeBulk();
    }
    return;
  }
  if (t.helpOpen && e.key === 'Escape') {
    t.setHelpOpen(false);
    return;
  }
  const action = reviewKeyAction(e);
  if (!action) return;
  if (action === 'leave-field') {
    // Escape in a search box would also clear it: leaving the box must keep the search.
    e.preventDefault();
    if (e.target instanceof HTMLElement) e.target.blur();
    return;
  }
  if (action === 'help') {
    e.preventDefault();
    t.setHelpOpen((open) => !open);
    return;
  }
  if (action === 'undo' || action === 'redo') {
    e.preventDefault();
    void t.step(action);
    return;
  }
  if (action === 'search') {
    e.preventDefault();
    document.getElementById('filter-search')?.focus();
    return;
  }
  if (t.total === 0) return;
  e.preventDefault();
  if (action === 'approve' || action === 'reject') {
    void t.decide(action === 'approve' ? 'approved' : 'rejected');
    return;
  }
  if (action === 'accept-suggestion' || action === 'dismiss-suggestion') {
    void t.suggest(action === 'accept-suggestion' ? 'accept' : 'dismiss');
    return;
  }
  if (action === 'next-suggestion') {
    void t.nextSuggestion();
    return;
  }
  if (action === 'note') {
    document.getElementById('review-notes')?.focus();
    return;
  }
  if (action.startsWith('pick-')) {
    const candidate = t.selected?.candidates[Number(action.slice(5)) - 1];
    if (candidate) void t.decide('approved', candidate.reference_row_id);
    else t.setNotice(`This result has no candidate ${action.slice(5)}.`);
    return;
  }
  const screenful = Math.max(1, Math.floor(t.viewportHeight / ROW_HEIGHT) - 1);
  const delta = action === 'next' ? 1 : action === 'prev' ? -1 : action === 'page-down' ? screenful : -screenful;
  t.selectIndex(action === 'first' ? 0 : action === 'last' ? t.total - 1 : moveIndex(t.selectedIndex, delta, t.total));
}

/** Listens to the window's key presses while the screen is `active`. */
export function useReviewKeyboard(active: boolean, targets: KeyTargets): void {
  // One listener for the screen's lifetime, acting on what the latest render saw.
  const targetsRef = useRef(targets);
  targetsRef.current = targets;
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => onReviewKey(e, targetsRef.current);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);
}
