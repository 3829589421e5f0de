// Deciding on the selected result and the session's undo/redo: each decision is saved, made undoable, then the next pending result is opened.
// Undo/redo also covers dismissed AI suggestions: undo restores the suggestion, redo dismisses it again.
import { useCallback, useRef, useState, type MutableRefObject } from 'react';

import { dismissSuggestion, restoreSuggestion, resultDecisions, revertDecision, revertDecisions, reviewResult } from '../../api';
import { errorText } from '../../apiError';
import type { MatchResult } from '../../bindings/MatchResult';
import type { ReviewInput } from '../../bindings/ReviewInput';
import { signalGuide } from '../../guide';
import { formatCount } from '../../format';
import { cachedAt } from '../../review';
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
  type DecisionRef,
  type SuggestionDismissal,
  type UndoEntry,
  type UndoStacks,
} from '../../undo';
import { RESULTS_PAGE_SIZE } from './constants';
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
  /** Undo reverts the latest entry of this session (a decision, a whole bulk approval or a dismissed suggestion); redo reverts that revert. */
  step: (kind: 'undo' | 'redo') => Promise<void>;
  /** Makes an entry saved elsewhere (a bulk approval, an answered suggestion) one undo step. */
  record: (entry: UndoEntry) => void;
}

export function useDecisions({ desk, selected, selectIndex, pages, evidence }: Options): Decisions {
  const { runId, runIdRef, saving, setSaving, setError, setNotice, refreshCounts, reloadQueue } = desk;
  const { cache, patch, indexOfId, findNextPending, isStale } = pages;
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

  /** Undo of a dismissal restores the suggestion; redo dismisses it again, unless another suggestion took its place meanwhile. */
  const redoOrUndoDismissal = useCallback(
    async (kind: 'undo' | 'redo', entry: SuggestionDismissal) => {
      const shown = entry.runId === runIdRef.current;
      let updated: MatchResult;
      if (kind === 'undo') {
        updated = await restoreSuggestion(entry.runId, entry.resultId, entry.suggestionId);
      } else {
        // The backend dismisses whichever suggestion is open: redo must not dismiss a later pass's one it never showed.
        const index = shown ? indexOfId(entry.resultId) : -1;
        const cached = index >= 0 ? cachedAt(cache.pages, index, RESULTS_PAGE_SIZE) : undefined;
        if (cached && cached.suggestion?.id !== entry.suggestionId) {
          setError(`Could not redo: the suggestion on ${cached.document_filename ?? cached.document_id} is no longer open.`);
          return;
        }
        updated = await dismissSuggestion(entry.runId, entry.resultId);
      }
      // Not a decision: the same entry goes to the other stack, as it is.
      setHistory((h) => (kind === 'undo' ? afterUndo(h, entry) : afterRedo(h, entry)));
      if (shown) {
        patch(updated);
        const index = indexOfId(updated.id);
        if (index >= 0) selectIndex(index);
      }
      const name = updated.document_filename ?? updated.document_id;
      setNotice(kind === 'undo' ? `Undone: the suggestion on ${name} is open again.` : `Redone: the suggestion on ${name} is dismissed again.`);
    },
    [runIdRef, indexOfId, cache.pages, setError, patch, selectIndex, setNotice],
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
        if (isDismissal(entry)) {
          await redoOrUndoDismissal(kind, entry);
          return;
        }
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
        setError(errorText(e, isDismissal(entry) ? `Could not ${kind} the dismissal of the suggestion` : `Could not ${kind} the decision`));
      } finally {
        setSaving(false);
      }
    },
    [saving, history, runIdRef, setSaving, setError, setNotice, refreshCounts, reloadQueue, patch, indexOfId, selectIndex, setDecisions, redoOrUndoDismissal],
  );

  const decideRef = useRef(decide);
  decideRef.current = decide;
  const onDecide = useCallback((status: Decision) => void decideRef.current(status), []);

  const record = useCallback((entry: UndoEntry) => setHistory((h) => recordDecision(h, entry)), []);

  return { history, decide, onDecide, step, record };
}
