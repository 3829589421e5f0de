// The About view's sizes and the copied diagnostics text.
import { describe, expect, it } from 'vitest';

import type { Diagnostics } from './bindings/Diagnostics';
import { diagnosticsLines, diagnosticsText, formatBytes, workspaceSize } from './diagnostics';

const d: Diagnostics = {
  version: '0.1.0',
  workspace_path: '/home/ana/acme.sqlite',
  workspace_bytes: 12 * 1024 * 1024,
  wal_bytes: 0,
  read_only: false,
  schema_version: 15,
  sqlite_version: '3.50.2',
  log_dir: '/home/ana/.local/share/app.matchbook.desktop/logs',
  os: 'Debian GNU/Linux 12 (bookworm), linux x86_64',
  datasets: 2,
  configs: 1,
  runs: 3,
};

describe('formatBytes', () => {
  it('reads in powers of 1024 with at most three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(12.34 * 1024 * 1024)).toBe('12.3 MB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MB');
    expect(formatBytes(1.02 * 1024 ** 3)).toBe('1.02 GB');
  });
});

describe('diagnostics', () => {
  it('adds the log to the size only while it holds changes', () => {
    expect(workspaceSize(d)).toBe('12 MB');
    expect(workspaceSize({ ...d, wal_bytes: 1024 * 1024 })).toBe('13 MB (log 1 MB)');
  });

  it('copies one "Label: value" line each, with the exact bytes', () => {
    const text = diagnosticsText({ ...d, read_only: true });
    expect(text).toBe(
      [
        'Matchbook: 0.1.0',
        'Workspace: /home/ana/acme.sqlite (read-only)',
        'Workspace size: 12 MB',
        `Workspace bytes: ${12 * 1024 * 1024} + log 0`,
        'Contents: 2 datasets, 1 configs, 3 runs',
        'Schema version: 15',
        'SQLite: 3.50.2',
        'Logs: /home/ana/.local/share/app.matchbook.desktop/logs',
        'System: Debian GNU/Linux 12 (bookworm), linux x86_64',
        '',
      ].join('\n'),
    );
    expect(diagnosticsLines({ ...d, log_dir: null }).find(([l]) => l === 'Logs')?.[1]).toContain('not written');
  });
});
