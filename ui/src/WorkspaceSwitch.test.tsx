// After a switch of workspace from Settings, every screen reads the new workspace afresh (remounted) and the top bar names it.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('./api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./api')>()),
  workspaceInfo: vi.fn(async () => ({ path: '/w/demo.sqlite', datasets: 2, configs: 1, runs: 0 })),
  watchProgress: vi.fn(async () => null),
  guideState: vi.fn(async () => ({ show_at_start: false })),
  setGuideAtStart: vi.fn(async () => ({ show_at_start: false })),
  listDatasets: vi.fn(async () => []),
  listConfigs: vi.fn(async () => []),
  listRuns: vi.fn(async () => []),
  listStrategies: vi.fn(async () => []),
  runPage: vi.fn(async () => ({ data: [], total: 0, page: 1, limit: 20 })),
  listPackageConfigs: vi.fn(async () => []),
  listPackageRuns: vi.fn(async () => []),
  listPipelines: vi.fn(async () => []),
  apiStatus: vi.fn(async () => ({ settings: { enabled: false, port: 8750 }, running: false })),
  recentWorkspaces: vi.fn(async () => []),
  diagnostics: vi.fn(async () => {
    throw new Error('not in this test');
  }),
  newWorkspace: vi.fn(async () => ({ path: '/w/march.sqlite', datasets: 0, configs: 0, runs: 0 })),
}));

import * as api from './api';
import { App } from './App';
import { change, click, render, type Rendered } from './testing';

let view: Rendered | null = null;

afterEach(() => {
  view?.unmount();
  view = null;
});

describe('switching workspaces', () => {
  it('reloads every screen and the top bar, keeps the tab, and keeps the one progress channel', async () => {
    view = await render(<App />);
    expect(document.querySelector('.workspace-path')?.textContent).toBe('/w/demo.sqlite');
    await click(document.querySelector('#nav-data'));
    const datasetsBefore = vi.mocked(api.listDatasets).mock.calls.length;
    expect(datasetsBefore).toBeGreaterThan(0);
    const dataPanel = document.querySelector('#panel-data')?.firstElementChild;

    await click(document.querySelector('#nav-settings'));
    await change(document.querySelector('#workspace-path'), '/w/march.sqlite');
    await click(document.querySelector('#workspace-create'));

    expect(api.newWorkspace).toHaveBeenCalledWith('/w/march.sqlite');
    expect(document.querySelector('.workspace-path')?.textContent).toBe('/w/march.sqlite');
    // Settings stays in front, its screen now showing the new workspace.
    expect(document.querySelector('#nav-settings')?.getAttribute('aria-selected')).toBe('true');
    // The Data screen is a new one: its old element is gone from the document.
    expect(dataPanel?.isConnected).toBe(false);
    await click(document.querySelector('#nav-data'));
    expect(vi.mocked(api.listDatasets).mock.calls.length).toBeGreaterThan(datasetsBefore);
    // The shell moves the progress channel to the new workspace; the window does not ask again.
    expect(api.watchProgress).toHaveBeenCalledTimes(1);
  });
});
