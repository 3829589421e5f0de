// Bulk approval: the threshold typed, counting what it would approve, asking, approving as one undo step, and asking again when the queue changed meanwhile.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

import { bulkApprove, bulkApproveCount } from '../../api';
import { errorText, toApiCallError } from '../../apiError';
import type { ResultQuery } from '../../bindings/ResultQuery';
import { formatCount } from '../../format';
import { bulkDoneNotice, parsePercent, percentText } from '../../review';
import { groupFromWire, type UndoEntry } from '../../undo';
import type { DeskState } from './useDecisions';

/** The question the confirmation dialog asks. */
export interface BulkAsk {
  runId: string;
  query: ResultQuery;
  fraction: number;
  percent: string;
  count: number;
  /** Why the dialog asks again (the queue changed since the count). */
  message: string | null;
}

interface Options {
  desk: DeskState;
  query: ResultQuery;
  queryValid: boolean;
  /** The config's threshold: what the run itself counted as a match, where bulk approval starts. */
  threshold: number;
  record: (entry: UndoEntry) => void;
}

export interface BulkApproval {
  /** The "from" field as typed. */
  percent: string;
  setPercent: (text: string) => void;
  /** The threshold typed as a fraction; null when it is not a usable one. */
  fraction: number | null;
  /** The threshold for the button's label ("…" while unusable). */
  label: string;
  canAsk: boolean;
  /** The dialog's question; null when closed. */
  ask: BulkAsk | null;
  askBulk: () => Promise<void>;
  confirm: () => Promise<void>;
  close: () => void;
  /** The bulk button, which gets the focus back when the dialog closes. */
  buttonRef: RefObject<HTMLButtonElement | null>;
}

export function useBulkApproval({ desk, query, queryValid, threshold, record }: Options): BulkApproval {
  const { runId, runIdRef, saving, setSaving, setError, setNotice, refreshCounts, reloadQueue } = desk;
  const [percent, setPercent] = useState(percentText(threshold));
  const [ask, setAsk] = useState<BulkAsk | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const restoreFocusRef = useRef(false);

  // Bulk approval starts at the config's threshold: what the run itself counted as a match.
  useEffect(() => {
    setPercent(percentText(threshold));
  }, [threshold]);

  const parsed = parsePercent(percent);
  const fraction = parsed.ok && parsed.value !== undefined && parsed.value > 0 ? parsed.value : null;
  const label = fraction === null ? '…' : percentText(fraction);
  const canAsk = !!runId && fraction !== null && !saving && queryValid;

  /** Counts what a bulk approval would take, then asks (or says there is nothing to approve). */
  const askBulk = async () => {
    if (!runId || fraction === null || saving || !queryValid) return;
    setError(null);
    setNotice(null);
    const shown = percentText(fraction);
    try {
      const count = Number(await bulkApproveCount(runId, query, fraction));
      if (count === 0) setNotice(`No pending results at or above ${shown} % in this filter: nothing to approve.`);
      else setAsk({ runId, query, fraction, percent: shown, count, message: null });
    } catch (e) {
      setError(errorText(e, 'Could not count the results to approve'));
    }
  };

  const close = useCallback(() => {
    setAsk(null);
    restoreFocusRef.current = true;
  }, []);

  // Focus goes back to the bulk button once the dialog is gone and the button is enabled again.
  useEffect(() => {
    if (ask || saving || !restoreFocusRef.current) return;
    restoreFocusRef.current = false;
    buttonRef.current?.focus();
  }, [ask, saving]);

  const confirm = async () => {
    if (!ask || saving) return;
    setSaving(true);
    try {
      const outcome = await bulkApprove(ask.runId, { query: ask.query, min_confidence: ask.fraction, expected: ask.count });
      // On disk now: make it one undo step, then show it.
      record(groupFromWire(ask.runId, outcome.decisions));
      close();
      setNotice(bulkDoneNotice(outcome.decisions.length, formatCount));
      refreshCounts();
      if (ask.runId === runIdRef.current) reloadQueue();
    } catch (e) {
      const err = toApiCallError(e);
      if (err.code !== 'conflict') {
        close();
        setError(errorText(err, 'Could not approve the results'));
        return;
      }
      // The queue changed since the count (another decision, a new run): ask again with the new count.
      let count: number | null = null;
      try {
        count = Number(await bulkApproveCount(ask.runId, ask.query, ask.fraction));
      } catch {
        // keep the old count; confirming again reports the conflict again
      }
      if (count === 0) {
        close();
        setNotice(`${errorText(err)} No pending results at or above ${ask.percent} % are left in this filter.`);
      } else setAsk({ ...ask, count: count ?? ask.count, message: errorText(err) });
      refreshCounts();
    } finally {
      setSaving(false);
    }
  };

  return { percent, setPercent, fraction, label, canAsk, ask, askBulk, confirm, close, buttonRef };
}
