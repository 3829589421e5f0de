// Settings > About against a mocked api and a stub of the clipboard alone: what it shows, and what "Copy diagnostics" copies.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../api', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../api')>()),
  diagnostics: vi.fn(),
}));

import * as api from '../../api';
import type { Diagnostics } from '../../bindings/Diagnostics';
import { diagnosticsText } from '../../diagnostics';
import { click, render, type Rendered } from '../../testing';
import { AboutSection } from './AboutSection';

const mocked = vi.mocked(api);
let view: Rendered | null = null;
const writeText = vi.fn<(text: string) => Promise<void>>();

const d: Diagnostics = {
  version: '0.1.0',
  workspace_path: '/home/ana/acme.sqlite',
  workspace_bytes: 4096,
  wal_bytes: 8192,
  read_only: false,
  schema_version: 15,
  sqlite_version: '3.50.2',
  log_dir: '/home/ana/.local/share/app.matchbook.desktop/logs',
  os: 'linux x86_64',
  datasets: 2,
  configs: 1,
  runs: 0,
};

beforeEach(() => {
  mocked.diagnostics.mockResolvedValue(d);
  writeText.mockReset();
  writeText.mockResolvedValue(undefined);
  // Only the clipboard is stubbed: jsdom has none.
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});

afterEach(() => {
  view?.unmount();
  view = null;
  vi.clearAllMocks();
});

const dd = (label: string) => view!.container.querySelector(`[data-about="${label}"] dd`)?.textContent;

describe('AboutSection', () => {
  it('shows the version, workspace, size with its log, SQLite, schema and the log folder', async () => {
    view = await render(<AboutSection active />);
    expect(dd('Matchbook')).toBe('0.1.0');
    expect(dd('Workspace')).toBe('/home/ana/acme.sqlite');
    expect(dd('Workspace size')).toBe('12 KB (log 8 KB)');
    expect(dd('SQLite')).toBe('3.50.2');
    expect(dd('Schema version')).toBe('15');
    expect(dd('Logs')).toBe('/home/ana/.local/share/app.matchbook.desktop/logs');
  });

  it('copies the diagnostics as plain text and says so', async () => {
    view = await render(<AboutSection active />);
    await click(view.container.querySelector('#about-copy'));
    expect(writeText).toHaveBeenCalledWith(diagnosticsText(d));
    expect(writeText.mock.calls[0]?.[0]).toContain('SQLite: 3.50.2\n');
    expect(view.container.querySelector('#about-copy-state')?.textContent).toContain('Copied');
  });

  it('says where the clipboard refused, and reads nothing while Settings is hidden', async () => {
    writeText.mockRejectedValue(new Error('denied'));
    view = await render(<AboutSection active />);
    await click(view.container.querySelector('#about-copy'));
    expect(view.container.querySelector('#about-copy-state')?.textContent).toContain('Could not reach the clipboard');
    view.unmount();
    mocked.diagnostics.mockClear();
    view = await render(<AboutSection active={false} />);
    expect(mocked.diagnostics).not.toHaveBeenCalled();
    expect((view.container.querySelector('#about-copy') as HTMLButtonElement).disabled).toBe(true);
  });
});
