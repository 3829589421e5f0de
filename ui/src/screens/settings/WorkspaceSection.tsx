// Settings > Workspace: which workspace file is open, and switching it (open, new, move) through the file dialogs, a typed path, or the recent list.
import { useCallback, useEffect, useState } from 'react';

import {
  forgetRecentWorkspace,
  moveWorkspace,
  newWorkspace,
  openWorkspace,
  pickWorkspaceFile,
  pickWorkspacePath,
  recentWorkspaces,
  workspaceInfo,
} from '../../api';
import { ApiCallError, errorText } from '../../apiError';
import type { RecentWorkspace } from '../../bindings/RecentWorkspace';
import type { WorkspaceInfo } from '../../bindings/WorkspaceInfo';
import { ErrorBanner } from '../../components/ErrorBanner';
import { FieldError } from '../../components/FieldError';
import { formatDateTime, plural, stripFieldPrefix } from '../../format';
import '../../styles/settings.css';

type Switch = 'open' | 'new' | 'move';

const SWITCHES: Record<Switch, (path: string) => Promise<WorkspaceInfo>> = {
  open: openWorkspace,
  new: newWorkspace,
  move: moveWorkspace,
};

interface Props {
  active: boolean;
  /** Called with the workspace now open, after every switch: the window reloads what it shows. */
  onChanged: (info: WorkspaceInfo) => void;
}

/** The file name at the end of a path, for the save dialog's suggestion. */
function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || 'workspace.sqlite';
}

export function WorkspaceSection({ active, onChanged }: Props) {
  const [current, setCurrent] = useState<WorkspaceInfo | null>(null);
  const [recent, setRecent] = useState<RecentWorkspace[]>([]);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [pathError, setPathError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    workspaceInfo().then(setCurrent, (e: unknown) => setError(errorText(e, 'Could not read the open workspace')));
    recentWorkspaces().then(setRecent, (e: unknown) => setError(errorText(e, 'Could not read the recent workspaces')));
  }, []);

  useEffect(() => {
    if (active) load();
  }, [active, load]);

  const run = async (kind: Switch, path: string) => {
    setBusy(true);
    setPathError(null);
    setError(null);
    try {
      const info = await SWITCHES[kind](path);
      setCurrent(info);
      setTyped('');
      recentWorkspaces().then(setRecent, () => undefined);
      onChanged(info);
    } catch (e) {
      // Errors about the path belong under the path; the rest (a run that would not stop) above.
      if (e instanceof ApiCallError && e.field === 'path') setPathError(stripFieldPrefix(e.message, e.field));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const viaDialog = async (kind: Switch) => {
    try {
      const path =
        kind === 'open'
          ? await pickWorkspaceFile()
          : kind === 'new'
            ? await pickWorkspacePath('New workspace', 'workspace.sqlite')
            : await pickWorkspacePath('Move the workspace to', fileName(current?.path ?? ''));
      if (path) await run(kind, path);
    } catch (e) {
      setError(errorText(e, 'The file dialog did not open'));
    }
  };

  const viaTyped = (kind: Switch) => {
    if (!typed.trim()) {
      setPathError('Type the full path of a workspace file first.');
      return;
    }
    void run(kind, typed);
  };

  const forget = async (path: string) => {
    try {
      setRecent(await forgetRecentWorkspace(path));
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section className="card workspace-card" aria-labelledby="workspace-heading" aria-busy={busy}>
      <h2 id="workspace-heading">Workspace</h2>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      <p>
        Open now: <code id="workspace-current">{current?.path ?? '…'}</code>
        {current && (
          <span className="muted" id="workspace-counts">
            {' '}
            — {plural(current.datasets, 'dataset', 'datasets')}, {plural(current.configs, 'config', 'configs')},{' '}
            {plural(current.runs, 'run', 'runs')}
          </span>
        )}
      </p>
      <p className="muted">
        A workspace is one file with its data, configs, runs and reviews: keep one per client or per month and switch
        here. Runs still in progress are cancelled when you switch.
      </p>
      <div className="workspace-actions">
        <button type="button" id="workspace-open-dialog" disabled={busy} onClick={() => void viaDialog('open')}>
          Open…
        </button>
        <button type="button" id="workspace-new-dialog" disabled={busy} onClick={() => void viaDialog('new')}>
          New…
        </button>
        <button type="button" id="workspace-move-dialog" disabled={busy || !current} onClick={() => void viaDialog('move')}>
          Move…
        </button>
        {busy && (
          <span className="muted" id="workspace-busy" role="status">
            Switching…
          </span>
        )}
      </div>
      <div className="workspace-path-row">
        <label htmlFor="workspace-path">Or type a path</label>
        <input
          id="workspace-path"
          type="text"
          value={typed}
          placeholder="/home/me/clients/acme-2026-03.sqlite"
          spellCheck={false}
          disabled={busy}
          aria-invalid={pathError !== null}
          aria-describedby={pathError ? 'workspace-path-error' : undefined}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') viaTyped('open');
          }}
        />
        <button type="button" id="workspace-open" disabled={busy} onClick={() => viaTyped('open')}>
          Open
        </button>
        <button type="button" id="workspace-create" disabled={busy} onClick={() => viaTyped('new')}>
          Create
        </button>
        <button type="button" id="workspace-move" disabled={busy || !current} onClick={() => viaTyped('move')}>
          Move here
        </button>
      </div>
      <FieldError id="workspace-path-error" message={pathError ?? undefined} />
      <RecentList recent={recent} currentPath={current?.path ?? null} busy={busy} onOpen={(p) => void run('open', p)} onForget={(p) => void forget(p)} />
    </section>
  );
}

interface RecentProps {
  recent: RecentWorkspace[];
  currentPath: string | null;
  busy: boolean;
  onOpen: (path: string) => void;
  onForget: (path: string) => void;
}

function RecentList({ recent, currentPath, busy, onOpen, onForget }: RecentProps) {
  if (recent.length === 0) {
    return <p className="muted">No other workspace opened yet: the ones you open or create show here.</p>;
  }
  return (
    <>
      <h3 className="recent-heading">Recent</h3>
      <ul id="workspace-recent" className="recent-list">
        {recent.map((r) => {
          const open = r.path === currentPath;
          return (
            <li key={r.path} data-path={r.path} data-missing={r.exists ? undefined : 'true'} className={r.exists ? '' : 'missing'}>
              <code className="recent-path">{r.path}</code>
              <span className="muted recent-when">opened {formatDateTime(r.opened_at)}</span>
              {open ? (
                <span className="recent-tag">open now</span>
              ) : r.exists ? (
                <button type="button" className="recent-open" disabled={busy} onClick={() => onOpen(r.path)}>
                  Open
                </button>
              ) : (
                <>
                  <span className="recent-tag recent-missing">file missing</span>
                  <button type="button" className="recent-forget" disabled={busy} onClick={() => onForget(r.path)}>
                    Forget
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
