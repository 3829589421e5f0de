// The guided first start's pure logic: the current step, done and skipped steps, and what runs and their progress complete.
import { describe, expect, it } from 'vitest';

import { currentStep, GUIDE_STEPS, markDone, markSkipped, stepState, stepsOfProgress, stepsOfRuns } from './guide';

describe('guide', () => {
  it('has the five steps of the first start, each with somewhere to go', () => {
    expect(GUIDE_STEPS.map((s) => s.id)).toEqual(['run', 'progress', 'band', 'approve', 'export']);
    expect(GUIDE_STEPS.map((s) => s.action.tab)).toEqual(['runs', 'runs', 'review', 'review', 'runs']);
  });

  it('goes to the first step neither done nor skipped, in order', () => {
    expect(currentStep({})?.id).toBe('run');
    // Done out of order (an export before approving): the path still asks for the step left behind.
    expect(currentStep({ run: 'done', progress: 'done', export: 'done' })?.id).toBe('band');
    expect(currentStep(Object.fromEntries(GUIDE_STEPS.map((s) => [s.id, 'skipped'])))).toBeNull();
  });

  it('marks steps done, keeps the same object when nothing changes, and lets a skipped step be done later', () => {
    const p = markDone({}, 'run');
    expect(stepState(p, 'run')).toBe('done');
    expect(markDone(p, 'run')).toBe(p);
    expect(markDone(p)).toBe(p);
    const skipped = markSkipped(p, 'band');
    expect(stepState(skipped, 'band')).toBe('skipped');
    expect(markSkipped(p, 'run')).toBe(p);
    expect(stepState(markDone(skipped, 'band'), 'band')).toBe('done');
    expect(stepState({}, 'export')).toBe('todo');
  });

  it('takes a started run as the first step and a completed one as the second', () => {
    expect(stepsOfProgress({ status: 'queued' })).toEqual(['run']);
    expect(stepsOfProgress({ status: 'running' })).toEqual(['run']);
    expect(stepsOfProgress({ status: 'failed' })).toEqual(['run']);
    expect(stepsOfProgress({ status: 'completed' })).toEqual(['run', 'progress']);
    expect(stepsOfRuns([])).toEqual([]);
    expect(stepsOfRuns([{ status: 'running' }])).toEqual(['run']);
    expect(stepsOfRuns([{ status: 'failed' }, { status: 'completed' }])).toEqual(['run', 'progress']);
  });
});
