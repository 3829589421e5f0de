// Deciding on the selected result and the session's undo/redo: each decision is saved, made undoable, then the next pending result is opened.
import { useCallback, useRef, useState, type MutableRefObject } from 'react';

import { resultDecisions, revertDecision, revertDecisions, reviewResult } from '../../api';
import { errorText } from '../../apiError';
import type { MatchResult } from '../../bindings/MatchResult';
import type { ReviewInput } from '../../bindings/ReviewInput';
import { signalGuide } from '../../guide';
import { formatCount } from '../../format';
import {
  afterRedo,
  afterUndo,
  entrySize,
  groupFromWire,
  groupToWire,
  isGroup,
  nextRedo,
  nextUndo,
  NO_HISTORY,
  recordDecision,
  type DecisionRef,
  type UndoEntry,
  type UndoStacks,
} from '../../undo';
import type { Evidence } from './useEvidence';
import type { PageCacheState } from './usePageCache';

export type Decision = 'approved' | 'rejected';

/** What the review desk shares between single decisions, undo/redo and bulk approval. */
export interface DeskState {
  runId: string | null;
  runIdRef: MutableRefObject<string | null>;
  /** A write is in flight: no other may start. */
  saving: boolean;
  setSaving: (saving: boolean) => void;
  setError: (text: string | null) => void;
  setNotice: (text: string | null) => void;
  /** The counters changed. */
  refreshCounts: () => void;
  /** The run's results changed beyond one result: fetch the queue again. */
  reloadQueue: () => void;
}

interface Options {
  desk: DeskState;
  selected: MatchResult | null;
  selectIndex: (index: number) => void;
  pages: PageCacheState;
  evidence: Evidence;
}

export interface Decisions {
  history: UndoStacks;
  /** Approves or rejects the selected result (approving `referenceRowId` instead of its match when given). */
  decide: (status: Decision, referenceRowId?: string) => Promise<void>;
  /** The same as `decide(status)`, but stable, so the memoised evidence panel does not re-render while the list scrolls. */
  onDecide: (status: Decision) => void;
  /** Undo reverts the latest entry of this session (a decision or a whole bulk approval); redo reverts that revert. */
  step: (kind: 'undo' | 'redo') => Promise<void>;
  /** Makes an entry saved elsewhere (a bulk approval) one undo step. */
  record: (entry: UndoEntry) => void;
}

export function useDecisions({ desk, selected, selectIndex, pages, evidence }: Options): Decisions {
  const { runId, runIdRef, saving, setSaving, setError, setNotice, refreshCounts, reloadQueue } = desk;
  const { patch, indexOfId, findNextPending, isStale } = pages;
  const { notes, setNotes, setDecisions } = evidence;
  const [history, setHistory] = useState<UndoStacks>(NO_HISTORY);

  const decide = useCallback(
    async (status: Decision, referenceRowId?: string) => {
      if (!runId || !selected || saving || isStale()) return;
      setSaving(true);
      setError(null);
      setNotice(null);
      const input: ReviewInput = { status };
      if (notes.trim()) input.notes = notes.trim();
      if (referenceRowId) input.reference_row_id = referenceRowId;
      try {
        const updated = await reviewResult(runId, selected.id, input);
        // The decision is on disk; its id makes it undoable.
        const log = await resultDecisions(updated.id).catch(() => null);
        const made = log?.[log.length - 1];
        if (made) setHistory((h) => recordDecision(h, { runId, resultId: updated.id, decisionId: made.id }));
        if (updated.status === 'approved') signalGuide('approve');
        refreshCounts();
        patch(updated);
        const index = indexOfId(updated.id);
        // The queue was replaced meanwhile (filters changed): its own selection stands.
        if (index < 0) return;
        const next = await findNextPending(index);
        if (next.kind === 'found') selectIndex(next.index);
        else {
          setNotice(next.kind === 'none' ? 'No pending results left.' : 'No pending result among the next results: move on with j or change the filters.');
          // Same selection: show the decision just made in its history.
          if (log) setDecisions(log);
          setNotes('');
        }
      } catch (e) {
        setError(errorText(e, 'Could not save the decision'));
      } finally {
        setSaving(false);
      }
    },
    [runId, selected, saving, notes, isStale, setSaving, setError, setNotice, refreshCounts, patch, indexOfId, findNextPending, selectIndex, setDecisions, setNotes],
  );

  const step = useCallback(
    async (kind: 'undo' | 'redo') => {
      if (saving) return;
      const entry = kind === 'undo' ? nextUndo(history) : nextRedo(history);
      if (!entry) {
        setNotice(kind === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
        return;
      }
      setSaving(true);
      setError(null);
      setNotice(null);
      try {
        if (isGroup(entry)) {
          const outcome = await revertDecisions(entry.runId, groupToWire(entry));
          const group = groupFromWire(entry.runId, outcome.decisions);
          setHistory((h) => (kind === 'undo' ? afterUndo(h, group) : afterRedo(h, group)));
          refreshCounts();
          if (entry.runId === runIdRef.current) reloadQueue();
          const n = formatCount(entrySize(entry));
          setNotice(kind === 'undo' ? `Undone: the bulk approval of ${n} results.` : `Redone: ${n} results are approved again.`);
          return;
        }
        const updated = await revertDecision(entry.runId, entry.resultId, entry.decisionId);
        const log = await resultDecisions(updated.id);
        const made = log[log.length - 1];
        const ref: DecisionRef = { runId: entry.runId, resultId: updated.id, decisionId: made?.id ?? '' };
        setHistory((h) => (kind === 'undo' ? afterUndo(h, ref) : afterRedo(h, ref)));
        refreshCounts();
        if (entry.runId === runIdRef.current) {
          patch(updated);
          const index = indexOfId(updated.id);
          if (index >= 0) {
            selectIndex(index);
            setDecisions(log);
          }
        }
        setNotice(`${kind === 'undo' ? 'Undone' : 'Redone'}: ${updated.document_filename ?? updated.document_id} is ${updated.status} again.`);
      } catch (e) {
        setError(errorText(e, `Could not ${kind} the decision`));
      } finally {
        setSaving(false);
      }
    },
    [saving, history, runIdRef, setSaving, setError, setNotice, refreshCounts, reloadQueue, patch, indexOfId, selectIndex, setDecisions],
  );

  const decideRef = useRef(decide);
  decideRef.current = decide;
  const onDecide = useCallback((status: Decision) => void decideRef.current(status), []);

  const record = useCallback((entry: UndoEntry) => setHistory((h) => recordDecision(h, entry)), []);

  return { history, decide, onDecide, step, record };
}
