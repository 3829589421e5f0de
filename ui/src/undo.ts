// Session undo/redo of review decisions: two stacks of decisions the server can revert.
// Undo reverts the latest entry made; the revert is itself a decision, and redo reverts that.
// A bulk approval is one entry (a group): its decisions are undone and redone together.
// A dismissed AI suggestion is an entry too: undo restores it, redo dismisses it again.
import type { DecisionRef as WireDecisionRef } from './bindings/DecisionRef';

/** A decision that can be reverted: the result's latest when it is on top of a stack. */
export interface DecisionRef {
  runId: string;
  resultId: string;
  decisionId: string;
}

/** Decisions of one run made (or reverted) in one go, reverted in one go (all or none). */
export interface DecisionGroup {
  runId: string;
  decisions: { resultId: string; decisionId: string }[];
}

/**
 * A dismissed ai-resolve suggestion. On the undo stack, undo restores it (open again on its
 * result); on the redo stack, redo dismisses it again. The same ids serve both ways: a
 * dismissal is not a decision, so no new id comes back.
 */
export interface SuggestionDismissal {
  kind: 'dismissal';
  runId: string;
  resultId: string;
  suggestionId: string;
}

/** What one undo or redo reverts. */
export type UndoEntry = DecisionRef | DecisionGroup | SuggestionDismissal;

export interface UndoStacks {
  /** Entries made (or redone), newest last: what undo reverts. */
  done: UndoEntry[];
  /** Reverts made by undo, newest last: what redo reverts. */
  undone: UndoEntry[];
}

export const NO_HISTORY: UndoStacks = { done: [], undone: [] };

export function isGroup(entry: UndoEntry): entry is DecisionGroup {
  return 'decisions' in entry;
}

export function isDismissal(entry: UndoEntry): entry is SuggestionDismissal {
  return 'kind' in entry && entry.kind === 'dismissal';
}

/** A new decision (or group): undoable, and the redo history is gone (as in any editor). */
export function recordDecision(s: UndoStacks, d: UndoEntry): UndoStacks {
  // An empty group would make an undo that does nothing; it is not worth a key press.
  if (isGroup(d) && d.decisions.length === 0) return s;
  return { done: [...s.done, d], undone: [] };
}

/** The entry undo would revert, if any. */
export function nextUndo(s: UndoStacks): UndoEntry | null {
  return s.done[s.done.length - 1] ?? null;
}

/** The revert redo would revert, if any. */
export function nextRedo(s: UndoStacks): UndoEntry | null {
  return s.undone[s.undone.length - 1] ?? null;
}

/** After undo reverted `nextUndo(s)` by `revert` (a group when it reverted a group). */
export function afterUndo(s: UndoStacks, revert: UndoEntry): UndoStacks {
  return { done: s.done.slice(0, -1), undone: [...s.undone, revert] };
}

/** After redo reverted `nextRedo(s)` by `redone`. */
export function afterRedo(s: UndoStacks, redone: UndoEntry): UndoStacks {
  return { done: [...s.done, redone], undone: s.undone.slice(0, -1) };
}

/** How many results an entry touches. */
export function entrySize(entry: UndoEntry): number {
  return isGroup(entry) ? entry.decisions.length : 1;
}

/** A group as the backend's revertDecisions takes it. */
export function groupToWire(group: DecisionGroup): WireDecisionRef[] {
  return group.decisions.map((d) => ({ result_id: d.resultId, decision_id: d.decisionId }));
}

/** The decisions a bulk call answered with, as an undo entry of `runId`. */
export function groupFromWire(runId: string, decisions: readonly WireDecisionRef[]): DecisionGroup {
  return { runId, decisions: decisions.map((d) => ({ resultId: d.result_id, decisionId: d.decision_id })) };
}
