// The shell against a mocked api: workspace path, tab navigation, and one progress channel for the whole app.
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('./api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./api')>()),
  workspaceInfo: vi.fn(async () => ({ path: '/home/ana/books.matchbook', datasets: 0, configs: 0, runs: 0 })),
  watchProgress: vi.fn(async () => null),
  listDatasets: vi.fn(async () => []),
  listConfigs: vi.fn(async () => []),
  listRuns: vi.fn(async () => []),
}));

import * as api from './api';
import { App } from './App';
import { click, render, type Rendered } from './testing';

let view: Rendered | null = null;

afterEach(() => {
  view?.unmount();
  view = null;
});

describe('App', () => {
  it('shows the workspace, switches tabs and watches progress once', async () => {
    view = await render(<App />);
    expect(document.querySelector('.workspace')?.textContent).toContain('/home/ana/books.matchbook');
    for (const id of ['data', 'configs', 'runs', 'review']) expect(document.querySelector(`#nav-${id}`)).not.toBeNull();
    expect(document.querySelector('#panel-data')?.hasAttribute('hidden')).toBe(false);
    expect(document.querySelector('#panel-review')?.hasAttribute('hidden')).toBe(true);

    await click(document.querySelector('#nav-review'));
    expect(document.querySelector('#nav-review')?.getAttribute('aria-selected')).toBe('true');
    expect(document.querySelector('#panel-review')?.hasAttribute('hidden')).toBe(false);
    expect(document.querySelector('#panel-data')?.hasAttribute('hidden')).toBe(true);

    await click(document.querySelector('#nav-runs'));
    expect(document.querySelector('#start-run')).not.toBeNull();
    expect(vi.mocked(api.watchProgress)).toHaveBeenCalledTimes(1);
  });
});
