// Behaviour of the settings screen against a mocked api: turning the REST API on shows the new key
// once, a bad port is refused before anything is sent, rotation shows the replacement key.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api')>()),
  apiStatus: vi.fn(),
  setApiSettings: vi.fn(),
  rotateApiKey: vi.fn(),
  workspaceInfo: vi.fn(async () => ({ path: '/w/demo.sqlite', datasets: 2, configs: 1, runs: 0 })),
  recentWorkspaces: vi.fn(async () => []),
  newWorkspace: vi.fn(),
  diagnostics: vi.fn(async () => ({
    version: '0.1.0',
    workspace_path: '/w/demo.sqlite',
    workspace_bytes: 4096,
    wal_bytes: 0,
    read_only: false,
    schema_version: 15,
    sqlite_version: '3.50.2',
    log_dir: null,
    os: 'linux x86_64',
    datasets: 2,
    configs: 1,
    runs: 0,
  })),
}));

import * as api from '../api';
import type { ApiServerStatus } from '../bindings/ApiServerStatus';
import { change, click, render, settle, type Rendered } from '../testing';
import { SettingsScreen } from './SettingsScreen';

const mocked = vi.mocked(api);
let view: Rendered | null = null;

const off: ApiServerStatus = { settings: { enabled: false, port: 8750 }, running: false };
const key = { prefix: 'mbk_1a2b3c4d', created_at: '2026-11-23T08:00:00.000Z' };

beforeEach(() => {
  mocked.apiStatus.mockResolvedValue(off);
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.clearAllMocks();
});

const $ = <T extends Element>(sel: string) => view!.container.querySelector<T>(sel);

describe('SettingsScreen', () => {
  it('turns the API on, shows where it serves and the new key once', async () => {
    mocked.setApiSettings.mockResolvedValue({
      settings: { enabled: true, port: 8750 },
      running: true,
      url: 'http://127.0.0.1:8750',
      key,
      new_key: 'mbk_1a2b3c4d' + 'f'.repeat(56),
    });
    view = await render(<SettingsScreen active />);
    expect($('#api-state')?.textContent).toContain('Not serving');
    expect($('#api-key-none')).not.toBeNull();
    await click($<HTMLInputElement>('#api-enabled')!);
    await settle();
    expect(mocked.setApiSettings).toHaveBeenCalledWith({ enabled: true, port: 8750 });
    expect($('#api-url')?.textContent).toBe('http://127.0.0.1:8750');
    expect($('#api-new-key')?.textContent).toMatch(/^mbk_1a2b3c4df+$/);
    expect($('#api-key-prefix')?.textContent).toBe('mbk_1a2b3c4d…');
  });

  it('refuses a port outside 1024–65535 without calling the backend', async () => {
    view = await render(<SettingsScreen active />);
    const port = $<HTMLInputElement>('#api-port')!;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(port, '80');
    port.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
    await click($<HTMLInputElement>('#api-enabled')!);
    await settle();
    expect(mocked.setApiSettings).not.toHaveBeenCalled();
    expect($('#api-port-error')?.textContent).toContain('1024');
  });

  it('shows why the server is not running, and the rotated key', async () => {
    mocked.apiStatus.mockResolvedValue({
      settings: { enabled: true, port: 8750 },
      running: false,
      key,
      error: 'cannot listen on 127.0.0.1:8750: address in use',
    });
    mocked.rotateApiKey.mockResolvedValue({
      settings: { enabled: true, port: 8750 },
      running: false,
      key: { prefix: 'mbk_99999999', created_at: '2026-11-23T09:00:00.000Z' },
      new_key: 'mbk_99999999' + '0'.repeat(56),
    });
    view = await render(<SettingsScreen active />);
    expect($('#api-server-error')?.textContent).toContain('address in use');
    expect($('#api-new-key')).toBeNull();
    await click($<HTMLButtonElement>('#api-rotate')!);
    await settle();
    expect(mocked.rotateApiKey).toHaveBeenCalledTimes(1);
    expect($('#api-new-key')?.textContent).toMatch(/^mbk_99999999/);
    expect($('#api-key-prefix')?.textContent).toBe('mbk_99999999…');
  });

  it('asks again while the server is still starting, and shows its address once it serves', async () => {
    mocked.apiStatus
      .mockResolvedValueOnce({ settings: { enabled: true, port: 8750 }, running: false, key })
      .mockResolvedValue({
        settings: { enabled: true, port: 8750 },
        running: true,
        url: 'http://127.0.0.1:8750',
        key,
      });
    view = await render(<SettingsScreen active />);
    expect($('#api-state')?.textContent).toBe('Starting…');
    await vi.waitFor(() => expect($('#api-url')?.textContent).toBe('http://127.0.0.1:8750'), {
      timeout: 2000,
    });
    const asked = mocked.apiStatus.mock.calls.length;
    expect(asked).toBe(2);
    // Settled: no more asking.
    await new Promise((r) => setTimeout(r, 700));
    expect(mocked.apiStatus.mock.calls.length).toBe(asked);
  });

  it('shows the open workspace and About, and reports a switch of workspace to the window', async () => {
    const onWorkspaceChanged = vi.fn();
    const march = { path: '/w/march.sqlite', datasets: 0, configs: 0, runs: 0 };
    mocked.newWorkspace.mockResolvedValue(march);
    view = await render(<SettingsScreen active onWorkspaceChanged={onWorkspaceChanged} />);
    expect($('#workspace-current')?.textContent).toBe('/w/demo.sqlite');
    expect($('[data-about="SQLite"] dd')?.textContent).toBe('3.50.2');
    await change($('#workspace-path'), '/w/march.sqlite');
    await click($('#workspace-create'));
    expect(onWorkspaceChanged).toHaveBeenCalledWith(march);
  });
});
