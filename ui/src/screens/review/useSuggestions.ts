// Answering ai-resolve suggestions on the review desk: accept (a decision, undoable like any other) or dismiss (undoable too: undo restores it) the selected result's suggestion, then open the next result that has one.
import { useCallback, useRef, type MutableRefObject } from 'react';

import { acceptSuggestion, dismissSuggestion, resultDecisions } from '../../api';
import { errorText } from '../../apiError';
import type { MatchResult } from '../../bindings/MatchResult';
import { hasOpenSuggestion, isPending } from '../../review';
import type { UndoEntry } from '../../undo';
import type { DeskState } from './useDecisions';
import type { Evidence } from './useEvidence';
import type { PageCacheState } from './usePageCache';

export type SuggestionAction = 'accept' | 'dismiss';

interface Options {
  desk: DeskState;
  selected: MatchResult | null;
  /** The selected index as of now (the selection may move while `next` waits). */
  selectionRef: MutableRefObject<number>;
  selectIndex: (index: number) => void;
  pages: PageCacheState;
  evidence: Evidence;
  /** Makes an accepted suggestion one undo step, as a decision, and a dismissed one a step that restores it. */
  record: (entry: UndoEntry) => void;
}

export interface Suggestions {
  /** Accepts or dismisses the selected result's suggestion. */
  answer: (action: SuggestionAction) => Promise<void>;
  /** The same, stable, for the memoised evidence panel. */
  onAnswer: (action: SuggestionAction) => void;
  /** Selects the next result with an open suggestion. */
  next: () => Promise<void>;
}

export function useSuggestions({ desk, selected, selectionRef, selectIndex, pages, evidence, record }: Options): Suggestions {
  const { runId, saving, setSaving, setError, setNotice, refreshCounts } = desk;
  const { patch, indexOfId, findNext, isStale, settled, at } = pages;
  const { setDecisions } = evidence;

  /** After an answer: the next result with a suggestion, else the next pending one. */
  const moveOn = useCallback(
    async (index: number, log: Awaited<ReturnType<typeof resultDecisions>> | null) => {
      const withSuggestion = await findNext(index, hasOpenSuggestion);
      if (withSuggestion.kind === 'found') {
        selectIndex(withSuggestion.index);
        return;
      }
      const pending = await findNext(index, isPending);
      if (pending.kind === 'found') {
        selectIndex(pending.index);
        setNotice('No open AI suggestions left: on to the next pending result.');
        return;
      }
      setNotice(withSuggestion.kind === 'none' ? 'No open AI suggestions left.' : 'No open AI suggestion among the next results: move on with j or change the filters.');
      if (log) setDecisions(log);
    },
    [findNext, selectIndex, setNotice, setDecisions],
  );

  const answer = useCallback(
    async (action: SuggestionAction) => {
      if (!runId || !selected || saving || isStale()) return;
      const open = selected.suggestion;
      if (!open) {
        setNotice('This result has no open AI suggestion: g goes to the next one.');
        return;
      }
      setSaving(true);
      setError(null);
      setNotice(null);
      try {
        const updated = action === 'accept' ? await acceptSuggestion(runId, selected.id) : await dismissSuggestion(runId, selected.id);
        let log = null;
        if (action === 'accept') {
          // The acceptance is a decision on disk; its id makes it undoable.
          log = await resultDecisions(updated.id).catch(() => null);
          const made = log?.[log.length - 1];
          if (made) record({ runId, resultId: updated.id, decisionId: made.id });
          refreshCounts();
        } else {
          // Not a decision, so not in the review log: the suggestion's own id makes it undoable.
          record({ kind: 'dismissal', runId, resultId: updated.id, suggestionId: open.id });
        }
        patch(updated);
        const index = indexOfId(updated.id);
        if (index < 0) return;
        await moveOn(index, log);
      } catch (e) {
        setError(errorText(e, action === 'accept' ? 'Could not accept the suggestion' : 'Could not dismiss the suggestion'));
      } finally {
        setSaving(false);
      }
    },
    [runId, selected, saving, isStale, setSaving, setError, setNotice, record, refreshCounts, patch, indexOfId, moveOn],
  );

  const next = useCallback(async () => {
    if (!runId) return;
    // The queue on screen may still be the previous one (a reload after the run finished): what it holds says nothing of
    // this queue, so wait for the fresh page rather than drop the key. The selection may have moved meanwhile.
    if (!(await settled())) return;
    const from = selectionRef.current;
    const found = await findNext(from, hasOpenSuggestion);
    const current = at(from);
    if (found.kind === 'found') selectIndex(found.index);
    else if (current && hasOpenSuggestion(current)) setNotice('This is the only result with an open AI suggestion.');
    else setNotice(found.kind === 'none' ? 'No result here has an open AI suggestion. Run AI resolve on the Runs screen to get some.' : 'No open AI suggestion among the next results.');
  }, [runId, settled, selectionRef, findNext, at, selectIndex, setNotice]);

  const answerRef = useRef(answer);
  answerRef.current = answer;
  const onAnswer = useCallback((action: SuggestionAction) => void answerRef.current(action), []);

  return { answer, onAnswer, next };
}
