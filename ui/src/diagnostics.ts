// The About view's numbers as text: sizes a person reads, and the plain-text block "Copy diagnostics" puts on the clipboard for a support request.
import type { Diagnostics } from './bindings/Diagnostics';

/** 0 B, 512 B, 1.5 KB, 12.3 MB, 1.02 GB: powers of 1024, three significant digits at most. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${units[unit]}`;
}

/** The workspace's size on disk: the file, plus its log while it holds changes not yet copied in. */
export function workspaceSize(d: Diagnostics): string {
  const total = formatBytes(d.workspace_bytes + d.wal_bytes);
  return d.wal_bytes > 0 ? `${total} (log ${formatBytes(d.wal_bytes)})` : total;
}

/** The lines of the About view, label and value, in the order both the view and the copied text show them. */
export function diagnosticsLines(d: Diagnostics): [string, string][] {
  return [
    ['Matchbook', d.version],
    ['Workspace', d.workspace_path + (d.read_only ? ' (read-only)' : '')],
    ['Workspace size', workspaceSize(d)],
    ['Contents', `${d.datasets} datasets, ${d.configs} configs, ${d.runs} runs`],
    ['Schema version', String(d.schema_version)],
    ['SQLite', d.sqlite_version],
    ['Logs', d.log_dir ?? 'not written (no log folder)'],
    ['System', d.os],
  ];
}

/** The plain-text block for a support request: one "Label: value" line each, exact bytes included. */
export function diagnosticsText(d: Diagnostics): string {
  const lines = diagnosticsLines(d).map(([label, value]) => `${label}: ${value}`);
  lines.splice(3, 0, `Workspace bytes: ${d.workspace_bytes} + log ${d.wal_bytes}`);
  return `${lines.join('\n')}\n`;
}
