// Fan-out of the single run-progress channel to the screens, keeping the latest event of each run.
import type { RunProgress } from './bindings/RunProgress';
import type { RunStatus } from './bindings/RunStatus';

type Listener = (progress: RunProgress) => void;

const listeners = new Set<Listener>();
const latest = new Map<string, RunProgress>();

/** Statuses after which a run no longer changes. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinalStatus(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Records an event and hands it to every subscriber. */
export function publishProgress(progress: RunProgress): void {
  latest.set(progress.run_id, progress);
  for (const listener of [...listeners]) listener(progress);
}

/** Calls `listener` for every future event; returns the unsubscribe function. */
export function subscribeProgress(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The last event seen for a run, if any. */
export function latestProgress(runId: string): RunProgress | undefined {
  return latest.get(runId);
}

/** Forgets everything (for tests). */
export function resetProgressHub(): void {
  listeners.clear();
  latest.clear();
}
