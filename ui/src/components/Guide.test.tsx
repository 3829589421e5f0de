// The guided first start against a mocked api: opens by itself only when the workspace says so, checks steps off from
// run progress and the screens' signals (never from a "Next" button), skips, takes the user where a step happens,
// keeps "Don't show again" in the workspace, and reopens from the Help menu.
import { act, useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', () => ({
  guideState: vi.fn(),
  setGuideAtStart: vi.fn(),
  listRuns: vi.fn(),
}));

import * as api from '../api';
import type { Tab } from '../App';
import type { Run } from '../bindings/Run';
import type { RunProgress } from '../bindings/RunProgress';
import { onReviewBandRequest, signalGuide, type GuideSignal } from '../guide';
import { onGoTo } from '../navigation';
import { resetProgressHub } from '../progressHub';
import { click, emit, render, settle, type Rendered } from '../testing';
import { Guide } from './Guide';
import { HelpMenu } from './HelpMenu';

const mocked = vi.mocked(api);

/** The guide as the shell mounts it: hidden until opened, with the Help menu that reopens it, keyed by the workspace. */
function Shell({ workspace = 'demo' }: { workspace?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <HelpMenu onGuide={() => setOpen(true)} />
      <Guide key={workspace} open={open} onOpenChange={setOpen} />
    </>
  );
}

const progress = (status: RunProgress['status']): RunProgress => ({
  run_id: 'r1',
  status,
  phase: status === 'completed' ? 'completed' : 'matching',
  phase_progress: status === 'completed' ? 100 : 40,
  rows_processed: 40,
  rows_total: 400,
  rows_matched: 30,
  estimated_seconds_remaining: null,
  updated_at: '',
});

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const stateOf = (step: string) => $(`#guide li[data-step="${step}"]`)?.dataset.stepState;
const signal = async (s: GuideSignal) => {
  await act(async () => signalGuide(s));
  await settle();
};

let view: Rendered | null = null;
let shown: Tab[] = [];
const cleanups: (() => void)[] = [];

beforeEach(() => {
  resetProgressHub();
  vi.clearAllMocks();
  mocked.guideState.mockResolvedValue({ show_at_start: true });
  mocked.setGuideAtStart.mockResolvedValue({ show_at_start: false });
  mocked.listRuns.mockResolvedValue([]);
  shown = [];
  cleanups.push(onGoTo((tab) => shown.push(tab)));
});

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  view?.unmount();
  view = null;
});

describe('Guide', () => {
  it('opens by itself on a demo workspace and checks each step off from what the app did', async () => {
    view = await render(<Shell />);
    expect($('#guide')).not.toBeNull();
    expect($('#guide')?.dataset.current).toBe('run');
    expect(['run', 'progress', 'band', 'approve', 'export'].map(stateOf)).toEqual(['todo', 'todo', 'todo', 'todo', 'todo']);
    expect($('li[data-step="run"]')?.getAttribute('aria-current')).toBe('step');
    expect($('.guide-now')?.textContent).toContain('press Start run');

    await emit(progress('running'));
    expect(stateOf('run')).toBe('done');
    expect($('#guide')?.dataset.current).toBe('progress');
    await emit(progress('completed'));
    expect(stateOf('progress')).toBe('done');
    await signal('band');
    await signal('approve');
    expect($('#guide')?.dataset.current).toBe('export');
    expect(mocked.setGuideAtStart).not.toHaveBeenCalled();
    await signal('export');
    expect(['run', 'progress', 'band', 'approve', 'export'].map(stateOf)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect($('#guide')?.dataset.current).toBe('finished');
    expect($('.guide-now')?.textContent).toContain('All done');
    // Walked to the end: the next start opens on the work.
    expect(mocked.setGuideAtStart).toHaveBeenCalledWith(false);
  });

  it('stays closed where the workspace does not offer it, and the Help menu opens it', async () => {
    mocked.guideState.mockResolvedValue({ show_at_start: false });
    view = await render(<Shell />);
    expect($('#guide')).toBeNull();
    expect($('#help-menu')?.getAttribute('aria-expanded')).toBe('false');
    await click($('#help-menu'));
    expect($('#help-menu')?.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe($('#help-guide'));
    await click($('#help-guide'));
    expect($('#help-menu-items')).toBeNull();
    expect($('#guide')).not.toBeNull();
  });

  it('counts runs made before this start, and steps done while it was hidden', async () => {
    mocked.guideState.mockResolvedValue({ show_at_start: false });
    mocked.listRuns.mockResolvedValue([{ id: 'r0', status: 'completed' } as Run]);
    view = await render(<Shell />);
    await signal('band');
    await click($('#help-menu'));
    await click($('#help-guide'));
    expect(['run', 'progress', 'band', 'approve'].map(stateOf)).toEqual(['done', 'done', 'done', 'todo']);
  });

  it('takes the user where the step happens, and asks the review desk for its band', async () => {
    view = await render(<Shell />);
    let bandAsked = 0;
    cleanups.push(onReviewBandRequest(() => bandAsked++));
    await click($('#guide-action'));
    expect(shown).toEqual(['runs']);
    await emit(progress('completed'));
    expect($('#guide-action')?.textContent).toBe('Open the review band');
    await click($('#guide-action'));
    expect(shown).toEqual(['runs', 'review']);
    expect(bandAsked).toBe(1);
  });

  it('skips a step, and a skipped step done later counts as done', async () => {
    view = await render(<Shell />);
    await click($('#guide-skip'));
    expect(stateOf('run')).toBe('skipped');
    expect($('#guide')?.dataset.current).toBe('progress');
    await emit(progress('running'));
    expect(stateOf('run')).toBe('done');
  });

  it('"Don\'t show again" closes it and tells the workspace; Close only hides it', async () => {
    view = await render(<Shell />);
    await click($('#guide-close'));
    expect($('#guide')).toBeNull();
    expect(mocked.setGuideAtStart).not.toHaveBeenCalled();
    await click($('#help-menu'));
    await click($('#help-guide'));
    await click($('#guide-dismiss'));
    expect($('#guide')).toBeNull();
    expect(mocked.setGuideAtStart).toHaveBeenCalledWith(false);
  });

  it('closes when the workspace it was open on gives way to one that does not offer it', async () => {
    view = await render(<Shell />);
    expect($('#guide')).not.toBeNull();
    mocked.guideState.mockResolvedValue({ show_at_start: false });
    await act(async () => view!.root.render(<Shell workspace="own" />));
    await settle();
    expect($('#guide')).toBeNull();
  });

  it('leads to About, in Settings', async () => {
    view = await render(<Shell />);
    await click($('#help-menu'));
    await click($('#help-about'));
    expect(shown).toEqual(['settings']);
  });

  it('lists the keyboard shortcuts from the Help menu, keeping keys from the screen behind', async () => {
    mocked.guideState.mockResolvedValue({ show_at_start: false });
    view = await render(<Shell />);
    const behind = vi.fn();
    window.addEventListener('keydown', behind);
    cleanups.push(() => window.removeEventListener('keydown', behind));
    await click($('#help-menu'));
    await click($('#help-shortcuts'));
    expect($('#shortcuts-overlay')?.textContent).toContain('Approve, then open the next pending result');
    await act(async () => {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    });
    expect(behind).not.toHaveBeenCalled();
    await act(async () => {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect($('#shortcuts-overlay')).toBeNull();
  });
});
