// Session undo/redo of review decisions: two stacks of decisions the server can revert.
// Undo reverts the latest decision made; the revert is itself a decision, and redo reverts that.

/** A decision that can be reverted: the result's latest when it is on top of a stack. */
export interface DecisionRef {
  runId: string;
  resultId: string;
  decisionId: string;
}

export interface UndoStacks {
  /** Decisions made (or redone), newest last: what undo reverts. */
  done: DecisionRef[];
  /** Reverts made by undo, newest last: what redo reverts. */
  undone: DecisionRef[];
}

export const NO_HISTORY: UndoStacks = { done: [], undone: [] };

/** A new decision: undoable, and the redo history is gone (as in any editor). */
export function recordDecision(s: UndoStacks, d: DecisionRef): UndoStacks {
  return { done: [...s.done, d], undone: [] };
}

/** The decision undo would revert, if any. */
export function nextUndo(s: UndoStacks): DecisionRef | null {
  return s.done[s.done.length - 1] ?? null;
}

/** The revert redo would revert, if any. */
export function nextRedo(s: UndoStacks): DecisionRef | null {
  return s.undone[s.undone.length - 1] ?? null;
}

/** After undo reverted `nextUndo(s)` by decision `revert`. */
export function afterUndo(s: UndoStacks, revert: DecisionRef): UndoStacks {
  return { done: s.done.slice(0, -1), undone: [...s.undone, revert] };
}

/** After redo reverted `nextRedo(s)` by decision `redone`. */
export function afterRedo(s: UndoStacks, redone: DecisionRef): UndoStacks {
  return { done: [...s.done, redone], undone: s.undone.slice(0, -1) };
}
