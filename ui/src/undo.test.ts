// Tests of the session undo/redo stacks in undo.ts.
import { describe, expect, it } from 'vitest';

import { afterRedo, afterUndo, nextRedo, nextUndo, NO_HISTORY, recordDecision } from './undo';

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
});
