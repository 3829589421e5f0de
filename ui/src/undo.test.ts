// Tests of the session undo/redo stacks in undo.ts: decisions, bulk groups and dismissed suggestions.
import { describe, expect, it } from 'vitest';

import {
  afterRedo,
  afterUndo,
  entrySize,
  groupFromWire,
  groupToWire,
  isDismissal,
  isGroup,
  nextRedo,
  nextUndo,
  NO_HISTORY,
  recordDecision,
  type DecisionGroup,
  type SuggestionDismissal,
} from './undo';

const d = (decisionId: string, resultId = 'res') => ({ runId: 'run', resultId, decisionId });

describe('undo stacks', () => {
  it('undo takes the newest decision and redo takes the newest undo', () => {
    let s = recordDecision(NO_HISTORY, d('a1', 'r1'));
    s = recordDecision(s, d('b1', 'r2'));
    expect(nextUndo(s)).toEqual(d('b1', 'r2'));
    expect(nextRedo(s)).toBeNull();
    // Undo b1: the server recorded revert b2, which redo will revert.
    s = afterUndo(s, d('b2', 'r2'));
    expect(nextUndo(s)).toEqual(d('a1', 'r1'));
    expect(nextRedo(s)).toEqual(d('b2', 'r2'));
    s = afterUndo(s, d('a2', 'r1'));
    expect(nextUndo(s)).toBeNull();
    // Redo in reverse order of the undos.
    expect(nextRedo(s)).toEqual(d('a2', 'r1'));
    s = afterRedo(s, d('a3', 'r1'));
    expect(nextUndo(s)).toEqual(d('a3', 'r1'));
    expect(nextRedo(s)).toEqual(d('b2', 'r2'));
  });

  it('a new decision clears the redo history and the stacks have no limit', () => {
    let s = NO_HISTORY;
    for (let i = 0; i < 1000; i++) s = recordDecision(s, d(`x${i}`, `r${i}`));
    s = afterUndo(s, d('u999', 'r999'));
    expect(nextRedo(s)).not.toBeNull();
    s = recordDecision(s, d('new', 'r5'));
    expect(nextRedo(s)).toBeNull();
    expect(s.done).toHaveLength(1000);
  });

  it('a bulk approval is one entry: one undo reverts the whole group, one redo brings it back', () => {
    const bulk = groupFromWire('run', [
      { result_id: 'r1', decision_id: 'b1' },
      { result_id: 'r2', decision_id: 'b2' },
      { result_id: 'r3', decision_id: 'b3' },
    ]);
    let s = recordDecision(NO_HISTORY, d('a1', 'r0'));
    s = recordDecision(s, bulk);
    expect(s.done).toHaveLength(2);
    const top = nextUndo(s);
    expect(top && isGroup(top)).toBe(true);
    expect(top && entrySize(top)).toBe(3);
    expect(groupToWire(top as DecisionGroup)).toEqual([
      { result_id: 'r1', decision_id: 'b1' },
      { result_id: 'r2', decision_id: 'b2' },
      { result_id: 'r3', decision_id: 'b3' },
    ]);
    // The server answered the group undo with one revert per result: redo reverts exactly those.
    const reverts = groupFromWire('run', [
      { result_id: 'r1', decision_id: 'u1' },
      { result_id: 'r2', decision_id: 'u2' },
      { result_id: 'r3', decision_id: 'u3' },
    ]);
    s = afterUndo(s, reverts);
    expect(nextUndo(s)).toEqual(d('a1', 'r0'));
    expect(nextRedo(s)).toEqual(reverts);
    const redone = groupFromWire('run', [{ result_id: 'r1', decision_id: 'x1' }, { result_id: 'r2', decision_id: 'x2' }, { result_id: 'r3', decision_id: 'x3' }]);
    s = afterRedo(s, redone);
    expect(nextUndo(s)).toEqual(redone);
    expect(nextRedo(s)).toBeNull();
    // Single decisions and groups interleave in one history.
    s = recordDecision(s, d('c1', 'r9'));
    expect(nextUndo(s)).toEqual(d('c1', 'r9'));
    expect(isGroup(d('c1', 'r9'))).toBe(false);
    expect(entrySize(d('c1', 'r9'))).toBe(1);
  });

  it('a dismissed suggestion is one entry that moves between the stacks as it is', () => {
    const dismissal: SuggestionDismissal = { kind: 'dismissal', runId: 'run', resultId: 'r2', suggestionId: 'sg1' };
    let s = recordDecision(NO_HISTORY, d('a1', 'r1'));
    s = recordDecision(s, dismissal);
    const top = nextUndo(s);
    expect(top && isDismissal(top)).toBe(true);
    expect(top && isGroup(top)).toBe(false);
    expect(top && entrySize(top)).toBe(1);
    expect(isDismissal(d('a1', 'r1'))).toBe(false);
    // Undo restores it (no new id: a dismissal is not a decision), redo dismisses it again.
    s = afterUndo(s, dismissal);
    expect(nextUndo(s)).toEqual(d('a1', 'r1'));
    expect(nextRedo(s)).toEqual(dismissal);
    s = afterRedo(s, dismissal);
    expect(nextUndo(s)).toEqual(dismissal);
    expect(nextRedo(s)).toBeNull();
    // A new decision after an undone dismissal drops the redo, as for decisions.
    s = recordDecision(afterUndo(s, dismissal), d('b1', 'r2'));
    expect(nextRedo(s)).toBeNull();
    expect(s.done).toEqual([d('a1', 'r1'), d('b1', 'r2')]);
  });

  it('keeps the run of a group and ignores an empty one', () => {
    const g = groupFromWire('run-7', [{ result_id: 'r1', decision_id: 'b1' }]);
    expect(g).toEqual({ runId: 'run-7', decisions: [{ resultId: 'r1', decisionId: 'b1' }] });
    const s = recordDecision(NO_HISTORY, d('a1'));
    expect(recordDecision(s, groupFromWire('run', []))).toBe(s);
  });
});
