// The guided first start as pure logic: its steps and what each asks, which are done, and the signals screens send it.
// A step is checked off by what the app actually did (a run seen starting and finishing, the review band on screen,
// an approval saved, an export written), never by a "Next" button; skipping one is the user's way past it.
import type { Tab } from './App';
import type { Run } from './bindings/Run';
import type { RunProgress } from './bindings/RunProgress';

export type GuideStepId = 'run' | 'progress' | 'band' | 'approve' | 'export';

export interface GuideStep {
  id: GuideStepId;
  title: string;
  /** What to do, in a sentence or two. */
  what: string;
  /** The button that takes the user where the step happens. */
  action: { label: string; tab: Tab };
}

export const GUIDE_STEPS: readonly GuideStep[] = [
  {
    id: 'run',
    title: 'Run the demo config',
    what: 'On the Runs screen, “Invoices to purchase orders” is chosen: press Start run.',
    action: { label: 'Go to Runs', tab: 'runs' },
  },
  {
    id: 'progress',
    title: 'Watch the progress',
    what: 'The run’s row shows its phase and progress as it matches 400 invoices against 3,000 purchase orders, in a few seconds.',
    action: { label: 'Go to Runs', tab: 'runs' },
  },
  {
    id: 'band',
    title: 'Open the review band',
    what: 'The Review screen opens on the pending results between the review floor and the threshold: the matches to check by eye.',
    action: { label: 'Open the review band', tab: 'review' },
  },
  {
    id: 'approve',
    title: 'Approve one by keyboard',
    what: 'Read the evidence on the right, then press a to approve the selected result (r rejects, u undoes, ? lists every key).',
    action: { label: 'Go to Review', tab: 'review' },
  },
  {
    id: 'export',
    title: 'Export',
    what: 'On the Runs screen, select the run and use Export: approved matches, and every other invoice with why it is unmatched.',
    action: { label: 'Go to Runs', tab: 'runs' },
  },
];

/** How far a step is: done by the app's state, skipped by the user, or still to do. */
export type StepState = 'done' | 'skipped' | 'todo';
export type GuideProgress = Readonly<Partial<Record<GuideStepId, 'done' | 'skipped'>>>;

export function stepState(progress: GuideProgress, id: GuideStepId): StepState {
  return progress[id] ?? 'todo';
}

/** The first step neither done nor skipped; null when the path is finished. */
export function currentStep(progress: GuideProgress): GuideStep | null {
  return GUIDE_STEPS.find((s) => !progress[s.id]) ?? null;
}

/** Progress with `ids` done (a skipped step done later counts as done). */
export function markDone(progress: GuideProgress, ...ids: GuideStepId[]): GuideProgress {
  if (ids.every((id) => progress[id] === 'done')) return progress;
  const next = { ...progress };
  for (const id of ids) next[id] = 'done';
  return next;
}

export function markSkipped(progress: GuideProgress, id: GuideStepId): GuideProgress {
  return progress[id] ? progress : { ...progress, [id]: 'skipped' };
}

/** The steps a run's progress event completes: any event means a run started; a completed run has been watched. */
export function stepsOfProgress(p: Pick<RunProgress, 'status'>): GuideStepId[] {
  return p.status === 'completed' ? ['run', 'progress'] : ['run'];
}

/** The steps the runs already in the workspace complete (an app restarted half way through the path). */
export function stepsOfRuns(runs: readonly Pick<Run, 'status'>[]): GuideStepId[] {
  if (runs.some((r) => r.status === 'completed')) return ['run', 'progress'];
  return runs.length > 0 ? ['run'] : [];
}

// ---- signals between the screens and the guide ------------------------------------------------

/** What a screen tells the guide it just did. */
export type GuideSignal = 'band' | 'approve' | 'export';

const signalListeners = new Set<(signal: GuideSignal) => void>();
const bandListeners = new Set<() => void>();

/** Tells the guide a step happened (the review band shown, an approval saved, an export written). */
export function signalGuide(signal: GuideSignal): void {
  for (const l of [...signalListeners]) l(signal);
}

export function subscribeGuide(listener: (signal: GuideSignal) => void): () => void {
  signalListeners.add(listener);
  return () => {
    signalListeners.delete(listener);
  };
}

/** Asks the review desk to show the pending results of its run's review band again (the guide's "Open the review band"). */
export function requestReviewBand(): void {
  for (const l of [...bandListeners]) l();
}

export function onReviewBandRequest(listener: () => void): () => void {
  bandListeners.add(listener);
  return () => {
    bandListeners.delete(listener);
  };
}
