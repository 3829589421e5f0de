// Settings > Workspace against a mocked api: the open workspace and the recent list (missing files marked), and each way to switch (typed path, recent list, dialogs), with path errors under the path.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../api')>()),
  workspaceInfo: vi.fn(),
  recentWorkspaces: vi.fn(),
  forgetRecentWorkspace: vi.fn(),
  openWorkspace: vi.fn(),
  newWorkspace: vi.fn(),
  moveWorkspace: vi.fn(),
  pickWorkspaceFile: vi.fn(),
  pickWorkspacePath: vi.fn(),
}));

import * as api from '../../api';
import { ApiCallError } from '../../apiError';
import type { RecentWorkspace } from '../../bindings/RecentWorkspace';
import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import { change, click, render, settle, type Rendered } from '../../testing';
import { WorkspaceSection } from './WorkspaceSection';

const mocked = vi.mocked(api);
let view: Rendered | null = null;

const demo: WorkspaceInfo = { path: '/w/demo.sqlite', datasets: 2, configs: 1, runs: 4 };
const march: WorkspaceInfo = { path: '/w/march.sqlite', datasets: 0, configs: 0, runs: 0 };
const recent: RecentWorkspace[] = [
  { path: '/w/demo.sqlite', opened_at: '2026-03-02T09:00:00.000Z', exists: true },
  { path: '/w/acme.sqlite', opened_at: '2026-03-01T09:00:00.000Z', exists: true },
  { path: '/w/gone.sqlite', opened_at: '2026-02-01T09:00:00.000Z', exists: false },
];

beforeEach(() => {
  mocked.workspaceInfo.mockResolvedValue(demo);
  mocked.recentWorkspaces.mockResolvedValue(recent);
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.clearAllMocks();
});

const $ = <T extends Element>(sel: string) => view!.container.querySelector<T>(sel);

describe('WorkspaceSection', () => {
  it('shows the open workspace and the recent ones, the open one and missing files marked', async () => {
    view = await render(<WorkspaceSection active onChanged={vi.fn()} />);
    expect($('#workspace-current')?.textContent).toBe('/w/demo.sqlite');
    expect($('#workspace-counts')?.textContent).toContain('2 datasets, 1 config, 4 runs');
    expect($('li[data-path="/w/demo.sqlite"]')?.textContent).toContain('open now');
    expect($('li[data-path="/w/demo.sqlite"] .recent-open')).toBeNull();
    expect($('li[data-path="/w/acme.sqlite"] .recent-open')).not.toBeNull();
    const gone = $('li[data-path="/w/gone.sqlite"]');
    expect(gone?.getAttribute('data-missing')).toBe('true');
    expect(gone?.textContent).toContain('file missing');
    expect(gone?.querySelector('.recent-open')).toBeNull();

    mocked.forgetRecentWorkspace.mockResolvedValue(recent.slice(0, 2));
    await click(gone!.querySelector('.recent-forget'));
    expect(mocked.forgetRecentWorkspace).toHaveBeenCalledWith('/w/gone.sqlite');
    expect($('li[data-path="/w/gone.sqlite"]')).toBeNull();
  });

  it('creates a workspace at a typed path and hands the new one to the window', async () => {
    const onChanged = vi.fn();
    mocked.newWorkspace.mockResolvedValue(march);
    view = await render(<WorkspaceSection active onChanged={onChanged} />);
    await change($('#workspace-path'), '/w/march.sqlite');
    await click($('#workspace-create'));
    expect(mocked.newWorkspace).toHaveBeenCalledWith('/w/march.sqlite');
    expect(onChanged).toHaveBeenCalledWith(march);
    expect($('#workspace-current')?.textContent).toBe('/w/march.sqlite');
    expect(($('#workspace-path') as HTMLInputElement).value).toBe('');
  });

  it('shows an error about the path under the path, and switches nothing', async () => {
    const onChanged = vi.fn();
    mocked.newWorkspace.mockRejectedValue(
      new ApiCallError({ code: 'validation_error', message: 'path: /w/demo.sqlite already exists: choose another name, or open it instead', field: 'path' }),
    );
    view = await render(<WorkspaceSection active onChanged={onChanged} />);
    await click($('#workspace-create'));
    expect(mocked.newWorkspace).not.toHaveBeenCalled();
    expect($('#workspace-path-error')?.textContent).toContain('Type the full path');
    await change($('#workspace-path'), '/w/demo.sqlite');
    await click($('#workspace-create'));
    expect($('#workspace-path-error')?.textContent).toBe('/w/demo.sqlite already exists: choose another name, or open it instead');
    expect($('#workspace-path')?.getAttribute('aria-invalid')).toBe('true');
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('opens a recent workspace, and moves the open one to a typed path', async () => {
    const onChanged = vi.fn();
    const acme = { ...demo, path: '/w/acme.sqlite' };
    mocked.openWorkspace.mockResolvedValue(acme);
    view = await render(<WorkspaceSection active onChanged={onChanged} />);
    await click($('li[data-path="/w/acme.sqlite"] .recent-open'));
    expect(mocked.openWorkspace).toHaveBeenCalledWith('/w/acme.sqlite');
    expect(onChanged).toHaveBeenLastCalledWith(acme);

    const moved = { ...acme, path: '/archive/acme.sqlite' };
    mocked.moveWorkspace.mockResolvedValue(moved);
    await change($('#workspace-path'), '/archive/acme.sqlite');
    await click($('#workspace-move'));
    expect(mocked.moveWorkspace).toHaveBeenCalledWith('/archive/acme.sqlite');
    expect(onChanged).toHaveBeenLastCalledWith(moved);
  });

  it('switches through the file dialogs, and not at all when one is dismissed', async () => {
    const onChanged = vi.fn();
    view = await render(<WorkspaceSection active onChanged={onChanged} />);
    mocked.pickWorkspaceFile.mockResolvedValue(null);
    await click($('#workspace-open-dialog'));
    expect(mocked.openWorkspace).not.toHaveBeenCalled();

    mocked.pickWorkspacePath.mockResolvedValue('/w/april.sqlite');
    mocked.newWorkspace.mockResolvedValue({ ...march, path: '/w/april.sqlite' });
    await click($('#workspace-new-dialog'));
    await settle();
    expect(mocked.newWorkspace).toHaveBeenCalledWith('/w/april.sqlite');

    mocked.pickWorkspacePath.mockResolvedValue('/archive/april.sqlite');
    mocked.moveWorkspace.mockResolvedValue({ ...march, path: '/archive/april.sqlite' });
    await click($('#workspace-move-dialog'));
    await settle();
    // The save dialog suggests the open file's own name.
    expect(mocked.pickWorkspacePath).toHaveBeenLastCalledWith('Move the workspace to', 'april.sqlite');
    expect(mocked.moveWorkspace).toHaveBeenCalledWith('/archive/april.sqlite');
    expect(onChanged).toHaveBeenCalledTimes(2);
  });
});
