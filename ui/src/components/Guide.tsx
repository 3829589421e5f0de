// The guided first start: five steps through the demo (run, watch, review band, approve, export), checked off by what the app did.
// It sits under the top bar rather than over the screens, so it never hides what it points at; it opens by itself on a demo
// workspace until "Don't show again" (kept in the workspace's settings) or the last step, and the Help menu reopens it.
import { useEffect, useRef, useState } from 'react';

import { guideState, listRuns, setGuideAtStart } from '../api';
import {
  currentStep,
  GUIDE_STEPS,
  markDone,
  markSkipped,
  requestReviewBand,
  stepsOfProgress,
  stepsOfRuns,
  stepState,
  subscribeGuide,
  type GuideProgress,
  type GuideStep,
} from '../guide';
import { goTo } from '../navigation';
import { subscribeProgress } from '../progressHub';
import '../styles/guide.css';

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

const MARK = { done: '✓', skipped: '–' } as const;
const STATE_TEXT = { done: ' (done)', skipped: ' (skipped)', todo: '' } as const;

/** The checked-off steps, followed while the guide is hidden too, so reopening it shows where the user is. */
function useGuideProgress(): [GuideProgress, (update: (p: GuideProgress) => GuideProgress) => void] {
  const [progress, setProgress] = useState<GuideProgress>({});
  useEffect(() => {
    let stale = false;
    // Runs made before this start (the app restarted half way through) count.
    listRuns({ limit: 20 }).then(
      (runs) => {
        if (!stale) setProgress((p) => markDone(p, ...stepsOfRuns(runs)));
      },
      () => undefined,
    );
    const offProgress = subscribeProgress((e) => setProgress((p) => markDone(p, ...stepsOfProgress(e))));
    const offSignals = subscribeGuide((signal) => setProgress((p) => markDone(p, signal)));
    return () => {
      stale = true;
      offProgress();
      offSignals();
    };
  }, []);
  return [progress, setProgress];
}

export function Guide({ open, onOpenChange }: Props) {
  const [progress, setProgress] = useGuideProgress();
  const current = currentStep(progress);
  const openChangeRef = useRef(onOpenChange);
  openChangeRef.current = onOpenChange;
  const finishedRef = useRef(false);

  // Opens by itself when the workspace says so (a demo the user has not turned it off on), and
  // closes when the window switches to a workspace that does not (the shell remounts the guide).
  useEffect(() => {
    let stale = false;
    guideState().then(
      (s) => {
        if (!stale) openChangeRef.current(s.show_at_start);
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, []);

  // The path walked to its end is the first start done: the next start opens on the work, not on the guide.
  useEffect(() => {
    if (current || finishedRef.current) return;
    finishedRef.current = true;
    // A read-only workspace cannot keep it: the guide then offers itself again, which is harmless.
    setGuideAtStart(false).catch(() => undefined);
  }, [current]);

  if (!open) return null;

  const dismiss = () => {
    onOpenChange(false);
    setGuideAtStart(false).catch(() => undefined);
  };
  const act = (step: GuideStep) => {
    goTo(step.action.tab);
    if (step.id === 'band') requestReviewBand();
  };

  return (
    <section id="guide" className="guide" aria-labelledby="guide-title" data-current={current?.id ?? 'finished'}>
      <div className="guide-head">
        <h2 id="guide-title">Get started</h2>
        <ol className="guide-steps">
          {GUIDE_STEPS.map((s, i) => {
            const state = stepState(progress, s.id);
            return (
              <li key={s.id} data-step={s.id} data-step-state={state} aria-current={current?.id === s.id ? 'step' : undefined}>
                <span className="guide-mark" aria-hidden="true">
                  {state === 'todo' ? i + 1 : MARK[state]}
                </span>
                {s.title}
                <span className="visually-hidden">{STATE_TEXT[state]}</span>
              </li>
            );
          })}
        </ol>
        <div className="guide-controls">
          <button type="button" id="guide-dismiss" className="link-button" onClick={dismiss}>
            Don’t show again
          </button>
          <button type="button" id="guide-close" className="small" onClick={() => onOpenChange(false)} title="Hide the guide; the Help menu brings it back">
            Close
          </button>
        </div>
      </div>
      <p className="guide-now" aria-live="polite">
        {current ? (
          <>
            <strong>{current.title}.</strong> {current.what}{' '}
            <button type="button" id="guide-action" className="small primary" onClick={() => act(current)}>
              {current.action.label}
            </button>
            <button type="button" id="guide-skip" className="link-button" onClick={() => setProgress((p) => markSkipped(p, current.id))}>
              Skip this step
            </button>
          </>
        ) : (
          <>
            <strong>All done.</strong> You ran a match, reviewed its band and exported it; the same path works on your own data from the Data screen.{' '}
            <button type="button" id="guide-restart" className="link-button" onClick={() => setProgress(() => ({}))}>
              Start over
            </button>
          </>
        )}
      </p>
    </section>
  );
}
